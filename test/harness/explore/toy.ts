/**
 * A toy protocol for engine tests: N counters, each action increments one counter up to a cap;
 * a state invariant fails when every counter reaches `bad` (so the shortest counterexample has
 * exactly N·bad steps), and the reachable states are all vectors in [0, cap]^N.
 */
import type { Violation } from '../../../src/spec/violation.js';
import type { Protocol } from '../../../src/spec/transition-system.js';

export type Toy = readonly number[];

export function toyProtocol(
  n: number,
  cap: number,
  bad?: number,
  options: { impure?: boolean } = {},
): Protocol<Toy, number> {
  let calls = 0;
  return {
    name: 'toy',
    initialStates: () => [Array.from({ length: n }, () => 0)],
    actions: (w) => w.flatMap((v, i) => (v < cap ? [i] : [])),
    step(w, i) {
      const next = [...w];
      // An impure reducer: every 7th call adds one more (the determinism check must notice).
      next[i] = (next[i] as number) + (options.impure === true && ++calls % 7 === 0 ? 2 : 1);
      return { world: next.map((v) => Math.min(v, cap)), violations: [] };
    },
    check(w): Violation[] {
      return bad !== undefined && w.every((v) => v >= bad)
        ? [{ invariant: 'Agreement', message: `all counters reached ${bad}` }]
        : [];
    },
    encode: (w) => w.join(','),
    describe: (i) => `Inc ${i}`,
  };
}
