/**
 * `--shard auto`: which shard this is, read from what the engine running
 * the job sets, so that one command line serves every shard.
 *
 * - `RAFT_DSTEST_SHARD=i/n` (1-based), set by hand or by a workflow (GitHub
 *   Actions has no shard variables of its own: a matrix sets this one);
 * - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, 0-based, with the
 *   number of shards (the Job's completions, which Kubernetes does not put
 *   in the environment) from `--shard-total` or `RAFT_DSTEST_SHARD_TOTAL`;
 * - GitLab's `parallel:` jobs: `CI_NODE_INDEX`, 1-based, and `CI_NODE_TOTAL`.
 *
 * The first of these that is set wins, in that order.
 */
import type { Shard } from '../runner/plan.js';
import { UsageError } from './usage-error.js';

export const SHARD_ENV = 'RAFT_DSTEST_SHARD';
export const SHARD_TOTAL_ENV = 'RAFT_DSTEST_SHARD_TOTAL';
export const KUBERNETES_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const GITLAB_INDEX_ENV = 'CI_NODE_INDEX';
export const GITLAB_TOTAL_ENV = 'CI_NODE_TOTAL';

export interface ShardFromEnv {
  shard: Shard;
  /** Where it came from, as `NAME=value` words, for the line that announces the shard. */
  source: string;
}

const WHOLE_NUMBER = /^\d+$/;

/** A variable's value, or undefined when it is unset or empty (an empty value sets nothing). */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function whole(name: string, value: string, min: number): number {
  const n = WHOLE_NUMBER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--shard auto: ${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/**
 * The shard the environment names. `totalFlag` is `--shard-total`'s value:
 * the number of shards for a Kubernetes Indexed Job, and a check for any
 * other source (a total that disagrees is an error, not a guess).
 */
export function shardFromEnv(env: NodeJS.ProcessEnv, totalFlag?: string): ShardFromEnv {
  const flagTotal = totalFlag === undefined ? undefined : whole('--shard-total', totalFlag, 1);
  const found = findShard(env, flagTotal);
  const { index, count } = found.shard;
  if (index < 1 || index > count) {
    throw new UsageError(`--shard auto: ${found.source} names shard ${index} of ${count}, which does not exist (shards are 1 to ${count})`);
  }
  if (flagTotal !== undefined && flagTotal !== count) {
    throw new UsageError(`--shard auto: ${found.source} says there are ${count} shards but --shard-total says ${flagTotal}`);
  }
  return found;
}

function findShard(env: NodeJS.ProcessEnv, flagTotal: number | undefined): ShardFromEnv {
  const explicit = read(env, SHARD_ENV);
  if (explicit !== undefined) {
    const match = /^(\d+)\/(\d+)$/.exec(explicit);
    if (match === null) throw new UsageError(`--shard auto: ${SHARD_ENV} must be <i>/<n> (e.g. 2/4), got "${explicit}"`);
    return { shard: { index: whole(SHARD_ENV, match[1]!, 1), count: whole(SHARD_ENV, match[2]!, 1) }, source: `${SHARD_ENV}=${explicit}` };
  }
  const kubernetes = read(env, KUBERNETES_INDEX_ENV);
  if (kubernetes !== undefined) {
    const index = whole(KUBERNETES_INDEX_ENV, kubernetes, 0);
    const envTotal = read(env, SHARD_TOTAL_ENV);
    const count = flagTotal ?? (envTotal === undefined ? undefined : whole(SHARD_TOTAL_ENV, envTotal, 1));
    if (count === undefined) {
      throw new UsageError(
        `--shard auto: ${KUBERNETES_INDEX_ENV}=${kubernetes} (a Kubernetes Indexed Job) needs the number of shards, the Job's completions: give --shard-total <n> or set ${SHARD_TOTAL_ENV}`,
      );
    }
    const total = flagTotal !== undefined ? `--shard-total ${flagTotal}` : `${SHARD_TOTAL_ENV}=${count}`;
    // Kubernetes counts from 0; shards count from 1.
    return { shard: { index: index + 1, count }, source: `${KUBERNETES_INDEX_ENV}=${kubernetes}, ${total}` };
  }
  const gitlab = read(env, GITLAB_INDEX_ENV);
  const gitlabTotal = read(env, GITLAB_TOTAL_ENV);
  if (gitlab !== undefined || gitlabTotal !== undefined) {
    if (gitlab === undefined || gitlabTotal === undefined) {
      throw new UsageError(`--shard auto: ${GITLAB_INDEX_ENV} and ${GITLAB_TOTAL_ENV} go together (GitLab sets both for a parallel job), but only ${gitlab === undefined ? GITLAB_TOTAL_ENV : GITLAB_INDEX_ENV} is set`);
    }
    return {
      shard: { index: whole(GITLAB_INDEX_ENV, gitlab, 1), count: whole(GITLAB_TOTAL_ENV, gitlabTotal, 1) },
      source: `${GITLAB_INDEX_ENV}=${gitlab}, ${GITLAB_TOTAL_ENV}=${gitlabTotal}`,
    };
  }
  throw new UsageError(
    `--shard auto found no shard in the environment: set ${SHARD_ENV}=<i>/<n>, or run as a Kubernetes Indexed Job (${KUBERNETES_INDEX_ENV}, with --shard-total <n> or ${SHARD_TOTAL_ENV}) or a GitLab parallel job (${GITLAB_INDEX_ENV} and ${GITLAB_TOTAL_ENV})`,
  );
}
