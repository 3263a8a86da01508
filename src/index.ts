/**
 * smr-oracle's one public entry (STYLE.md §9). Deep imports are blocked by package.json
 * `exports`; everything a user may rely on is exported here, explicitly.
 */
export type * from './core/types.js';
export {
  ZERO_BALLOT,
  compareBallots,
  ballotEquals,
  nextBallot,
  formatBallot,
} from './core/ballot.js';
export { majority, isMajority } from './core/quorum.js';
export { canonicalEncode, digestOf, hash64, hash64Hex } from './core/canonical.js';
export type { App, AnyApp } from './core/app.js';
export { APPS, kvApp, counterApp } from './core/apps/index.js';
export type { KvState, KvCell } from './core/apps/kv.js';
export { checkMessage } from './core/validate.js';
export { initReplica, replicaContext, replicaStep } from './core/replica/reducer.js';
export { REFERENCE_RULES, NOOP, type ReplicaRules } from './core/replica/rules.js';
export {
  DEFAULT_REPLICA_PARAMS,
  EMPTY_DURABLE,
  chosenPrefix,
  type ReplicaParams,
  type ReplicaState,
  type VolatileState,
  type Proposal,
  type Session,
  type Role,
} from './core/replica/state.js';
export type { ReplicaContext } from './core/replica/builder.js';
export {
  initClient,
  clientStep,
  decide as decideOutcome,
  type ClientParams,
  type ClientState,
  type PendingRequest,
  type ReplyPolicy,
} from './core/client.js';
export type { HistoryOp, Model, Verdict } from './oracle/types.js';
