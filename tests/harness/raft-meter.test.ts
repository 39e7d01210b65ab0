import { describe, expect, it } from 'vitest';
import { RaftMeter } from '../../src/harness/raft-meter.js';

/** A wall clock the test moves by hand. */
function fakeWall() {
  const clock = { ms: 0, read: () => clock.ms };
  return clock;
}

describe('RaftMeter', () => {
  it('adds up the outermost stretches spent inside the Raft, and only those', () => {
    const wall = fakeWall();
    const meter = new RaftMeter(wall.read);
    meter.inside(() => {
      wall.ms += 5;
      // A nested call (a handler the Raft's own timer reaches) is not counted twice.
      meter.inside(() => (wall.ms += 2));
    });
    wall.ms += 100; // time outside the Raft
    expect(meter.inside(() => ((wall.ms += 3), 'reply'))).toBe('reply');
    expect(meter.totalMs).toBe(10);
  });

  it('leaves the harness work the Raft calls into (an apply) off the meter', () => {
    const wall = fakeWall();
    const meter = new RaftMeter(wall.read);
    meter.inside(() => {
      wall.ms += 4;
      meter.outside(() => (wall.ms += 50));
      wall.ms += 1;
    });
    // Outside the Raft, `outside` is only a call.
    meter.outside(() => (wall.ms += 7));
    expect(meter.totalMs).toBe(5);
  });

  it('with a charge, hands each stretch to it as it ends, also when the Raft throws', () => {
    const wall = fakeWall();
    const charged: number[] = [];
    const meter = new RaftMeter(wall.read, (ms) => charged.push(ms));
    expect(meter.charging).toBe(true);
    meter.inside(() => {
      wall.ms += 4;
      meter.outside(() => (wall.ms += 50));
      wall.ms += 6;
    });
    expect(() =>
      meter.inside(() => {
        wall.ms += 2;
        throw new Error('peer bug');
      }),
    ).toThrow('peer bug');
    expect(charged).toEqual([4, 6, 2]);
    expect(meter.totalMs).toBe(12);
    expect(new RaftMeter(wall.read).charging).toBe(false);
  });

  it('hands insideWith and outsideWith their argument and meters them as inside and outside', () => {
    const wall = fakeWall();
    const meter = new RaftMeter(wall.read);
    const reply = meter.insideWith((ms: number) => {
      wall.ms += ms;
      meter.outsideWith((away: number) => (wall.ms += away), 50);
      return meter.insideWith((more: number) => ((wall.ms += more), 'reply'), 2);
    }, 3);
    expect(reply).toBe('reply');
    expect(meter.outsideWith((n: number) => n + 1, 1)).toBe(2);
    expect(meter.totalMs).toBe(5);
    // A second argument (a reply's context) is handed on too.
    expect(meter.insideWith((ms: number, context: string) => ((wall.ms += ms), context), 4, 'context')).toBe('context');
    expect(meter.totalMs).toBe(9);
  });
});
