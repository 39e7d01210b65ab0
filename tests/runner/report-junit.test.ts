import { describe, expect, it } from 'vitest';
import { buildReport, type RunRecord } from '../../src/runner/report-json.js';
import { escapeXml, renderJUnit, stripInvalidXmlChars } from '../../src/runner/report-junit.js';
import { elementsNamed, parseXml } from './report-xml-check.js';

const header = { seed: 7, mode: 'sim' as const, workers: 1, startedAt: '2025-06-07T08:09:10.000Z', wallMs: 1234 };

function run(test: string, k: number, overrides: Partial<RunRecord> = {}): RunRecord {
  return { test, k, seed: 7 + k, passed: true, wallMs: 12, simMs: 3000, raftMs: 2, saves: 4, savedBytes: 120, error: null, log: null, ...overrides };
}

const nasty = 'expected <1> & "2" \'3\'\u0000\u0007\u001b[31m\ud800 ok\u{1F600}\nsecond line';

describe('escapeXml and stripInvalidXmlChars', () => {
  it('escapes the five special characters', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
  });

  it('drops characters XML 1.0 cannot hold and keeps tab, newline, CR and astral characters', () => {
    expect(stripInvalidXmlChars('a\u0000b\u0008c\td\ne\rf\ufffeg\uffffh\udc00i\u{1F600}')).toBe('abc\td\ne\rfghi\u{1F600}');
  });
});

describe('renderJUnit', () => {
  const report = buildReport(header, ['TestInitialElection2A', 'TestFigure82C'], [
    run('TestInitialElection2A', 0),
    run('TestInitialElection2A', 1, { passed: false, error: nasty, log: 'out/TestInitialElection2A_1.log' }),
    run('TestFigure82C', 0, { wallMs: 1500 }),
  ]);
  const xml = renderJUnit(report, (test) => (test.endsWith('2A') ? '2A' : '2C'));
  const root = parseXml(xml);

  it('is well-formed, with one testsuite per test and one testcase per run', () => {
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '3', failures: '1', time: '1.234' });
    expect(elementsNamed(root, 'testsuite').map((s) => [s.attrs.name, s.attrs.tests, s.attrs.failures])).toEqual([
      ['TestInitialElection2A', '2', '1'],
      ['TestFigure82C', '1', '0'],
    ]);
    expect(elementsNamed(root, 'testcase').map((c) => [c.attrs.name, c.attrs.classname, c.attrs.time])).toEqual([
      ['TestInitialElection2A #0 (seed 7)', 'raft-dstest.2A', '0.012'],
      ['TestInitialElection2A #1 (seed 8)', 'raft-dstest.2A', '0.012'],
      ['TestFigure82C #0 (seed 7)', 'raft-dstest.2C', '1.500'],
    ]);
  });

  it('gives a failure the first line as message and the whole error and the log path as body', () => {
    const [failure, ...others] = elementsNamed(root, 'failure');
    expect(others).toHaveLength(0);
    expect(failure!.attrs.message).toBe('expected <1> & "2" \'3\'[31m ok\u{1F600}');
    expect(failure!.text).toBe('expected <1> & "2" \'3\'[31m ok\u{1F600}\nsecond line\nlog: out/TestInitialElection2A_1.log');
  });

  it('names a test the registry does not know with the bare classname', () => {
    const exec = renderJUnit(buildReport({ ...header, mode: 'exec' }, ['A'], [run('A', 0, { simMs: null })]), () => undefined);
    expect(elementsNamed(parseXml(exec), 'testcase')[0]!.attrs.classname).toBe('raft-dstest');
  });
});

describe('the XML check itself', () => {
  it.each([
    ['an unescaped <', '<a>1 < 2</a>'],
    ['a bare &', '<a>this & that</a>'],
    ['mismatched tags', '<a><b></a></b>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a repeated attribute', '<a x="1" x="2"/>'],
    ['two roots', '<a/><b/>'],
    ['a control character', '<a>\u0001</a>'],
    ['an unclosed element', '<a><b/>'],
  ])('rejects %s', (_, doc) => {
    expect(() => parseXml(doc)).toThrow();
  });
});

describe('renderJUnit with runs cut off', () => {
  it('gives a run cut off in flight a <skipped> testcase with the reason and its log, counted apart from the failures', () => {
    const cut = { test: 'TestA', k: 1, seed: 8, wallMs: 500, reason: 'cut off by SIGTERM after 0.50s', log: 'out/TestA_1.log' };
    const report = buildReport(header, ['TestA'], [run('TestA', 0)], [cut]);
    const xml = parseXml(renderJUnit(report, () => '2A'));
    const [suite] = elementsNamed(xml, 'testsuite');
    expect(suite!.attrs).toMatchObject({ tests: '2', failures: '0', skipped: '1' });
    const skipped = elementsNamed(xml, 'skipped');
    expect(skipped.map((s) => [s.attrs.message, s.text])).toEqual([['cut off by SIGTERM after 0.50s', 'cut off by SIGTERM after 0.50s\nlog: out/TestA_1.log']]);
    expect(elementsNamed(xml, 'testcase').map((c) => c.attrs.name)).toEqual(['TestA #0 (seed 7)', 'TestA #1 (seed 8)']);
  });
});
