/**
 * Checkpoints, truncation and state transfer in the reducer (issue 14; seed: checkpoints, state
 * transfer): the leader proposes CHECKPOINT every `checkpointEvery` executed slots, executing it
 * keeps a durable copy of the state and truncates the log, a catch-up for a truncated slot is
 * answered with the checkpoint in chunks (only the parts that differ), the receiver installs it
 * only when its digest matches, and bad transfers are rejected without a crash.
 */
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_REQUEST, CHECKPOINT_REQUESTED } from '../../../src/core/app.js';
import { counterApp } from '../../../src/core/apps/counter.js';
import { kvApp } from '../../../src/core/apps/kv.js';
import { checkpointDigest } from '../../../src/core/replica/checkpoint.js';
import { CHECKPOINT } from '../../../src/core/replica/rules.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Message, SnapshotChunkMsg } from '../../../src/core/types.js';
import { actions, b, leader, op, recv, replica, run, sent, TICK } from '../helpers.js';

const decision = (slot: number, cmd = op('c1', slot + 1, `v${slot}`), from = 'r1') =>
  recv({ type: 'Decision', from, slot, cmd });

/** A vote for `state`'s checkpoint from `from`: with r2's own, F+1 of three replicas. */
const voteFor = (state: ReplicaState, from = 'r1'): Message => ({
  type: 'CheckpointVote',
  from,
  slot: state.durable.checkpoint?.slot ?? 0,
  digest: state.durable.checkpoint?.digest ?? '',
});

/** r2 after learning requests in slots 0 and 1 and a checkpoint in slot 2, stable (r1 vouched). */
function checkpointed(overrides = {}): ReplicaState {
  const state = run(replica('r2', overrides), [
    decision(0, op('c1', 1, 'a')),
    decision(1, op('c2', 1, 'b')),
    decision(2, CHECKPOINT),
  ]).state;
  return run(state, [recv(voteFor(state))]).state;
}

const chunks = (effects: ReturnType<typeof run>['effects']): SnapshotChunkMsg[] =>
  sent(effects, 'SnapshotChunk').map((s) => s.msg as SnapshotChunkMsg);

