/**
 * Which part of the main job catches which bug, and how fast: every seeded mutant
 * (harness/mutants/index.ts) and every core edit (harness/mutants/core-edits.ts) against each
 * part of `smr check` alone, then against the whole job as shipped (parts in order, fail-fast).
 * Prints the markdown table recorded in bench/README.md.
 *
 *   npx tsx bench/mutation-score.ts            # both tables (≈ 20 min)
 *   npx tsx bench/mutation-score.ts --seeded   # seeded mutants only
 *   npx tsx bench/mutation-score.ts --edits    # core edits only
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARTS, runMainJob, type PartName } from '../harness/check/main-job.js';
import { CORE_EDITS } from '../harness/mutants/core-edits.js';
import { prepareCopy, runCheckIn } from '../harness/mutants/edit-runner.js';
import { MUTANTS } from '../harness/mutants/index.js';
import { rmSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const all = !args.has('--seeded') && !args.has('--edits');

interface Cell {
  readonly caught: boolean;
  readonly ms: number;
  readonly invariant?: string;
}

const cell = (c: Cell): string =>
  c.caught
    ? `✓ ${(c.ms / 1000).toFixed(1)} s${c.invariant ? ` ${c.invariant}` : ''}`
    : `— ${(c.ms / 1000).toFixed(1)} s`;

function header(): void {
  console.log(`| bug | ${PARTS.join(' | ')} | whole job (first part, time) |`);
  console.log(`|---|${PARTS.map(() => '---').join('|')}|---|`);
}

async function seeded(): Promise<void> {
  console.log('\n### Seeded mutants (`smr mutants`)\n');
  header();
  for (const name of MUTANTS.keys()) {
    const cells: string[] = [];
    for (const part of PARTS) {
      const t = performance.now();
      const r = await runMainJob({ mutant: name, parts: [part], failFast: true });
      const bad = r.parts.find((p) => !p.ok);
      cells.push(
        cell({
          caught: bad !== undefined,
          ms: performance.now() - t,
          ...(bad?.invariant !== undefined ? { invariant: bad.invariant } : {}),
        }),
      );
    }
    const t = performance.now();
    const whole = await runMainJob({ mutant: name, failFast: true });
    const first = whole.parts.find((p) => !p.ok);
    console.log(
      `| ${name} | ${cells.join(' | ')} | ${first === undefined ? 'MISSED' : `${first.part}, ${((performance.now() - t) / 1000).toFixed(1)} s`} |`,
    );
  }
}

async function edited(): Promise<void> {
  console.log(
    '\n### Core edits (`harness/mutants/core-edits.ts`, run from a copy of the sources)\n',
  );
  header();
  for (const edit of CORE_EDITS) {
    const dir = prepareCopy(root, edit);
    try {
      const cells: string[] = [];
      for (const part of PARTS) {
        const run = await runCheckIn(dir, ['--only', part, '--fail-fast'], 600_000);
        cells.push(
          cell({ caught: run.code === 1, ms: run.elapsedMs, ...invariantOf(run.stdout, part) }),
        );
      }
      const run = await runCheckIn(dir, ['--fail-fast'], 600_000);
      const first = firstFailing(run.stdout);
      console.log(
        `| ${edit.name} | ${cells.join(' | ')} | ${run.code === 1 ? `${first ?? '?'}, ${(run.elapsedMs / 1000).toFixed(1)} s` : 'MISSED'} |`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function parse(stdout: string): { parts?: { part: PartName; ok: boolean; invariant?: string }[] } {
  try {
    return JSON.parse(stdout) as { parts?: { part: PartName; ok: boolean; invariant?: string }[] };
  } catch {
    return {};
  }
}

function invariantOf(stdout: string, part: PartName): { invariant?: string } {
  const p = parse(stdout).parts?.find((x) => x.part === part && !x.ok);
  return p?.invariant !== undefined ? { invariant: p.invariant } : {};
}

function firstFailing(stdout: string): string | undefined {
  return parse(stdout).parts?.find((x) => !x.ok)?.part;
}

if (all || args.has('--seeded')) await seeded();
if (all || args.has('--edits')) await edited();
