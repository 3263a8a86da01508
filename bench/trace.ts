/**
 * `smr check-trace` throughput and peak memory (issue 5 §7). Never a timed test: run
 *   npx tsx bench/trace.ts            (BENCH_DIR=... to keep the generated traces between runs)
 * and copy the table into bench/README.md. The sources are compiled with tsc into
 * BENCH_DIR/build first (what `npm run build` ships; tsx's transform adds overhead). Each
 * measurement runs in its own process so peak RSS is that run's alone, and a JSON.parse-only
 * pass over the same file gives the floor to compare with.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Checker from '../src/trace/checker.js';
import { checkTraceWithTlc } from '../harness/tlc/trace-backend.js';
import { generateTrace } from './trace-generate.js';
import { synthesizeTrace } from './trace-synth.js';

const ROOT = join(import.meta.dirname, '..');
const DIR = process.env['BENCH_DIR'] ?? join(tmpdir(), 'smr-trace-bench');
const BUILT_CHECKER = join(DIR, 'build', 'src', 'trace', 'checker.js');

interface Measure {
  readonly verdict: string;
  readonly events: number;
  readonly ms: number;
  readonly parseOnlyMs: number;
  readonly maxRssMb: number;
  readonly maxCandidates: number;
}

/** In the child: check one file, then time JSON.parse alone over its lines. */
async function measure(file: string, maxCandidates: number): Promise<void> {
  const modulePath = existsSync(BUILT_CHECKER)
    ? BUILT_CHECKER
    : join(ROOT, 'src', 'trace', 'checker.ts');
  const { checkTrace } = (await import(pathToFileURL(modulePath).href)) as typeof Checker;
  const started = performance.now();
  const r = checkTrace([file], { maxCandidates });
  const ms = performance.now() - started;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const parseStart = performance.now();
  const text = readFileSync(file, 'latin1');
  for (let i = 0, j = text.indexOf('\n'); j >= 0; i = j + 1, j = text.indexOf('\n', i))
    JSON.parse(text.slice(i, j));
  const parseOnlyMs = performance.now() - parseStart;
  const out: Measure = {
    verdict: r.verdict,
    events: r.events,
    ms,
    parseOnlyMs,
    maxRssMb,
    maxCandidates: r.maxCandidates,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function runChild(file: string, maxCandidates = 4096): Measure {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, import.meta.filename, '--measure', file, String(maxCandidates)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (child.status !== 0) throw new Error(`measuring ${file} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() as string) as Measure;
}

function row(name: string, file: string, target: string, m: Measure): string {
  const mb = statSync(file).size / 1e6;
  const rate = Math.round((m.events / m.ms) * 1000);
  const parseRate = Math.round((m.events / m.parseOnlyMs) * 1000);
  return `| ${name} | ${m.events.toLocaleString('en-US')} | ${mb.toFixed(0)} MB | ${m.verdict} | ${(m.ms / 1000).toFixed(2)} s | ${rate.toLocaleString('en-US')} | ${parseRate.toLocaleString('en-US')} | ${m.maxRssMb.toFixed(0)} MB | ${m.maxCandidates} | ${target} |`;
}

/** Compile with the project's build settings; the checker finds package.json next to it. */
function build(): boolean {
  const out = join(DIR, 'build');
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      out,
    ],
    { encoding: 'utf8' },
  );
  if (tsc.status !== 0) return false;
  writeFileSync(join(out, 'package.json'), readFileSync(join(ROOT, 'package.json')));
  return true;
}

async function main(): Promise<void> {
  const dir = DIR;
  mkdirSync(dir, { recursive: true });
  const built = build();
  const file = (name: string, make: (f: string) => unknown): string => {
    const f = join(dir, name);
    if (!existsSync(f)) make(f);
    return f;
  };
  const full1m = file('synth-1m-full.ndjson', (f) => synthesizeTrace(f, 1_000_000, 'full'));
  const msgs100k = file('synth-100k-messages.ndjson', (f) =>
    synthesizeTrace(f, 100_000, 'messages'),
  );
  const acts100k = file('synth-100k-actions.ndjson', (f) => synthesizeTrace(f, 100_000, 'actions'));
  const core100k = file('core-100k-full.ndjson', (f) =>
    generateTrace(f, { events: 100_000, observe: 'full' }),
  );
  const coreMsgs = file('core-100k-messages.ndjson', (f) =>
    generateTrace(f, { events: 100_000, observe: 'messages' }),
  );
  const seed3 = file('simulate-seed3-50000.ndjson', (f) =>
    execFileSync(process.execPath, [
      ...process.execArgv,
      join(ROOT, 'src', 'cli', 'main.ts'),
      'simulate',
      '--seed',
      '3',
      '--steps',
      '50000',
      '--trace',
      f,
    ]),
  );
  console.log(
    `node ${process.version}, checker ${built ? 'compiled by tsc' : 'from src/ through tsx (tsc failed)'}, traces in ${dir}`,
  );
  console.log(
    '| trace | events | size | verdict | time | events/s | JSON.parse only, lines/s | peak RSS | max candidates | target |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(row('synthetic steady state, full', full1m, '≥ 500k events/s', runChild(full1m)));
  console.log(row('synthetic steady state, messages', msgs100k, '< 10 s', runChild(msgs100k)));
  console.log(row('synthetic steady state, actions', acts100k, '—', runChild(acts100k)));
  console.log(
    row('reference core (elections, reordering), full', core100k, '—', runChild(core100k)),
  );
  console.log(
    row('reference core (elections, reordering), messages', coreMsgs, '< 10 s', runChild(coreMsgs)),
  );
  console.log(row('smr simulate --seed 3 --steps 50000, full', seed3, 'valid', runChild(seed3)));
  // For scale: TLC over spec/TraceSmr.tla on a bundled trace of a few hundred events.
  if (process.env['TLA2TOOLS_JAR']) {
    const small = join(ROOT, 'traces', 'valid', 'seed2-full-loss-dup-crash.ndjson');
    const native = runChild(small);
    const tlc = await checkTraceWithTlc(small);
    console.log(
      `\nTLC on traces/valid/seed2-full-loss-dup-crash.ndjson (${tlc.events} events): ${tlc.verdict}, ${(tlc.elapsedMs / 1000).toFixed(1)} s (${tlc.distinctStates} distinct states); native: ${native.verdict}, ${native.ms.toFixed(0)} ms`,
    );
  }
}

if (process.argv[2] === '--measure')
  await measure(process.argv[3] as string, Number(process.argv[4]));
else await main();
