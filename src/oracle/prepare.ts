/**
 * From a history to what the search needs: validated, split into independent partitions
 * (P-compositionality: Herlihy & Wing 1990 locality; Horn & Kroening 2015), with unknown
 * outcomes normalised to optional operations that return at +∞.
 */
import type { SearchOp } from './types.js';
import type { HistoryOp, Model } from './types.js';

/** A history that breaks the rules of `HistoryOp` (not a linearizability violation). */
export class InvalidHistoryError extends Error {
  override readonly name = 'InvalidHistoryError';
  constructor(
    readonly opIndex: number,
    reason: string,
  ) {
    super(`history[${opIndex}]: ${reason}`);
  }
}

export interface Partition {
  /** The partition key, or undefined when the history is checked as a whole. */
  readonly key: string | undefined;
  /** Indices into the history, in history order. */
  readonly indices: readonly number[];
  /** The same operations as the search sees them. */
  readonly ops: readonly SearchOp[];
  /** Operations of this key left out before the search (`model.neverNeeded`), as indices. */
  readonly dropped?: readonly number[];
}

/** An operation has an unknown outcome when its output is unknown or it never returned. */
export function isUnknownOutcome(op: HistoryOp): boolean {
  return op.output === undefined || op.ret === null;
}

export function toSearchOp(op: HistoryOp): SearchOp {
  return isUnknownOutcome(op)
    ? { input: op.input, output: undefined, call: op.call, ret: Number.POSITIVE_INFINITY }
    : { input: op.input, output: op.output, call: op.call, ret: op.ret as number };
}

/**
 * Check the shape of a history: finite times, `ret >= call`, and one open operation per
 * process at a time (an operation with an unknown output frees its process at `ret`; one that
 * never returned keeps it busy for good).
 */
export function validateHistory(history: readonly HistoryOp[]): void {
  const byProcess = new Map<string, number[]>();
  history.forEach((op, i) => {
    if (typeof op.process !== 'string')
      throw new InvalidHistoryError(i, 'process must be a string');
    if (!Number.isFinite(op.call)) throw new InvalidHistoryError(i, 'call must be a finite number');
    if (op.ret !== null && !Number.isFinite(op.ret)) {
      throw new InvalidHistoryError(i, 'ret must be a finite number or null');
    }
    if (op.ret !== null && op.ret < op.call) {
      throw new InvalidHistoryError(i, `ret ${op.ret} is before call ${op.call}`);
    }
    const list = byProcess.get(op.process) ?? [];
    list.push(i);
    byProcess.set(op.process, list);
  });
  for (const [process, indices] of byProcess) {
    const sorted = [...indices].sort((a, b) => at(history, a).call - at(history, b).call || a - b);
    for (let k = 1; k < sorted.length; k++) {
      const before = at(history, sorted[k - 1] as number);
      const later = sorted[k] as number;
      if (before.ret === null || before.ret > at(history, later).call) {
        throw new InvalidHistoryError(
          later,
          `process ${JSON.stringify(process)} already has history[${sorted[k - 1]}] open`,
        );
      }
    }
  }
}

/**
 * Split by `model.partition`. An operation without a partition key could touch anything, so
 * one such operation makes the whole history a single partition (sound, just slower).
 */
export function partitionHistory(history: readonly HistoryOp[], model: Model): Partition[] {
  return splitByKey(history, model).map((p) => withoutNeverNeeded(history, p, model));
}

/** Leave out what `model.neverNeeded` proves cannot matter (unobserved unknown writes). */
function withoutNeverNeeded(history: readonly HistoryOp[], p: Partition, model: Model): Partition {
  if (model.neverNeeded === undefined) return p;
  const drop = new Set(model.neverNeeded(p.indices.map((i) => at(history, i))));
  if (drop.size === 0) return p;
  const keep = p.indices.filter((_, k) => !drop.has(k));
  return {
    key: p.key,
    indices: keep,
    ops: keep.map((i) => toSearchOp(at(history, i))),
    dropped: p.indices.filter((_, k) => drop.has(k)),
  };
}

function splitByKey(history: readonly HistoryOp[], model: Model): Partition[] {
  const whole = (): Partition[] => [
    { key: undefined, indices: history.map((_, i) => i), ops: history.map(toSearchOp) },
  ];
  if (model.partition === undefined) return whole();
  const groups = new Map<string, number[]>();
  for (let i = 0; i < history.length; i++) {
    const key = model.partition(at(history, i).input);
    if (key === undefined) return whole();
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  }
  return [...groups].map(([key, indices]) => ({
    key,
    indices,
    ops: indices.map((i) => toSearchOp(at(history, i))),
  }));
}

function at<T>(array: readonly T[], index: number): T {
  return array[index] as T;
}
