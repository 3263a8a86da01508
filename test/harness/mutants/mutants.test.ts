/**
 * Every seeded bug is caught (issues 3 and 12, "Mutants"): `smr explore --mutant NAME` on the
 * default scope — never one tuned to the bug — finds a violation of an invariant the mutant is
 * listed as breaking, under every combination of the reductions (each reduction keeps the
 * verdict), and the minimised counterexample replays to the same violation. The bugs whose
 * trigger the F=1 scope cannot reach (a promise reporting a value at a higher ballot than the
 * candidate's own, a vote from an older ballot, a catch-up across a gap) are caught by the main
 * job's node probes instead: test/harness/check/score.test.ts holds the whole job to all of them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReplayFile, replayFile } from '../../../harness/explore/counterexample/replay-file.js';
import {
  auditScopeOptions,
  checkpointScopeOptions,
  explore,
} from '../../../harness/explore/explore.js';
import type { CoreModelSpec } from '../../../harness/explore/model-spec.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { REFERENCE_RULES } from '../../../src/core/replica/rules.js';
import { scopeFromFlags } from '../../../src/cli/commands/explore.js';
import { checkTrace } from '../../../src/trace/checker.js';
import { AUDIT_MUTANTS, CHECKPOINT_MUTANTS, PROBE_ONLY } from '../../helpers/mutants.js';

const REDUCTIONS = [
  { symmetry: true, por: true },
  { symmetry: false, por: true },
  { symmetry: true, por: false },
  { symmetry: false, por: false },
] as const;

describe('mutants', () => {
  it('there are at least twenty, each a distinct variant of the reference rules', () => {
    expect(MUTANTS.size).toBeGreaterThanOrEqual(20);
    for (const m of MUTANTS.values()) {
      expect(m.breaks.length).toBeGreaterThan(0);
      expect(m.rules !== REFERENCE_RULES || m.clientRules !== undefined).toBe(true);
    }
  });

  const exhaustive = [...MUTANTS.values()].filter(
    (m) =>
      !PROBE_ONLY.includes(m.name) &&
      !CHECKPOINT_MUTANTS.includes(m.name) &&
      !AUDIT_MUTANTS.includes(m.name),
  );
  for (const mutant of exhaustive) {
    describe(mutant.name, () => {
      for (const reductions of REDUCTIONS) {
        const label = `caught with symmetry ${reductions.symmetry ? 'on' : 'off'}, POR ${reductions.por ? 'on' : 'off'}`;
        it(
          label,
          async () => {
            const spec: CoreModelSpec = {
              model: 'core',
              scope: scopeFromFlags({ mutant: mutant.name }),
              ...reductions,
              determinism: true,
              refinement: false,
            };
            const full = reductions.symmetry && reductions.por;
            const out = full ? mkdtempSync(join(tmpdir(), `smr-${mutant.name}-`)) : undefined;
            const r = await explore({ spec, ...(out !== undefined ? { out } : {}) });
            expect(r.status).toBe('violation');
            expect(mutant.breaks).toContain(r.violation?.invariant);
            // Minimisation never lengthens the path BFS found.
            expect(r.violation?.steps).toBeLessThanOrEqual(r.violation?.foundSteps ?? 0);
            if (out === undefined) return;
            // The files: a trace in the trace format, a diagram, and a replay that reproduces it.
            const files = r.counterexample?.files;
            const trace = readFileSync(files?.trace ?? '', 'utf8')
              .trim()
              .split('\n');
            expect(JSON.parse(trace[0] ?? '{}')).toMatchObject({ format: 'smr-trace', version: 2 });
            // The trace checker reads it (no bad input) and rejects it: the mutant's run is not a
            // behaviour of the spec, or breaks one of its invariants.
            const native = checkTrace([files?.trace ?? '']);
            expect(native.verdict).toBe('invalid');
            expect(readFileSync(files?.html ?? '', 'utf8')).toContain(
              `${r.violation?.invariant} violated`,
            );
            const again = await replayFile(readReplayFile(files?.replay ?? ''));
            expect(again.violation?.invariant).toBe(r.violation?.invariant);
            expect(again.violation?.step).toBe(r.violation?.steps);
            rmSync(out, { recursive: true });
          },
          120_000,
        );
      }
    });
  }

  // The checkpoint bugs need a checkpoint, a truncation and a lagging replica: the default
  // exploration's second part, the delay-bounded checkpoint scope, is where they show.
  const SPEC_VALID = ['unvouched-checkpoint', 'noop-for-truncated'];
  for (const name of CHECKPOINT_MUTANTS) {
    for (const symmetry of [true, false]) {
      it(`${name}: caught by the checkpoint scope, symmetry ${symmetry ? 'on' : 'off'}`, async () => {
        const options = checkpointScopeOptions(3, name);
        const spec = { ...(options.spec as CoreModelSpec), symmetry };
        const out = symmetry ? mkdtempSync(join(tmpdir(), `smr-${name}-`)) : undefined;
        const r = await explore({ ...options, spec, ...(out !== undefined ? { out } : {}) });
        expect(r.status).toBe('violation');
        expect(MUTANTS.get(name)?.breaks).toContain(r.violation?.invariant);
        if (out === undefined) return;
        const files = r.counterexample?.files;
        // The trace is well-formed; whether the spec alone rejects it depends on the bug. The
        // spec has no corruption, so it need not model stable checkpoints (unvouched-checkpoint
        // is the harness's CheckpointSafety to catch), and a catch-up reply is checked at its
        // sender's step (noop-for-truncated), before anything in the trace goes wrong.
        const verdict = checkTrace([files?.trace ?? '']).verdict;
        expect(verdict).toBe(SPEC_VALID.includes(name) ? 'valid' : 'invalid');
        const again = await replayFile(readReplayFile(files?.replay ?? ''));
        expect(again.violation?.invariant).toBe(r.violation?.invariant);
        expect(again.violation?.step).toBe(r.violation?.steps);
        rmSync(out, { recursive: true });
      }, 120_000);
    }
  }

  // The audit bugs need a corrupt replica detected, its QUIT and its JOIN: the default
  // exploration's third part, the delay-bounded audit scope, catches two within its two delays.
  // A leader counting an old configuration needs a third delay (a quitter's vote delivered
  // first), and a refused QUIT an operator's requests: the main job's simulations catch those
  // (test/harness/sim/mutants.test.ts).
  for (const name of ['join-effective-immediately', 'audit-compares-any-slot']) {
    it(`${name}: caught by the audit scope, with a replayable counterexample`, async () => {
      const out = mkdtempSync(join(tmpdir(), `smr-${name}-`));
      const r = await explore({ ...auditScopeOptions(3, name), out });
      expect(r.status).toBe('violation');
      expect(MUTANTS.get(name)?.breaks).toContain(r.violation?.invariant);
      const again = await replayFile(readReplayFile(r.counterexample?.files?.replay ?? ''));
      expect(again.violation?.invariant).toBe(r.violation?.invariant);
      expect(again.violation?.step).toBe(r.violation?.steps);
      rmSync(out, { recursive: true });
    }, 120_000);
  }
  for (const name of ['quorum-of-old-config', 'refused-quit-executed'])
    it(`${name}: within the audit scope's two delays the reference and the bug agree`, async () => {
      const r = await explore(auditScopeOptions(3, name, { minimise: false }));
      expect(r.status).toBe('ok');
    }, 120_000);
});
