/**
 * The linearizability checker (Herlihy & Wing 1990): is there a total order of the operations
 * that respects real time (a before b when a returned before b was called) and that the
 * sequential model accepts, outputs included?
 *
 * Each partition is searched on its own (P-compositionality, Horn & Kroening 2015) with the
 * Wing–Gong/Lowe search in search.ts. A history that is not linearizable is explained by
 * explain.ts. Deterministic: the same history, model and `maxSteps` give the same result; the
 * only clock read is the optional `timeoutMs` deadline.
 */
import { Budget, type BudgetOptions, type Exhaustion } from './budget.js';
import { everyBreak, explainFailure, forgetOutcomes, type Failure } from './explain.js';
import { partitionHistory, validateHistory, type Partition } from './prepare.js';
import { ResumableSearch, singleState, type FindResult } from './search.js';
import type { HistoryOp, Model, Verdict } from './types.js';

export interface LincheckOptions extends BudgetOptions {
  /** Return a linearization order (indices into the history) when the history is linearizable. */
  readonly witness?: boolean;
  /** Explain a non-linearizable history (prefix and window); default true. */
  readonly explain?: boolean;
  /** Steps the explanation may take on top of the check itself (default 2,000,000). */
  readonly maxExplainSteps?: number;
  /**
   * Decide every partition and explain every failure (`--all`). By default the search stops at
   * the first partition found not linearizable: the verdict is settled.
   */
  readonly all?: boolean;
}

export interface PartitionResult {
  /** The partition key (`model.partition`), or undefined for an unpartitioned history. */
  readonly key: string | undefined;
  readonly verdict: Verdict;
  /** The partition's operations, as indices into the history. */
  readonly ops: readonly number[];
  readonly steps: number;
  /** One linearization of the partition, when asked for and found. */
  readonly witness?: readonly number[];
  /**
   * Why an 'unknown' partition is undecided: the budget ran out while it was searched
   * ('exhausted'), it was never started or stopped short because another partition was found
   * not linearizable first ('not-needed'), or the budget was gone before its turn ('not-started').
   */
  readonly undecided?: 'exhausted' | 'not-needed' | 'not-started';
  /** Unknown-outcome operations left out before the search as never needed (indices). */
  readonly dropped?: readonly number[];
  /**
   * How many violations a non-linearizable partition holds (explained runs only): the
   * operations whose outcome had to be forgotten, one by one in order of breaking, for the rest
   * to be linearizable (see everyBreak). `complete` is false when the explanation budget ran
   * out first (at least `count`).
   */
  readonly violations?: { readonly count: number; readonly complete: boolean };
}

export interface LincheckResult {
  readonly verdict: Verdict;
  readonly model: string;
  /** Search steps (model transitions tried) spent on the verdict, all partitions together. */
  readonly steps: number;
  /** Why the verdict is 'unknown'. */
  readonly exhausted?: Exhaustion;
  readonly partitions: readonly PartitionResult[];
  /**
   * A linearization of the whole history (indices into it) when asked for and linearizable.
   * Operations with an unknown outcome that are absent did not take effect.
   */
  readonly witness?: readonly number[];
  /**
   * The first violation of each non-linearizable partition, in partition order; with `all`,
   * every violation of each (see PartitionResult.violations).
   */
  readonly failures: readonly Failure[];
}

export { type Failure } from './explain.js';

const DEFAULT_EXPLAIN_STEPS = 2_000_000;

export function checkLinearizability<S>(
  history: readonly HistoryOp[],
  model: Model<S>,
  options: LincheckOptions = {},
): LincheckResult {
  validateHistory(history);
  const budget = new Budget(options);
  const partitions = partitionHistory(history, model as Model);
  const outcomes = schedulePartitions(partitions, model, budget, options.all === true);
  const results: PartitionResult[] = partitions.map((partition, i) => {
    const { found, steps, undecided } = outcomes[i] as PartitionOutcome<S>;
    return {
      key: partition.key,
      verdict: found === undefined ? 'unknown' : verdictOf(found),
      ops: partition.indices,
      steps,
      ...(undecided !== undefined ? { undecided } : {}),
      ...(partition.dropped !== undefined ? { dropped: partition.dropped } : {}),
      ...(options.witness === true && found?.kind === 'linearizable'
        ? { witness: found.order.map((k) => partition.indices[k] as number) }
        : {}),
    };
  });
  const verdict = results.some((r) => r.verdict === 'not-linearizable')
    ? 'not-linearizable'
    : results.some((r) => r.verdict === 'unknown')
      ? 'unknown'
      : 'linearizable';
  const failures: Failure[] = [];
  if (verdict === 'not-linearizable' && options.explain !== false) {
    const explainBudget = new Budget({
      maxSteps: options.maxExplainSteps ?? DEFAULT_EXPLAIN_STEPS,
      timeoutMs: options.timeoutMs,
      clock: options.clock,
    });
    results.forEach((result, i) => {
      if (result.verdict !== 'not-linearizable') return;
      const partition = partitions[i] as Partition;
      const partitionModel = modelFor(model, partition);
      const first = explainFailure(partition, partitionModel, explainBudget);
      failures.push(first);
      const found = everyBreak(partition, partitionModel, explainBudget, first.breakingOp);
      results[i] = {
        ...result,
        violations: { count: found.breaking.length, complete: found.complete },
      };
      if (options.all !== true) return;
      for (let k = 1; k < found.breaking.length && explainBudget.exhausted === undefined; k++) {
        const rest = forgetOutcomes(partition, found.breaking.slice(0, k));
        failures.push(explainFailure(rest, partitionModel, explainBudget));
      }
    });
  }
  return {
    verdict,
    model: model.name,
    steps: budget.steps,
    ...(verdict === 'unknown' && budget.exhausted !== undefined
      ? { exhausted: budget.exhausted }
      : {}),
    partitions: results,
    ...(options.witness === true && verdict === 'linearizable'
      ? { witness: mergeWitnesses(history, results) }
      : {}),
    failures,
  };
}

