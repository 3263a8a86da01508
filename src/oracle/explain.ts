/**
 * Explaining a non-linearizable partition.
 *
 * Prefix. Cut the history just after its k-th return: operations called by then are in it,
 * those not yet returned have an unknown outcome. These prefixes are monotone (if a prefix is
 * linearizable, so is every shorter one: drop the operations called after the cut from any
 * linearization), and adding a call never breaks linearizability, so a binary search over the
 * returns finds the one return that first breaks it: the "breaking" operation. Everything
 * that happened before that return is the longest linearizable prefix.
 *
 * Window. From that first non-linearizable prefix, first try the breaking operation with only
 * the last few writes (nearBreak), else drop the earliest operations; then drop operations
 * (earliest first, in halving chunks as in delta debugging, then one at a time) while the rest
 * still cannot be ordered and the violation stays the breaking operation's: when its output
 * fits the window once it is freed from its real-time interval, that must stay so (a stale read
 * keeps the write it read); otherwise the rest must be orderable once its output is forgotten.
 * Either way no phantom violation appears, like a read of a value whose write was dropped. When
 * the one-at-a-time pass completes within budget, the window is 1-minimal.
 */
import type { Budget } from './budget.js';
import type { Partition } from './prepare.js';
import { findLinearization, singleState } from './search.js';
import type { SearchOp } from './types.js';
import type { Model } from './types.js';

export interface Failure {
  /** The partition key, or undefined for an unpartitioned history. */
  readonly partition: string | undefined;
  /** The operation whose return first makes the history non-linearizable (history index). */
  readonly breakingOp: number;
  /** Everything called before the breaking operation returned. */
  readonly prefix: {
    readonly ops: readonly number[];
    /** Those still open at that moment (the breaking operation among them). */
    readonly pending: readonly number[];
    /** One linearization of the prefix (history indices). */
    readonly order: readonly number[];
    /** False when the budget ran out before the first breaking return was pinned down. */
    readonly exact: boolean;
  };
  /** A small set of operations that cannot be ordered; it contains the breaking operation. */
  readonly window: {
    readonly ops: readonly number[];
    /** Operations of the window whose outcome was still unknown at the breaking return. */
    readonly pending: readonly number[];
    /** True when dropping any single other operation makes it orderable. */
    readonly minimal: boolean;
    /** See WindowReason. */
    readonly reason: WindowReason;
  };
}

/**
 * 'real-time': the breaking operation's output fits some order of the window, just not one
 * that respects real time (a stale read). 'output': no order of the window gives that output
 * at all (a lost update, a value nobody wrote).
 */
export type WindowReason = 'real-time' | 'output';

/** Steps one search of the explanation may take before it counts as inconclusive. */
const STEPS_PER_PROBE = 200_000;

type Probe = 'linearizable' | 'not-linearizable' | 'unknown';
/** Whether a candidate window keeps the conflict (see shrinkWindow). */
type Holds = 'holds' | 'fails' | 'unknown';

export function explainFailure<S>(partition: Partition, model: Model<S>, budget: Budget): Failure {
  const ops = partition.ops;
  const local = (i: number) => partition.indices[i] as number;
  const probe = prober(model, budget);
  const { returns, breaking, lo, hi, exact } = firstBreak(ops, probe);
  // Before the breaking return: the same operations, with the breaking one still open. When
  // the budget ran out, only the prefix up to the last return known to be fine.
  const before = exact ? cutAfter(ops, returns, hi, breaking) : cutAfter(ops, returns, lo);
  const prefixOrder = probe(before.ops).order.map((i) => local(at(before.members, i)));
  const failing = cutAfter(ops, returns, hi);
  const window = shrinkWindow(failing.ops, failing.members.indexOf(breaking), probe, model);
  return {
    partition: partition.key,
    breakingOp: local(breaking),
    prefix: {
      ops: before.members.map(local),
      pending: before.members.filter((_, i) => at(before.ops, i).output === undefined).map(local),
      order: prefixOrder,
      exact,
    },
    window: {
      ops: window.kept.map((i) => local(at(failing.members, i))),
      pending: window.kept
        .filter((i) => at(failing.ops, i).output === undefined)
        .map((i) => local(at(failing.members, i))),
      minimal: window.minimal,
      reason: window.reason,
    },
  };
}

/** How many violations a partition holds, found by `everyBreak`. */
export interface Violations {
  /** The breaking operations, in the order found (history indices); the first is the failure's. */
  readonly breaking: readonly number[];
  /** False when the budget ran out first: there are at least this many. */
  readonly complete: boolean;
}

