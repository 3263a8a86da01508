/**
 * Audit and reconfiguration in the reducer (issue 15; seed step 6 and "Reconfiguration"): digests
 * are exchanged every `auditEvery` executed slots, a replica outvoted by a majority's digest
 * declares itself faulty (asks to QUIT, stops serving, rebuilds its state, asks to JOIN again),
 * and a JOIN or QUIT chosen at slot i governs from slot i + α — or is refused, with the reason
 * the client is told.
 */
import { describe, expect, it } from 'vitest';
import { kvApp, type KvState } from '../../../src/core/apps/kv.js';
import { membersAt, type Membership } from '../../../src/core/membership.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Command, Json } from '../../../src/core/types.js';
import { actions, b, leader, op, recv, replica, run, sent } from '../helpers.js';

const decision = (slot: number, cmd: Command, from = 'r1') =>
  recv({ type: 'Decision', from, slot, cmd });
const quit = (replica: string, client = 'op', seq = 1): Command => ({
  kind: 'quit',
  replica,
  client,
  seq,
});
const join = (replica: string, client = 'op', seq = 2): Command => ({
  kind: 'join',
  replica,
  client,
  seq,
});
const members = (s: ReplicaState, slot: number) => membersAt(s.volatile.membership, slot);
const audit = (from: string, slot: number, digest: string, echo = false) =>
  recv({ type: 'Audit', from, slot, digest, echo });

/** `state` with `digest` as its own digest of slot 2 (a corrupt replica's), no peer's yet. */
function withOwnDigest(state: ReplicaState, digest: string): ReplicaState {
  const round = { own: digest, members: ['r1', 'r2', 'r3'], peers: new Map<string, string>() };
  return { ...state, volatile: { ...state.volatile, audits: new Map([[2, round]]) } };
}

/** r2 after executing two requests, auditing every two slots (its digest of slot 2 sent). */
function audited(overrides = {}) {
  return run(replica('r2', { auditEvery: 2, ...overrides }), [
    decision(0, op('c1', 1, 'a')),
    decision(1, op('c1', 2, 'b')),
  ]);
}

describe('reconfiguration (seed: Reconfiguration; JOIN/QUIT govern from slot i + α)', () => {
  it('a QUIT chosen at slot i changes the configuration from i + α on, and its client is told', () => {
    const { state, effects } = run(replica('r2', { window: 3 }), [decision(0, quit('r3'))]);
    expect(members(state, 2)).toEqual(['r1', 'r2', 'r3']);
    expect(members(state, 3)).toEqual(['r1', 'r2']);
    expect(actions(effects)).toContain('Reconfigure');
    const reply = sent(effects, 'Reply')[0]?.msg as { output: Json } | undefined;
    expect(reply?.output).toEqual({ quit: 'r3', from: 3, members: ['r1', 'r2'] });
  });

  it('refuses a QUIT that would leave fewer than F+1 members, a JOIN of a member and unknown replicas', () => {
    const { state, effects } = run(replica('r2', { window: 1 }), [
      decision(0, quit('r3', 'op', 1)),
      decision(1, quit('r1', 'op', 2)),
      decision(2, join('r2', 'op', 3)),
      decision(3, quit('r9', 'op', 4)),
    ]);
    expect(members(state, 10)).toEqual(['r1', 'r2']);
    const outputs = sent(effects, 'Reply').map((r) => (r.msg as { output: Json }).output);
    expect(outputs.slice(1)).toEqual([
      { error: 'quit r1 refused: system failure: 1 members would remain, fewer than F+1 = 2' },
      { error: 'join r2 refused: already a member' },
      { error: 'quit r9 refused: not a replica of the deployment' },
    ]);
  });

  it('a leader counts votes of the slot’s configuration: after a QUIT, the quitter’s vote no longer counts', () => {
    let state = leader({ window: 1 });
    const request = (seq: number, client = 'c1') =>
      recv({ type: 'Request', from: client, seq, op: { type: 'put', key: 'k', value: `${seq}` } });
    // Slot 0: an operator's QUIT of r2, chosen with r2's vote. It governs from slot 1.
    state = run(state, [
      recv({ type: 'Request', from: 'op', seq: 1, op: { type: 'quit', replica: 'r2' } }),
      recv({ type: 'Accepted', from: 'r2', ballot: b(1, 'r1'), slot: 0 }),
    ]).state;
    expect(members(state, 1)).toEqual(['r1', 'r3']);
    // The leader's promises came from a quorum of the old configuration ({r1, r2}), not of
    // {r1, r3}: it runs phase 1 again before it proposes in slot 1.
    const next = run(state, [request(1)]);
    expect(actions(next.effects)).toEqual(expect.arrayContaining(['StepDown', 'Phase1a']));
  });

  it('a JOIN of a replica outside the starting configuration makes it a member from i + α', () => {
    const { state } = run(
      replica('r4', { replicas: ['r1', 'r2', 'r3', 'r4'], members: ['r1', 'r2', 'r3'], window: 2 }),
      [decision(0, join('r4', 'op', 1))],
    );
    expect(members(state, 1)).toEqual(['r1', 'r2', 'r3']);
    expect(members(state, 2)).toEqual(['r1', 'r2', 'r3', 'r4']);
  });
});

