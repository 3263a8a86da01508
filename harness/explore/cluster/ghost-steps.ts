/**
 * Memoised ghost steps. The ghost changes by a pure function of (ghost, node step), and the
 * explorer meets the same pair in many worlds: successor worlds share their parent's ghost
 * object, and node steps are memoised objects (local-steps.ts). Computing each pair once also
 * hands back one ghost object per pair, so the ghost's cached hash is found by identity instead
 * of re-encoding its maps.
 */
import type { StepResult } from '../../../src/core/types.js';
import { ghostStep } from '../../model/step.js';
import type { Ghost, GhostChange, GhostStep } from '../../model/world.js';

export class GhostSteps {
  /**
   * Keyed by the ghost and the node step's result object: the result determines the node (its
   * state's id), the input kind that matters (Restart) and the stepped replica the digest reads.
   */
  private readonly memo = new WeakMap<Ghost, WeakMap<StepResult<unknown>, GhostChange>>();

  readonly step: GhostStep = (cfg, ghost, node, input, result, stepped, before) => {
    let byResult = this.memo.get(ghost);
    if (byResult === undefined) {
      byResult = new WeakMap();
      this.memo.set(ghost, byResult);
    }
    let change = byResult.get(result);
    if (change === undefined) {
      change = ghostStep(cfg, ghost, node, input, result, stepped, before);
      byResult.set(result, change);
    }
    return change;
  };
}
