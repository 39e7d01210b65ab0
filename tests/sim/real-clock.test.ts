import { describe, expect, it } from 'vitest';
import { CaptureLog } from '../../src/sim/log.js';
import { makeRandom } from '../../src/sim/random.js';
import { RealClock, RealWorld } from '../../src/sim/real-clock.js';

function world(): RealWorld {
  return new RealWorld({ random: makeRandom(1), makeLog: (clock) => new CaptureLog(clock, 'none') });
}

describe('RealWorld', () => {
  it('runs a script that sleeps on the wall clock', async () => {
    const outcome = await world().run(async (w) => {
      await w.sleep(5);
    });
    expect(outcome.error).toBeUndefined();
    expect(outcome.elapsedMs).toBeGreaterThanOrEqual(4);
  });

  it('fails the run, not the thread, when a clock callback throws', async () => {
    const outcome = await world().run(async (w) => {
      w.clock.setTimer(1, () => {
        throw new Error('a peer timer broke');
      });
      await w.sleep(10_000);
    });
    expect(outcome.error?.message).toBe('a peer timer broke');
    // The run ended at the failure, long before the script's sleep would have.
    expect(outcome.elapsedMs).toBeLessThan(5_000);
  });
});

describe('RealClock', () => {
  it('hands a throwing callback to its error handler', async () => {
    const errors: unknown[] = [];
    const clock = new RealClock((error) => errors.push(error));
    await new Promise<void>((resolve) => {
      clock.setTimer(1, () => {
        throw new RangeError('boom');
      });
      clock.setTimer(3, resolve);
    });
    expect(errors).toEqual([new RangeError('boom')]);
  });

  it('never fires a cancelled timer, nor any timer once disposed', async () => {
    const clock = new RealClock();
    const fired: string[] = [];
    clock.setTimer(1, () => fired.push('cancelled')).cancel();
    clock.setTimer(1, () => fired.push('disposed'));
    clock.dispose();
    clock.setTimer(1, () => fired.push('after dispose'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fired).toEqual([]);
  });
});
