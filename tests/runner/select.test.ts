import { describe, expect, it } from 'vitest';
import { closestName, editDistance, listTests, selectTests, UnknownTestArgumentError } from '../../src/runner/select.js';
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
    expect(() => selectTests(['2A', 'TestReElection2'], registry)).toThrow(
      new UnknownTestArgumentError('TestReElection2', 'TestReElection2A'),
    );
    try {
      selectTests(['TestReElection2'], registry);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('unknown test "TestReElection2" (did you mean TestReElection2A?)');
    }
  });

  it('does not take names by prefix or in another case', () => {
    expect(() => selectTests(['TestRe'], registry)).toThrow(UnknownTestArgumentError);
    expect(() => selectTests(['testreelection2a'], registry)).toThrow(/did you mean TestReElection2A\?/);
  });

  it('suggests a part for a part that does not exist', () => {
    expect(() => selectTests(['2D'], registry)).toThrow('unknown test "2D" (did you mean 2A?)');
  });

  it('resolves against the real registry by default', () => {
    expect(selectTests(['2A'])).toEqual(['TestInitialElection2A', 'TestReElection2A', 'TestManyElections2A']);
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
