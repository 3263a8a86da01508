/**
 * The replica reducer: `(state, input) → (state, effects)`, pure and synchronous
 * (STYLE.md §1). One dispatch table maps each message type to its handler (STYLE.md §4).
 */
import type { AnyApp } from '../app.js';
import { checkMessage } from '../validate.js';
import type { DurableState, Input, Message, ReplicaId, StepResult } from '../types.js';
import { onAccept, onPrepare } from './acceptor.js';
import { StepBuilder, type ReplicaContext } from './builder.js';
import { onHeartbeat, onTick } from './election.js';
import {
  executeReady,
  onCatchUpReply,
  onCatchUpRequest,
  onDecision,
  replyFromSession,
} from './learner.js';
import { onAccepted, onLeaderRequest, onPromise, resumeCandidacy } from './proposer.js';
import { REFERENCE_RULES, type ReplicaRules } from './rules.js';
import { EMPTY_DURABLE, initialVolatile, type ReplicaParams, type ReplicaState } from './state.js';
import { onSnapshotChunk } from './transfer.js';
import { onCheckpointVote } from './checkpoint.js';
import { onAudit, settleRepair } from './audit.js';

/** A handler after which the chosen prefix may have grown: a waiting candidate may now lead. */
const learning =
  <M>(handler: (b: StepBuilder, msg: M) => void) =>
  (b: StepBuilder, msg: M): void => {
    handler(b, msg);
    if (!b.isRejected) resumeCandidacy(b);
  };

type Handler<T extends Message['type']> = (
  b: StepBuilder,
  msg: Extract<Message, { type: T }>,
) => void;

const ON_MESSAGE: { readonly [T in Message['type']]: Handler<T> } = {
  Prepare: onPrepare,
  Promise: onPromise,
  Accept: onAccept,
  Accepted: onAccepted,
  Decision: learning(onDecision),
  Heartbeat: onHeartbeat,
  CatchUpRequest: onCatchUpRequest,
  CatchUpReply: learning(onCatchUpReply),
  CheckpointVote: onCheckpointVote,
  SnapshotChunk: learning(onSnapshotChunk),
  Audit: onAudit,
  Request: (b, msg) => {
    if (!replyFromSession(b, msg) && b.v.role === 'leader') onLeaderRequest(b, msg);
  },
  Reply: () => undefined, // unreachable: checkMessage rejects replies sent to a replica
};

/** A fresh replica (or one restored from `durable`, as a host does after a crash). */
export function initReplica(
  id: ReplicaId,
  params: ReplicaParams,
  app: AnyApp,
  durable: DurableState = EMPTY_DURABLE,
): ReplicaState {
  return { id, params, durable, volatile: initialVolatile(params, app.init(), durable) };
}

export function replicaContext(app: AnyApp, rules: ReplicaRules = REFERENCE_RULES): ReplicaContext {
  return { app, rules };
}

/** One step of a replica. Malformed input yields a `Rejected` effect and the same state. */
export function replicaStep(
  state: ReplicaState,
  input: Input,
  ctx: ReplicaContext,
): StepResult<ReplicaState> {
  const b = new StepBuilder(state, ctx);
  switch (input.kind) {
    case 'Tick':
      onTick(b);
      break;
    case 'Restart':
      restart(b);
      break;
    case 'ClientRequest':
      return rejected(state, 'a replica takes client requests only as Request messages');
    case 'Receive': {
      const msg = input.msg;
      const problem =
        msg.type === 'Reply'
          ? 'replicas do not take Reply messages'
          : checkMessage(msg, state.params.replicas);
      if (problem !== null) return rejected(state, problem);
      heardFrom(b, msg);
      (ON_MESSAGE[msg.type] as Handler<Message['type']>)(b, msg);
    }
  }
  if (!b.isRejected) settleRepair(b);
  return b.finish();
}

function rejected(state: ReplicaState, reason: string): StepResult<ReplicaState> {
  return { state, effects: [{ kind: 'Rejected', reason }] };
}

/** Any message from a peer proves it alive to the failure detector. */
function heardFrom(b: StepBuilder, msg: Message): void {
  if (msg.type === 'Request' || msg.from === b.id || b.v.silence.get(msg.from) === 0) return;
  const silence = new Map(b.v.silence);
  silence.set(msg.from, 0);
  b.setVolatile({ silence });
}

/**
 * Restart: volatile state is rebuilt from the checkpoint; the durable state is what was
 * persisted. The log after the checkpoint is replayed silently (the replies left before the
 * crash).
 */
function restart(b: StepBuilder): void {
  const durable = b.ctx.rules.recover(b.durable);
  if (durable !== b.durable) b.setDurable(durable);
  b.setVolatile(initialVolatile(b.base.params, b.ctx.app.init(), durable));
  b.trace({ action: 'Restart' });
  executeReady(b, { silent: true });
}
