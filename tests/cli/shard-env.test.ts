import { describe, expect, it } from 'vitest';
import { shardFromEnv } from '../../src/cli/shard-env.js';
import { UsageError } from '../../src/cli/usage-error.js';

// --shard auto: the shard each CI engine names, in its own numbering.

describe('shardFromEnv', () => {
  it('reads RAFT_DSTEST_SHARD as i/n, 1-based', () => {
    expect(shardFromEnv({ RAFT_DSTEST_SHARD: '2/4' })).toEqual({ shard: { index: 2, count: 4 }, source: 'RAFT_DSTEST_SHARD=2/4' });
  });

  it('reads a Kubernetes Indexed Job\'s 0-based JOB_COMPLETION_INDEX, with the total from the flag or the environment', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0' }, '4')).toEqual({ shard: { index: 1, count: 4 }, source: 'JOB_COMPLETION_INDEX=0, --shard-total 4' });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3', RAFT_DSTEST_SHARD_TOTAL: '4' })).toEqual({
      shard: { index: 4, count: 4 },
      source: 'JOB_COMPLETION_INDEX=3, RAFT_DSTEST_SHARD_TOTAL=4',
    });
    // The flag wins over the environment for the total.
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1', RAFT_DSTEST_SHARD_TOTAL: '9' }, '2').shard).toEqual({ index: 2, count: 2 });
  });

  it("reads GitLab's 1-based CI_NODE_INDEX with CI_NODE_TOTAL", () => {
    expect(shardFromEnv({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '3' })).toEqual({ shard: { index: 1, count: 3 }, source: 'CI_NODE_INDEX=1, CI_NODE_TOTAL=3' });
    expect(shardFromEnv({ CI_NODE_INDEX: '3', CI_NODE_TOTAL: '3' }).shard).toEqual({ index: 3, count: 3 });
  });

  it('takes the first source set: RAFT_DSTEST_SHARD, then Kubernetes, then GitLab; empty values set nothing', () => {
    const all = { RAFT_DSTEST_SHARD: '1/2', JOB_COMPLETION_INDEX: '1', RAFT_DSTEST_SHARD_TOTAL: '2', CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' };
    expect(shardFromEnv(all).source).toBe('RAFT_DSTEST_SHARD=1/2');
    expect(shardFromEnv({ ...all, RAFT_DSTEST_SHARD: '' }).source).toBe('JOB_COMPLETION_INDEX=1, RAFT_DSTEST_SHARD_TOTAL=2');
    expect(shardFromEnv({ ...all, RAFT_DSTEST_SHARD: '', JOB_COMPLETION_INDEX: ' ' }).source).toBe('CI_NODE_INDEX=1, CI_NODE_TOTAL=2');
  });

  it('says what to set when nothing is set', () => {
    expect(() => shardFromEnv({ GITHUB_ACTIONS: 'true' })).toThrow(
      new UsageError(
        '--shard auto found no shard in the environment: set RAFT_DSTEST_SHARD=<i>/<n>, or run as a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with --shard-total <n> or RAFT_DSTEST_SHARD_TOTAL) or a GitLab parallel job (CI_NODE_INDEX and CI_NODE_TOTAL)',
      ),
    );
  });

  it('names the bad variable and its value', () => {
    const cases: [NodeJS.ProcessEnv, string | undefined, string][] = [
      [{ RAFT_DSTEST_SHARD: '2of4' }, undefined, '--shard auto: RAFT_DSTEST_SHARD must be <i>/<n> (e.g. 2/4), got "2of4"'],
      [{ RAFT_DSTEST_SHARD: '5/4' }, undefined, '--shard auto: RAFT_DSTEST_SHARD=5/4 names shard 5 of 4, which does not exist (shards are 1 to 4)'],
      [{ RAFT_DSTEST_SHARD: '0/4' }, undefined, '--shard auto: RAFT_DSTEST_SHARD must be a whole number of at least 1, got "0"'],
      [
        { JOB_COMPLETION_INDEX: '2' },
        undefined,
        '--shard auto: JOB_COMPLETION_INDEX=2 (a Kubernetes Indexed Job) needs the number of shards, the Job\'s completions: give --shard-total <n> or set RAFT_DSTEST_SHARD_TOTAL',
      ],
      [{ JOB_COMPLETION_INDEX: '4' }, '4', '--shard auto: JOB_COMPLETION_INDEX=4, --shard-total 4 names shard 5 of 4, which does not exist (shards are 1 to 4)'],
      [{ JOB_COMPLETION_INDEX: '-1' }, '4', '--shard auto: JOB_COMPLETION_INDEX must be a whole number of at least 0, got "-1"'],
      [{ JOB_COMPLETION_INDEX: '0', RAFT_DSTEST_SHARD_TOTAL: 'four' }, undefined, '--shard auto: RAFT_DSTEST_SHARD_TOTAL must be a whole number of at least 1, got "four"'],
      [{ CI_NODE_INDEX: '0', CI_NODE_TOTAL: '4' }, undefined, '--shard auto: CI_NODE_INDEX must be a whole number of at least 1, got "0"'],
      [{ CI_NODE_INDEX: '2' }, undefined, '--shard auto: CI_NODE_INDEX and CI_NODE_TOTAL go together (GitLab sets both for a parallel job), but only CI_NODE_INDEX is set'],
      [{ CI_NODE_INDEX: '2', CI_NODE_TOTAL: '4' }, '3', '--shard auto: CI_NODE_INDEX=2, CI_NODE_TOTAL=4 says there are 4 shards but --shard-total says 3'],
      [{ RAFT_DSTEST_SHARD: '1/2' }, '0', '--shard auto: --shard-total must be a whole number of at least 1, got "0"'],
    ];
    for (const [env, total, message] of cases) expect(() => shardFromEnv(env, total), message).toThrow(new UsageError(message));
  });
});
