/**
 * Finding a linearization: the public entry points over the Wing–Gong / Lowe search (wgl.ts).
 * `findLinearization` and `ResumableSearch` look for one order (a portfolio of two search
 * orders, resumable across budgets); `enumerateAtCut` lists every configuration at a cut, for
 * the incremental checker.
 */
import type { Budget, Exhaustion } from './budget.js';
import { stateSetOf, type StateSet } from './states.js';
import type { Model, SearchOp } from './types.js';
import { WglSearch, type Configuration } from './wgl.js';

export { singleState, stateSetOf, stepStates, type StateSet } from './states.js';
export type { Configuration } from './wgl.js';

export interface SearchInput<S> {
  readonly ops: readonly SearchOp[];
  readonly model: Model<S>;
  readonly budget: Budget;
}

export type FindResult<S> =
  | {
      readonly kind: 'linearizable';
      /** Operations linearised by the search (after the start's), in linearization order. */
      readonly order: readonly number[];
      /** Index of the start configuration the linearization extends. */
      readonly start: number;
      readonly states: StateSet<S>;
    }
  | { readonly kind: 'not-linearizable' }
  | { readonly kind: 'unknown'; readonly reason: Exhaustion };

export type EnumerateResult<S> =
  | { readonly kind: 'ok'; readonly configurations: readonly Configuration<S>[] }
  | { readonly kind: 'unknown'; readonly reason: Exhaustion };

/** Find one linearization extending any of `starts` (Lowe's algorithm). */
export function findLinearization<S>(
  input: SearchInput<S>,
  starts: readonly Configuration<S>[],
): FindResult<S> {
  const outcome = new ResumableSearch(input.ops, input.model, starts).resume(input.budget);
  return outcome === 'paused' ? { kind: 'unknown', reason: 'max-steps' } : outcome;
}

/**
 * A search that can stop when its budget runs out and later go on where it stopped, so a
 * scheduler can share one budget among partitions in rounds without redoing any step.
 *
 * It is a portfolio of two complete searches of the same configurations in different orders,
 * given the steps in turns (a slice each, doubling every round): the guided order (see Phase)
 * and plain call order (Porcupine's). Whichever decides first decides: both are exhaustive, so
 * their verdicts agree. The guided order wins by 10–100× on registers with many clients; call
 * order often wins where effects follow call order (appends: up to 126× fewer steps than the
 * guided order in a partition of bench/lincheck.ts's 50-client kv history).
 * The portfolio costs at most twice the better of the two.
 */
export class ResumableSearch<S> {
  private readonly runners: Runner<S>[];
  private turn = 0;
  private slice = FIRST_SLICE;
  /** Steps the current search has used of its slice (a slice may span several resumes). */
  private used = 0;
  private result: FindResult<S> | undefined;

  constructor(
    ops: readonly SearchOp[],
    model: Model<S>,
    private readonly starts: readonly Configuration<S>[],
  ) {
    this.runners = [true, false].map((guided) => ({
      search: new WglSearch(ops, model, undefined, 'find', guided),
      startIndex: -1,
    }));
  }

  /**
   * Search on with `budget`: a verdict, or 'paused' when `budget` ran out of steps (call again
   * with more), or 'unknown' when it cannot go on (timeout, memory).
   */
  resume(budget: Budget): FindResult<S> | 'paused' {
    while (this.result === undefined) {
      const runner = this.runners[this.turn] as Runner<S>;
      const slice = budget.child(this.slice - this.used);
      const outcome = this.advance(runner, slice);
      this.used += slice.steps;
      if (outcome !== 'paused') {
        // A search out of memory leaves the other to decide, if there is one.
        if (
          outcome.kind === 'unknown' &&
          outcome.reason === 'memory' &&
          budget.exhausted === undefined
        ) {
          this.runners.splice(this.turn, 1);
          if (this.runners.length > 0) {
            this.turn %= this.runners.length;
            continue;
          }
        }
        this.result = outcome;
        break;
      }
      if (budget.exhausted === 'max-steps') return 'paused';
      if (budget.exhausted !== undefined) {
        this.result = { kind: 'unknown', reason: budget.exhausted };
        break;
      }
      this.used = 0;
      this.turn = (this.turn + 1) % this.runners.length;
      if (this.turn === 0) this.slice *= 2;
    }
    return this.result;
  }

  /** Run one search on with `slice`: a verdict, or 'paused' when the slice is used up. */
  private advance(runner: Runner<S>, slice: Budget): FindResult<S> | 'paused' {
    const { search } = runner;
    search.budget = slice;
    for (;;) {
      if (runner.startIndex < 0 || search.finished) {
        runner.startIndex++;
        if (runner.startIndex >= this.starts.length) return { kind: 'not-linearizable' };
        search.begin(this.starts[runner.startIndex] as Configuration<S>);
      }
      const outcome = search.run();
      if (outcome === 'found') {
        return {
          kind: 'linearizable',
          order: search.found,
          start: runner.startIndex,
          states: search.foundStates,
        };
      }
      if (outcome === 'done') continue;
      if (outcome === 'max-steps' && slice.exhausted === 'max-steps') return 'paused';
      return { kind: 'unknown', reason: outcome };
    }
  }
}

interface Runner<S> {
  readonly search: WglSearch<S>;
  /** The start it is exploring (-1: none yet). */
  startIndex: number;
}

/** Steps each search of the portfolio gets in its first turn. */
const FIRST_SLICE = 4096;

/**
 * Every configuration the operations can reach at time `cut`: all operations that returned
 * before the cut linearised, none called at or after it, and any subset of those spanning it.
 * Configurations are reported by the spanning operations they linearised, with the union of
 * their states. Used to settle a prefix of a growing history (see incremental.ts).
 */
export function enumerateAtCut<S>(
  input: SearchInput<S>,
  starts: readonly Configuration<S>[],
  cut: number,
): EnumerateResult<S> {
  const search = new WglSearch(input.ops, input.model, cut, 'enumerate');
  search.budget = input.budget;
  for (const start of starts) {
    search.begin(start);
    const outcome = search.run();
    if (outcome !== 'done')
      return { kind: 'unknown', reason: outcome === 'found' ? 'memory' : outcome };
  }
  const spanning = input.ops.flatMap((op, i) => (op.call < cut && op.ret >= cut ? [i] : []));
  const configurations = [...search.atCut].map(([set, byKey]) => ({
    linearized: spanning.filter((op) => search.sets.has(set, op)),
    states: stateSetOf(byKey),
  }));
  return { kind: 'ok', configurations };
}
