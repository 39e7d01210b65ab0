import type { LabTest, Part } from '../harness/test-context.js';
import { part2A } from './part2a.js';
import { part2B } from './part2b.js';
import { part2C } from './part2c.js';
import { part2D } from './part2d.js';

export type { LabTest, Part } from '../harness/test-context.js';

/** The lab's parts, in the order the course takes them. */
export const PARTS: readonly Part[] = ['2A', '2B', '2C', '2D'];

/** Every test of the suite, in the order test_test.go declares them. */
export const REGISTRY: readonly LabTest[] = [...part2A, ...part2B, ...part2C, ...part2D];

export function findTest(name: string, tests: readonly LabTest[] = REGISTRY): LabTest | undefined {
  return tests.find((t) => t.name === name);
}
