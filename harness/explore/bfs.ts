/**
 * Breadth-first exploration of a Protocol in this thread, with a visited set of 64-bit
 * fingerprints (or exact encodings, for debugging). BFS finds a shortest counterexample (TLC's
 * guarantee): the path is rebuilt from parent pointers by replaying the recorded choices.
 * `explore.ts` adds workers, checkpoints and progress on top of the same shard.
 */
import type { Violation } from '../../src/spec/violation.js';
import { SearchShard, type FoundViolation } from './engine/shard.js';
import { choicesTo, type ParentTable } from './engine/parents.js';
import { ExactSet, FingerprintSet } from './fingerprints.js';
import type { Protocol } from '../../src/spec/transition-system.js';

export interface BfsOptions {
  /** Do not expand states at this depth (the initial states are at depth 0). */
  readonly maxDepth?: number;
  /** Stop (incomplete) after this many distinct states. */
  readonly maxStates?: number;
  /** Keep full encodings instead of fingerprints: no hash collisions, more memory. */
  readonly exact?: boolean;
  /** Re-run each step to check determinism (default true). */
  readonly determinism?: boolean;
  /** Build every successor and check each predicted fingerprint against it (tests). */
  readonly verifyPredictions?: boolean;
}

export interface Counterexample<A> {
  readonly violation: Violation;
  /** The actions from an initial state to the violating state. */
  readonly actions: readonly A[];
  /** [initial state index, action index, action index, ...]: a path any replay can follow. */
  readonly choices: readonly number[];
  /** Index of the initial state the path starts from. */
  readonly initial: number;
}

export interface BfsResult<A> {
  readonly distinctStates: number;
  /** Successors computed (TLC's "states generated"). */
  readonly transitions: number;
  /** The greatest depth at which a distinct state was found. */
  readonly depth: number;
  /** False when a bound (maxStates) or a violation cut the search short; maxDepth is scope. */
  readonly complete: boolean;
  readonly counterexample: Counterexample<A> | null;
}

export function bfs<W, A>(protocol: Protocol<W, A>, options: BfsOptions = {}): BfsResult<A> {
  const visited = options.exact ? new ExactSet() : new FingerprintSet();
  const { maxStates } = options;
  const shard = new SearchShard(protocol, visited, {
    exact: options.exact === true,
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...(options.determinism !== undefined ? { determinism: options.determinism } : {}),
    ...(options.verifyPredictions !== undefined
      ? { verifyPredictions: options.verifyPredictions }
      : {}),
    ...(maxStates !== undefined ? { shouldPause: () => visited.size >= maxStates } : {}),
  });
  const result = (complete: boolean): BfsResult<A> => ({
    distinctStates: visited.size,
    transitions: shard.transitions,
    depth: shard.depth,
    complete,
    counterexample:
      shard.found === null ? null : rebuildCounterexample(protocol, [shard.parents], shard.found),
  });
  if (shard.seed() === 'violation') return result(false);
  shard.advance();
  while (shard.remaining > 0) {
    const outcome = shard.runLevel();
    if (outcome !== 'done') return result(false);
    shard.advance();
  }
  return result(true);
}

/** Replays the recorded choices from the initial state to rebuild the action path. */
export function rebuildCounterexample<W, A>(
  protocol: Protocol<W, A>,
  tables: readonly ParentTable[],
  found: FoundViolation,
): Counterexample<A> {
  const choices =
    found.parent === null ? [found.choice] : [...choicesTo(tables, found.parent), found.choice];
  return { violation: found.violation, ...replayChoices(protocol, choices), choices };
}

export function replayChoices<W, A>(
  protocol: Protocol<W, A>,
  choices: readonly number[],
): { actions: A[]; initial: number } {
  const initial = choices[0] as number;
  let world = protocol.initialStates()[initial] as W;
  const actions: A[] = [];
  for (const k of choices.slice(1)) {
    const action = protocol.actions(world)[k];
    if (action === undefined) throw new Error(`replay: no action ${k} in a state on the path`);
    actions.push(action);
    world = protocol.step(world, action).world;
  }
  return { actions, initial };
}