describe('checkpoints (seed: checkpoints)', () => {
  it('a leader proposes CHECKPOINT once checkpointEvery slots were executed, one at a time', () => {
    let state = leader({ checkpointEvery: 2 });
    const request = (seq: number) =>
      recv({ type: 'Request', from: 'c1', seq, op: { type: 'put', key: 'k', value: `${seq}` } });
    const vote = (slot: number) => recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot });
    state = run(state, [request(1), vote(0), request(2)]).state;
    expect(state.volatile.proposals.has(2)).toBe(false);
    const second = run(state, [vote(1)]);
    const proposed = sent(second.effects, 'Accept').map((s) => s.msg);
    expect(proposed).toContainEqual(expect.objectContaining({ slot: 2, cmd: CHECKPOINT }));
    // While it is in flight, no second one.
    expect(run(second.state, [TICK]).state.volatile.proposals.size).toBe(1);
  });

  it('an operator’s checkpoint request is ordered and answered like a request, and makes the leader propose CHECKPOINT', () => {
    // checkpointEvery 0: the threshold never fires; only the operator asks.
    let state = leader({ checkpointEvery: 0 });
    const put = recv({
      type: 'Request',
      from: 'c1',
      seq: 1,
      op: { type: 'put', key: 'k', value: 'v' },
    });
    const ask = recv({ type: 'Request', from: 'op', seq: 1, op: CHECKPOINT_REQUEST });
    const vote = (slot: number) => recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot });
    state = run(state, [put, ask, vote(0)]).state;
    expect(state.volatile.proposals.has(2)).toBe(false);
    const executed = run(state, [vote(1)]);
    const reply = executed.effects.find((e) => e.kind === 'Reply' && e.to === 'op');
    expect(reply).toMatchObject({ msg: { seq: 1, output: CHECKPOINT_REQUESTED } });
    expect(kvApp.view(executed.state.volatile.app as never)).toEqual({ k: 'v' });
    const proposed = sent(executed.effects, 'Accept').map((s) => s.msg);
    expect(proposed).toContainEqual(expect.objectContaining({ slot: 2, cmd: CHECKPOINT }));
    // Once that checkpoint is executed, the request is behind it: no second one.
    const done = run(executed.state, [vote(2)]).state;
    expect(done.durable.checkpoint?.slot).toBe(3);
    expect(run(done, [TICK]).state.volatile.proposals.size).toBe(0);
    // Clients accept the request for every app; a malformed one is still refused.
    expect(kvApp.checkOp(CHECKPOINT_REQUEST)).toBeNull();
    expect(counterApp.checkOp(CHECKPOINT_REQUEST)).toBeNull();
    expect(kvApp.checkOp({ type: 'checkpoint', key: 'k' })).not.toBeNull();
    // Linearizability checking keeps it out of every key's partition (it touches none).
    expect(kvApp.partition?.(CHECKPOINT_REQUEST)).not.toBe(
      kvApp.partition?.({ type: 'get', key: 'k' }),
    );
    expect(kvApp.partition?.(CHECKPOINT_REQUEST)).toBeDefined();
  });

  it('executing CHECKPOINT keeps app, sessions and digest durably and vouches for them', () => {
    const { state, effects } = run(replica('r2'), [
      decision(0, op('c1', 1, 'a')),
      decision(1, op('c2', 1, 'b')),
      decision(2, CHECKPOINT),
    ]);
    const cp = state.durable.checkpoint;
    expect(cp?.slot).toBe(3);
    expect(kvApp.view(cp?.app as never)).toEqual({ k: 'ab' });
    expect([...(cp?.sessions.keys() ?? [])].sort()).toEqual(['c1', 'c2']);
    expect(cp?.digest).toBe(checkpointDigest(kvApp, 3, cp?.app, cp?.sessions ?? new Map()));
    expect(state.volatile.executed).toBe(3);
    expect(actions(effects).slice(-2)).toEqual(['Learn', 'Checkpoint']);
    expect(sent(effects, 'CheckpointVote').map((s) => s.to)).toEqual(['r1', 'r3']);
    const persisted = effects.filter((e) => e.kind === 'Persist').at(-1);
    expect(persisted?.kind === 'Persist' && persisted.durable.checkpoint?.slot).toBe(3);
    // Not stable yet: the log stays until F+1 replicas hold the same checkpoint.
    expect(state.durable.chosen.size).toBe(3);
  });

  it('truncates below the checkpoint once a peer vouches for the same digest, not another', () => {
    const mine = run(replica('r2'), [
      decision(0, op('c1', 1, 'a')),
      decision(1, op('c2', 1, 'b')),
      decision(2, CHECKPOINT),
    ]).state;
    const other = run(mine, [recv({ ...voteFor(mine), digest: 'corrupt' } as Message)]);
    expect(other.state.durable.chosen.size).toBe(3);
    const { state, effects } = run(mine, [recv(voteFor(mine, 'r3'))]);
    expect(actions(effects)).toEqual(['Truncate']);
    expect(state.durable.chosen.size).toBe(0);
    expect(state.durable.accepted.size).toBe(0);
  });

  it('a decision for a slot the checkpoint covers changes nothing', () => {
    const state = checkpointed();
    expect(run(state, [decision(1, op('c2', 1, 'b'))]).effects).toEqual([]);
  });

  it('restart resumes from the checkpoint and replays only the log after it', () => {
    const more = run(checkpointed(), [decision(3, op('c1', 2, 'c'))]).state;
    const { state, effects } = run(more, [{ kind: 'Restart' }]);
    expect(state.volatile.executed).toBe(4);
    expect(kvApp.view(state.volatile.app as never)).toEqual({ k: 'abc' });
    expect(actions(effects)).toEqual(['Restart', 'Execute']);
    expect(sent(effects)).toEqual([]); // the replay's replies left before the crash
  });

  it('an acceptor ignores an Accept for a slot its checkpoint covers, and says where its log starts', () => {
    const state = checkpointed();
    const old = run(state, [
      recv({ type: 'Accept', from: 'r1', ballot: b(1, 'r1'), slot: 1, cmd: op('c9', 1) }),
    ]);
    expect(old.state.durable).toBe(state.durable);
    expect(sent(old.effects)).toEqual([]);
    const promise = run(state, [
      recv({ type: 'Prepare', from: 'r3', ballot: b(2, 'r3'), fromSlot: 0 }),
    ]);
    expect(sent(promise.effects, 'Promise')[0]?.msg).toMatchObject({ checkpoint: 3 });
  });
});

