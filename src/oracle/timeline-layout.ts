/**
 * Geometry and model states of the lincheck timeline (html.ts). The time axis is not linear:
 * as in Porcupine's visualizer, calls and returns are placed in time order, each as far left
 * as it can be while every operation's bar stays wide enough for its label — so no label is
 * ever cut, and a long quiet stretch costs no space. Operations whose outcome is unknown
 * (`:info`, never returned) may take effect at any time after their call: they run to the end
 * of the axis (a never-returned bar itself, an `:info` one by a dashed tail).
 */
import { canonicalEncode } from '../core/canonical.js';
import type { HistoryOp, Model } from './types.js';
import { textWidth } from '../view/text.js';

/** Where the axis starts, and the padding a bar adds around its label. */
const AXIS_START = 12;
const BAR_PAD = 14;
const GAP = 12;

export interface Bar {
  readonly op: number;
  readonly x: number;
  readonly width: number;
  /** The outcome is unknown: the bar (never returned) or its tail (`:info`) runs to `end`. */
  readonly open: boolean;
  /**
   * Returned with an unknown outcome (`:info`): the bar spans call to return like any other,
   * and a dashed tail from its end to the end of the axis says it may take effect later. (A
   * bar to the end would cover the operations its process issues next.)
   */
  readonly tail: boolean;
}

export interface Layout {
  readonly bars: ReadonlyMap<number, Bar>;
  /** The end of the axis, where unknown outcomes run to. */
  readonly end: number;
  readonly width: number;
}

/** True when the operation's outcome is unknown (`:info`, a timeout, never returned). */
export const isOpen = (o: HistoryOp): boolean => o.output === undefined || o.ret === null;

export function layout(
  history: readonly HistoryOp[],
  shown: readonly number[],
  label: (i: number) => string,
): Layout {
  const need = (i: number) => textWidth(label(i)) + BAR_PAD;
  type Event = { time: number; call: boolean; op: number };
  const events: Event[] = [];
  for (const i of shown) {
    const o = history[i] as HistoryOp;
    events.push({ time: o.call, call: true, op: i });
    if (o.ret !== null) events.push({ time: o.ret, call: false, op: i });
  }
  // Calls before returns at one instant: operations that touch are concurrent, not ordered.
  events.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call) || a.op - b.op);
  const callX = new Map<number, number>();
  const retX = new Map<number, number>();
  let x = AXIS_START;
  let prev: Event | undefined;
  for (const e of events) {
    if (prev !== undefined && (prev.time !== e.time || prev.call !== e.call)) x += GAP;
    if (e.call) callX.set(e.op, x);
    else {
      // A bar must hold its label between call and return.
      x = Math.max(x, (callX.get(e.op) ?? x) + need(e.op));
      retX.set(e.op, x);
    }
    prev = e;
  }
  let end = x + GAP * 3;
  for (const i of shown)
    if ((history[i] as HistoryOp).ret === null)
      end = Math.max(end, (callX.get(i) ?? 0) + need(i) + GAP);
  const bars = new Map<number, Bar>();
  for (const i of shown) {
    const o = history[i] as HistoryOp;
    const from = callX.get(i) ?? AXIS_START;
    const to = retX.get(i) ?? end;
    bars.set(i, {
      op: i,
      x: from,
      width: Math.max(need(i), to - from),
      open: isOpen(o),
      tail: isOpen(o) && o.ret !== null,
    });
  }
  return { bars, end, width: end + 20 };
}

/**
 * A point inside each operation's bar (or on its tail, for an unknown outcome that took effect
 * late), in linearization order: where the drawn linearization passes through it. The order
 * respects real time, so the points fit and the line goes left to right.
 */
export function linearizationPoints(
  order: readonly number[],
  bars: ReadonlyMap<number, Bar>,
  end: number,
) {
  const out: { op: number; x: number }[] = [];
  let x = 0;
  for (const op of order) {
    const bar = bars.get(op);
    if (bar === undefined) continue;
    const right = bar.open ? end : bar.x + bar.width;
    x = Math.min(Math.max(x + 8, bar.x + 6), right - 6);
    out.push({ op, x });
  }
  return out;
}

/**
 * The model's state after each operation of `order`, stepped from the initial state (every
 * state a nondeterministic model may be in, joined by ` | `). Stops where the model refuses an
 * operation (it cannot, along a linearization the checker found).
 */
export function statesAlong(
  model: Model,
  history: readonly HistoryOp[],
  order: readonly number[],
): { readonly initial: string; readonly after: ReadonlyMap<number, string> } {
  let states: unknown[] = [model.init()];
  const after = new Map<number, string>();
  const initial = states.map(stateText).join(' | ');
  for (const i of order) {
    const o = history[i];
    if (o === undefined) break;
    const next = new Map<string, unknown>();
    for (const s of states)
      for (const t of model.step(s, o.input, o.ret === null ? undefined : o.output))
        next.set(model.key(t), t);
    if (next.size === 0) break;
    states = [...next.values()];
    after.set(i, states.map(stateText).join(' | '));
  }
  return { initial, after };
}

/** A model state as text: a key-value map as `{key: value}`, a missing value as nil. */
export function stateText(state: unknown): string {
  if (state === undefined || state === null) return 'nil';
  if (state instanceof Map) {
    const entries = [...state].map(([k, v]) => `${String(k)}: ${canonicalEncode(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return canonicalEncode(state);
}
