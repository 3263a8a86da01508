/**
 * An incremental linearizability checker for a history that grows while it is checked (the
 * simulator's `Linearizability` invariant after every client operation).
 *
 * Soundness rests on two facts.
 * 1. Monotonicity: if the history so far is not linearizable (open operations counting as
 *    unknown outcomes), no continuation is: a verdict of `not-linearizable` is final.
 * 2. Settled prefixes. Let `cut` be a time before which every operation of a partition has
 *    returned or been abandoned, and after which no open operation was called. The outputs of
 *    everything before the cut are final, so the set of configurations the search can be in at
 *    the cut (which of the operations spanning it are linearised, and the possible states) is
 *    final too; search.ts enumerates it exhaustively. Later checks start from that frontier
 *    instead of the initial state and only look at operations from the cut on. Settling is
 *    attempted after each successful check, within its own step budget; when it fails it is
 *    put off (never unsound, just slower).
 * A history where each client has one operation open at a time settles almost every time a
 * client finishes, so each check touches only the few operations since: near-linear overall.
 */
import type { Json } from '../core/types.js';
import { Budget, type Exhaustion } from './budget.js';
import { enumerateAtCut, findLinearization, singleState, type Configuration } from './search.js';
import type { HistoryOp, Model, SearchOp, Verdict } from './types.js';

export interface IncrementalOptions {
  /** Steps one `check()` may take (deterministic); beyond it the verdict is 'unknown'. */
  readonly maxSteps?: number;
  /** Steps one attempt to settle a prefix may take before it is put off (default 100,000). */
  readonly maxSettleSteps?: number;
}

export interface IncrementalResult {
  readonly verdict: Verdict;
  /** Search steps this check took, settling included. */
  readonly steps: number;
  readonly exhausted?: Exhaustion;
  /** The first partition found not linearizable, when one is. */
  readonly partition?: string | undefined;
}

export interface IncrementalChecker {
  /** An operation was invoked; returns its id. A process has one operation open at a time. */
  invoke(process: string, input: Json): number;
  /** The operation returned `output`. */
  complete(id: number, output: Json): void;
  /** The operation certainly did not take effect (Jepsen `:fail`): it is forgotten. */
  fail(id: number): void;
  /** Its outcome will never be known (Jepsen `:info`, a client FAIL); its process is free. */
  abandon(id: number): void;
  /** Is the history so far linearizable? Open operations count as unknown outcomes. */
  check(): IncrementalResult;
  /** The history so far (failed operations left out), e.g. for `checkLinearizability`. */
  history(): HistoryOp[];
}

interface OpRecord {
  readonly process: string;
  readonly input: Json;
  readonly key: string | undefined;
  output: Json | undefined;
  readonly call: number;
  ret: number | null;
  status: 'open' | 'done' | 'abandoned' | 'failed';
}

interface PartitionState<S> {
  readonly key: string | undefined;
  /** Configurations at `cut`; `linearized` holds op ids. */
  frontier: Configuration<S>[];
  cut: number;
  /** Ids of operations from the cut on, plus those spanning it, in invocation order. */
  unsettled: number[];
  broken: boolean;
  /** A completion or failure arrived since the last successful check. */
  dirty: boolean;
  /** Do not try to settle again until this many operations are unsettled. */
  settleAfter: number;
}

const DEFAULT_SETTLE_STEPS = 100_000;
const DOMINANCE_LIMIT = 256;

