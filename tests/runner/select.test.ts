import { describe, expect, it } from 'vitest';
import { closestName, editDistance, InvalidTestPatternError, listTests, selectTests, UnknownTestArgumentError } from '../../src/runner/select.js';
import type { LabTest } from '../../src/suite/registry.js';

const run = async () => {};
const registry: LabTest[] = [
  { name: 'TestInitialElection2A', part: '2A', run },
  { name: 'TestReElection2A', part: '2A', run },
  { name: 'TestBasicAgree2B', part: '2B', run },
  { name: 'TestPersist12C', part: '2C', run },
];

describe('selectTests', () => {
  it('takes exact names', () => {
    expect(selectTests(['TestReElection2A'], registry)).toEqual(['TestReElection2A']);
  });

  it('takes a part, in any case, as all of its tests', () => {
    expect(selectTests(['2A'], registry)).toEqual(['TestInitialElection2A', 'TestReElection2A']);
    expect(selectTests(['2b'], registry)).toEqual(['TestBasicAgree2B']);
  });

  it('takes all as every test', () => {
    expect(selectTests(['all'], registry)).toEqual(registry.map((t) => t.name));
  });

  it('removes duplicates and keeps registry order, whatever the argument order', () => {
    expect(selectTests(['TestPersist12C', '2A', 'TestReElection2A', 'TestInitialElection2A'], registry)).toEqual([
      'TestInitialElection2A',
      'TestReElection2A',
      'TestPersist12C',
    ]);
  });

  it('rejects a name that matches nothing, naming it and the closest known test', () => {
    expect(() => selectTests(['2A', 'TestReElection2X'], registry)).toThrow(
      new UnknownTestArgumentError('TestReElection2X', 'TestReElection2A'),
    );
    try {
      selectTests(['TestReElection2X'], registry);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('no test matches "TestReElection2X" (did you mean TestReElection2A?)');
    }
  });

  it('matches a regular expression anywhere in the names, case-sensitively, as go test -run does', () => {
    expect(selectTests(['Election'], registry)).toEqual(['TestInitialElection2A', 'TestReElection2A']);
    expect(selectTests(['^TestRe'], registry)).toEqual(['TestReElection2A']);
    expect(selectTests(['Agree|Persist'], registry)).toEqual(['TestBasicAgree2B', 'TestPersist12C']);
    expect(() => selectTests(['testreelection2a'], registry)).toThrow(/did you mean TestReElection2A\?/);
    expect(() => selectTests(['Election$'], registry)).toThrow('no test matches "Election$"');
  });

  it('rejects an invalid regular expression in one line, naming it and what is allowed', () => {
    expect(() => selectTests(['Test(', '2A'], registry)).toThrow(InvalidTestPatternError);
    expect(() => selectTests(['Test('], registry)).toThrow(
      /^no test matches "Test\(": not a test name, a part \(2A, 2B, 2C, 2D\), "all" or a valid regular expression \(Invalid regular expression: .*\)$/,
    );
  });

  it('suggests a test typed without its prefix and part, and nothing when no name is near', () => {
    expect(() => selectTests(['Figure8Unreliabel'])).toThrow('no test matches "Figure8Unreliabel" (did you mean TestFigure8Unreliable2C?)');
    expect(() => selectTests(['TestNoSuchTest'])).toThrow(new UnknownTestArgumentError('TestNoSuchTest', undefined));
    expect(() => selectTests(['TestNoSuchTest'])).toThrow(/^no test matches "TestNoSuchTest"; give test names \(see --list\)/);
  });

  it('suggests a part for a part that does not exist', () => {
    expect(() => selectTests(['2E'], registry)).toThrow('no test matches "2E" (did you mean 2A?)');
  });

  it('resolves against the real registry by default', () => {
    expect(selectTests(['2A'])).toEqual(['TestInitialElection2A', 'TestReElection2A', 'TestManyElections2A']);
    expect(selectTests(['2d'])).toEqual([
      'TestSnapshotBasic2D',
      'TestSnapshotInstall2D',
      'TestSnapshotInstallUnreliable2D',
      'TestSnapshotInstallCrash2D',
      'TestSnapshotInstallUnCrash2D',
      'TestSnapshotAllCrash2D',
    ]);
    expect(selectTests(['all'])).toHaveLength(27);
  });

  it('selects the Figure 8 and the Persist tests of the real registry by pattern, in registry order', () => {
    expect(selectTests(['Figure8'])).toEqual(['TestFigure82C', 'TestFigure8Unreliable2C']);
    expect(selectTests(['Persist.2C'])).toEqual(['TestPersist12C', 'TestPersist22C', 'TestPersist32C']);
    expect(selectTests(['Figure8', 'TestPersist12C', 'Persist.2C', '2A'])).toEqual([
      'TestInitialElection2A',
      'TestReElection2A',
      'TestManyElections2A',
      'TestPersist12C',
      'TestPersist22C',
      'TestPersist32C',
      'TestFigure82C',
      'TestFigure8Unreliable2C',
    ]);
  });
});

describe('listTests', () => {
  it('lists every test with its part, in registry order', () => {
    expect(listTests(registry)).toEqual([
      { name: 'TestInitialElection2A', part: '2A' },
      { name: 'TestReElection2A', part: '2A' },
      { name: 'TestBasicAgree2B', part: '2B' },
      { name: 'TestPersist12C', part: '2C' },
    ]);
  });
});

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', '')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
    expect(editDistance('TestReElection2', 'TestReElection2A')).toBe(1);
  });

  it('picks the nearest candidate, the first of equals', () => {
    expect(closestName('TestBasicAgre2B', ['TestInitialElection2A', 'TestBasicAgree2B'])).toBe('TestBasicAgree2B');
    expect(closestName('ab', ['ax', 'ay'])).toBe('ax');
    expect(closestName('x', [])).toBeUndefined();
  });
});
