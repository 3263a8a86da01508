/**
 * traces/ (issue 5 "Done when": every bundled trace gets its expected verdict from
 * `smr check-trace`): valid ones are valid, invalid ones fail at the line their NAME.why.md
 * names, and every invalid trace explains itself.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBundledTraces, listBundledTraces } from '../../src/trace/corpus.js';
import { smr } from './helpers.js';

describe('traces/: the bundled corpus', () => {
  const traces = listBundledTraces();

  it('has at least 6 valid and 6 invalid traces, at every observation level', () => {
    expect(traces.filter((t) => t.expected === 'valid').length).toBeGreaterThanOrEqual(6);
    expect(traces.filter((t) => t.expected === 'invalid').length).toBeGreaterThanOrEqual(6);
    const levels = new Set(
      traces.map(
        (t) =>
          (
            JSON.parse(readFileSync(t.files[0] as string, 'utf8').split('\n')[0] as string) as {
              observe: string;
            }
          ).observe,
      ),
    );
    expect([...levels].sort()).toEqual(['actions', 'full', 'messages']);
    expect(traces.some((t) => t.files.length > 1)).toBe(true);
  });

  it('every invalid trace has a NAME.why.md with the line it fails at and the check that catches it', () => {
    for (const t of traces.filter((x) => x.expected === 'invalid')) {
      const why = (t.files[0] as string).replace(/\.ndjson$/, '.why.md');
      expect(existsSync(why), why).toBe(true);
      expect(t.expectedLine, t.name).not.toBeNull();
      expect(readFileSync(why, 'utf8')).toMatch(/Caught by: /);
    }
  });

  it.each(checkBundledTraces().map((v) => [v.name, v] as const))(
    '%s gets its expected verdict',
    (_name, v) => {
      expect({ verdict: v.verdict, line: v.line, detail: v.detail }).toMatchObject({
        verdict: v.expected,
        line: v.expected === 'invalid' ? v.expectedLine : null,
      });
      expect(v.ok).toBe(true);
    },
  );

  it('`smr check-trace` exits 0 on a valid trace and 1 on an invalid one, naming file:line', async () => {
    const valid = traces.find((t) => t.name === 'valid/seed2-full-loss-dup-crash');
    const invalid = traces.find((t) => t.name === 'invalid/deleted-send');
    expect((await smr('check-trace', ...(valid?.files ?? []))).code).toBe(0);
    const r = await smr('check-trace', ...(invalid?.files ?? []));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      new RegExp(`deleted-send\\.ndjson:${invalid?.expectedLine}: r\\d Phase2b`),
    );
    expect(r.stdout).toContain('m \\in msgs');
  });

  it('merges per-node files: one file per node gives the verdict of the trace', async () => {
    const split = traces.filter((t) => t.files.length > 1);
    for (const t of split) expect((await smr('check-trace', ...t.files)).code, t.name).toBe(0);
  });
});
