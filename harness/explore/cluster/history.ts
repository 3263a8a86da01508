/**
 * Linearizability of client-accepted outputs (DESIGN.md), as a state invariant of the explorer:
 * the ghost history is judged by the same oracle as `smr lincheck` (src/oracle) against the
 * app's sequential specification, with a deterministic step budget so that a verdict never
 * depends on machine speed. Histories that differ only in the order of concurrent events have
 * one verdict, so verdicts are cached by their real-time-order encoding.
 */
import type { AnyApp } from '../../../src/core/app.js';
import { checkLinearizability } from '../../../src/oracle/lincheck.js';
import { appModel } from '../../../src/oracle/models.js';
import type { HistoryOp, Model } from '../../../src/oracle/types.js';
import type { Violation } from '../../../src/spec/violation.js';
import { encodeHistory } from './text.js';

const MAX_STEPS = 200_000;
const MAX_CACHED = 200_000;

export class HistoryChecker {
  private readonly model: Model;
  private readonly byArray = new WeakMap<readonly HistoryOp[], Violation | null>();
  private byKey = new Map<string, Violation | null>();
  /** Checks that ran out of budget: counted, never reported as passes or failures. */
  inconclusive = 0;

  constructor(app: AnyApp) {
    this.model = appModel(app);
  }

  check(history: readonly HistoryOp[]): readonly Violation[] {
    let verdict = this.byArray.get(history);
    if (verdict === undefined) {
      verdict = this.judge(history);
      this.byArray.set(history, verdict);
    }
    return verdict === null ? [] : [verdict];
  }

  private judge(history: readonly HistoryOp[]): Violation | null {
    // Only a completed operation with a known output can make a history non-linearizable.
    if (!history.some((op) => op.ret !== null && op.output !== undefined)) return null;
    const key = encodeHistory(history, new Map());
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const result = checkLinearizability(history, this.model, {
      maxSteps: MAX_STEPS,
      explain: false,
    });
    if (result.verdict === 'unknown') this.inconclusive++;
    const verdict: Violation | null =
      result.verdict === 'not-linearizable'
        ? {
            invariant: 'Linearizability',
            message: `the client-accepted outputs are not linearizable against ${this.model.name}: ${history
              .filter((op) => op.ret !== null)
              .map(
                (op) =>
                  `${op.process} ${JSON.stringify(op.input)} → ${op.output === undefined ? 'FAIL' : JSON.stringify(op.output)}`,
              )
              .join('; ')}`,
          }
        : null;
    if (this.byKey.size >= MAX_CACHED) this.byKey = new Map();
    this.byKey.set(key, verdict);
    return verdict;
  }
}
