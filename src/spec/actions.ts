/**
 * The actions of spec/Smr.tla, one TypeScript function each, named as in the spec, in one
 * dispatch table (STYLE.md §4). Each takes a state and the step's parameters and returns the
 * successor states, or the first conjunct that fails with what it expected and what it saw.
 * The trace checker replays events through this table, the refinement checks replay the
 * core's steps through it, and the model-checking configurations explore it (models.ts).
 */
import type { ModelledActionName as ActionName } from '../core/types.js';
import { Checkpoint, InstallCheckpoint, Truncate } from './checkpoint.js';
import { ClientReceive, ClientRequest } from './client.js';
import { Execute, Learn, ReplyFromSession, Restart, StepDown } from './learner.js';
import { BecomeLeader, Phase1a, Phase1b, ReceivePromise } from './phase1.js';
import { Audit, ReceiveAudit, Reconfigure } from './reconfig.js';
import { Decide, Phase2a, Phase2b, ReceiveAccepted } from './phase2.js';
import type { ModelEnv, StepResult } from './refusal.js';
import type { EventInfo, World } from './state.js';

/** An action of the spec: the successors of `w` when node number `node` takes it. */
export type SpecAction = (env: ModelEnv, w: World, ev: EventInfo, node: number) => StepResult;

export const ACTION_TABLE: { readonly [A in ActionName]: SpecAction } = {
  Phase1a,
  Phase1b,
  ReceivePromise,
  BecomeLeader,
  Phase2a,
  Phase2b,
  ReceiveAccepted,
  Decide,
  Learn,
  Execute,
  Reconfigure,
  Checkpoint,
  Audit,
  ReceiveAudit,
  Truncate,
  InstallCheckpoint,
  ReplyFromSession,
  StepDown,
  Restart,
  ClientRequest,
  ClientReceive,
};

/** The actions of Smr.tla, in the order of its Next. */
export const ACTIONS = Object.keys(ACTION_TABLE) as readonly ActionName[];

/** The actions that consume a message (`m \in msgs`), and the type they consume. */
export const RECEIVES: { readonly [A in ActionName]?: string } = {
  Phase1b: 'Prepare',
  ReceivePromise: 'Promise',
  Phase2b: 'Accept',
  ReceiveAccepted: 'Accepted',
  ReceiveAudit: 'Audit',
  ReplyFromSession: 'Request',
  ClientReceive: 'Reply',
};

/** The spec's actions for replicas and for clients. */
export const CLIENT_ACTIONS: ReadonlySet<ActionName> = new Set(['ClientRequest', 'ClientReceive']);

/** Run one action, by name. */
export function takeAction(
  env: ModelEnv,
  w: World,
  ev: EventInfo & { readonly action: ActionName },
  node: number,
): StepResult {
  return ACTION_TABLE[ev.action](env, w, ev, node);
}
