import { describe, expect, it } from 'vitest';
import { NOOP } from '../../../src/core/replica/rules.js';
import { TICK, actions, b, leader, op, recv, replica, run, sent } from '../helpers.js';

/** r1 as a candidate for ballot `round`.r1, having seen ballot (round-1).r3. */
const candidate = (round: number, overrides = {}) =>
  run(replica('r1', overrides), [
    recv({
      type: 'Heartbeat',
      from: 'r3',
      ballot: b(round - 1, 'r3'),
      leading: false,
      chosenPrefix: 0,
    }),
    TICK,
  ]).state;

const request = (client: string, seq: number, value = 'v') =>
  recv({ type: 'Request', from: client, seq, op: { type: 'append', key: 'k', value } });

describe('proposer and leader (Paxos Made Simple §3: Multi-Paxos)', () => {
  it('Phase1a: a replica that trusts itself starts a candidacy above every ballot it has seen', () => {
    const seen = run(replica('r1'), [
      recv({ type: 'Heartbeat', from: 'r3', ballot: b(4, 'r3'), leading: false, chosenPrefix: 0 }),
    ]).state;
    const { state, effects } = run(seen, [TICK]);
    // r3 was just heard from, but Ω trusts the first live replica in configuration order: r1.
    expect(state.volatile.role).toBe('candidate');
    expect(state.volatile.ballot).toEqual(b(5, 'r1'));
    expect(state.durable.promised).toEqual(b(5, 'r1'));
    expect(effects[0]?.kind).toBe('Persist');
    expect(sent(effects, 'Prepare').map((s) => s.to)).toEqual(['r2', 'r3']);
  });

  it('phase 1 covers every open slot at once: Prepare starts at the chosen prefix', () => {
    const learned = run(replica('r1'), [
      recv({ type: 'Decision', from: 'r2', slot: 0, cmd: op('c1', 1) }),
      recv({ type: 'Decision', from: 'r2', slot: 1, cmd: op('c1', 2) }),
    ]).state;
    const { effects } = run(learned, [TICK]);
    expect(sent(effects, 'Prepare')[0]?.msg).toMatchObject({ fromSlot: 2 });
  });

  it('a candidate retries with a higher ballot after electionTicks without a quorum', () => {
    const { state } = run(replica('r1', { electionTicks: 2 }), [TICK, TICK, TICK, TICK]);
    expect(state.volatile.role).toBe('candidate');
    expect(state.volatile.ballot).toEqual(b(2, 'r1'));
  });

  it('a candidate gives way when Ω trusts a live peer ranked before it', () => {
    const candidate = run(replica('r2', { electionTicks: 2 }), [TICK, TICK]).state;
    expect(candidate.volatile.role).toBe('candidate');
    const { state, effects } = run(candidate, [
      recv({ type: 'Heartbeat', from: 'r1', ballot: b(0, ''), leading: false, chosenPrefix: 0 }),
      TICK,
    ]);
    expect(state.volatile.role).toBe('follower');
    expect(actions(effects)).toEqual(['StepDown']);
  });

  it('ignores promises for another ballot, and promises when not a candidate', () => {
    const candidate = run(replica('r1', { electionTicks: 3 }), [TICK, TICK, TICK]).state;
    const stale = run(candidate, [
      recv({ type: 'Promise', from: 'r2', ballot: b(7, 'r1'), accepted: [], checkpoint: 0 }),
    ]);
    expect(stale.effects).toEqual([]);
    const follower = run(replica('r1'), [
      recv({ type: 'Promise', from: 'r2', ballot: b(1, 'r1'), accepted: [], checkpoint: 0 }),
    ]);
    expect(follower.effects).toEqual([]);
  });

  it('BecomeLeader adopts the highest-ballot report per slot (P2c) and fills gaps with no-ops', () => {
    const A = op('c1', 1, 'A');
    const C = op('c3', 1, 'C');
    const { state, effects } = run(candidate(3), [
      recv({
        type: 'Promise',
        from: 'r2',
        ballot: b(3, 'r1'),
        accepted: [
          { slot: 0, ballot: b(1, 'r3'), cmd: A },
          { slot: 3, ballot: b(2, 'r2'), cmd: C },
        ],
        checkpoint: 0,
      }),
    ]);
    expect(state.volatile.role).toBe('leader');
    // r1's own report is empty; slot 0 gets A, slots 1-2 no-ops, slot 3 C.
    const accepts = sent(effects, 'Accept')
      .filter((s) => s.to === 'r2')
      .map((s) => s.msg);
    expect(accepts.map((m) => m.type === 'Accept' && [m.slot, m.cmd])).toEqual([
      [0, A],
      [1, NOOP],
      [2, NOOP],
      [3, C],
    ]);
    expect(state.volatile.nextSlot).toBe(4);
  });

  it('BecomeLeader prefers the higher ballot when two acceptors report the same slot', () => {
    const older = op('c1', 1, 'old');
    const newer = op('c2', 1, 'new');
    const five = candidate(3, { replicas: ['r1', 'r2', 'r3', 'r4', 'r5'] });
    const { effects } = run(five, [
      recv({
        type: 'Promise',
        from: 'r2',
        ballot: b(3, 'r1'),
        accepted: [{ slot: 0, ballot: b(1, 'r5'), cmd: older }],
        checkpoint: 0,
      }),
      recv({
        type: 'Promise',
        from: 'r3',
        ballot: b(3, 'r1'),
        accepted: [{ slot: 0, ballot: b(1, 'r4'), cmd: newer }],
        checkpoint: 0,
      }),
    ]);
    // 1.r5 > 1.r4: ballots order by round, then replica id.
    expect(sent(effects, 'Accept')[0]?.msg).toMatchObject({ slot: 0, cmd: older });
  });

  it('BecomeLeader skips slots it already knows are chosen and proposes after them', () => {
    const knows = run(replica('r1'), [
      recv({ type: 'Decision', from: 'r2', slot: 1, cmd: op('c1', 1) }),
    ]).state;
    const { state, effects } = run(knows, [
      TICK,
      recv({ type: 'Promise', from: 'r2', ballot: b(1, 'r1'), accepted: [], checkpoint: 0 }),
    ]);
    expect(sent(effects, 'Accept').map((s) => s.msg.type === 'Accept' && s.msg.slot)).toEqual([
      0, 0,
    ]);
    expect(state.volatile.nextSlot).toBe(2);
    const next = run(state, [request('c2', 1)]);
    expect(sent(next.effects, 'Accept')[0]?.msg).toMatchObject({ slot: 2 });
  });

  it('Phase2a: the leader accepts its own proposal (persisted) and sends Accept to every peer', () => {
    const { state, effects } = run(leader(), [request('c1', 1)]);
    expect(actions(effects)).toEqual(['Phase2a']);
    expect(state.durable.accepted.get(0)?.ballot).toEqual(b(1, 'r1'));
    expect(effects[0]?.kind).toBe('Persist');
    expect(sent(effects, 'Accept').map((s) => s.to)).toEqual(['r2', 'r3']);
  });

  it('a request already in flight or queued is not proposed twice', () => {
    const { effects } = run(leader({ window: 1 }), [
      request('c1', 1),
      request('c1', 1),
      request('c2', 1),
      request('c2', 1),
    ]);
    expect(actions(effects)).toEqual(['Phase2a']);
  });

  it('the pipeline window α bounds open slots; queued requests go out as slots are chosen', () => {
    const full = run(leader({ window: 1 }), [request('c1', 1), request('c2', 1)]);
    expect(sent(full.effects, 'Accept').length).toBe(2);
    expect(full.state.volatile.queue.length).toBe(1);
    const { state, effects } = run(full.state, [
      recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot: 0 }),
    ]);
    expect(actions(effects)).toEqual(['ReceiveAccepted', 'Decide', 'Execute', 'Phase2a']);
    expect(state.volatile.queue.length).toBe(0);
  });

  it('Decide needs a quorum of votes in the leader’s own ballot; then it tells learners and replies', () => {
    const proposing = run(leader(), [request('c1', 1)]).state;
    const wrongBallot = run(proposing, [
      recv({ type: 'Accepted', from: 'r2', ballot: b(2, 'r2'), slot: 0 }),
    ]);
    expect(wrongBallot.effects).toEqual([]);
    const unknownSlot = run(proposing, [
      recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot: 5 }),
    ]);
    expect(unknownSlot.effects).toEqual([]);
    const { state, effects } = run(proposing, [
      recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot: 0 }),
    ]);
    expect(state.durable.chosen.get(0)).toEqual(op('c1', 1));
    expect(sent(effects, 'Decision').map((s) => s.to)).toEqual(['r2', 'r3']);
    expect(sent(effects, 'Reply')).toEqual([
      { to: 'c1', msg: { type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: 'v' } },
    ]);
  });

  it('a single-replica configuration is its own quorum', () => {
    const { state } = run(replica('r1', { replicas: ['r1'] }), [TICK, request('c1', 1)]);
    expect(state.volatile.role).toBe('leader');
    expect(state.volatile.executed).toBe(1);
  });

  it('a follower does not propose client requests (it waits for the leader)', () => {
    const { effects } = run(replica('r2'), [request('c1', 1)]);
    expect(effects).toEqual([]);
  });
});