export function createIncrementalChecker<S>(
  model: Model<S>,
  options: IncrementalOptions = {},
): IncrementalChecker {
  const ops: OpRecord[] = [];
  const openByProcess = new Map<string, number>();
  let partitions = new Map<string | undefined, PartitionState<S>>();
  let whole = model.partition === undefined;
  let clock = 0;
  /** Partitions with news since the last check (deterministic: insertion order). */
  let touched = new Set<PartitionState<S>>();
  /** The first partition found not linearizable: final (monotonicity). */
  let broken: { key: string | undefined } | undefined;

  const fresh = (key: string | undefined): PartitionState<S> => ({
    key,
    frontier: [{ linearized: [], states: singleState(model, model.init()) }],
    cut: Number.NEGATIVE_INFINITY,
    unsettled: [],
    broken: false,
    dirty: false,
    settleAfter: 0,
  });
  const partitionOf = (op: OpRecord): PartitionState<S> => {
    const key = whole ? undefined : op.key;
    let state = partitions.get(key);
    if (state === undefined) {
      state = fresh(key);
      partitions.set(key, state);
    }
    return state;
  };
  const record = (id: number): OpRecord => {
    const op = ops[id];
    if (op === undefined) throw new RangeError(`no operation with id ${id}`);
    return op;
  };
  const close = (id: number, status: OpRecord['status']): OpRecord => {
    const op = record(id);
    if (op.status !== 'open') throw new Error(`operation ${id} is not open`);
    op.status = status;
    openByProcess.delete(op.process);
    clock++;
    return op;
  };

  /** An operation without a partition key may touch anything: check everything together. */
  const mergeAll = (): void => {
    const broken = [...partitions.values()].some((p) => p.broken);
    whole = true;
    const merged = fresh(undefined);
    merged.broken = broken;
    merged.dirty = true;
    merged.unsettled = ops.flatMap((op, id) => (op.status === 'failed' ? [] : [id]));
    partitions = new Map([[undefined, merged]]);
    touched = new Set([merged]);
  };

  const searchOps = (ids: readonly number[]): SearchOp[] =>
    ids.map((id) => {
      const op = record(id);
      return op.status === 'done'
        ? { input: op.input, output: op.output, call: op.call, ret: op.ret as number }
        : { input: op.input, output: undefined, call: op.call, ret: Number.POSITIVE_INFINITY };
    });
  const localStarts = (p: PartitionState<S>): Configuration<S>[] => {
    const position = new Map(p.unsettled.map((id, i) => [id, i]));
    return p.frontier.map((c) => ({
      linearized: c.linearized.map((id) => position.get(id) as number),
      states: c.states,
    }));
  };

  /** Returns the steps it took. */
  const settle = (p: PartitionState<S>): number => {
    let cut = clock;
    for (const id of p.unsettled) {
      if (record(id).status === 'open') cut = Math.min(cut, record(id).call);
    }
    if (cut <= p.cut || p.unsettled.length < p.settleAfter) return 0;
    const segment = p.unsettled.filter((id) => record(id).call < cut);
    const budget = new Budget({ maxSteps: options.maxSettleSteps ?? DEFAULT_SETTLE_STEPS });
    const local = { ...p, unsettled: segment };
    const found = enumerateAtCut(
      { ops: searchOps(segment), model, budget },
      localStarts(local),
      cut,
    );
    if (found.kind === 'unknown') {
      p.settleAfter = 2 * p.unsettled.length;
      return budget.steps;
    }
    if (found.configurations.length === 0) {
      p.broken = true; // exhaustive: no configuration reaches the cut
      return budget.steps;
    }
    p.frontier = pruneFrontier(
      found.configurations.map((c) => ({
        linearized: c.linearized.map((i) => segment[i] as number),
        states: c.states,
      })),
      (id) => record(id).status === 'abandoned',
      (id) => {
        const op = record(id);
        return op.status === 'done' && model.readOnly?.(op.input, op.output as Json) === true;
      },
    );
    p.unsettled = p.unsettled.filter((id) => {
      const op = record(id);
      return op.call >= cut || op.ret === null || op.ret >= cut || op.status !== 'done';
    });
    p.cut = cut;
    p.settleAfter = 0;
    return budget.steps;
  };

  return {
    invoke(process, input) {
      const open = openByProcess.get(process);
      if (open !== undefined) {
        throw new Error(`process ${JSON.stringify(process)} already has operation ${open} open`);
      }
      const id = ops.length;
      const key = model.partition?.(input);
      const op: OpRecord = {
        process,
        input,
        key,
        output: undefined,
        call: clock++,
        ret: null,
        status: 'open',
      };
      ops.push(op);
      openByProcess.set(process, id);
      if (!whole && key === undefined) mergeAll();
      else partitionOf(op).unsettled.push(id);
      return id;
    },
    complete(id, output) {
      const op = close(id, 'done');
      op.output = output;
      op.ret = clock - 1;
      const p = partitionOf(op);
      p.dirty = true;
      touched.add(p);
    },
    fail(id) {
      const op = close(id, 'failed');
      const p = partitionOf(op);
      p.unsettled = p.unsettled.filter((other) => other !== id);
      p.dirty = true; // the history might have relied on it taking effect
      touched.add(p);
    },
    abandon(id) {
      touched.add(partitionOf(close(id, 'abandoned'))); // its cut may move on
    },
    check() {
      const budget = new Budget({ maxSteps: options.maxSteps });
      let unknown: Exhaustion | undefined;
      let settled = 0;
      // Only partitions that changed since the last check can change their verdict.
      for (const p of touched) {
        if (!p.broken && p.dirty) {
          const found = findLinearization(
            { ops: searchOps(p.unsettled), model, budget },
            localStarts(p),
          );
          if (found.kind === 'not-linearizable') p.broken = true;
          else if (found.kind === 'unknown') unknown = found.reason;
          else p.dirty = false;
        }
        if (!p.broken && !p.dirty) settled += settle(p);
        if (p.broken) broken ??= { key: p.key };
        if (p.broken || !p.dirty) touched.delete(p);
      }
      const steps = budget.steps + settled;
      if (broken !== undefined)
        return { verdict: 'not-linearizable', steps, partition: broken.key };
      if (touched.size > 0) return { verdict: 'unknown', steps, exhausted: unknown ?? 'max-steps' };
      return { verdict: 'linearizable', steps };
    },
    history() {
      return ops.flatMap((op) =>
        op.status === 'failed'
          ? []
          : [
              {
                process: op.process,
                input: op.input,
                output: op.status === 'done' ? op.output : undefined,
                call: op.call,
                ret: op.status === 'done' ? op.ret : null,
              },
            ],
      );
    },
  };
}

