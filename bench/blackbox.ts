/**
 * `smr test`'s bug-finding power on the example Raft node (examples/raft-kv/node.py): for the
 * correct node and each `--bug`, how many of K seeded runs (one run each, default options)
 * end in a violation, which check caught it, and the wall time per run.
 *
 *   npx tsx bench/blackbox.ts [K=20] [BUG…]
 */
import { runOnce, type RunSetup } from '../harness/blackbox/run.js';
import { TEST_FAULTS } from '../harness/blackbox/scheduler.js';

const k = Number(process.argv[2] ?? 20);
const bugs = process.argv.slice(3);
const variants =
  bugs.length > 0 ? bugs : ['', 'stale-read', 'no-log-check', 'forget-vote', 'commit-old-term'];

const base: Omit<RunSetup, 'args' | 'seed'> = {
  command: 'python3',
  replicas: 3,
  clients: 3,
  faults: [...TEST_FAULTS],
  timeMs: 5000,
  quietMs: 3000,
  tickMs: 10,
  attemptTimeoutMs: 300,
  requestTimeoutMs: 2000,
  stepTimeoutMs: 5000,
  maxSteps: 200_000,
  lincheckTimeoutMs: 60_000,
};

console.log(`| node | runs flagged (of ${k}) | by | seeds flagged | wall time per run |`);
console.log('|---|---|---|---|---|');
for (const bug of variants) {
  const args = ['examples/raft-kv/node.py', ...(bug === '' ? [] : ['--bug', bug])];
  const flagged: number[] = [];
  const checks = new Map<string, number>();
  let broken = 0;
  const started = performance.now();
  for (let seed = 1; seed <= k; seed++) {
    const run = await runOnce({ ...base, args, seed }, { kind: 'seeded' }, { explain: false });
    if (run.broken !== null) broken++;
    if (run.verdict?.kind === 'violation') {
      flagged.push(seed);
      checks.set(run.verdict.check, (checks.get(run.verdict.check) ?? 0) + 1);
    }
  }
  const perRun = (performance.now() - started) / k / 1000;
  console.log(
    `| ${bug === '' ? 'correct' : `--bug ${bug}`} | ${flagged.length}${broken > 0 ? ` (+${broken} broken)` : ''} | ${[...checks].map(([c, n]) => `${c} ${n}`).join(', ') || '—'} | ${flagged.join(' ') || '—'} | ${perRun.toFixed(2)} s |`,
  );
}
