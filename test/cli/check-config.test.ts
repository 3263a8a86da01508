/**
 * `smr check --config`: the user's own traces and histories with the verdict each must get
 * (issue 17). The example config passes; one wrong expectation fails naming it; a config that
 * is wrong is bad input (exit 2, one line naming the entry).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smr } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'smr-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(name: string, body: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

const trace = (name: string) => join(root, 'traces', name);
const history = (name: string) => join(root, 'test/data/lincheck', name);

describe('smr check --config: your traces and histories', () => {
  it('the example config passes, one line per check', async () => {
    const r = await smr('check', '--config', join(root, 'examples/smr.config.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^ok {4}trace .*seed1-full-no-faults\.ndjson: expected valid, got valid/m,
    );
    expect(r.stdout).toMatch(/expected invalid at line 56, got invalid/);
    expect(r.stdout).toMatch(/check passed \(13 checks from /);
  });

  it('one wrong expectation fails the run and names the check', async () => {
    const file = config('wrong.json', {
      traces: [
        { files: [trace('valid/seed1-full-no-faults.ndjson')], expect: 'valid' },
        {
          files: [trace('invalid/edited-forged-audit-digest.ndjson')],
          expect: 'invalid',
          line: 57,
        },
      ],
      histories: [{ file: history('register-stale-read.log'), expect: 'linearizable' }],
    });
    const r = await smr('check', '--config', file, '--json');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as {
      ok: boolean;
      checks: { ok: boolean; target: string }[];
    };
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => c.ok)).toEqual([true, false, false]);
    const text = await smr('check', '--config', file);
    expect(text.stdout).toMatch(
      /^FAIL {2}trace .*edited-forged-audit-digest\.ndjson: expected invalid at line 57, got invalid .*\(expected to fail at line 57\)/m,
    );
    expect(text.stdout).toMatch(
      /^FAIL {2}history .*register-stale-read\.log: expected linearizable, got not-linearizable/m,
    );
    expect(text.stdout).toMatch(/check FAILED: 2 of 3 expectations not met/);
  });

  it.each([
    ['{"traces": [', /not JSON/],
    [{ trace: [] }, /"trace": unknown key/],
    [
      { traces: [{ each: 'nothing-here/*.ndjson', expect: 'valid' }] },
      /traces\[0\]\.each: "nothing-here\/\*\.ndjson" matches no file/,
    ],
    [
      { traces: [{ files: ['x.ndjson'], expect: 'ok' }] },
      /traces\[0\]\.expect: must be "valid" or "invalid"/,
    ],
    [
      { histories: [{ file: 'h.json', expect: 'linearizable', model: 'raft' }] },
      /histories\[0\]\.model: must be one of/,
    ],
    [{}, /names no traces and no histories/],
  ])('a bad config is bad input: %j', async (body, message) => {
    const r = await smr('check', '--config', config('bad.json', body));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('the main job flags do not mix with --config', async () => {
    const r = await smr(
      'check',
      '--config',
      join(root, 'examples/smr.config.json'),
      '--only',
      'explore',
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--only is for the main job/);
  });
});
