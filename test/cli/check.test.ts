/**
 * `smr check`, the README's first command (issue 2/3): the F=1 exploration, the bundled trace
 * corpus and the simulation suite all run and pass; a corpus whose expected verdict is wrong
 * makes the whole check fail, so the job can fail.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SUITE, runCheckJob } from '../../src/cli/commands/check.js';
import { bundledTracesDir, listBundledTraces } from '../../src/trace/corpus.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('smr check', () => {
  it('explores the F=1 scope, checks every bundled trace, runs the simulation suite', async () => {
    const lines: string[] = [];
    const r = await runCheckJob({ out: join(dir, 'out'), report: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    expect(r.exploration).toMatchObject({ status: 'ok', complete: true, distinctStates: 55_096 });
    expect(r.traces.map((t) => t.name)).toEqual(listBundledTraces().map((t) => t.name));
    expect(r.traces.length).toBeGreaterThanOrEqual(12);
    expect(r.simulations).toHaveLength(DEFAULT_SUITE.length);
    expect(lines).toHaveLength(1 + r.traces.length + DEFAULT_SUITE.length);
  }, 120_000);

  it('fails when a trace gets a verdict other than the expected one', async () => {
    const corpus = join(dir, 'corpus');
    // A trace the spec forbids, filed under valid/: the checker must say invalid and check must fail.
    cpSync(
      join(bundledTracesDir(), 'invalid', 'decide-without-quorum.ndjson'),
      join(corpus, 'valid', 'mislabelled.ndjson'),
    );
    const r = await runCheckJob({ tracesDir: corpus });
    expect(r.traces).toMatchObject([{ name: 'valid/mislabelled', verdict: 'invalid', ok: false }]);
    expect(r.ok).toBe(false);
  }, 120_000);
});
