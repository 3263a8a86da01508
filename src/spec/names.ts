/**
 * The names Smr.tla declares, as the twin exports them; test/spec checks them against the
 * TLA+ text (parsed with tree-sitter), so the spec and the twin cannot drift apart silently.
 */
import type { ActionName } from '../core/types.js';
import type { SpecActionName } from './actions.js';
import type { ClientVars, ReplicaVars, SpecState } from './types.js';

/** The variables of one replica, in Smr.tla's VARIABLES order. */
export const REPLICA_VARIABLES = [
  'promised',
  'accepted',
  'chosen',
  'role',
  'ballot',
  'prepareFrom',
  'promises',
  'proposals',
  'nextSlot',
  'executed',
  'sessions',
  'app',
] as const satisfies readonly (keyof ReplicaVars)[];

/** The variables of one client. */
export const CLIENT_VARIABLES = ['clientSeq', 'pending', 'replies'] as const satisfies readonly (keyof ClientVars)[];

/** The global variables. */
export const GLOBAL_VARIABLES = ['msgs', 'done'] as const satisfies readonly (keyof SpecState)[];

/** Every variable of Smr.tla, in its VARIABLES order. */
export const VARIABLES = [...REPLICA_VARIABLES, ...CLIENT_VARIABLES, ...GLOBAL_VARIABLES] as const;

// Compile-time: the lists above name every field of the twin's per-node variables.
type Missing<T, L extends readonly PropertyKey[]> = Exclude<keyof T, L[number]>;
const exhaustive: [
  Missing<ReplicaVars, typeof REPLICA_VARIABLES>,
  Missing<ClientVars, typeof CLIENT_VARIABLES>,
] extends [never, never]
  ? true
  : false = true;
void exhaustive;

export { ACTIONS } from './actions.js';
export { PROPERTIES, STATE_INVARIANTS } from './invariants.js';

/**
 * The core's trace events are the spec's actions, one to one (STYLE.md §5): this table does not
 * compile if either list gains a name the other lacks.
 */
export const CORE_EVENT_TO_ACTION: { readonly [A in ActionName]: A & SpecActionName } = {
  Phase1a: 'Phase1a',
  Phase1b: 'Phase1b',
  ReceivePromise: 'ReceivePromise',
  BecomeLeader: 'BecomeLeader',
  Phase2a: 'Phase2a',
  Phase2b: 'Phase2b',
  ReceiveAccepted: 'ReceiveAccepted',
  Decide: 'Decide',
  Learn: 'Learn',
  Execute: 'Execute',
  ReplyFromSession: 'ReplyFromSession',
  StepDown: 'StepDown',
  Restart: 'Restart',
  ClientRequest: 'ClientRequest',
  ClientReceive: 'ClientReceive',
};
