/**
 * The TS twin of spec/Smr.tla (STYLE.md §5: one name per concept across layers): one pure
 * function per TLA+ action, the same variables, invariants and properties, and the MC models as
 * explorer Protocols. The trace checker replays events with `applyAction`; a disabled action
 * names the guard conjunct that failed.
 */
export * from './types.js';
export { ACTIONS, applyAction, candidateActions, describeAction, successors, type SpecAction, type SpecActionName } from './actions.js';
export { Phase1a, Phase1b, ReceivePromise, BecomeLeader } from './phase1.js';
export { Phase2a, Phase2b, ReceiveAccepted, Decide } from './phase2.js';
export { Learn, Execute, ReplyFromSession, StepDown, Restart } from './learner.js';
export { ClientRequest, ClientReceive } from './client.js';
export { atomicSuccessors, isFollowUp, outranked } from './atomic.js';
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
  type SpecInvariantName,
} from './invariants.js';
export { encodeState, encodeView, isLive } from './encode.js';
export { init, msgKey, cmdKey, replicaVars } from './state.js';
export { CLIENT_VARIABLES, GLOBAL_VARIABLES, REPLICA_VARIABLES, VARIABLES } from './names.js';
export { specProtocol, type SpecModel } from './protocol.js';
export { MODEL_F1, MODEL_F2, SPEC_MODELS, SPEC_MODEL_LIST } from './models.js';
