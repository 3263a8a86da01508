/**
 * The names Smr.tla declares, as the twin exports them; test/spec checks them against the
 * TLA+ text (parsed with tree-sitter), so the spec and the twin cannot drift apart silently.
 */
import type { ModelledActionName as ActionName } from '../core/types.js';
import type { ClientVars, ReplicaVars } from './state.js';

/** The variables of one replica, in Smr.tla's VARIABLES order. */
export const REPLICA_VARIABLES = [
  'promised',
  'accepted',
  'chosen',
  'ckpt',
  'role',
  'ballot',
  'prepareFrom',
  'promises',
  'promisers',
  'proposals',
  'nextSlot',
  'executed',
  'sessions',
  'app',
  'conf',
] as const satisfies readonly (keyof ReplicaVars)[];

/** The variables of one client. */
export const CLIENT_VARIABLES = [
  'clientSeq',
  'pending',
  'replies',
] as const satisfies readonly (keyof ClientVars)[];

/** The global variables: the network, the histories of learned values and checkpoints, and the
 * ghost of accepted outcomes. */
export const GLOBAL_VARIABLES = ['msgs', 'decided', 'snapshots', 'done'] as const;

/** Every variable of Smr.tla, in its VARIABLES order. */
export const VARIABLES = [...REPLICA_VARIABLES, ...CLIENT_VARIABLES, ...GLOBAL_VARIABLES] as const;

/** Fields of the twin's per-replica state that are not variables: derived for speed. */
export const DERIVED = ['chosenPrefix'] as const satisfies readonly (keyof ReplicaVars)[];

// Compile-time: the lists above name every field of the twin's per-node variables.
type Missing<T, L extends readonly PropertyKey[]> = Exclude<keyof T, L[number]>;
const exhaustive: [
  Missing<ReplicaVars, [...typeof REPLICA_VARIABLES, ...typeof DERIVED]>,
  Missing<ClientVars, typeof CLIENT_VARIABLES>,
] extends [never, never]
  ? true
  : false = true;
void exhaustive;

/**
 * The core's trace events are the spec's actions, one to one (STYLE.md §5): the action table
 * (actions.ts) is keyed by the core's ActionName, so neither list can gain a name alone.
 */
export type SpecActionName = ActionName;