/**
 * Every violation of a non-linearizable partition, not only the first: forget the breaking
 * operation's outcome (it becomes an operation that may or may not have taken effect, so a
 * stale read stops constraining anything), check again, and find the next breaking operation,
 * until the rest is linearizable. The count is how many outcomes had to be forgotten, greedily
 * in order of breaking: a run with 800 stale reads reports about 800. A prefix that was
 * linearizable stays so once an outcome is forgotten (forgetting only adds behaviours), so each
 * round's search for the breaking return starts where the previous one ended.
 */
export function everyBreak<S>(
  partition: Partition,
  model: Model<S>,
  budget: Budget,
  first: number,
): Violations {
  const probe = prober(model, budget);
  const forgotten = new Set([partition.indices.indexOf(first)]);
  const breaking = [first];
  let from = 0;
  for (;;) {
    const ops = forget(partition.ops, forgotten);
    const whole = probe(ops).result;
    if (whole === 'linearizable') return { breaking, complete: true };
    if (whole === 'unknown') return { breaking, complete: false };
    const next = firstBreak(ops, probe, from);
    if (!next.exact) return { breaking, complete: false };
    forgotten.add(next.breaking);
    breaking.push(partition.indices[next.breaking] as number);
    from = next.lo;
  }
}

/** The partition with the outcomes of `forgotten` (local indices) made unknown. */
export function forgetOutcomes(partition: Partition, forgotten: readonly number[]): Partition {
  const local = new Set(forgotten.map((i) => partition.indices.indexOf(i)));
  return { ...partition, ops: forget(partition.ops, local) };
}

function forget(ops: readonly SearchOp[], forgotten: ReadonlySet<number>): SearchOp[] {
  return ops.map((op, i) =>
    forgotten.has(i) ? { ...op, output: undefined, ret: Number.POSITIVE_INFINITY } : op,
  );
}

type Prober = (subset: readonly SearchOp[]) => { result: Probe; order: readonly number[] };

function prober<S>(model: Model<S>, budget: Budget): Prober {
  return (subset) => {
    const found = findLinearization({ ops: subset, model, budget: budget.child(STEPS_PER_PROBE) }, [
      { linearized: [], states: singleState(model, model.init()) },
    ]);
    return { result: found.kind, order: found.kind === 'linearizable' ? found.order : [] };
  };
}

/**
 * Binary-search the return that first makes the history non-linearizable (see the header),
 * knowing that the history up to its `from`-th return is linearizable.
 */
function firstBreak(
  ops: readonly SearchOp[],
  probe: Prober,
  from = 0,
): { returns: number[]; breaking: number; lo: number; hi: number; exact: boolean } {
  // Definite returns in entry order (time, then operation index, as the search orders them).
  const returns = ops
    .map((_, i) => i)
    .filter((i) => at(ops, i).ret !== Number.POSITIVE_INFINITY)
    .sort((a, b) => at(ops, a).ret - at(ops, b).ret || a - b);
  // A partition without known outcomes is trivially linearizable; the caller never gets here.
  if (returns.length === 0) throw new Error('internal: explaining a partition with no returns');
  let lo = from; // the history up to its lo-th return is linearizable
  let hi = returns.length; // the whole history is not
  let exact = true;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const { result } = probe(cutAfter(ops, returns, mid).ops);
    if (result === 'linearizable') lo = mid;
    else if (result === 'not-linearizable') hi = mid;
    else {
      exact = false;
      break;
    }
  }
  return { returns, breaking: returns[hi - 1] as number, lo, hi, exact };
}

/**
 * The history just after the k-th return (k ≥ 1): operations called by then, those not yet
 * returned made optional. `open` is additionally treated as not yet returned.
 */
function cutAfter(
  ops: readonly SearchOp[],
  returns: readonly number[],
  k: number,
  open?: number,
): { ops: SearchOp[]; members: number[] } {
  const last = k === 0 ? -1 : (returns[k - 1] as number);
  const time = k === 0 ? Number.NEGATIVE_INFINITY : at(ops, last).ret;
  const members: number[] = [];
  const subset: SearchOp[] = [];
  ops.forEach((op, i) => {
    if (op.call > time) return;
    const returned = op.ret < time || (op.ret === time && i <= last);
    members.push(i);
    subset.push(
      returned && i !== open
        ? op
        : { input: op.input, output: undefined, call: op.call, ret: Number.POSITIVE_INFINITY },
    );
  });
  return { ops: subset, members };
}