interface PartitionOutcome<S> {
  found: FindResult<S> | undefined;
  steps: number;
  undecided?: 'exhausted' | 'not-needed' | 'not-started';
}

/** Steps a partition gets in the first round; each round gives the undecided ones 4× more. */
const FIRST_QUOTA = 20_000;

/**
 * Search the partitions so that one hard partition cannot hide a broken one (issue 16): the
 * smallest first, in rounds with a step quota that grows 4× per round, so every partition is
 * tried early and a small broken one is found in its first round. A search that uses up its
 * quota pauses and goes on from the same point in the next round (only a scan of candidates cut
 * by the pause is redone). The last undecided partition gets the whole remaining budget. The
 * search stops at the first partition found not linearizable unless `all`.
 */
function schedulePartitions<S>(
  partitions: readonly Partition[],
  model: Model<S>,
  budget: Budget,
  all: boolean,
): PartitionOutcome<S>[] {
  const outcomes: PartitionOutcome<S>[] = partitions.map(() => ({
    found: undefined,
    steps: 0,
    undecided: 'not-started',
  }));
  const searches = new Map<number, ResumableSearch<S>>();
  const pending = partitions
    .map((p, i) => ({ i, size: p.ops.length }))
    .sort((a, b) => a.size - b.size || a.i - b.i)
    .map((p) => p.i);
  let quota = FIRST_QUOTA;
  while (pending.length > 0) {
    for (const i of [...pending]) {
      const outcome = outcomes[i] as PartitionOutcome<S>;
      const alone = pending.length === 1;
      const before = budget.steps;
      let search = searches.get(i);
      if (search === undefined) {
        search = partitionSearch(partitions[i] as Partition, model);
        searches.set(i, search);
      }
      const found = search.resume(alone ? budget : budget.child(quota));
      outcome.steps += budget.steps - before;
      outcome.undecided = 'exhausted';
      if (found !== 'paused' || budget.exhausted !== undefined) {
        pending.splice(pending.indexOf(i), 1);
        outcome.found = found === 'paused' ? undefined : found;
        if (found !== 'paused' && found.kind !== 'unknown') delete outcome.undecided;
      }
      if (found !== 'paused' && found.kind === 'not-linearizable' && !all) {
        for (const j of pending) (outcomes[j] as PartitionOutcome<S>).undecided = 'not-needed';
        return outcomes;
      }
      if (budget.exhausted !== undefined) return outcomes;
    }
    quota *= 4;
  }
  return outcomes;
}

/** The model a partition is searched with: the model's own per-partition one, if it has one. */
function modelFor<S>(model: Model<S>, partition: Partition): Model {
  if (partition.key === undefined || model.forPartition === undefined) return model as Model;
  return model.forPartition(partition.key);
}

/** The search of one partition from the model's initial state. */
function partitionSearch<S>(partition: Partition, model: Model<S>): ResumableSearch<S> {
  const partitionModel = modelFor(model, partition) as Model<S>;
  return new ResumableSearch(partition.ops, partitionModel, [
    { linearized: [], states: singleState(partitionModel, partitionModel.init()) },
  ]);
}

function verdictOf(found: FindResult<unknown>): Verdict {
  return found.kind;
}

/**
 * Merge per-partition linearizations into one for the whole history (locality, Herlihy & Wing
 * 1990 Thm. 1). Give each operation the earliest linearization point its chain allows,
 * point = max(previous point, call), which never passes its return because the chain respects
 * real time; sorting by point then respects real time across partitions too.
 */
export function mergeWitnesses(
  history: readonly HistoryOp[],
  partitions: readonly PartitionResult[],
): number[] {
  const points: { op: number; point: number; chain: number; position: number }[] = [];
  partitions.forEach((partition, chain) => {
    let point = Number.NEGATIVE_INFINITY;
    (partition.witness ?? []).forEach((op, position) => {
      point = Math.max(point, (history[op] as HistoryOp).call);
      points.push({ op, point, chain, position });
    });
  });
  points.sort((a, b) => a.point - b.point || a.chain - b.chain || a.position - b.position);
  return points.map((p) => p.op);
}
