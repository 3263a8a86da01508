/**
 * Bounded depth-first search and random walks: cheaper in memory than BFS, for scopes BFS
 * cannot finish. Their counterexamples are not shortest, so the explorer minimises them.
 *
 * DFS keeps, per fingerprint, the least depth it was expanded at: a state met again higher up
 * the tree is expanded again, so the depth bound holds for every state (iterative-deepening
 * DFS without the restarts). Random walks follow one seeded choice per step; in swarm mode each
 * walk also switches off a random subset of action kinds (Groce et al., "Swarm Testing",
 * ISSTA 2012), which reaches deep corners a uniform walk rarely does.
 */
import { performance } from 'node:perf_hooks';
import type { Violation } from '../../../src/spec/violation.js';
import { Random } from '../../random.js';
import { fingerprint, FingerprintSet } from '../fingerprints.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { ProgressClock, type Progress } from './search.js';

export interface PathOutcome {
  /** `max-depth`: a state at the depth bound still had actions, so the search is not complete. */
  readonly kind: 'complete' | 'violation' | 'max-states' | 'max-depth';
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
  /** On a violation: [initial index, action index, ...]. */
  readonly choices?: readonly number[];
  readonly violation?: Violation;
  /** Random walks: how many were run. */
  readonly walks?: number;
}

/** A state's visited-set key: its fingerprint (symmetry included) as text. */
export const keyOf = <W, A>(p: Protocol<W, A>, w: W): string => {
  const [hi, lo] = p.fingerprint
    ? p.fingerprint(w)
    : fingerprint(p.encodeCanonical ? p.encodeCanonical(w) : p.encode(w));
  return `${hi}:${lo}`;
};

interface Frame<W, A> {
  readonly world: W;
  readonly depth: number;
  readonly actions: readonly A[];
  readonly order: readonly number[];
  next: number;
}

export function runDfs<W, A>(
  protocol: Protocol<W, A>,
  options: { maxDepth: number; maxStates?: number; onProgress?: (p: Progress) => void },
): PathOutcome {
  const started = performance.now();
  const clock = new ProgressClock(started, options.onProgress);
  const best = new Map<string, number>();
  let transitions = 0;
  let deepest = 0;
  const done = (kind: PathOutcome['kind'], extra: Partial<PathOutcome> = {}): PathOutcome => ({
    kind,
    distinct: best.size,
    transitions,
    depth: deepest,
    elapsedMs: performance.now() - started,
    ...extra,
  });
  const frame = (world: W, depth: number): Frame<W, A> => {
    const actions = protocol.actions(world);
    const order = protocol.persistent?.(world, actions) ?? actions.map((_, k) => k);
    return { world, depth, actions, order, next: 0 };
  };
  // Set when a state at the depth bound still had actions: the search is then not complete.
  let cut = false;
  const initial = protocol.initialStates();
  for (let i = 0; i < initial.length; i++) {
    const root = initial[i] as W;
    const bad = protocol.check(root)[0];
    if (bad !== undefined) return done('violation', { choices: [i], violation: bad });
    best.set(keyOf(protocol, root), 0);
    const stack: Frame<W, A>[] = [frame(root, 0)];
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
      const key = keyOf(protocol, succ.world);
      const depth = top.depth + 1;
      const seen = best.get(key);
      if (seen !== undefined && seen <= depth) continue;
      if (seen === undefined) {
        const sBad = protocol.check(succ.world)[0];
        if (sBad !== undefined) return done('violation', { choices: path(), violation: sBad });
      }
      best.set(key, depth);
      deepest = Math.max(deepest, depth);
      if (options.maxStates !== undefined && best.size >= options.maxStates)
        return done('max-states');
      if ((transitions & 255) === 0)
        clock.tick(performance.now(), () => ({ ...done('complete'), queue: stack.length }));
      stack.push(frame(succ.world, depth));
    }
  }
  return done(cut ? 'max-depth' : 'complete');
}

