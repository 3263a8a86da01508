import { describe, expect, it } from 'vitest';
import {
  clientStep,
  decide,
  initClient,
  type ClientParams,
  type ClientState,
} from '../../src/core/client.js';
import type { Effect, Input, Json } from '../../src/core/types.js';

const params = (overrides: Partial<ClientParams> = {}): ClientParams => ({
  replicas: ['r1', 'r2', 'r3'],
  policy: 'majority',
  retransmitTicks: 2,
  ...overrides,
});
const reply = (from: string, output: Json, seq = 1, to = 'c1'): Input => ({
  kind: 'Receive',
  msg: { type: 'Reply', from, to, seq, output },
});
const GET: Input = { kind: 'ClientRequest', op: { type: 'get', key: 'x' } };

function run(state: ClientState, inputs: Input[]): { state: ClientState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const input of inputs) {
    const r = clientStep(state, input);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}
const outcomes = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'Complete' ? [e.outcome] : []));

describe('client output voting (seed: sending outputs; system failure)', () => {
  it('sends each request to every replica of the configuration, numbered 1, 2, …', () => {
    const { state, effects } = run(initClient('c1', params()), [GET]);
    expect(state.seq).toBe(1);
    expect(effects.filter((e) => e.kind === 'Send').map((e) => e.kind === 'Send' && e.to)).toEqual([
      'r1',
      'r2',
      'r3',
    ]);
  });

  it('allows one outstanding request at a time', () => {
    const { effects } = run(initClient('c1', params()), [GET, GET]);
    expect(effects.at(-1)).toEqual({
      kind: 'Rejected',
      reason: 'client c1 already has request 1 pending',
    });
  });

  it('accepts an output once a majority returned the same output', () => {
    const one = run(initClient('c1', params()), [GET, reply('r1', 'a')]);
    expect(outcomes(one.effects)).toEqual([]);
    const two = run(one.state, [reply('r2', 'a')]);
    expect(outcomes(two.effects)).toEqual([{ ok: true, output: 'a' }]);
    expect(two.state.pending).toBeNull();
  });

  it('FAIL when every replica answered and no majority agrees', () => {
    const { effects } = run(initClient('c1', params()), [
      GET,
      reply('r1', 'a'),
      reply('r2', 'b'),
      reply('r3', 'c'),
    ]);
    expect(outcomes(effects)).toEqual([{ ok: false, reason: 'FAIL' }]);
  });

  it('with ≤ F disagreeing replicas the majority output wins (OutputFilter)', () => {
    const { effects } = run(initClient('c1', params()), [
      GET,
      reply('r1', 'bad'),
      reply('r2', { v: 1 }),
      reply('r3', { v: 1 }),
    ]);
    expect(outcomes(effects)).toEqual([{ ok: true, output: { v: 1 } }]);
  });

  it('first-reply (fail-stop) accepts the first output', () => {
    const { effects } = run(initClient('c1', params({ policy: 'first-reply' })), [
      GET,
      reply('r3', 'z'),
    ]);
    expect(outcomes(effects)).toEqual([{ ok: true, output: 'z' }]);
    expect(decide(new Map(), params({ policy: 'first-reply' }))).toBeUndefined();
  });

  it('ignores stale replies, second votes from a replica, and replies with no request pending', () => {
    const pending = run(initClient('c1', params()), [GET, reply('r1', 'a')]).state;
    expect(run(pending, [reply('r1', 'b')]).effects).toEqual([]);
    expect(run(pending, [reply('r2', 'a', 7)]).effects).toEqual([]);
    expect(run(initClient('c1', params()), [reply('r1', 'a')]).effects).toEqual([]);
  });

  it('rejects replies from outside the configuration, to someone else, or that are not replies', () => {
    const pending = run(initClient('c1', params()), [GET]).state;
    expect(run(pending, [reply('r9', 'a')]).effects[0]?.kind).toBe('Rejected');
    expect(run(pending, [reply('r1', 'a', 1, 'c2')]).effects[0]?.kind).toBe('Rejected');
    const notReply: Input = {
      kind: 'Receive',
      msg: { type: 'Request', from: 'c2', seq: 1, op: null },
    };
    expect(run(pending, [notReply]).effects[0]?.kind).toBe('Rejected');
  });

  it('retransmits on Tick to the replicas that have not answered, every retransmitTicks', () => {
    const pending = run(initClient('c1', params()), [GET, reply('r1', 'a')]).state;
    const first = run(pending, [{ kind: 'Tick' }]);
    expect(first.effects).toEqual([]);
    const second = run(first.state, [{ kind: 'Tick' }]);
    expect(second.effects.map((e) => e.kind === 'Send' && e.to)).toEqual(['r2', 'r3']);
    expect(run(initClient('c1', params()), [{ kind: 'Tick' }]).effects).toEqual([]);
    expect(
      run(initClient('c1', params({ retransmitTicks: 0 })), [GET, { kind: 'Tick' }]).effects.length,
    ).toBe(4);
  });

  it('a client restart abandons the pending request (its outcome stays unknown)', () => {
    const { state } = run(initClient('c1', params()), [GET, { kind: 'Restart' }]);
    expect(state.pending).toBeNull();
    expect(state.seq).toBe(1);
  });
});
