/**
 * Dead-message pruning is a reduction with a proof for the reference ballot rules only
 * (dead-messages.ts). It is off by default, and when asked for it is checked as it runs: a
 * reducer that acts on a message the proofs call dead stops the search with a clear error
 * instead of having that message silently deleted (issue 12: an edited core passes a guard
 * that only compares rule functions).
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import { UnsoundPruningError } from '../../../harness/explore/cluster/dead-messages.js';
import { createPackedClusterProtocol } from '../../../harness/explore/cluster/packed.js';
import { createClusterProtocol } from '../../../harness/explore/cluster/protocol.js';
import { DEFAULT_SCOPE } from '../../../harness/explore/cluster/scope.js';
import { explore } from '../../../harness/explore/explore.js';
import type { LocalSteps } from '../../../harness/explore/cluster/local-steps.js';
import type { Protocol } from '../../../src/spec/transition-system.js';

const SMALL = { ...DEFAULT_SCOPE, maxCrashes: 0 };

describe('dead-message pruning', () => {
  it('is off unless asked for', async () => {
    const r = await explore({
      spec: {
        model: 'core',
        scope: SMALL,
        symmetry: true,
        por: true,
        determinism: true,
        refinement: false,
      },
    });
    expect(r.reductions.deadMessages).toBe(false);
    expect(r.distinctStates).toBe(49_751);
  });

  it('keeps the verdict and shrinks the reference scope when asked for', () => {
    const r = bfs(createPackedClusterProtocol(SMALL, { collectDeadMessages: true }));
    expect(r.counterexample).toBeNull();
    expect(r.distinctStates).toBe(14_276);
  });

  it('stops with UnsoundPruningError when a handler acts on a stale message (a hand-edited core)', () => {
    // The rule table stays the reference one, so a guard that compares rule functions passes;
    // the replica's step, edited, accepts whatever ballot it is sent (accept-stale-ballot).
    for (const make of [createClusterProtocol, createPackedClusterProtocol]) {
      const p = make(SMALL, { collectDeadMessages: true, stepRefinement: false });
      const local =
        (p as { parts?: { local: LocalSteps } }).parts?.local ??
        (p as unknown as { objects: { parts: { local: LocalSteps } } }).objects.parts.local;
      const step = local.stepReplica;
      (local as { stepReplica: LocalSteps['stepReplica'] }).stepReplica = (state, input, ctx) =>
        step(state, input, { ...ctx, rules: { ...ctx.rules, admits: () => true } });
      const search = p as unknown as Protocol<unknown, unknown>;
      expect(() => bfs(search)).toThrow(UnsoundPruningError);
      expect(() => bfs(search)).toThrow(/acts on (Accept|Prepare)/);
    }
  });
});
