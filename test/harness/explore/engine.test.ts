/**
 * The search engine on a toy protocol whose state space is known in closed form (issue 3,
 * "Search"): BFS visits every state once and finds a shortest counterexample; exact and
 * fingerprint modes agree; depth bounds hold; DFS and random walks find the same bug; the
 * determinism self-check reports an impure step; `--shard i/n` jobs cover the space together.
 */
import { describe, expect, it } from 'vitest';
import { bfs, replayChoices } from '../../../harness/explore/bfs.js';
import { runDfs, runRandomWalks } from '../../../harness/explore/engine/dfs.js';
import { runLocalBfs } from '../../../harness/explore/engine/local.js';
import type { BfsConfig } from '../../../harness/explore/engine/search.js';
import { toyProtocol } from './toy.js';

const config = (overrides: Partial<BfsConfig> = {}): BfsConfig => ({
  exact: false,
  determinism: true,
  checkpointPath: '/dev/null',
  identity: { spec: { model: 'spec', constants: 'toy' }, maxDepth: null, shard: null },
  ...overrides,
});

describe('breadth-first search', () => {
  it('visits every reachable state once: (cap+1)^n', () => {
    const r = bfs(toyProtocol(3, 4));
    expect(r.distinctStates).toBe(125);
    expect(r.complete).toBe(true);
    expect(r.depth).toBe(12);
    expect(r.counterexample).toBeNull();
  });

  it('exact mode and fingerprints agree', () => {
    expect(bfs(toyProtocol(3, 5), { exact: true }).distinctStates).toBe(
      bfs(toyProtocol(3, 5)).distinctStates,
    );
  });

  it('a depth bound keeps exactly the states within that many steps', () => {
    // Vectors in [0,4]^2 with sum ≤ 3: 10 of them.
    expect(bfs(toyProtocol(2, 4), { maxDepth: 3 }).distinctStates).toBe(10);
  });

  it('finds a shortest counterexample and rebuilds it by replay', () => {
    const p = toyProtocol(3, 4, 2);
    const r = bfs(p);
    const cx = r.counterexample;
    expect(cx?.violation.invariant).toBe('Agreement');
    expect(cx?.actions).toHaveLength(6);
    const { actions } = replayChoices(p, cx?.choices ?? []);
    let w = p.initialStates()[0] as readonly number[];
    for (const a of actions) w = p.step(w, a).world;
    expect(p.check(w)).toHaveLength(1);
  });

  it('reports a step that is not a function of its input as Nondeterminism', () => {
    const r = bfs(toyProtocol(2, 6, undefined, { impure: true }));
    expect(r.counterexample?.violation.invariant).toBe('Nondeterminism');
  });

  it('stops at --max-states, incomplete', () => {
    const r = runLocalBfs(toyProtocol(3, 9), config({ maxStates: 50 }));
    expect(r.kind).toBe('max-states');
    expect(r.distinct).toBeGreaterThanOrEqual(50);
  });

  it('shard jobs split the frontier and together cover every state', () => {
    const p = toyProtocol(3, 6);
    const all = bfs(p).distinctStates;
    const seen = new Set<string>();
    for (let index = 0; index < 3; index++) {
      const proto = toyProtocol(3, 6);
      const seenHere: string[] = [];
      const wrapped = {
        ...proto,
        check: (w: readonly number[]) => (seenHere.push(w.join(',')), proto.check(w)),
      };
      const r = runLocalBfs(wrapped, config({ shard: { index, count: 3 } }));
      expect(r.kind).toBe('complete');
      expect(r.distinct).toBeLessThan(all);
      for (const s of seenHere) seen.add(s);
    }
    expect(seen.size).toBe(all);
  });
});

describe('depth-first search and random walks', () => {
  it('bounded DFS visits the same states as BFS within the bound', () => {
    expect(runDfs(toyProtocol(3, 4), { maxDepth: 100 }).distinct).toBe(125);
    expect(runDfs(toyProtocol(2, 4), { maxDepth: 3 }).distinct).toBe(10);
  });

  it('DFS and random walks find the bug, with a replayable path', () => {
    const p = toyProtocol(3, 4, 2);
    for (const r of [
      runDfs(p, { maxDepth: 20 }),
      runRandomWalks(p, { seed: 7, walks: 200, steps: 20, swarm: false }),
    ]) {
      expect(r.kind).toBe('violation');
      const { actions } = replayChoices(p, r.choices ?? []);
      let w = p.initialStates()[0] as readonly number[];
      for (const a of actions) w = p.step(w, a).world;
      expect(p.check(w)).toHaveLength(1);
    }
  });

  it('random walks are reproducible from the seed and split by shard', () => {
    const p = toyProtocol(4, 5);
    const run = (shard?: { index: number; count: number }) =>
      runRandomWalks(p, {
        seed: 3,
        walks: 40,
        steps: 30,
        swarm: true,
        ...(shard ? { shard } : {}),
      });
    expect(run().distinct).toBe(run().distinct);
    expect(
      (run({ index: 0, count: 2 }).walks ?? 0) + (run({ index: 1, count: 2 }).walks ?? 0),
    ).toBe(40);
  });
});
