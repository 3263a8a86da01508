import { describe, expect, it } from 'vitest';
import { actions, b, leader, op, recv, replica, run, sent } from '../helpers.js';

describe('acceptor (Paxos Made Simple §2.2–2.3)', () => {
  it('Phase1b: promises a ballot at least its promise, persisting before it replies', () => {
    const { state, effects } = run(replica('r2'), [
      recv({ type: 'Prepare', from: 'r1', ballot: b(1, 'r1'), fromSlot: 0 }),
    ]);
    expect(state.durable.promised).toEqual(b(1, 'r1'));
    expect(effects[0]?.kind).toBe('Persist');
    expect(actions(effects)).toEqual(['Phase1b']);
    expect(sent(effects)).toEqual([
      {
        to: 'r1',
        msg: { type: 'Promise', from: 'r2', ballot: b(1, 'r1'), accepted: [], checkpoint: 0 },
      },
    ]);
  });

  it('Phase1b: reports every value accepted from the requested slot on, in slot order', () => {
    const accepts = [3, 0, 1].map((slot) =>
      recv({ type: 'Accept', from: 'r1', ballot: b(1, 'r1'), slot, cmd: op('c1', slot + 1) }),
    );
    const { effects } = run(replica('r2'), [
      ...accepts,
      recv({ type: 'Prepare', from: 'r3', ballot: b(2, 'r3'), fromSlot: 1 }),
    ]);
    const [promise] = sent(effects, 'Promise');
    expect(promise?.msg.type === 'Promise' && promise.msg.accepted.map((e) => e.slot)).toEqual([
      1, 3,
    ]);
  });

  it('ignores a Prepare below its promise (P1a: never accept a lower ballot after promising)', () => {
    const promised = run(replica('r2'), [
      recv({ type: 'Prepare', from: 'r3', ballot: b(2, 'r3'), fromSlot: 0 }),
    ]).state;
    const { state, effects } = run(promised, [
      recv({ type: 'Prepare', from: 'r1', ballot: b(1, 'r1'), fromSlot: 0 }),
    ]);
    expect(effects).toEqual([]);
    expect(state.durable.promised).toEqual(b(2, 'r3'));
  });

  it('Phase2b: accepts at a ballot at least its promise, raising the promise, persisting first', () => {
    const cmd = op('c1', 1);
    const { state, effects } = run(replica('r2'), [
      recv({ type: 'Accept', from: 'r1', ballot: b(1, 'r1'), slot: 0, cmd }),
    ]);
    expect(state.durable.accepted.get(0)).toEqual({ ballot: b(1, 'r1'), cmd });
    expect(state.durable.promised).toEqual(b(1, 'r1'));
    expect(effects.map((e) => e.kind)).toEqual(['Persist', 'Trace', 'Send']);
    expect(sent(effects)[0]?.msg).toEqual({
      type: 'Accepted',
      from: 'r2',
      ballot: b(1, 'r1'),
      slot: 0,
    });
  });

  it('ignores an Accept below its promise', () => {
    const promised = run(replica('r2'), [
      recv({ type: 'Prepare', from: 'r3', ballot: b(2, 'r3'), fromSlot: 0 }),
    ]).state;
    const { state, effects } = run(promised, [
      recv({ type: 'Accept', from: 'r1', ballot: b(1, 'r1'), slot: 0, cmd: op('c1', 1) }),
    ]);
    expect(effects).toEqual([]);
    expect(state.durable.accepted.size).toBe(0);
  });

  it('a leader that promises or accepts a higher ballot steps down (it can no longer win its own)', () => {
    const viaPrepare = run(leader(), [
      recv({ type: 'Prepare', from: 'r3', ballot: b(2, 'r3'), fromSlot: 0 }),
    ]);
    expect(viaPrepare.state.volatile.role).toBe('follower');
    expect(actions(viaPrepare.effects)).toEqual(['Phase1b', 'StepDown']);
    const viaAccept = run(leader(), [
      recv({ type: 'Accept', from: 'r3', ballot: b(2, 'r3'), slot: 0, cmd: op('c1', 1) }),
    ]);
    expect(viaAccept.state.volatile.role).toBe('follower');
    expect(actions(viaAccept.effects)).toEqual(['Phase2b', 'StepDown']);
  });
});
