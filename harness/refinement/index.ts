/**
 * Refinement of spec/Smr.tla's TS twin by the reference core: the abstraction function, the
 * per-transition check the explorer loads for `--refinement` (harness/explore/model-spec.ts),
 * and the per-node-step check every run makes (local.ts).
 */
export {
  abstractClient,
  abstractReplica,
  abstractWorld,
  ballotNumber,
  specContext,
  specMessage,
} from './abstract.js';
export { checkRefinementStep } from './check.js';
export { StepRefinement } from './local.js';
