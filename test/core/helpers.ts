/** Small builders for reducer-level tests. */
import { kvApp } from '../../src/core/apps/kv.js';
import { initReplica, replicaContext, replicaStep } from '../../src/core/replica/reducer.js';
import { REFERENCE_RULES, type ReplicaRules } from '../../src/core/replica/rules.js';
import {
  DEFAULT_REPLICA_PARAMS,
  type ReplicaParams,
  type ReplicaState,
} from '../../src/core/replica/state.js';
import type { Ballot, Command, Effect, Input, Message, ReplicaId } from '../../src/core/types.js';

export const CONFIG = ['r1', 'r2', 'r3'] as const;

export function params(overrides: Partial<ReplicaParams> = {}): ReplicaParams {
  return {
    ...DEFAULT_REPLICA_PARAMS,
    electionTicks: 1,
    heartbeatTicks: 0,
    replicas: CONFIG,
    ...overrides,
  };
}

export function replica(
  id: ReplicaId = 'r1',
  overrides: Partial<ReplicaParams> = {},
): ReplicaState {
  return initReplica(id, params(overrides), kvApp);
}

export const b = (round: number, leader: ReplicaId): Ballot => ({ round, leader });
export const op = (client: string, seq: number, value = 'v'): Command => ({
  kind: 'op',
  client,
  seq,
  op: { type: 'append', key: 'k', value },
});

/** Feed inputs in order; return the final state and every effect. */
export function run(
  state: ReplicaState,
  inputs: readonly Input[],
  rules: ReplicaRules = REFERENCE_RULES,
): { state: ReplicaState; effects: Effect[] } {
  const ctx = replicaContext(kvApp, rules);
  const effects: Effect[] = [];
  for (const input of inputs) {
    const r = replicaStep(state, input, ctx);
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

export const recv = (msg: Message): Input => ({ kind: 'Receive', msg });
export const TICK: Input = { kind: 'Tick' };

export const sent = (effects: readonly Effect[], type?: Message['type']) =>
  effects.flatMap((e) =>
    (e.kind === 'Send' || e.kind === 'Reply') && (type === undefined || e.msg.type === type)
      ? [{ to: e.to, msg: e.msg }]
      : [],
  );
export const actions = (effects: readonly Effect[]) =>
  effects.flatMap((e) => (e.kind === 'Trace' ? [e.event.action] : []));

/** A replica that is leader of ballot 1.r1 for the 3-replica configuration. */
export function leader(overrides: Partial<ReplicaParams> = {}): ReplicaState {
  return run(replica('r1', overrides), [
    TICK,
    recv({ type: 'Promise', from: 'r2', ballot: b(1, 'r1'), accepted: [], checkpoint: 0 }),
  ]).state;
}