describe('state transfer (seed: state transfer)', () => {
  it('answers a catch-up for truncated slots with the checkpoint in chunks, then the entries after', () => {
    const state = run(checkpointed({ transferChunk: 1 }), [decision(3, op('c1', 2, 'c'))]).state;
    const { effects } = run(state, [recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 0 })]);
    const got = chunks(effects);
    expect(got.map((c) => [c.index, c.count])).toEqual([[0, 1]]);
    expect(got[0]).toMatchObject({ slot: 3, names: ['k'], parts: [{ name: 'k', value: 'ab' }] });
    expect(got[0]?.sessions?.map((s) => s.client)).toEqual(['c1', 'c2']);
    expect(sent(effects, 'CatchUpReply')[0]?.msg).toMatchObject({
      entries: [{ slot: 3, cmd: op('c1', 2, 'c') }],
    });
  });

  it('sends only the parts whose version differs from the asker’s', () => {
    const state = checkpointed();
    const { effects } = run(state, [
      recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 0, versions: { k: 2 } }),
    ]);
    expect(chunks(effects)[0]?.parts).toEqual([]);
    const stale = run(state, [
      recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 0, versions: { k: 1 } }),
    ]);
    expect(chunks(stale.effects)[0]?.parts).toEqual([{ name: 'k', version: 2, value: 'ab' }]);
  });

  /** The chunks r2's checkpoint is sent in to a peer with nothing (one part per chunk). */
  function transferTo(receiver: ReplicaState, parts = 1): SnapshotChunkMsg[] {
    let sender = run(checkpointed({ transferChunk: parts }), [
      decision(3, { kind: 'op', client: 'c1', seq: 2, op: { type: 'put', key: 'z', value: 'q' } }),
      decision(4, CHECKPOINT),
    ]).state;
    sender = run(sender, [recv(voteFor(sender))]).state;
    void receiver;
    return chunks(run(sender, [recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 0 })]).effects);
  }

  it('installs a checkpoint once every chunk arrived in order, then applies what it collected after', () => {
    // r3 collected slot 1 (below the checkpoint: it must not be applied again) and slot 5.
    const r3 = run(replica('r3'), [
      decision(1, op('c2', 1, 'b'), 'r2'),
      decision(5, op('c2', 2, 'x'), 'r2'),
    ]).state;
    const parts = transferTo(r3);
    expect(parts.length).toBe(2);
    let state = r3;
    const first = run(state, [recv(parts[0] as Message)]);
    expect(first.state.durable.checkpoint).toBeNull();
    state = first.state;
    const done = run(state, [recv(parts[1] as Message)]);
    expect(done.state.durable.checkpoint?.slot).toBe(5);
    expect(done.state.volatile.executed).toBe(6);
    expect(kvApp.view(done.state.volatile.app as never)).toEqual({ k: 'abx', z: 'q' });
    // The sender vouched for it by serving it: stable, so slot 1 is truncated at once.
    expect(actions(done.effects)).toEqual(['InstallCheckpoint', 'Execute', 'Truncate']);
    expect(done.state.durable.chosen.has(5)).toBe(true);
    expect(done.state.durable.chosen.has(1)).toBe(false);
    expect(sent(done.effects, 'CheckpointVote').length).toBe(2);
  });

  it('refuses a chunk out of order or missing (a lossy network), changing nothing', () => {
    const r3 = replica('r3');
    const parts = transferTo(r3);
    const skipped = run(r3, [recv(parts[1] as Message)]);
    expect(skipped.state.durable).toBe(r3.durable);
    expect(skipped.state.volatile.transfer).toBeNull();
    expect(skipped.effects).toEqual([
      {
        kind: 'Rejected',
        reason: `chunk 2/2 of checkpoint 5 from r2 out of order: no transfer under way (chunk 1 starts one)`,
      },
    ]);
    const started = run(r3, [recv(parts[0] as Message)]).state;
    const again = run(started, [recv(parts[0] as Message)]).state;
    const foreign = run(again, [recv({ ...parts[1], from: 'r1' } as never)]);
    expect(foreign.state.volatile.transfer).toEqual(again.volatile.transfer);
    expect(foreign.effects).toEqual([
      {
        kind: 'Rejected',
        reason: `chunk 2/2 of checkpoint 5 from r1 out of order: expected chunk 2/2 of checkpoint 5 from r2`,
      },
    ]);
    // The transfer restarted by the copy of chunk 0 still completes.
    const done = run(again, [recv(parts[1] as Message)]);
    expect(done.state.durable.checkpoint?.slot).toBe(5);
  });

  it('rejects a transfer whose assembled state does not have the checkpoint’s digest, and asks for the next one whole', () => {
    const r3 = replica('r3');
    const [only] = transferTo(r3, 8);
    const forged = { ...only, digest: 'not-the-digest' } as SnapshotChunkMsg;
    const { state, effects } = run(r3, [recv(forged)]);
    expect(state.durable.checkpoint).toBeNull();
    expect(effects.at(-1)).toMatchObject({ kind: 'Rejected' });
    expect(state.volatile.wholeTransfer).toBe(true);
    const ask = run(state, [decision(9, op('c1', 9), 'r2')]);
    expect(sent(ask.effects, 'CatchUpRequest')[0]?.msg).toEqual({
      type: 'CatchUpRequest',
      from: 'r3',
      fromSlot: 0,
    });
  });

  it('takes from a catch-up reply only the slots after its checkpoint, refusing the others', () => {
    const state = checkpointed();
    const { state: after, effects } = run(state, [
      recv({
        type: 'CatchUpReply',
        from: 'r1',
        entries: [
          { slot: 2, cmd: CHECKPOINT },
          { slot: 3, cmd: op('c1', 4) },
        ],
      }),
    ]);
    expect(effects.filter((e) => e.kind === 'Rejected')).toEqual([
      {
        kind: 'Rejected',
        reason: "catch-up reply from r1: slot 2 below this replica's checkpoint at slot 3",
      },
    ]);
    expect(after.durable.chosen.has(2)).toBe(false);
    expect(after.durable.chosen.has(3)).toBe(true);
  });
});

