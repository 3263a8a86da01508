/**
 * Search budgets. `maxSteps` is deterministic (the explorer and simulator rely on reproducible
 * verdicts); the wall-clock deadline is optional and is the only place the checker reads a clock.
 */

/** Why a search gave up. */
export type Exhaustion = 'max-steps' | 'timeout' | 'memory';

export interface BudgetOptions {
  readonly maxSteps?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** A millisecond clock, read only when `timeoutMs` is set (default: performance.now). */
  readonly clock?: (() => number) | undefined;
  /** Called every PROGRESS_INTERVAL steps, e.g. for a progress line on stderr. */
  readonly onProgress?: ((steps: number) => void) | undefined;
}

const CLOCK_INTERVAL = 1024;
export const PROGRESS_INTERVAL = 65_536;

export class Budget {
  steps = 0;
  exhausted: Exhaustion | undefined;
  private readonly maxSteps: number;
  private readonly deadline: number | undefined;
  private readonly clock: (() => number) | undefined;
  private readonly onProgress: ((steps: number) => void) | undefined;

  constructor(
    options: BudgetOptions = {},
    private readonly parent?: Budget,
  ) {
    this.maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;
    this.onProgress = options.onProgress;
    if (options.timeoutMs !== undefined) {
      this.clock = options.clock ?? (() => performance.now());
      this.deadline = this.clock() + options.timeoutMs;
    }
  }

  /** Count one step; false once the budget is used up. */
  spend(): boolean {
    if (this.exhausted !== undefined) return false;
    // Own limit first, so a child that is used up takes no step from its parent.
    if (this.steps >= this.maxSteps) {
      this.exhausted = 'max-steps';
      return false;
    }
    if (this.parent !== undefined && !this.parent.spend()) {
      this.exhausted = this.parent.exhausted;
      return false;
    }
    this.steps++;
    if (this.steps % CLOCK_INTERVAL === 0) {
      if (this.clock !== undefined && this.deadline !== undefined && this.clock() > this.deadline) {
        this.exhausted = 'timeout';
        return false;
      }
      if (this.onProgress !== undefined && this.steps % PROGRESS_INTERVAL === 0) {
        this.onProgress(this.steps);
      }
    }
    return true;
  }

  /** A budget for a sub-task: at most `maxSteps` more steps, and never past this one's limits. */
  child(maxSteps: number): Budget {
    return new Budget({ maxSteps }, this);
  }
}
