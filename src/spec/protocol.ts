/**
 * A model-checking configuration of the twin (an MCSmr_*.cfg) as a Protocol the explorer runs:
 * the same initial state, next-state relation (AtomicNext), VIEW, invariants and properties as
 * TLC, so BFS reports the same distinct-state count as TLC on the matching MC model.
 */
import type { Protocol, Successor } from './transition-system.js';
import type { Violation } from './violation.js';
import { describeAction, applyAction, type SpecAction } from './actions.js';
import { atomicSuccessors } from './atomic.js';
import { encodeView } from './encode.js';
import { checkState, checkStep } from './invariants.js';
import { init } from './state.js';
import type { SpecConstants, SpecState } from './types.js';

/** One MCSmr_*.tla/.cfg: its constants and the replicas that may crash (MCCrashable). */
export interface SpecModel {
  readonly name: string;
  /** The module, e.g. MCSmr_F1 (spec/MCSmr_F1.tla with spec/MCSmr_F1.cfg). */
  readonly module: string;
  readonly constants: SpecConstants;
  readonly crashable: readonly string[];
}

export function specProtocol(model: SpecModel): Protocol<SpecState, SpecAction> {
  const k = model.constants;
  const crashable = new Set(model.crashable);
  // Successors computed by actions(), by action object: step() then need not recompute them.
  const memo = new WeakMap<SpecAction, SpecState>();
  return {
    name: `spec:${model.name}`,
    initialStates: () => [init(k)],
    actions(world) {
      return atomicSuccessors(k, crashable, world).map(({ action, state }) => {
        memo.set(action, state);
        return action;
      });
    },
    step(world, action): Successor<SpecState> {
      let next = memo.get(action);
      if (next === undefined) {
        const step = applyAction(k, world, action);
        if (!step.ok) throw new Error(`${describeAction(action)} is not enabled: ${step.guard}`);
        next = step.state;
      }
      const bad = checkStep(k, world, next);
      const violations: Violation[] = bad === null ? [] : [{ invariant: bad.name, node: action.node, message: bad.message }];
      return { world: next, violations };
    },
    check(world) {
      const bad = checkState(k, world);
      return bad === null ? [] : [{ invariant: bad.name, message: bad.message }];
    },
    encode: (world) => encodeView(k, world),
    describe: describeAction,
  };
}
