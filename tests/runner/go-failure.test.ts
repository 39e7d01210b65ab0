/**
 * GoFailureReader: a go test run's failure in Go's own words, read from
 * its output as it streams past (issue 14, item 11).
 */
import { describe, expect, it } from 'vitest';
import { GoFailureReader } from '../../src/runner/go-failure.js';

function reasonOf(output: string, chunkChars = 7): string[] {
  const reader = new GoFailureReader();
  const bytes = new TextEncoder().encode(output);
  for (let at = 0; at < bytes.length; at += chunkChars) reader.write(bytes.subarray(at, at + chunkChars));
  return reader.reason();
}

describe('GoFailureReader', () => {
  it('takes the lines under --- FAIL:, split across chunks anywhere', () => {
    const output = 'Test (2A): election after network failure ...\n--- FAIL: TestReElection2A (4.53s)\n    config.go:362: expected one leader, got none\n    config.go:380: second\nFAIL\nexit status 1\nFAIL\t6.824/raft\t4.535s\n';
    for (const chunk of [1, 3, 7, 1000]) expect(reasonOf(output, chunk)).toEqual(['config.go:362: expected one leader, got none', 'config.go:380: second']);
  });

  it("takes a panic's line over a bare --- FAIL: line, and that line when there is nothing else", () => {
    const panic = '--- FAIL: TestBasicAgree2B (0.00s)\npanic: assignment to entry in nil map [recovered]\n\tpanic: assignment to entry in nil map\n\ngoroutine 18 [running]:\ntesting.tRunner.func1.2({0x508f40, 0x551ee0})\nFAIL\t6.824/raft\t0.01s\n';
    expect(reasonOf(panic)).toEqual(['panic: assignment to entry in nil map [recovered]']);
    expect(reasonOf('--- FAIL: TestA (0.00s)\nFAIL\nexit status 1\n')).toEqual(['--- FAIL: TestA (0.00s)']);
  });

  it("takes the last lines before go test's closing ones when there is no FAIL block, and nothing from nothing", () => {
    const output = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'FAIL', 'exit status 2', 'FAIL\t6.824/raft\t0.5s'].join('\n');
    expect(reasonOf(output)).toEqual(['line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(reasonOf('')).toEqual([]);
  });
});
