import { describe, expect, it } from 'vitest';
import { shouldColor } from '../../src/cli/color.js';
import { shouldColor as dslogsShouldColor } from '../../src/cli/dslogs/render.js';

describe('shouldColor (table and progress)', () => {
  it('follows the same rule as raft-dslogs', () => {
    expect(shouldColor).toBe(dslogsShouldColor);
  });

  it('colours a terminal unless NO_COLOR is set and not empty', () => {
    expect(shouldColor(undefined, {}, true)).toBe(true);
    expect(shouldColor(undefined, { NO_COLOR: '1' }, true)).toBe(false);
    expect(shouldColor(undefined, { NO_COLOR: '' }, true)).toBe(true);
    expect(shouldColor(undefined, { TERM: 'dumb' }, true)).toBe(false);
  });

  it('does not colour pipes and CI logs unless FORCE_COLOR asks', () => {
    expect(shouldColor(undefined, {}, false)).toBe(false);
    expect(shouldColor(undefined, { FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor(undefined, { FORCE_COLOR: 'false' }, true)).toBe(false);
    expect(shouldColor(undefined, { FORCE_COLOR: '0' }, true)).toBe(false);
  });

  it('lets a non-empty NO_COLOR win over FORCE_COLOR, and the flag win over both', () => {
    expect(shouldColor(undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }, true)).toBe(false);
    expect(shouldColor(true, { NO_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor(false, { FORCE_COLOR: '1' }, true)).toBe(false);
  });
});
