/**
 * Explorer benchmark (issue 3, "Performance"): distinct states/s and peak memory for the F=1 and
 * F=2 default scopes, with and without each reduction, on one and two workers. Every run is a
 * separate `smr explore --json` process (peak RSS is per process). Prints a Markdown table; the
 * recorded figures live in bench/README.md.
 *
 *   npm run build && npx tsx bench/explore.ts [--cli dist/src/cli/main.js] [--only NAME,...]
 *     [--repeat N]   (each row: the fastest of N runs, and the slowest in brackets)
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';

interface Run {
  readonly name: string;
  readonly args: readonly string[];
}

const TWO_CLIENTS = [
  '--clients',
  '2',
  '--requests',
  '2',
  '--max-crashes',
  '0',
  '--max-elections',
  '1',
];

const RUNS: readonly Run[] = [
  { name: 'F1 default, all reductions, 1 worker', args: [] },
  { name: 'F1 default, all reductions, 2 workers', args: ['--workers', '2'] },
  {
    name: 'F1 default, all reductions, 2 workers joining at once',
    args: ['--workers', '2', '--worker-join', '0'],
  },
  { name: 'F1 default, no POR, 1 worker', args: ['--no-por'] },
  { name: 'F1 default, no POR, 2 workers', args: ['--no-por', '--workers', '2'] },
  { name: 'F1 two clients, symmetry, 1 worker', args: TWO_CLIENTS },
  { name: 'F1 two clients, no symmetry, 1 worker', args: [...TWO_CLIENTS, '--no-symmetry'] },
  { name: 'F1 two clients, symmetry, 2 workers', args: [...TWO_CLIENTS, '--workers', '2'] },
  { name: 'F2 default, all reductions, 1 worker', args: ['--replicas', '5'] },
  { name: 'F2 default, all reductions, 2 workers', args: ['--replicas', '5', '--workers', '2'] },
  {
    name: 'F2 default, all reductions, 2 workers joining at once',
    args: ['--replicas', '5', '--workers', '2', '--worker-join', '0'],
  },
  {
    name: 'F2 default, no POR, 2 workers (capped)',
    args: ['--replicas', '5', '--no-por', '--workers', '2', '--max-states', '3000000'],
  },
];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const cli = flag('--cli') ?? 'dist/src/cli/main.js';
const only = flag('--only')?.split(',');
const repeat = Math.max(1, Number(flag('--repeat') ?? 1));

console.log(
  '| run | command | threads used | distinct | generated | depth | complete | search s | process s | states/s | peak RSS MB | load |',
);
console.log('|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
interface Result {
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  readonly peakRssMb: number;
  readonly workersUsed?: number;
  /** The whole process, start-up included (measured here). */
  readonly processMs: number;
}

function once(args: readonly string[]): Result {
  let text: string;
  const started = performance.now();
  try {
    text = execFileSync('node', [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (error) {
    text = String((error as { stdout?: string }).stdout ?? '');
  }
  const processMs = performance.now() - started;
  return { ...(JSON.parse(text) as Result), processMs };
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

for (const run of RUNS) {
  if (only !== undefined && !only.some((o) => run.name.includes(o))) continue;
  const args = ['explore', ...run.args, '--json', '--no-progress', '--out', '/tmp/smr-bench-out'];
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  // Timings on a shared machine vary from run to run: report the fastest of --repeat runs and
  // the range.
  const results = Array.from({ length: repeat }, () => once(args));
  const r = results.reduce((a, b) => (b.elapsedMs < a.elapsedMs ? b : a));
  const slowest = Math.max(...results.map((x) => x.elapsedMs));
  const wall =
    repeat === 1 ? seconds(r.elapsedMs) : `${seconds(r.elapsedMs)} (–${seconds(slowest)})`;
  console.log(
    `| ${run.name} | \`smr ${args.slice(0, -4).join(' ')}\` | ${r.workersUsed ?? 1} | ${r.distinctStates} | ${r.generatedStates} | ${r.depth} | ${r.complete ? 'yes' : 'no'} | ${wall} | ${seconds(r.processMs)} | ${r.statesPerSecond} | ${r.peakRssMb} | ${load} |`,
  );
}
