/**
 * Refinement of spec/Smr.tla's TS twin by the reference core: the abstraction function and the
 * per-transition check the explorer loads for `--refinement` (harness/explore/model-spec.ts).
 */
export {
  abstraction,
  abstractClient,
  abstractDone,
  abstractMessages,
  abstractReplica,
  abstractWorld,
  isExact,
  type Abstraction,
} from './abstract.js';
export { abstractionFor, checkRefinementStep, specActionOf } from './check.js';