export interface WalkOptions {
  readonly seed: number;
  readonly walks: number;
  readonly steps: number;
  readonly swarm: boolean;
  /**
   * Relative weights of action kinds (the first word of `describe`): a walk picks a kind by
   * weight among those with an enabled action, then an action of that kind uniformly.
   */
  readonly weights?: Readonly<Record<string, number>>;
  /** Run only walks w with w % count === index (a CI matrix job). */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: Progress) => void;
}

export function runRandomWalks<W, A>(protocol: Protocol<W, A>, options: WalkOptions): PathOutcome {
  const started = performance.now();
  const clock = new ProgressClock(started, options.onProgress);
  const seen = new FingerprintSet();
  let transitions = 0;
  let deepest = 0;
  let walks = 0;
  const done = (kind: PathOutcome['kind'], extra: Partial<PathOutcome> = {}): PathOutcome => ({
    kind,
    distinct: seen.size,
    transitions,
    depth: deepest,
    elapsedMs: performance.now() - started,
    walks,
    ...extra,
  });
  const initial = protocol.initialStates();
  for (let w = 0; w < options.walks; w++) {
    if (options.shard !== undefined && w % options.shard.count !== options.shard.index) continue;
    walks++;
    const rng = new Random((options.seed + Math.imul(w, 0x9e3779b1)) >>> 0);
    const off = new Set<string>();
    const start = rng.int(initial.length);
    let world = initial[start] as W;
    const choices = [start];
    const bad0 = protocol.check(world)[0];
    if (bad0 !== undefined) return done('violation', { choices, violation: bad0 });
    const picked: A[] = [];
    // The counterexample's choices are indices into `actions`; a lazy walk finds them afterwards.
    const indices = (): number[] => {
      let s = initial[start] as W;
      const out = [start];
      for (const a of picked) {
        out.push(protocol.actions(s).indexOf(a));
        s = protocol.step(s, a).world;
      }
      return out;
    };
    for (let step = 0; step < options.steps; step++) {
      const lazy = protocol.candidates !== undefined && protocol.isEnabled !== undefined;
      const actions = lazy ? (protocol.candidates?.(world) ?? []) : protocol.actions(world);
      if (actions.length === 0) break;
      const kinds = actions.map((a) => protocol.describe(a).split(' ')[0] as string);
      if (options.swarm && step === 0)
        for (const kind of new Set(kinds)) if (rng.chance(0.3)) off.add(kind);
      const every = actions.map((_, k) => k);
      const allowed = every.filter((k) => !off.has(kinds[k] as string));
      const weight = (k: number): number => options.weights?.[kinds[k] as string] ?? 1;
      // By weight over the enabled allowed actions (rejection sampling), else over all enabled.
      const pick = (from: number[]): number => {
        let total = 0;
        for (const k of from) total += weight(k);
        while (from.length > 0 && total > 0) {
          let x = rng.next() * total;
          let at = 0;
          if (options.weights === undefined) at = Math.min(Math.floor(x), from.length - 1);
          else
            for (; at < from.length - 1; at++) {
              x -= weight(from[at] as number);
              if (x < 0) break;
            }
          const c = from[at] as number;
          if (!lazy || protocol.isEnabled?.(world, actions[c] as A) === true) return c;
          total -= weight(c);
          from.splice(at, 1);
        }
        return -1;
      };
      let k = pick(allowed);
      if (k < 0) k = pick(every);
      if (k < 0) break;
      const action = actions[k] as A;
      picked.push(action);
      if (!lazy) choices.push(k);
      const succ = protocol.step(world, action);
      transitions++;
      const bad = succ.violations[0] ?? protocol.check(succ.world)[0];
      if (bad !== undefined)
        return done('violation', { choices: lazy ? indices() : choices, violation: bad });
      world = succ.world;
      const [hi, lo] = fingerprint(keyOf(protocol, world));
      seen.add(hi, lo);
      deepest = Math.max(deepest, step + 1);
    }
    clock.tick(performance.now(), () => ({ ...done('complete'), queue: options.walks - w - 1 }));
  }
  return done('complete');
}
