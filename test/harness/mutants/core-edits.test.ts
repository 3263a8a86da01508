/**
 * Classic Paxos/SMR bugs injected by hand into src/core (harness/mutants/core-edits.ts), the
 * way a reviewer tries the kit: each edit is applied to a copy of the sources and `smr check`
 * runs there, from the sources, on its embedded defaults. Every one must be caught (exit 1),
 * and every edit must apply exactly where it says (a stale edit is a failing test, not a pass).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CORE_EDITS } from '../../../harness/mutants/core-edits.js';
import { checkEdits } from '../../../harness/mutants/edit-runner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('core edits', () => {
  it('each edit names text that occurs exactly once in its file', () => {
    for (const edit of CORE_EDITS)
      for (const e of edit.edits) {
        const text = readFileSync(join(root, e.file), 'utf8');
        const first = text.indexOf(e.find);
        expect(first, `${edit.name}: ${e.file}`).toBeGreaterThanOrEqual(0);
        expect(text.indexOf(e.find, first + 1), `${edit.name}: ${e.file}`).toBe(-1);
      }
  });

  it('there is one of every kind of bug issue 12 lists', () => {
    const kinds = new Set(CORE_EDITS.map((e) => e.kind));
    for (const kind of [
      'adoption',
      'vote-counting',
      'ballot-order',
      'catch-up',
      'execution',
      'output-filter',
    ])
      expect(kinds.has(kind as never), kind).toBe(true);
  });

  it('smr check on embedded defaults catches every one', async () => {
    // One child at a time: the suite's own workers already use both cores.
    const verdicts = await checkEdits(root, CORE_EDITS, { parallel: 1, args: ['--fail-fast'] });
    const missed = verdicts
      .filter((v) => !v.caught)
      .map(
        (v) =>
          `${v.name} (exit ${v.exitCode}${v.exitCode === 1 ? '' : `: ${v.stderr.slice(-300)}`})`,
      );
    expect(missed).toEqual([]);
  }, 900_000);
});
