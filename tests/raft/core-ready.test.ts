import { describe, expect, it } from 'vitest';
import { appendArgs, hardState, leader, makeCore } from './helpers.js';

describe('RaftCore Ready hand-over', () => {
  it('fills a Ready given back with releaseReady again, from nothing, once the one being filled is taken', () => {
    const follower = makeCore(1, 3, hardState(2, [1, 2]));
    follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 2, prevLogTerm: 2, entries: [{ term: 2, command: 'x3' }] }));
    const first = follower.takeReady();
    expect(first).toMatchObject({ persist: true, resetElectionTimer: true });
    follower.releaseReady(first);

    follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 3, prevLogTerm: 2 }));
    const second = follower.takeReady();
    expect(second).not.toBe(first);
    follower.releaseReady(second);

    follower.onAppendEntries(appendArgs({ term: 2, prevLogIndex: 3, prevLogTerm: 2 }));
    const third = follower.takeReady();
    expect(third).toBe(first);
    // Only what the third input asked for: nothing of the first is left over.
    expect(third).toMatchObject({ persist: false, persistSnapshot: false, resetElectionTimer: true, replicate: false });
    expect(third.messages).toEqual([]);
    expect(third.committed).toEqual([]);
  });

  it('leaves the lists of a Ready given back as they were, while the next one fills', () => {
    const { core, ready } = leader(0, 3, hardState(1, [1]));
    const messages = ready.messages;
    const sent = [...messages];
    expect(sent.length).toBeGreaterThan(0);
    core.releaseReady(ready);

    core.heartbeatTimeout();
    const next = core.takeReady();
    expect(next.messages.length).toBeGreaterThan(0);
    expect(next.messages).not.toBe(messages);
    expect(messages).toEqual(sent);
  });

  it('hands over a shared empty Ready when nothing is asked for, and giving it back changes nothing', () => {
    const follower = makeCore(1, 3);
    const empty = follower.takeReady();
    expect(empty).toMatchObject({ persist: false, persistSnapshot: false, resetElectionTimer: false, replicate: false });
    expect(Object.isFrozen(empty)).toBe(true);
    follower.releaseReady(empty);
    expect(makeCore(2, 3).takeReady()).toBe(empty);

    follower.electionTimeout();
    const ready = follower.takeReady();
    expect(ready).not.toBe(empty);
    expect(ready.persist).toBe(true);
  });
});