describe('audit (seed step 6: monitor replicas for differences in state or output)', () => {
  it('sends the digest of its state every auditEvery executed slots', () => {
    const { state, effects } = audited();
    const digests = sent(effects, 'Audit').map((s) => s.msg);
    expect(digests).toHaveLength(2); // to r1 and r3
    expect(digests[0]).toMatchObject({ type: 'Audit', from: 'r2', slot: 2, echo: false });
    expect(state.volatile.audits.get(2)?.own).toBe((digests[0] as { digest: string }).digest);
  });

  it('answers a differing digest with its own, once; equal digests need no answer', () => {
    const { state } = audited();
    const mine = state.volatile.audits.get(2)?.own as string;
    expect(sent(run(state, [audit('r1', 2, mine)]).effects, 'Audit')).toHaveLength(0);
    const other = run(state, [audit('r1', 2, 'ffff')]);
    expect(sent(other.effects, 'Audit').map((s) => s.msg)).toEqual([
      { type: 'Audit', from: 'r2', slot: 2, digest: mine, echo: true },
    ]);
    expect(sent(run(state, [audit('r1', 2, 'ffff', true)]).effects, 'Audit')).toHaveLength(0);
  });

  it('a replica outvoted by a majority declares itself faulty: QUIT, no more replies, state rebuilt', () => {
    const { state } = audited();
    const corrupt = withOwnDigest(state, 'bad');
    const once = run(corrupt, [audit('r1', 2, 'good')]);
    expect(actions(once.effects)).not.toContain('DeclareFaulty'); // one peer is not a majority
    const twice = run(once.state, [audit('r3', 2, 'good')]);
    expect(actions(twice.effects)).toContain('DeclareFaulty');
    const quitRequest = sent(twice.effects, 'Request').map((s) => s.msg);
    expect(quitRequest[0]).toEqual({
      type: 'Request',
      from: 'r2',
      seq: 1,
      op: { type: 'quit', replica: 'r2' },
    });
    expect(twice.state.volatile.repair).toMatchObject({ slot: 2, quitSeq: 1 });
    // Rebuilt from its log (never truncated): the same two slots, replayed silently.
    expect(twice.state.volatile.executed).toBe(2);
    expect(kvApp.view(twice.state.volatile.app as KvState)).toEqual({ k: 'ab' });
    // It serves no client while repairing, not even from its session table.
    const retransmit = recv({
      type: 'Request',
      from: 'c1',
      seq: 2,
      op: { type: 'append', key: 'k', value: 'b' },
    });
    expect(sent(run(twice.state, [retransmit]).effects, 'Reply')).toHaveLength(0);
  });

  it('once its QUIT is executed, the repaired replica asks to JOIN again', () => {
    const { state } = audited({ window: 1 });
    const corrupt = withOwnDigest(state, 'bad');
    const faulty = run(corrupt, [audit('r1', 2, 'good'), audit('r3', 2, 'good')]).state;
    const after = run(faulty, [decision(2, quit('r2', 'r2', 1))]);
    expect(after.state.volatile.repair).toBeNull();
    expect(members(after.state, 10)).toEqual(['r1', 'r3']);
    expect(after.state.volatile.membership.rejoin).toEqual(['r2']);
    const joinRequest = sent(after.effects, 'Request').map((s) => s.msg);
    expect(joinRequest[0]).toEqual({
      type: 'Request',
      from: 'r2',
      seq: 2,
      op: { type: 'join', replica: 'r2' },
    });
    const back = run(after.state, [decision(3, join('r2', 'r2', 2))]).state;
    expect(members(back, 10)).toEqual(['r1', 'r2', 'r3']);
    expect(back.volatile.membership.rejoin).toEqual([]);
  });

  it('refuses audits it cannot use, with the reason', () => {
    const { state } = audited();
    const reasons = (msg: ReturnType<typeof audit>) =>
      run(state, [msg]).effects.flatMap((e) => (e.kind === 'Rejected' ? [e.reason] : []));
    expect(reasons(audit('r1', 3, 'x'))).toEqual([
      'audit of slot 3 from r1: slot 3 is not an audited slot (every 2)',
    ]);
    expect(reasons(audit('r1', 40, 'x'))).toEqual([
      'audit of slot 40 from r1: this replica has executed 2 slots, and keeps digests at most 4 audits ahead',
    ]);
    expect(reasons(audit('r9', 2, 'x'))[0]).toMatch(/not in the configuration/);
    // One a few rounds ahead is kept for when this replica gets there.
    expect(
      run(state, [audit('r1', 4, 'x')])
        .state.volatile.audits.get(4)
        ?.peers.get('r1'),
    ).toBe('x');
  });
});

describe('membership normal form', () => {
  it('digests agree between replicas that pruned differently', () => {
    const m: Membership = {
      epochs: [
        { from: 0, members: ['r1', 'r2', 'r3'] },
        { from: 5, members: ['r1', 'r2'] },
      ],
      rejoin: [],
    };
    expect(membersAt(m, 4)).toEqual(['r1', 'r2', 'r3']);
    expect(membersAt(m, 5)).toEqual(['r1', 'r2']);
  });
});
