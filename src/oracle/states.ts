/**
 * Sets of model states. Nondeterministic models are searched over sets of states (Porcupine's
 * powerset construction): one search path per order of operations, carrying every state that
 * order can reach. Deterministic models keep sets of one.
 */
import type { Json } from '../core/types.js';
import type { Model } from './types.js';

/** A set of possible model states; equal keys (with equal sizes) mean equal sets. */
export interface StateSet<S> {
  readonly states: readonly S[];
  readonly key: string;
}

export function singleState<S>(model: Model<S>, state: S): StateSet<S> {
  return { states: [state], key: model.key(state) };
}

export function stateSetOf<S>(byKey: ReadonlyMap<string, S>): StateSet<S> {
  const keys = [...byKey.keys()].sort();
  const states = keys.map((k) => byKey.get(k) as S);
  return keys.length === 1
    ? { states, key: keys[0] as string }
    : { states, key: JSON.stringify(keys) };
}

/** The states reachable from `set` by one operation, or null when the output is impossible. */
export function stepStates<S>(
  model: Model<S>,
  set: StateSet<S>,
  input: Json,
  output: Json | undefined,
): StateSet<S> | null {
  const first = model.step(set.states[0] as S, input, output);
  if (set.states.length === 1 && first.length <= 1) {
    return first.length === 0 ? null : singleState(model, first[0] as S);
  }
  const byKey = new Map<string, S>();
  set.states.forEach((state, i) => {
    for (const next of i === 0 ? first : model.step(state, input, output)) {
      const key = model.key(next);
      if (!byKey.has(key)) byKey.set(key, next);
    }
  });
  return byKey.size === 0 ? null : stateSetOf(byKey);
}

export function sameStates<S>(a: StateSet<S>, b: StateSet<S>): boolean {
  return a.key === b.key && a.states.length === b.states.length;
}
