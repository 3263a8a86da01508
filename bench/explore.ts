/**
 * Explorer benchmark (issue 3, "Performance"): distinct states/s and peak memory for the F=1 and
 * F=2 default scopes, with and without each reduction, on one and two workers. Every run is a
 * separate `smr explore --json` process (peak RSS is per process). Prints a Markdown table; the
 * recorded figures live in bench/README.md.
 *
 *   npm run build && npx tsx bench/explore.ts [--cli dist/src/cli/main.js] [--only NAME,...]
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
  { name: 'F1 default, no POR, 1 worker', args: ['--no-por'] },
  { name: 'F1 default, no POR, 2 workers', args: ['--no-por', '--workers', '2'] },
  { name: 'F1 two clients, symmetry, 1 worker', args: TWO_CLIENTS },
  { name: 'F1 two clients, no symmetry, 1 worker', args: [...TWO_CLIENTS, '--no-symmetry'] },
  { name: 'F1 two clients, symmetry, 2 workers', args: [...TWO_CLIENTS, '--workers', '2'] },
  { name: 'F2 default, all reductions, 1 worker', args: ['--replicas', '5'] },
  { name: 'F2 default, all reductions, 2 workers', args: ['--replicas', '5', '--workers', '2'] },
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

console.log(
  '| run | command | distinct | generated | depth | complete | wall s | states/s | peak RSS MB | load |',
);
console.log('|---|---|---:|---:|---:|---|---:|---:|---:|---:|');
for (const run of RUNS) {
  if (only !== undefined && !only.some((o) => run.name.includes(o))) continue;
  const args = ['explore', ...run.args, '--json', '--no-progress', '--out', '/tmp/smr-bench-out'];
  const load = loadavg()[0]?.toFixed(1) ?? '?';
  let text: string;
  try {
    text = execFileSync('node', [cli, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch (error) {
    text = String((error as { stdout?: string }).stdout ?? '');
  }
  const r = JSON.parse(text) as {
    distinctStates: number;
    generatedStates: number;
    depth: number;
    complete: boolean;
    elapsedMs: number;
    statesPerSecond: number;
    peakRssMb: number;
  };
  console.log(
    `| ${run.name} | \`smr ${args.slice(0, -4).join(' ')}\` | ${r.distinctStates} | ${r.generatedStates} | ${r.depth} | ${r.complete ? 'yes' : 'no'} | ${(r.elapsedMs / 1000).toFixed(1)} | ${r.statesPerSecond} | ${r.peakRssMb} | ${load} |`,
  );
}
