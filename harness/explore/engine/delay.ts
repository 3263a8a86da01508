/**
 * Delay-bounded search (Emmi, Qadeer and Rakamarić, "Delay-Bounded Scheduling", POPL 2011; the
 * idea behind CHESS's context bounding and Coyote's systematic testing): a fixed, fair scheduler
 * picks one action in every state (the protocol's `scheduled`), and the search explores every
 * run that departs from it at most `maxDelays` times. Taking any other action — delivering a
 * later message first, a crash, a restart, a tick while messages are in flight — costs one
 * delay. Within that bound the search is exhaustive, and runs are as long as the protocol is
 * deep: the scheduler's own path reaches a checkpoint, a truncation and a state transfer in a
 * few dozen steps, where breadth-first search of every interleaving runs out of memory first.
 *
 * States are memoised with the most delays they had left (and the least depth) when expanded: a
 * state met again with no more budget and no less depth has nothing new below it.
 */
import { performance } from 'node:perf_hooks';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { keyOf, type PathOutcome } from './dfs.js';
import { ProgressClock, type Progress } from './search.js';

export interface DelayOptions {
  readonly maxDelays: number;
  readonly maxDepth: number;
  readonly maxStates?: number;
  readonly onProgress?: (p: Progress) => void;
}

/** How many distinct states lie after each milestone a step reported (Successor.milestones). */
export type MilestoneCounts = Readonly<Record<string, number>>;

export interface DelayOutcome extends PathOutcome {
  readonly milestones: MilestoneCounts;
}

/** Depths are below this, so a state with more budget left always ranks higher. */
const DEPTH_RANGE = 2 ** 20;

interface Frame<W, A> {
  readonly world: W;
  readonly depth: number;
  /** Delays still allowed below this state. */
  readonly budget: number;
  /** Milestones on the path to this state, as bits of `names`. */
  /** The milestones on the path to this state, one bit each (`names`). */
  readonly reached: bigint;
  readonly actions: readonly A[];
  /** The scheduler's choice first, then the other actions (each a delay) while budget lasts. */
  readonly order: readonly number[];
  readonly scheduled: number;
  next: number;
}

export function runDelayBounded<W, A>(
  protocol: Protocol<W, A>,
  options: DelayOptions,
): DelayOutcome {
  if (options.maxDepth >= DEPTH_RANGE)
    throw new RangeError(`maxDepth must be below ${DEPTH_RANGE}`);
  const scheduler = protocol.scheduled?.bind(protocol);
  if (scheduler === undefined)
    throw new Error(
      `${protocol.name}: delay-bounded search needs a scheduler (Protocol.scheduled)`,
    );
  const started = performance.now();
  const clock = new ProgressClock(started, options.onProgress);
  // Per state: the most budget and least depth it was expanded with, packed as budget·2^20 − depth
  // (depth stays below 2^20: --max-depth is at most 100,000).
  const best = new Map<string, number>();
  const names: string[] = [];
  const counted: Set<string>[] = [];
  let transitions = 0;
  let deepest = 0;
  const key = (w: W): string => keyOf(protocol, w);
  const milestones = (): MilestoneCounts =>
    Object.fromEntries(names.map((n, i) => [n, (counted[i] as Set<string>).size]));
  const done = (kind: PathOutcome['kind'], extra: Partial<PathOutcome> = {}): DelayOutcome => ({
    kind,
    distinct: best.size,
    transitions,
    depth: deepest,
    elapsedMs: performance.now() - started,
    milestones: milestones(),
    ...extra,
  });
  // A bigint mask: milestones and their ordered pairs easily pass the 31 bits of a number.
  const bit = (name: string): bigint => {
    let i = names.indexOf(name);
    if (i < 0) {
      i = names.push(name) - 1;
      counted.push(new Set());
    }
    return 1n << BigInt(i);
  };
  const has = (mask: bigint, b: number): boolean => ((mask >> BigInt(b)) & 1n) === 1n;
  const frame = (world: W, depth: number, budget: number, reached: bigint): Frame<W, A> => {
    const actions = protocol.actions(world);
    const scheduled = actions.length === 0 ? -1 : scheduler(world, actions);
    const order: number[] = scheduled >= 0 ? [scheduled] : [];
    if (budget > 0) for (let k = 0; k < actions.length; k++) if (k !== scheduled) order.push(k);
    return { world, depth, budget, reached, actions, order, scheduled, next: 0 };
  };
  const rank = (budget: number, depth: number): number => budget * DEPTH_RANGE - depth;

  // Set when a state at the depth bound still had actions: the search is then not complete.
  let cut = false;
  const initial = protocol.initialStates();
  for (let i = 0; i < initial.length; i++) {
    const root = initial[i] as W;
    const bad = protocol.check(root)[0];
    if (bad !== undefined) return done('violation', { choices: [i], violation: bad });
    best.set(key(root), rank(options.maxDelays, 0));
    const stack: Frame<W, A>[] = [frame(root, 0, options.maxDelays, 0n)];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as Frame<W, A>;
      if (top.depth >= options.maxDepth && top.order.length > 0) cut = true;
      if (top.depth >= options.maxDepth || top.next >= top.order.length) {
        stack.pop();
        continue;
      }
      const k = top.order[top.next++] as number;
      const succ = protocol.step(top.world, top.actions[k] as A);
      transitions++;
      const path = (): number[] => [i, ...stack.map((f) => f.order[f.next - 1] as number)];
      const tBad = succ.violations[0];
      if (tBad !== undefined) return done('violation', { choices: path(), violation: tBad });
      if (succ.world === top.world) continue;
      const budget = top.budget - (k === top.scheduled ? 0 : 1);
      const depth = top.depth + 1;
      const id = key(succ.world);
      const seen = best.get(id);
      if (seen !== undefined && seen >= rank(budget, depth)) continue;
      if (seen === undefined) {
        const sBad = protocol.check(succ.world)[0];
        if (sBad !== undefined) return done('violation', { choices: path(), violation: sBad });
      }
      best.set(id, rank(budget, depth));
      let reached = top.reached;
      for (const m of succ.milestones ?? []) {
        // Also "A, then m" for each plain milestone A already on the path (restart, then state transfer).
        for (let b = 0; b < names.length; b++)
          if (has(top.reached, b) && !(names[b] as string).includes(', then '))
            if (names[b] !== m) reached |= bit(`${names[b] as string}, then ${m}`);
        reached |= bit(m);
      }
      if (reached !== 0n)
        for (let b = 0; b < names.length; b++)
          if (has(reached, b)) (counted[b] as Set<string>).add(id);
      deepest = Math.max(deepest, depth);
      if (options.maxStates !== undefined && best.size >= options.maxStates)
        return done('max-states');
      if ((transitions & 255) === 0)
        clock.tick(performance.now(), () => ({ ...done('complete'), queue: stack.length }));
      stack.push(frame(succ.world, depth, budget, reached));
    }
  }
  return done(cut ? 'max-depth' : 'complete');
}
