/**
 * Linearizability of client-accepted outputs, checked with the same oracle as `smr lincheck`
 * (src/oracle) against the app's sequential specification after every client operation. The
 * simulator feeds the oracle's incremental checker, which only re-examines operations since the
 * last settled prefix, so a long run stays near-linear.
 */
import { isOperatorRequest } from '../../src/core/app.js';
import type { AnyApp } from '../../src/core/app.js';
import { createIncrementalChecker, type IncrementalChecker } from '../../src/oracle/incremental.js';
import { appModel } from '../../src/oracle/models.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import type { Violation } from '../../src/spec/violation.js';

/** A deterministic search budget per check, so a run never depends on machine speed. */
const MAX_STEPS = 2_000_000;

export class LinearizabilityMonitor {
  private readonly checker: IncrementalChecker;
  private readonly modelName: string;
  private last: readonly HistoryOp[] = [];
  /** Oracle ids of the ghost history's operations that are still open, by history index. */
  private readonly open = new Map<number, number>();
  private found: Violation | null = null;
  private completed = 0;
  /** Checks that ran out of budget: reported, never silently counted as passes. */
  inconclusive = 0;

  constructor(app: AnyApp) {
    const model = appModel(app);
    this.modelName = model.name;
    this.checker = createIncrementalChecker(model, { maxSteps: MAX_STEPS });
  }

  /** Call after every transition: at most one client invoked or completed in it. */
  observe(history: readonly HistoryOp[]): void {
    if (this.found !== null || history === this.last) return;
    let finished = false;
    for (const [index, id] of this.open) {
      const op = history[index];
      if (id < 0) {
        // An operator's CHECKPOINT, JOIN or QUIT: the system's, not the app model's.
        if (op !== undefined && op.ret !== null) this.open.delete(index);
        continue;
      }
      if (op === undefined || op.ret === null) continue;
      this.open.delete(index);
      if (op.output === undefined) this.checker.abandon(id);
      else this.checker.complete(id, op.output);
      this.completed++;
      finished = true;
    }
    for (let index = this.last.length; index < history.length; index++) {
      const op = history[index] as HistoryOp;
      this.open.set(
        index,
        isOperatorRequest(op.input) ? -1 : this.checker.invoke(op.process, op.input),
      );
    }
    this.last = history;
    if (!finished) return;
    const result = this.checker.check();
    if (result.verdict === 'unknown') this.inconclusive++;
    if (result.verdict === 'not-linearizable') {
      this.found = {
        invariant: 'Linearizability',
        message: `the ${this.completed} completed client operations are not linearizable against ${this.modelName}`,
      };
    }
  }

  violation(): Violation | null {
    return this.found;
  }
}