/**
 * Drop configurations another one dominates, i.e. can do everything it can (Lowe 2017 prunes
 * configurations in the same spirit). A dominates B when the operations only A linearised are
 * read-only (done early, they change nothing later), those only B linearised were abandoned
 * (they may still take effect later, or never), and A's states include B's. Dominance is a
 * preorder; of equivalent configurations the first is kept.
 */
export function pruneFrontier<S>(
  configurations: Configuration<S>[],
  abandoned: (id: number) => boolean,
  readOnly: (id: number) => boolean,
): Configuration<S>[] {
  if (configurations.length > DOMINANCE_LIMIT) return configurations;
  const sets = configurations.map((c) => new Set(c.linearized));
  const keys = configurations.map(
    (c) =>
      new Set(
        c.states.states.length === 1 ? [c.states.key] : (JSON.parse(c.states.key) as string[]),
      ),
  );
  const dominates = (i: number, j: number): boolean => {
    const [a, b] = [sets[i] as Set<number>, sets[j] as Set<number>];
    for (const id of a) if (!b.has(id) && !readOnly(id)) return false;
    for (const id of b) if (!a.has(id) && !abandoned(id)) return false;
    const states = keys[i] as Set<string>;
    for (const key of keys[j] as Set<string>) if (!states.has(key)) return false;
    return true;
  };
  return configurations.filter(
    (_, j) =>
      !configurations.some((_, i) => i !== j && dominates(i, j) && (i < j || !dominates(j, i))),
  );
}
