/**
 * Turns the test arguments of the command line into the registry tests to
 * run. An argument is an exact name, a part such as `2A` (in any case),
 * `all`, or else a regular expression matched anywhere in the names, as
 * `go test -run` matches them (`Figure8`, `'Persist.2C'`). The runner knows
 * tests only through the registry, so that later parts need no change here.
 */
import { PARTS, REGISTRY, type LabTest } from '../suite/registry.js';
import { BadInputError } from './bad-input.js';

export class UnknownTestArgumentError extends BadInputError {
  override name = 'UnknownTestArgumentError';
  constructor(
    readonly argument: string,
    readonly suggestion: string | undefined,
  ) {
    super(`no test matches "${argument}"${suggestion === undefined ? `; ${ALLOWED}` : ` (did you mean ${suggestion}?)`}`);
  }
}

/** What a test argument may be, for messages about one that selects nothing. */
const ALLOWED = `give test names (see --list), a part (${PARTS.join(', ')}), "all" or a regular expression`;

/** An argument that is no name, part or `all`, and not a valid regular expression either. */
export class InvalidTestPatternError extends UnknownTestArgumentError {
  override name = 'InvalidTestPatternError';
  constructor(argument: string, reason: string) {
    super(argument, undefined);
    this.message = `no test matches "${argument}": not a test name, a part (${PARTS.join(', ')}), "all" or a valid regular expression (${reason})`;
  }
}

export interface ListedTest {
  name: string;
  part: string;
  /** Its name in the course's test_test.go, when that differs. */
  goName?: string;
}

/** What selection needs of a test: its name and its part (`2A`…, or '' for none). */
export type Selectable = Pick<LabTest, 'name'> & { part: string };

export function listTests(tests: readonly LabTest[] = REGISTRY): ListedTest[] {
  return tests.map(({ name, part, goName }) => (goName === undefined ? { name, part } : { name, part, goName }));
}

/**
 * The names of the tests the arguments select, each once, in registry order.
 * Throws UnknownTestArgumentError for the first argument that selects nothing
 * (InvalidTestPatternError when it is not even a valid regular expression).
 */
export function selectTests(args: readonly string[], tests: readonly Selectable[] = REGISTRY): string[] {
  const chosen = new Set<string>();
  for (const arg of args) {
    const matches = matchArgument(arg, tests);
    if (matches.length === 0) throw new UnknownTestArgumentError(arg, closestName(arg, candidateNames(tests)));
    for (const test of matches) chosen.add(test.name);
  }
  return tests.filter((test) => chosen.has(test.name)).map((test) => test.name);
}

function matchArgument(arg: string, tests: readonly Selectable[]): readonly Selectable[] {
  if (arg.toLowerCase() === 'all') return tests;
  const part = PARTS.find((p) => p.toLowerCase() === arg.toLowerCase());
  if (part !== undefined) return tests.filter((test) => test.part === part);
  const exact = tests.filter((test) => test.name === arg);
  if (exact.length > 0) return exact;
  let pattern: RegExp;
  try {
    pattern = new RegExp(arg);
  } catch (error) {
    throw new InvalidTestPatternError(arg, (error as Error).message);
  }
  return tests.filter((test) => pattern.test(test.name));
}

function candidateNames(tests: readonly Selectable[]): string[] {
  return [...tests.map((test) => test.name), ...PARTS, 'all'];
}

/**
 * The candidate nearest to `name` by edit distance, ignoring case, or
 * undefined when none is near enough to be what was meant. A test is also
 * compared without its `Test` prefix and part suffix, since that is how
 * people shorten names on the command line (`Figure8Unreliable`).
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const typed = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = Math.min(...spellings(candidate).map((spelling) => editDistance(typed, spelling)));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= suggestionDistanceMax(typed) ? best : undefined;
}

/** A suggestion may differ in up to two characters, or in two fifths of what was typed. */
function suggestionDistanceMax(typed: string): number {
  return Math.max(2, Math.floor((typed.length * 2) / 5));
}

/** The lower-case forms a candidate may be typed in: whole, and a test's name without `Test` and its part. */
function spellings(candidate: string): string[] {
  const whole = candidate.toLowerCase();
  const core = whole.replace(/^test/, '').replace(/2[a-d]$/, '');
  return core === whole || core === '' ? [whole] : [whole, core];
}

/** Levenshtein distance: insertions, deletions and substitutions each cost one. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
