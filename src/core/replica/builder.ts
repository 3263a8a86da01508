import type { AnyApp } from '../app.js';
import type {
  DurableState,
  Effect,
  Message,
  ClientId,
  ReplicaId,
  ReplyMsg,
  StepResult,
  TraceEvent,
} from '../types.js';
import type { ReplicaRules } from './rules.js';
import type { ReplicaState, VolatileState } from './state.js';

/** What a replica step needs besides its state: the app it replicates and the protocol rules. */
export interface ReplicaContext {
  readonly app: AnyApp;
  readonly rules: ReplicaRules;
}

/**
 * Accumulates one step: the next durable and volatile state and the effects in order.
 * It is local to a single call of the reducer, so its mutation is never observable; the input
 * state is never modified.
 */
export class StepBuilder {
  durable: DurableState;
  v: VolatileState<unknown>;
  private readonly effects: Effect[] = [];
  private durableChanged = false;
  private rejection: string | null = null;

  constructor(
    readonly base: ReplicaState,
    readonly ctx: ReplicaContext,
  ) {
    this.durable = base.durable;
    this.v = base.volatile;
  }

  get id(): ReplicaId {
    return this.base.id;
  }
  /** Every replica of the deployment (members and observers; membership.ts). */
  get deployment(): readonly ReplicaId[] {
    return this.base.params.replicas;
  }
  /** The other replicas of the deployment: broadcasts reach observers too, so they learn. */
  get peers(): readonly ReplicaId[] {
    return this.deployment.filter((r) => r !== this.base.id);
  }

  setDurable(patch: Partial<DurableState>): void {
    this.durable = { ...this.durable, ...patch };
    this.durableChanged = true;
  }
  setVolatile(patch: Partial<VolatileState<unknown>>): void {
    this.v = { ...this.v, ...patch };
  }

  send(to: ReplicaId, msg: Message): void {
    this.effects.push({ kind: 'Send', to, msg });
  }
  broadcast(msg: Message): void {
    for (const peer of this.peers) this.send(peer, msg);
  }
  reply(to: ClientId, msg: ReplyMsg): void {
    this.effects.push({ kind: 'Reply', to, msg });
  }
  trace(event: TraceEvent): void {
    this.effects.push({ kind: 'Trace', event });
  }
  /** Report a refused part of the input (a `Rejected` effect); what the step did stays. */
  rejected(reason: string): void {
    this.effects.push({ kind: 'Rejected', reason });
  }
  /** Refuse the whole input: the step ends with the state it started from and this reason. */
  rejectStep(reason: string): void {
    this.rejection ??= reason;
  }
  get isRejected(): boolean {
    return this.rejection !== null;
  }

  /** The step's result; a changed durable state is persisted before anything is sent. */
  finish(): StepResult<ReplicaState> {
    if (this.rejection !== null)
      return { state: this.base, effects: [{ kind: 'Rejected', reason: this.rejection }] };
    const state: ReplicaState = { ...this.base, durable: this.durable, volatile: this.v };
    const effects: Effect[] = this.durableChanged
      ? [{ kind: 'Persist', durable: this.durable }, ...this.effects]
      : this.effects;
    return { state, effects };
  }
}
