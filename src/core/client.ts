/**
 * The client reducer: submit one request at a time to every replica, and accept an output by
 * voting (seed: "sending outputs" and "system failure"). Under the `majority` policy an output
 * is accepted once a majority of the configuration returned the same output, and the result is
 * FAIL when every replica answered and no majority agrees; `first-reply` models fail-stop
 * replicas, where any reply is correct.
 */
import { canonicalEncode } from './canonical.js';
import { majority } from './quorum.js';
import type {
  ClientId,
  Effect,
  Input,
  Json,
  Message,
  Outcome,
  ReplicaId,
  StepResult,
} from './types.js';

export type ReplyPolicy = 'majority' | 'first-reply';

export interface ClientParams {
  readonly replicas: readonly ReplicaId[];
  readonly policy: ReplyPolicy;
  /** Resend the pending request to replicas that did not answer every this many ticks; 0 = never. */
  readonly retransmitTicks: number;
}

export interface PendingRequest {
  readonly seq: number;
  readonly op: Json;
  /** The first output each replica returned for this request. */
  readonly votes: ReadonlyMap<ReplicaId, Json>;
  readonly sinceSend: number;
}

export interface ClientState {
  readonly id: ClientId;
  readonly params: ClientParams;
  /** The last sequence number used; requests are numbered 1, 2, … */
  readonly seq: number;
  readonly pending: PendingRequest | null;
}

export function initClient(id: ClientId, params: ClientParams): ClientState {
  return { id, params, seq: 0, pending: null };
}

/**
 * The client's decision point, as a table like the replica's (replica/rules.ts): a seeded bug
 * (harness/mutants) replaces it to show that the output filter is checked.
 */
export interface ClientRules {
  /** Output voting: the outcome once the votes so far determine it, else undefined. */
  readonly decide: (
    votes: ReadonlyMap<ReplicaId, Json>,
    params: ClientParams,
  ) => Outcome | undefined;
}

export const REFERENCE_CLIENT_RULES: ClientRules = {
  decide: (votes, params) => decide(votes, params),
};

export function clientStep(
  state: ClientState,
  input: Input,
  rules: ClientRules = REFERENCE_CLIENT_RULES,
): StepResult<ClientState> {
  switch (input.kind) {
    case 'ClientRequest':
      return submit(state, input.op);
    case 'Tick':
      return tick(state);
    case 'Receive':
      return receive(state, input.msg, rules);
    case 'Restart':
      // A client's pending request is abandoned by a restart; its outcome is unknown.
      return { state: { ...state, pending: null }, effects: [] };
  }
}

function submit(state: ClientState, op: Json): StepResult<ClientState> {
  if (state.pending !== null) {
    return reject(state, `client ${state.id} already has request ${state.pending.seq} pending`);
  }
  const seq = state.seq + 1;
  const msg = { type: 'Request', from: state.id, seq, op } as const;
  const effects: Effect[] = [{ kind: 'Trace', event: { action: 'ClientRequest', msg } }];
  for (const r of state.params.replicas) effects.push({ kind: 'Send', to: r, msg });
  return {
    state: { ...state, seq, pending: { seq, op, votes: new Map(), sinceSend: 0 } },
    effects,
  };
}

function tick(state: ClientState): StepResult<ClientState> {
  const { pending, params } = state;
  if (pending === null || params.retransmitTicks <= 0) return { state, effects: [] };
  if (pending.sinceSend + 1 < params.retransmitTicks) {
    return {
      state: { ...state, pending: { ...pending, sinceSend: pending.sinceSend + 1 } },
      effects: [],
    };
  }
  const msg = { type: 'Request', from: state.id, seq: pending.seq, op: pending.op } as const;
  const effects: Effect[] = params.replicas
    .filter((r) => !pending.votes.has(r))
    .map((r) => ({ kind: 'Send', to: r, msg }));
  return { state: { ...state, pending: { ...pending, sinceSend: 0 } }, effects };
}

function receive(state: ClientState, msg: Message, rules: ClientRules): StepResult<ClientState> {
  if (msg.type !== 'Reply' || msg.to !== state.id) {
    return reject(state, `client ${state.id} takes only Reply messages addressed to it`);
  }
  if (!state.params.replicas.includes(msg.from)) {
    return reject(
      state,
      `reply from ${JSON.stringify(msg.from)}, which is not in the configuration`,
    );
  }
  const { pending } = state;
  // A reply to an earlier request, or a second reply from the same replica, is stale.
  if (pending === null || msg.seq !== pending.seq || pending.votes.has(msg.from)) {
    return { state, effects: [] };
  }
  const votes = new Map(pending.votes);
  votes.set(msg.from, msg.output);
  const trace: Effect = { kind: 'Trace', event: { action: 'ClientReceive', msg } };
  const outcome = rules.decide(votes, state.params);
  if (outcome === undefined) {
    return { state: { ...state, pending: { ...pending, votes } }, effects: [trace] };
  }
  const complete: Effect = { kind: 'Complete', seq: pending.seq, op: pending.op, outcome };
  return { state: { ...state, pending: null }, effects: [trace, complete] };
}

/** Output voting: the outcome once it is determined by the votes so far, else undefined. */
export function decide(
  votes: ReadonlyMap<ReplicaId, Json>,
  params: ClientParams,
): Outcome | undefined {
  if (params.policy === 'first-reply') {
    const [first] = votes.values();
    return first === undefined ? undefined : { ok: true, output: first };
  }
  const need = majority(params.replicas.length);
  const tally = new Map<string, { output: Json; count: number }>();
  for (const output of votes.values()) {
    const key = canonicalEncode(output);
    const entry = tally.get(key) ?? { output, count: 0 };
    entry.count++;
    tally.set(key, entry);
    if (entry.count >= need) return { ok: true, output: entry.output };
  }
  return votes.size >= params.replicas.length ? { ok: false, reason: 'FAIL' } : undefined;
}

function reject(state: ClientState, reason: string): StepResult<ClientState> {
  return { state, effects: [{ kind: 'Rejected', reason }] };
}
