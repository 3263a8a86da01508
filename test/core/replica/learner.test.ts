import { describe, expect, it } from 'vitest';
import { REFERENCE_RULES } from '../../../src/core/replica/rules.js';
import { TICK, actions, b, leader, op, recv, replica, run, sent } from '../helpers.js';

const decision = (slot: number, cmd = op('c1', slot + 1, `v${slot}`)) =>
  recv({ type: 'Decision', from: 'r1', slot, cmd });

describe('learner and executor (seed: the state machine approach; input log; sessions)', () => {
  it('Learn persists the chosen entry, then executes in slot order and replies to the client', () => {
    const { state, effects } = run(replica('r2'), [decision(0)]);
    expect(state.durable.chosen.size).toBe(1);
    expect(effects.map((e) => e.kind)).toEqual(['Persist', 'Trace', 'Trace', 'Reply']);
    expect(actions(effects)).toEqual(['Learn', 'Execute']);
    expect(state.volatile.executed).toBe(1);
  });

  it('never executes past a gap; asks the sender for the missing chosen entries', () => {
    const { state, effects } = run(replica('r2'), [decision(2)]);
    expect(state.volatile.executed).toBe(0);
    expect(sent(effects, 'CatchUpRequest')).toEqual([
      { to: 'r1', msg: { type: 'CatchUpRequest', from: 'r2', fromSlot: 0, versions: {} } },
    ]);
    const filled = run(state, [
      recv({
        type: 'CatchUpReply',
        from: 'r1',
        entries: [0, 1].map((slot) => ({ slot, cmd: op('c1', slot + 1) })),
      }),
    ]);
    expect(filled.state.volatile.executed).toBe(3);
    expect(actions(filled.effects)).toEqual(['Learn', 'Learn', 'Execute', 'Execute', 'Execute']);
  });

  it('a duplicate decision changes nothing', () => {
    const once = run(replica('r2'), [decision(0)]).state;
    expect(run(once, [decision(0)]).effects).toEqual([]);
  });

  it('answers catch-up requests with at most catchUpBatch chosen entries, from the requested slot', () => {
    const learned = run(
      replica('r2', { catchUpBatch: 2 }),
      [0, 1, 2].map((s) => decision(s)),
    ).state;
    const { effects } = run(learned, [recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 1 })]);
    expect(sent(effects)).toEqual([
      {
        to: 'r3',
        msg: {
          type: 'CatchUpReply',
          from: 'r2',
          entries: [1, 2].map((slot) => ({ slot, cmd: op('c1', slot + 1, `v${slot}`) })),
        },
      },
    ]);
    const nothing = run(learned, [recv({ type: 'CatchUpRequest', from: 'r3', fromSlot: 9 })]);
    expect(nothing.effects).toEqual([]);
  });

  it('exactly-once: the same request chosen in two slots is applied once (the second is skipped)', () => {
    const { state, effects } = run(replica('r2'), [
      decision(0, op('c1', 1, 'x')),
      decision(1, op('c1', 1, 'x')),
    ]);
    expect(state.volatile.app).toEqual(new Map([['k', { value: 'x', version: 1 }]]));
    expect(
      effects.flatMap((e) =>
        e.kind === 'Trace' && e.event.action === 'Execute' ? [e.event.applied] : [],
      ),
    ).toEqual([true, false]);
    expect(sent(effects, 'Reply').length).toBe(1);
  });

  it('no-ops are executed without touching the app', () => {
    const { state } = run(replica('r2'), [decision(0, { kind: 'noop' })]);
    expect(state.volatile.executed).toBe(1);
    expect(state.volatile.app).toEqual(new Map());
  });

  it('ReplyFromSession: a retransmitted, executed request gets the cached output; an older one nothing', () => {
    const executed = run(replica('r2'), [
      decision(0, op('c1', 1, 'x')),
      decision(1, op('c1', 2, 'y')),
    ]).state;
    const again = run(executed, [
      recv({ type: 'Request', from: 'c1', seq: 2, op: { type: 'append', key: 'k', value: 'y' } }),
    ]);
    expect(actions(again.effects)).toEqual(['ReplyFromSession']);
    expect(sent(again.effects)).toEqual([
      { to: 'c1', msg: { type: 'Reply', from: 'r2', to: 'c1', seq: 2, output: 'xy' } },
    ]);
    const older = run(executed, [
      recv({ type: 'Request', from: 'c1', seq: 1, op: { type: 'append', key: 'k', value: 'x' } }),
    ]);
    expect(older.effects).toEqual([]);
  });

  it('the leader does not re-propose a request that is chosen but not yet executed', () => {
    const gap = run(leader(), [decision(1, op('c1', 1))]).state;
    const { effects } = run(gap, [
      recv({ type: 'Request', from: 'c1', seq: 1, op: { type: 'append', key: 'k', value: 'v' } }),
    ]);
    expect(actions(effects)).toEqual([]);
  });

  it('Restart keeps the durable state, rebuilds the rest, and replays the chosen log silently', () => {
    const before = run(replica('r2'), [
      recv({ type: 'Prepare', from: 'r1', ballot: b(1, 'r1'), fromSlot: 0 }),
      decision(0),
      decision(1),
      TICK,
    ]).state;
    const { state, effects } = run(before, [{ kind: 'Restart' }]);
    expect(state.durable).toBe(before.durable);
    expect(state.volatile.executed).toBe(2);
    expect(state.volatile.app).toEqual(before.volatile.app);
    expect(state.volatile.role).toBe('follower');
    expect(actions(effects)).toEqual(['Restart', 'Execute', 'Execute']);
    expect(sent(effects)).toEqual([]);
  });

  it('a recover rule that loses state is persisted (so the loss is visible to Durability checks)', () => {
    const rules = {
      ...REFERENCE_RULES,
      recover: (
        d: typeof REFERENCE_RULES extends { recover: (x: infer D) => unknown } ? D : never,
      ) => ({ ...d, promised: { round: 0, leader: '' } }),
    };
    const before = run(replica('r2'), [
      recv({ type: 'Prepare', from: 'r1', ballot: b(1, 'r1'), fromSlot: 0 }),
    ]).state;
    const { state, effects } = run(before, [{ kind: 'Restart' }], rules);
    expect(state.durable.promised.round).toBe(0);
    expect(effects[0]?.kind).toBe('Persist');
  });
});
