/**
 * `smr check`, the README's first command (issues 2, 3 and 12): every part of the main job runs
 * and passes on the reference, and says what it covered; a corpus whose expected verdict is
 * wrong makes the whole check fail, so the job can fail.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PARTS, runMainJob, SIMULATION_SUITE } from '../../harness/check/main-job.js';
import { WALK_SCOPES } from '../../harness/check/walks.js';
import { bundledTracesDir, listBundledTraces } from '../../src/trace/corpus.js';
import { smr } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('smr check', () => {
  it('runs every part on the reference and each one passes', async () => {
    const lines: string[] = [];
    const r = await runMainJob({ out: join(dir, 'out'), report: (l) => lines.push(l) });
    expect(r.parts.map((p) => [p.part, p.ok])).toEqual(PARTS.map((p) => [p, true]));
    expect(r.ok).toBe(true);
    expect(r.exploration).toMatchObject({ status: 'ok', complete: true, distinctStates: 238_133 });
    // Probes start from every node state the searches met and hand each synthetic inputs.
    expect(r.probes?.result).toMatchObject({ finding: null });
    expect(r.probes?.result.probes).toBeGreaterThan(5_000);
    // Every simulation passes; the traced ones give a trace the native checker validates.
    expect(r.simulations).toHaveLength(SIMULATION_SUITE.length);
    for (const [i, s] of (r.simulations ?? []).entries()) {
      expect(s.result.violation).toBeNull();
      expect(s.trace?.verdict ?? null).toBe(SIMULATION_SUITE[i]?.traced ? 'valid' : null);
    }
    expect(r.simulations?.some((s) => s.result.corruptions > 0)).toBe(true);
    expect(r.walks?.map((w) => w.result.status)).toEqual(WALK_SCOPES.map(() => 'ok'));
    expect(r.traces?.map((t) => t.name)).toEqual(listBundledTraces().map((t) => t.name));
    // One line per part says what it covered.
    for (const part of PARTS)
      expect(lines.some((l) => l.startsWith(`${part}: `) && l.includes('— ok'))).toBe(true);
  }, 300_000);

  it('fails when a trace gets a verdict other than the expected one', async () => {
    const corpus = join(dir, 'corpus');
    // A trace the spec forbids, filed under valid/: the checker must say invalid and check must fail.
    cpSync(
      join(bundledTracesDir(), 'invalid', 'decide-without-quorum.ndjson'),
      join(corpus, 'valid', 'mislabelled.ndjson'),
    );
    const r = await runMainJob({ tracesDir: corpus, parts: ['traces'] });
    expect(r.traces).toMatchObject([{ name: 'valid/mislabelled', verdict: 'invalid', ok: false }]);
    expect(r.parts).toMatchObject([{ part: 'traces', ok: false }]);
    expect(r.ok).toBe(false);
  }, 120_000);

  it('fails fast on a seeded bug and names the part, the invariant and the counterexample', async () => {
    const r = await runMainJob({
      mutant: 'ignore-promised-values',
      failFast: true,
      out: join(dir, 'mutant'),
    });
    expect(r.ok).toBe(false);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0]).toMatchObject({ part: 'explore', ok: false, invariant: 'Refinement' });
    expect(r.parts[0]?.finding).toContain('smr replay');
  }, 120_000);

  it('--only runs the parts named, --json says what each covered; bad flags exit 2', async () => {
    const r = await smr('check', '--only', 'traces,simulate', '--json', '--no-progress');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { parts: { part: string; covered: string }[] };
    expect(out.parts.map((p) => p.part)).toEqual(['simulate', 'traces']);
    expect(out.parts[0]?.covered).toMatch(/6 seeded runs/);
    for (const args of [
      ['--only', 'nope'],
      ['--shard', '0/2'],
    ]) {
      const bad = await smr('check', ...args);
      expect(bad.code).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);

  it('smr mutants --score: caught, by which part, how fast; exit 1 when one is missed', async () => {
    const r = await smr('mutants', '--score', '--mutant', 'minority-quorum', 'adopt-first-report');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/caught {2}minority-quorum +by explore \(Refinement\)/);
    expect(r.stdout).toMatch(/caught {2}adopt-first-report +by probes \(Refinement\)/);
    expect(r.stdout).toMatch(/mutation score: 2 of 2 caught/);
    const unknown = await smr('mutants', '--score', '--mutant', 'nope');
    expect(unknown.code).toBe(2);
  }, 120_000);
});
