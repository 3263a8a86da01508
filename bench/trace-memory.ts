/**
 * Is the trace checker's memory flat in trace length (issue 14)? The reference core (with its
 * default checkpoint every 64 slots) writes a 100,000-event and a 1,000,000-event fully observed
 * trace (bench/trace-generate.ts); each is checked by `smr check-trace` (the built CLI, `npm run
 * build` first) in its own process, which reports its peak RSS; a third process samples the
 * checker's retained heap after a forced GC along the 1M-event run. Never a timed test:
 *   npm run build && npx tsx bench/trace-memory.ts          (BENCH_DIR=... keeps the traces)
 *   NODE_OPTIONS=--max-semi-space-size=4 npx tsx bench/trace-memory.ts   (a smaller young generation)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTrace } from './trace-generate.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const CHECKER = join(ROOT, 'dist', 'src', 'trace', 'checker.js');
const DIR = process.env['BENCH_DIR'] ?? join(tmpdir(), 'smr-trace-memory');

function trace(events: number): string {
  const file = join(DIR, `core-${events}.ndjson`);
  if (!existsSync(file)) generateTrace(file, { events, observe: 'full', seed: 1 });
  return file;
}

/** Peak RSS (MB) and wall time of `smr check-trace FILE` in a process of its own. */
function check(file: string): { mb: number; s: number; verdict: string } {
  const probe = join(DIR, 'rss.mjs');
  writeFileSync(
    probe,
    `process.argv.splice(2, 0, 'check-trace');\n` +
      `process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'));\n` +
      `await import(${JSON.stringify(CLI)});\n`,
  );
  const started = performance.now();
  const r = spawnSync(process.execPath, [probe, file], { encoding: 'utf8' });
  const s = (performance.now() - started) / 1000;
  const kb = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { mb: Math.round(kb / 1024), s, verdict: r.stdout.split(':')[0] ?? '?' };
}

/** The checker's heap after a forced GC, every 131,072 events of `file`. */
function retained(file: string): string {
  const probe = join(DIR, 'heap.mjs');
  writeFileSync(
    probe,
    `const { checkTrace } = await import(${JSON.stringify(CHECKER)});\n` +
      `const out = [];\n` +
      `checkTrace([process.argv[2]], { onProgress: (n) => { if (n % 131072 === 0) { globalThis.gc(); out.push(Math.round(process.memoryUsage().heapUsed / 1e6)); } } });\n` +
      `console.log(out.join(' → '));\n`,
  );
  const r = spawnSync(process.execPath, ['--expose-gc', probe, file], { encoding: 'utf8' });
  return r.stdout.trim();
}

mkdirSync(DIR, { recursive: true });
if (!existsSync(CLI)) throw new Error('npm run build first');
const small = check(trace(100_000));
const large = check(trace(1_000_000));
console.log(`| trace | verdict | time | peak RSS |`);
console.log(`|---|---|---|---|`);
console.log(
  `| reference core, 100,000 events, full | ${small.verdict} | ${small.s.toFixed(2)} s | ${small.mb} MB |`,
);
console.log(
  `| reference core, 1,000,000 events, full | ${large.verdict} | ${large.s.toFixed(2)} s | ${large.mb} MB |`,
);
console.log(`\npeak RSS ratio 1M / 100k: ${(large.mb / small.mb).toFixed(2)} (target ≤ 1.3)`);
console.log(
  `retained heap after GC, MB, every 131,072 events of the 1M trace: ${retained(trace(1_000_000))}`,
);