describe('phase 1 across truncation', () => {
  it('a candidate told that an acceptor truncated past its prefix asks it, and leads only after installing', () => {
    const r2 = checkpointed();
    expect(r2.durable.chosen.size).toBe(0);
    const promise = run(r2, [
      recv({ type: 'Prepare', from: 'r1', ballot: b(2, 'r1'), fromSlot: 0 }),
    ]);
    const report = sent(promise.effects, 'Promise')[0]?.msg as Message;
    // r1 knows nothing chosen: it starts a candidacy at 2.r1 and gets r2's promise.
    let r1 = run(replica('r1'), [TICK, TICK]).state;
    r1 = { ...r1, volatile: { ...r1.volatile, highestSeen: b(1, 'r3') } };
    const candidacy = run(r1, [TICK]);
    const ballot = candidacy.state.volatile.ballot;
    const got = run(candidacy.state, [recv({ ...report, ballot } as Message)]);
    expect(got.state.volatile.role).toBe('candidate');
    expect(sent(got.effects, 'CatchUpRequest')[0]?.to).toBe('r2');
    const transfer = chunks(
      run(r2, [recv({ type: 'CatchUpRequest', from: 'r1', fromSlot: 0 })]).effects,
    );
    const led = run(
      got.state,
      transfer.map((c) => recv(c)),
    );
    expect(led.state.volatile.role).toBe('leader');
    expect(actions(led.effects)).toEqual(['InstallCheckpoint', 'BecomeLeader']);
    expect(led.state.volatile.proposals.size).toBe(0);
  });
});
