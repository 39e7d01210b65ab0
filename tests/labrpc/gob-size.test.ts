import { describe, expect, it } from 'vitest';
import { GobSizer, gobReplySize, gobRequestSize, gobSize } from '../../src/labrpc/gob-size.js';

// The sizes below were measured with Go's encoding/gob (Go 1.19), encoding
// each value with a fresh gob.NewEncoder as labrpc does, for the structs a lab
// solution declares in package raft:
//
//   type LogEntry struct { Term int; Command interface{} }
//   type AppendEntriesArgs struct { Term, LeaderId, PrevLogIndex, PrevLogTerm int; Entries []LogEntry; LeaderCommit int }
//   type AppendEntriesReply struct { Term int; Success bool; ConflictTerm, ConflictIndex int }
//   type RequestVoteArgs struct { Term, CandidateId, LastLogIndex, LastLogTerm int }
//   type RequestVoteReply struct { Term int; VoteGranted bool }
//   type InstallSnapshotArgs struct { Term, LeaderId, LastIncludedIndex, LastIncludedTerm int; Data []byte }
//
// An empty AppendEntries is 196 bytes: 116+1 to define AppendEntriesArgs,
// 30+1 for []raft.LogEntry, 43+1 for LogEntry, then the value, 3+1 (its type
// id and the end of the struct; every field is zero and left out). Most of
// an RPC's cost is the type definitions a fresh encoder sends every time.
describe('gob sizes', () => {
  const heartbeat = { term: 3, leaderId: 1, prevLogIndex: 5, prevLogTerm: 3, entries: [], leaderCommit: 5 };

  it('an AppendEntries without entries costs what gob makes of it: 196 bytes empty, 206 with small fields', () => {
    expect(gobRequestSize('AppendEntries', { term: 0, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [], leaderCommit: 0 })).toBe(196);
    expect(gobRequestSize('AppendEntries', heartbeat)).toBe(206);
  });

  it('entries carry their command as an interface: type name, id and a length-prefixed value', () => {
    expect(gobRequestSize('AppendEntries', { ...heartbeat, entries: [{ term: 3, command: 100 }] })).toBe(221);
    const two = { term: 2, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 2, command: 101 }, { term: 2, command: 'x' }], leaderCommit: 0 };
    expect(gobRequestSize('AppendEntries', two)).toBe(229);
    const big = { term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 1, command: 2 ** 52 }, { term: 300, command: -7 }], leaderCommit: 0 };
    expect(gobRequestSize('AppendEntries', big)).toBe(233);
  });

  it('a 5000-byte command, as TestRPCBytes2B sends, costs 5229 bytes in one AppendEntries', () => {
    const args = { term: 1, leaderId: 2, prevLogIndex: 1, prevLogTerm: 1, entries: [{ term: 1, command: 'a'.repeat(5000) }], leaderCommit: 1 };
    expect(gobRequestSize('AppendEntries', args)).toBe(5229);
  });

  it('commands of other types: float64, bool, nil, and strings counted in UTF-8 bytes', () => {
    const withCommand = (command: unknown) => ({ term: 1, leaderId: 0, prevLogIndex: 0, prevLogTerm: 0, entries: [{ term: 1, command }], leaderCommit: 0 });
    expect(gobRequestSize('AppendEntries', withCommand(1.5))).toBe(218);
    expect(gobRequestSize('AppendEntries', withCommand(true))).toBe(213);
    expect(gobRequestSize('AppendEntries', withCommand(null))).toBe(203);
    expect(gobRequestSize('AppendEntries', withCommand('héllo€'))).toBe(224);
  });

  it('replies and votes: zero fields are left out of the value, never out of the type', () => {
    expect(gobReplySize('AppendEntries', { term: 3, success: true, conflictTerm: -1, conflictIndex: 0 })).toBe(99);
    expect(gobReplySize('AppendEntries', { term: 0, success: false, conflictTerm: 0, conflictIndex: 0 })).toBe(93);
    expect(gobRequestSize('RequestVote', { term: 1, candidateId: 2, lastLogIndex: 0, lastLogTerm: 0 })).toBe(96);
    expect(gobReplySize('RequestVote', { term: 1, voteGranted: true })).toBe(64);
    expect(gobReplySize('RequestVote', { term: 70, voteGranted: false })).toBe(63);
  });

  it('a snapshot travels as a []byte, which gob needs no definition for', () => {
    const args = { term: 4, leaderId: 1, lastIncludedIndex: 9, lastIncludedTerm: 4, data: new Uint8Array(300) };
    expect(gobRequestSize('InstallSnapshot', args)).toBe(426);
  });

  it("a network's sizer works each type out once, and again when an empty array hid an element type", () => {
    const sizer = new GobSizer();
    const withEntries = { ...heartbeat, entries: [{ term: 3, command: 100 }] };
    expect(sizer.requestSize('AppendEntries', heartbeat)).toBe(206);
    expect(sizer.requestSize('AppendEntries', withEntries)).toBe(221);
    expect(sizer.requestSize('AppendEntries', heartbeat)).toBe(206);
    // Entries of another shape than the assumed LogEntry{Term, Command}: their type is described as it is.
    const other = new GobSizer();
    expect(other.requestSize('AppendEntries', heartbeat)).toBe(206);
    const indexed = { ...heartbeat, entries: [{ term: 3, index: 6, command: 100 }] };
    expect(other.requestSize('AppendEntries', indexed)).toBe(gobRequestSize('AppendEntries', indexed));
    expect(other.requestSize('AppendEntries', heartbeat)).toBe(gobRequestSize('AppendEntries', heartbeat) + 'Index'.length + 5);
  });

  it("a network's sizes depend on its own messages alone, whatever other networks sent before", () => {
    // Sizers made one after the other, as a worker runs one test after another: each sees the
    // first message of a name with another Go type than the sizer before it saw first.
    const float = { term: 1.5, leaderId: 0 };
    const int = { term: 2, leaderId: 0 };
    const text = { term: 'x', leaderId: 0 };
    const nested = { term: 2, leaderId: { id: 3 } };
    const emptyEntries = { ...heartbeat };
    const objectEntries = { ...heartbeat, entries: [{ term: 3, command: 100 }] };
    const mixedEntries = { ...heartbeat, entries: [{ term: 3, command: 100 }, 7] };
    const differentEntries = { ...heartbeat, entries: [{ term: 3, command: 100 }, { term: 3, index: 4 }] };
    const messages = [float, int, text, nested, int, float, emptyEntries, objectEntries, mixedEntries, differentEntries, objectEntries, emptyEntries];
    // Each alone, in a fresh sizer, and then each after all the others in turn.
    const alone = messages.map((m) => new GobSizer().requestSize('Probe', m));
    for (let first = 0; first < messages.length; first++) {
      for (let k = 0; k < messages.length; k++) {
        new GobSizer().requestSize('Probe', messages[(first + k) % messages.length]);
        expect(new GobSizer().requestSize('Probe', messages[first])).toBe(alone[first]);
      }
    }
    expect(new Set(alone).size).toBeGreaterThan(5);
  });

  it("a cached type sizes a message with its fields in another order, or fewer of them, as the type's order says", () => {
    const sizer = new GobSizer();
    const reply = { term: 4, success: true, conflictTerm: 2, conflictIndex: 300 };
    const first = sizer.replySize('AppendEntries', reply);
    expect(first).toBe(gobReplySize('AppendEntries', reply));
    // The same fields in another order: the same Go value, so the same size.
    expect(sizer.replySize('AppendEntries', { conflictIndex: 300, success: true, term: 4, conflictTerm: 2 })).toBe(first);
    // A field left out is a zero value in Go.
    const fewer = { term: 4, success: true, conflictIndex: 300 };
    expect(sizer.replySize('AppendEntries', fewer)).toBe(sizer.replySize('AppendEntries', { ...fewer, conflictTerm: 0 }));
    expect(sizer.replySize('AppendEntries', fewer)).toBeLessThan(first);
    // Entries whose fields come in another order.
    const entries = { ...heartbeat, entries: [{ term: 3, command: 100 }, { command: 'x', term: 3 }] };
    const inOrder = { ...heartbeat, entries: [{ term: 3, command: 100 }, { term: 3, command: 'x' }] };
    expect(sizer.requestSize('AppendEntries', inOrder)).toBe(sizer.requestSize('AppendEntries', entries));
    expect(sizer.requestSize('AppendEntries', entries)).toBe(gobRequestSize('AppendEntries', inOrder));
  });

  it('an int takes one byte below 64 in magnitude, else a count byte and its zig-zagged bytes, up to 2^53 and past', () => {
    // gob's int: zig-zag (2i, or -2i - 1), then one byte below 128, else a byte count and the big-endian bytes.
    const expected = (i: number): number => {
      let z = i >= 0 ? 2n * BigInt(i) : -2n * BigInt(i) - 1n;
      if (z < 128n) return 1;
      let bytes = 0;
      for (; z > 0n; z >>= 8n) bytes++;
      return 1 + bytes;
    };
    const base = gobSize(0, 'int') - expected(0);
    for (let k = 0; k <= 62; k++) {
      for (const i of [2 ** k, 2 ** k - 1, -(2 ** k), -(2 ** k) + 1, 2 ** k + 2 ** Math.max(0, k - 1)]) {
        // Past 2^53 only the values a double holds exactly, and whose zig-zag it holds too.
        if (!Number.isSafeInteger(i) && !(i > 0 && i === 2 ** k)) continue;
        expect(gobSize(i, 'int') - base, String(i)).toBe(expected(i));
      }
    }
  });
});
