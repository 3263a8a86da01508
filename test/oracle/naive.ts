/**
 * Deliberately naive oracles for the property tests (STYLE.md §8, etcd quorum/quick_test.go):
 * a brute-force linearizability checker that tries every order consistent with real time, and
 * a generator of small histories with plausible outputs, so both verdicts are common.
 */
import fc from 'fast-check';
import type { Json } from '../../src/core/types.js';
import type { HistoryOp, Model } from '../../src/oracle/types.js';

/**
 * Herlihy & Wing's definition, literally: some subset of the operations containing every one
 * with a known outcome, in some order where a precedes b whenever a returned before b was
 * called, that the model accepts one state at a time. No memo, no pruning, no powerset.
 */
export function naiveLinearizable<S>(history: readonly HistoryOp[], model: Model<S>): boolean {
  const known = (op: HistoryOp) => op.output !== undefined && op.ret !== null;
  const used = history.map(() => false);
  const explore = (state: S): boolean => {
    if (history.every((op, i) => used[i] === true || !known(op))) return true;
    return history.some((op, i) => {
      if (used[i] === true) return false;
      const blocked = history.some(
        (other, j) => used[j] !== true && known(other) && (other.ret as number) < op.call,
      );
      if (blocked) return false;
      const output = known(op) ? op.output : undefined;
      used[i] = true;
      const ok = model.step(state, op.input, output).some((next) => explore(next));
      used[i] = false;
      return ok;
    });
  };
  return explore(model.init());
}

export interface OpShape {
  readonly process: number;
  readonly start: number;
  readonly length: number;
  /** Where in [call, ret] the operation takes effect, as a fraction. */
  readonly point: number;
  readonly input: Json;
  readonly unknown: boolean;
  readonly pending: boolean;
}

/**
 * Build a history from shapes: each process's operations made sequential, outputs computed by
 * applying every operation at its linearization point, then maybe one output corrupted.
 * Linearizable by construction unless corrupted (and even then, often still linearizable).
 */
export function buildHistory(
  shapes: readonly OpShape[],
  apply: (state: Json, input: Json) => { state: Json; output: Json },
  init: Json,
  corrupt: { index: number; output: Json } | undefined,
): HistoryOp[] {
  const nextFree = new Map<number, number>();
  const timed = shapes.map((shape) => {
    const call = Math.max(shape.start, nextFree.get(shape.process) ?? 0);
    const ret = call + shape.length;
    nextFree.set(shape.process, shape.pending ? Infinity : ret + 1);
    return { shape, call, ret };
  });
  // A process that left an operation pending issues nothing after it.
  const live = timed.filter((t) => Number.isFinite(t.call));
  const order = live
    .map((t, i) => ({ i, point: t.call + t.shape.point * (t.ret - t.call) }))
    .sort((a, b) => a.point - b.point || a.i - b.i);
  const outputs: Json[] = live.map(() => null);
  let state = init;
  for (const { i } of order) {
    const result = apply(state, (live[i] as (typeof live)[number]).shape.input);
    state = result.state;
    outputs[i] = result.output;
  }
  return live.map((t, i) => ({
    process: `p${t.shape.process}`,
    input: t.shape.input,
    output:
      t.shape.unknown || t.shape.pending
        ? undefined
        : corrupt !== undefined && corrupt.index % live.length === i
          ? corrupt.output
          : outputs[i],
    call: t.call,
    ret: t.shape.pending ? null : t.ret,
  }));
}

export function shapeArbitrary(input: fc.Arbitrary<Json>, processes = 3): fc.Arbitrary<OpShape> {
  return fc.record({
    process: fc.integer({ min: 0, max: processes - 1 }),
    start: fc.integer({ min: 0, max: 12 }),
    length: fc.integer({ min: 0, max: 6 }),
    point: fc.double({ min: 0, max: 1, noNaN: true }),
    input,
    unknown: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
    pending: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
  });
}

export const smallValue = fc.constantFrom<Json>(0, 1, 2);

export const registerInput: fc.Arbitrary<Json> = fc.oneof(
  fc.constant({ f: 'read' }),
  smallValue.map((value) => ({ f: 'write', value })),
  fc.tuple(smallValue, smallValue).map(([a, b]) => ({ f: 'cas', value: [a, b] })),
);

/** The register's sequential semantics, written independently of src/oracle/models.ts. */
export function applyRegister(state: Json, input: Json): { state: Json; output: Json } {
  const op = input as { f: string; value?: Json };
  if (op.f === 'read') return { state, output: state };
  if (op.f === 'write') return { state: op.value ?? null, output: null };
  const [expected, next] = op.value as [Json, Json];
  return expected === state ? { state: next, output: true } : { state, output: false };
}

export const kvInput: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom('a', 'b').map((key) => ({ f: 'get', key })),
  fc
    .tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'))
    .map(([key, value]) => ({ f: 'put', key, value })),
  fc
    .tuple(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'))
    .map(([key, value]) => ({ f: 'append', key, value })),
);

export function applyKv(state: Json, input: Json): { state: Json; output: Json } {
  const map = state as Record<string, string>;
  const op = input as { f: string; key: string; value?: string };
  if (op.f === 'get') return { state, output: map[op.key] ?? null };
  const value = op.f === 'put' ? (op.value as string) : (map[op.key] ?? '') + (op.value as string);
  return { state: { ...map, [op.key]: value }, output: op.value ?? null };
}