/** Shrink a non-linearizable history around its breaking operation (see the header). */
function shrinkWindow<S>(
  ops: readonly SearchOp[],
  breaking: number,
  probe: (subset: readonly SearchOp[]) => { result: Probe },
  model: Model<S>,
): { kept: number[]; minimal: boolean; reason: WindowReason } {
  const op = at(ops, breaking);
  // Free in time: may be linearised anywhere, but must be (its output is known).
  const relaxed: SearchOp = { ...op, call: Number.NEGATIVE_INFINITY, ret: Number.MAX_VALUE };
  const forgotten: SearchOp = { ...op, output: undefined, ret: Number.POSITIVE_INFINITY };
  const holds = (others: readonly number[], reason: WindowReason): Holds => {
    const subset = others.map((i) => at(ops, i));
    const strict = probe([...subset, op]).result;
    if (strict !== 'not-linearizable') return strict === 'linearizable' ? 'fails' : 'unknown';
    const loose = probe([...subset, reason === 'real-time' ? relaxed : forgotten]).result;
    return loose === 'linearizable' ? 'holds' : loose === 'unknown' ? 'unknown' : 'fails';
  };
  // Earliest calls first: far from the failure, the likeliest to be irrelevant.
  let others = ops
    .map((_, i) => i)
    .filter((i) => i !== breaking)
    .sort((a, b) => at(ops, a).call - at(ops, b).call || a - b);
  const reason: WindowReason = holds(others, 'real-time') === 'holds' ? 'real-time' : 'output';
  const conflicts = (subset: readonly number[]) => holds(subset, reason);
  others = nearBreak(ops, others, model, conflicts) ?? dropLeadingOps(others, conflicts);
  let minimal = false;
  for (let chunk = Math.max(1, others.length >> 1); ; chunk = Math.max(1, chunk >> 1)) {
    let complete = true;
    let removed = false;
    for (let start = 0; start < others.length;) {
      const candidate = [...others.slice(0, start), ...others.slice(start + chunk)];
      const verdict = conflicts(candidate);
      if (verdict === 'holds') {
        others = candidate;
        removed = true;
      } else {
        if (verdict === 'unknown') complete = false;
        start += chunk;
      }
    }
    // 1-minimal only at a fixpoint: removing one operation can make an earlier one removable,
    // so single removals are swept again until a whole sweep removes nothing.
    if (chunk === 1 && !removed) {
      minimal = complete;
      break;
    }
  }
  return { kept: [...others, breaking].sort((a, b) => a - b), minimal, reason };
}

/** Writers tried at most by nearBreak before it gives way to dropLeadingOps. */
const NEAR_BREAK_LIMIT = 32;

/**
 * Most violations are local in time: the breaking operation against the last few writes before
 * it. Try the breaking operation with only the 2, 4, 8, … operations that may change the state
 * and returned last (no other reads): leaving reads out never creates a phantom violation (a
 * read of a value whose write is gone), which leaving out early writes does, and the few
 * writes left keep each probe cheap. Undefined when none of those sizes keeps the conflict.
 */
function nearBreak<S>(
  ops: readonly SearchOp[],
  others: readonly number[],
  model: Model<S>,
  conflicts: (others: readonly number[]) => Holds,
): number[] | undefined {
  const settled = (i: number) => {
    const op = at(ops, i);
    return op.ret === Number.POSITIVE_INFINITY ? op.call : op.ret;
  };
  const writers = others
    .filter((i) => !isReadOnly(model, at(ops, i)))
    .sort((a, b) => settled(b) - settled(a) || b - a);
  for (let n = 2; n <= NEAR_BREAK_LIMIT; n *= 2) {
    const last = writers.slice(0, n);
    const candidate = others.filter((i) => last.includes(i));
    if (conflicts(candidate) === 'holds') return candidate;
    if (n >= writers.length) return undefined;
  }
  return undefined;
}

/**
 * Binary-search the longest run of earliest operations that can go at once. Long histories
 * usually fail because of their last few operations; this makes the chunked pass cheap.
 */
function dropLeadingOps(
  others: readonly number[],
  conflicts: (others: readonly number[]) => Holds,
): number[] {
  let lo = 0; // dropping the first `lo` keeps the conflict
  let hi = others.length + 1; // smallest count known not to (or untested)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (conflicts(others.slice(mid)) === 'holds') lo = mid;
    else hi = mid;
  }
  return others.slice(lo);
}

/** Known to change no state (`Model.readOnly`), so leaving it out drops only constraints. */
function isReadOnly<S>(model: Model<S>, op: SearchOp): boolean {
  return op.output !== undefined && model.readOnly?.(op.input, op.output) === true;
}

function at<T>(array: readonly T[], index: number): T {
  return array[index] as T;
}
