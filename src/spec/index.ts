/**
 * The TS twin of spec/Smr.tla (STYLE.md §5: one name per concept across layers): one function
 * per TLA+ action in one table, over the spec's variables with the values traces carry (real
 * operations and outputs, or unknown), the same invariants and properties, and the MC models as
 * explorer Protocols. The trace checker, the refinement checks and the model checker all run
 * these actions; a disabled one names the conjunct that failed, what it expected and what it saw.
 */
export { ACTION_TABLE, ACTIONS, CLIENT_ACTIONS, RECEIVES, type SpecAction } from './actions.js';
export { Phase1a, Phase1b, ReceivePromise, BecomeLeader } from './phase1.js';
export { Phase2a, Phase2b, ReceiveAccepted, Decide } from './phase2.js';
export { Learn, Execute, ReplyFromSession, StepDown, Restart } from './learner.js';
export { ClientRequest, ClientReceive, outcome, FAIL_KEY } from './client.js';
export {
  Agreement,
  ConsensusRefinement,
  Durability,
  ExactlyOnce,
  Linearizability,
  PrefixConsistency,
  TypeOK,
  Validity,
  PROPERTIES,
  STATE_INVARIANTS,
  checkState,
  checkStep,
  chosenAt,
  type Bounds,
  type Done,
  type GhostState,
  type SpecInvariantName,
} from './invariants.js';
export { encodeClient, encodeReplica, describeClient, describeReplica } from './encode.js';
export {
  initialWorld,
  type ClientVars,
  type EventInfo,
  type ReplicaVars,
  type SpecContext,
  type World,
} from './state.js';
export { isRefusal, type ModelEnv, type Refusal, type StepResult } from './refusal.js';
export { CLIENT_VARIABLES, GLOBAL_VARIABLES, REPLICA_VARIABLES, VARIABLES } from './names.js';
export { specProtocol, type ModelAction, type SpecModel } from './protocol.js';
export { modelContext } from './model-context.js';
export { MODEL_F1, MODEL_F2, SPEC_MODELS, SPEC_MODEL_LIST } from './models.js';
export { Ballots, NO_BALLOT, UNKNOWN, type Cmd, type Msg } from './values.js';
export type { Protocol, Successor } from './transition-system.js';
export { INVARIANTS, type InvariantName, type Violation } from './violation.js';
