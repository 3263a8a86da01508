import { describe, expect, it } from 'vitest';
import { TICK, actions, b, leader, op, recv, replica, run, sent } from '../helpers.js';

const hb = (from: string, round: number, leader: string, leading: boolean, chosenPrefix = 0) =>
  recv({ type: 'Heartbeat', from, ballot: b(round, leader), leading, chosenPrefix });

describe('Ω leader election, heartbeats and retransmission (seed: Leader Election for Paxos)', () => {
  it('a follower that still hears a replica ranked before it stays a follower', () => {
    const { state, effects } = run(replica('r2', { electionTicks: 3 }), [TICK, TICK]);
    expect(state.volatile.role).toBe('follower');
    expect(effects).toEqual([]);
    expect(state.volatile.silence.get('r1')).toBe(2);
  });

  it('any message from a peer resets its silence; silence is capped at electionTicks', () => {
    const quiet = run(replica('r2', { electionTicks: 3 }), [TICK, TICK, TICK, TICK]).state;
    expect(quiet.volatile.silence.get('r1')).toBe(3);
    const heard = run(quiet, [
      recv({ type: 'Accepted', from: 'r1', ballot: b(1, 'r1'), slot: 0 }),
    ]).state;
    expect(heard.volatile.silence.get('r1')).toBe(0);
  });

  it('every heartbeatTicks a replica broadcasts a heartbeat with its ballot and chosen prefix', () => {
    const { effects } = run(replica('r3', { heartbeatTicks: 2, electionTicks: 9 }), [TICK, TICK]);
    expect(sent(effects, 'Heartbeat').map((s) => s.to)).toEqual(['r1', 'r2']);
    expect(sent(effects, 'Heartbeat')[0]?.msg).toEqual({
      type: 'Heartbeat',
      from: 'r3',
      ballot: b(0, ''),
      leading: false,
      chosenPrefix: 0,
    });
  });

  it('a candidate retransmits Prepare to peers that have not promised', () => {
    const { effects } = run(replica('r1', { heartbeatTicks: 1, electionTicks: 3 }), [
      TICK,
      TICK,
      TICK,
      TICK,
    ]);
    const prepares = sent(effects, 'Prepare');
    expect(prepares.length).toBeGreaterThan(2);
  });

  it('a leader retransmits Accept to peers that have not voted', () => {
    const proposing = run(leader({ heartbeatTicks: 1 }), [
      recv({ type: 'Request', from: 'c1', seq: 1, op: { type: 'get', key: 'k' } }),
      recv({ type: 'Heartbeat', from: 'r2', ballot: b(1, 'r1'), leading: false, chosenPrefix: 0 }),
    ]).state;
    const { effects } = run(proposing, [TICK]);
    expect(sent(effects, 'Heartbeat')[0]?.msg).toMatchObject({ leading: true, ballot: b(1, 'r1') });
    expect(sent(effects, 'Accept').map((s) => s.to)).toEqual(['r2', 'r3']);
  });

  it('a leader steps down on a heartbeat from a leader of a higher ballot, not of a lower one', () => {
    expect(actions(run(leader(), [hb('r3', 2, 'r3', true)]).effects)).toEqual(['StepDown']);
    expect(run(leader(), [hb('r3', 2, 'r3', false)]).state.volatile.role).toBe('leader');
    expect(run(leader(), [hb('r3', 1, 'r1', true)]).state.volatile.role).toBe('leader');
  });

  it('a follower behind a leader’s chosen prefix asks it for the missing entries', () => {
    const { effects } = run(replica('r2'), [hb('r1', 1, 'r1', true, 3)]);
    expect(sent(effects)).toEqual([
      { to: 'r1', msg: { type: 'CatchUpRequest', from: 'r2', fromSlot: 0, versions: {} } },
    ]);
    const upToDate = run(replica('r2'), [
      recv({ type: 'Decision', from: 'r1', slot: 0, cmd: op('c1', 1) }),
      hb('r1', 1, 'r1', true, 1),
    ]);
    expect(sent(upToDate.effects, 'CatchUpRequest')).toEqual([]);
  });

  it('the next candidacy starts above the highest ballot seen in any heartbeat', () => {
    // 6.r2 > 6.r1, so r1's smallest ballot above it is 7.r1; 6.r3 would give 7.r3.
    expect(run(replica('r1'), [hb('r2', 6, 'r2', false), TICK]).state.volatile.ballot).toEqual(
      b(7, 'r1'),
    );
    expect(
      run(replica('r3', { electionTicks: 1 }), [hb('r2', 6, 'r2', false), TICK]).state.volatile
        .ballot,
    ).toEqual(b(6, 'r3'));
  });
});
