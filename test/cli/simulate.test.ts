/**
 * `smr simulate` end to end (issue 2; the `--history` and `--mutant` flags feed issue 6's
 * lincheck corpus): the recorded history is what `smr lincheck` judges linearizable, a mutant
 * run reports the violation it causes, and bad flags are one line, exit 2.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { smr } from '../helpers/cli.js';
import { tempDir } from '../trace/helpers.js';

const dir = tempDir();

describe('smr simulate', () => {
  it('--history writes the client-visible history; smr lincheck finds it linearizable', async () => {
    const file = join(dir, 'h.json');
    const run = await smr(
      'simulate',
      '--replicas',
      '3',
      '--seed',
      '5',
      '--steps',
      '2000',
      '--faults',
      'loss,dup,crash',
      '--history',
      file,
      '--json',
    );
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { requests: { submitted: number } };
    const ops = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    expect(ops).toHaveLength(result.requests.submitted);
    expect(ops.length).toBeGreaterThan(10);
    const check = await smr('lincheck', file);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('linearizable');
  });

  it('--mutant runs a seeded bug and exits 1 with the violation it causes', async () => {
    const r = await smr(
      'simulate',
      '--seed',
      '1',
      '--steps',
      '3000',
      '--clients',
      '3',
      '--faults',
      'loss,dup,reorder,delay,crash,partition',
      '--mutant',
      'no-session-dedup',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION Refinement/);
  });

  it.each([
    [['--mutant', 'nope'], /--mutant: unknown mutant "nope"/],
    [['--replicas', '4'], /--replicas must be odd/],
    [['--faults', 'loss,meteor'], /--faults/],
  ])('bad input %j: one line, exit 2', async (args, message) => {
    const r = await smr('simulate', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
