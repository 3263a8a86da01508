/**
 * The mutation score is a gate (issue 12): the default main job — no scope of its own for any
 * bug — catches every seeded mutant. And the gate can fail: with the parts that judge the core
 * removed, the same score reports the mutants missed, and `smr mutants --score` exits 1.
 */
import { describe, expect, it } from 'vitest';
import { mutationScore } from '../../../harness/check/score.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { AUDIT_MUTANTS, CHECKPOINT_MUTANTS, PROBE_ONLY } from '../../helpers/mutants.js';

describe('mutation score', () => {
  it('the default main job catches every seeded mutant', async () => {
    const r = await mutationScore();
    const missed = r.mutants.filter((m) => !m.caught).map((m) => m.mutant);
    expect(missed).toEqual([]);
    expect(r.total).toBe(MUTANTS.size);
    // The exhaustive F=1 scope catches every bug but those whose trigger it cannot reach; the
    // node probes (part 2) catch those, the checkpoint bugs included, before part 3's
    // delay-bounded checkpoint scope runs (mutants.test.ts shows that it catches them alone).
    // The audit scope (part 4) catches two audit bugs; the simulations with an operator's
    // JOIN/QUIT requests and a corrupt replica (part 5) the other two.
    const probed = new Set([...PROBE_ONLY, ...CHECKPOINT_MUTANTS]);
    const bySimulation = ['quorum-of-old-config', 'refused-quit-executed'];
    const partOf = (name: string): string =>
      probed.has(name)
        ? 'probes'
        : bySimulation.includes(name)
          ? 'simulate'
          : AUDIT_MUTANTS.includes(name)
            ? 'audit'
            : 'explore';
    for (const m of r.mutants) {
      expect(MUTANTS.get(m.mutant)?.breaks).toContain(m.invariant);
      expect([m.mutant, m.part]).toEqual([m.mutant, partOf(m.mutant)]);
      if (m.part !== 'simulate') expect(m.counterexampleLength).toBeGreaterThan(0);
    }
  }, 300_000);

  it('misses them when the parts that judge the core are left out, so the gate can fail', async () => {
    const r = await mutationScore({
      parts: ['traces'],
      only: ['adopt-first-report', 'minority-quorum'],
    });
    expect(r).toMatchObject({ caught: 0, total: 2 });
    // Without the probes, exploration alone misses a probe-only bug.
    const explored = await mutationScore({ parts: ['explore'], only: ['adopt-first-report'] });
    expect(explored.caught).toBe(0);
  }, 120_000);
});
