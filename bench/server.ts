/**
 * The reference replica as a real server (issue 19): throughput and latency of 3 `smr serve`
 * processes on loopback with fsync on, batch sizes 1 and 64 (inputs stepped per fsync), and, if
 * `etcd` is on PATH, the same workload against a 3-node etcd in the same run; then the long
 * fault soak (kill -9 / SIGSTOP under load, checked afterwards).
 *
 *   npx tsx bench/server.ts                       # all of it (≈ 2–3 min)
 *   npx tsx bench/server.ts --seconds 10 --clients 32 --soak 60
 *   npx tsx bench/server.ts --only soak           # or: --only smr | --only etcd
 *
 * Workload: C clients, one request at a time each, `put` of a 16-byte value to one of 64 keys.
 * Our client sends every request to all three replicas and accepts the majority's output; the
 * etcd clients POST /v3/kv/put (the JSON gateway) to one endpoint each, etcd forwarding to its
 * leader. Both fsync their logs (etcd always does; `smr serve` unless --no-fsync).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SmrClient } from '../src/runtime/client.js';
import { clusterDown, clusterUp, freePorts, sleep } from '../src/runtime/cluster.js';
import { soak } from '../harness/soak/server-soak.js';
import { useServeBundle } from '../test/runtime/helpers.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const SECONDS = flag('--seconds', 10);
const CLIENTS = flag('--clients', 32);
const SOAK = flag('--soak', 60);
const KEYS = 64;

interface Figures {
  readonly label: string;
  readonly ops: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly extra?: string;
}

function figures(label: string, latencies: number[], seconds: number, extra?: string): Figures {
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    label,
    ops: latencies.length,
    seconds,
    p50: at(0.5),
    p99: at(0.99),
    ...(extra === undefined ? {} : { extra }),
  };
}

function print(f: Figures): void {
  console.log(
    `| ${f.label} | ${Math.round(f.ops / f.seconds).toLocaleString('en')} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.ops.toLocaleString('en')} in ${f.seconds.toFixed(1)} s${f.extra === undefined ? '' : `; ${f.extra}`} |`,
  );
}

/** Runs `one` in C loops for SECONDS; returns each operation's latency in ms. */
async function closedLoop(
  one: (client: number, n: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let n = 0; performance.now() < until; n++) {
        const t = performance.now();
        await one(c, n);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - start) / 1000 };
}

async function benchSmr(
  batch: number,
  serveArgs: readonly string[],
  label: string,
): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'smr-bench-'));
  try {
    const { config } = await clusterUp({
      dir,
      replicas: 3,
      clients: CLIENTS,
      serveArgs: ['--batch', String(batch), ...serveArgs],
    });
    const clients = config.clients.map((id) => SmrClient.open({ config, id, trace: null }));
    const value = 'v'.repeat(16);
    const run = await closedLoop(async (c, n) => {
      const outcome = await (clients[c] as SmrClient).submit({
        type: 'put',
        key: `k${(c * 7 + n) % KEYS}`,
        value,
      });
      if (!outcome.ok) throw new Error('FAIL');
    });
    for (const c of clients) c.close();
    return figures(label, run.latencies, run.seconds);
  } finally {
    await clusterDown(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchEtcd(): Promise<Figures | null> {
  const which = spawn('etcd', ['--version'], { stdio: 'ignore' });
  const found = await new Promise<boolean>((ok) => {
    which.on('error', () => ok(false));
    which.on('exit', (code) => ok(code === 0));
  });
  if (!found) return null;
  const dir = mkdtempSync(join(tmpdir(), 'etcd-bench-'));
  const ports = await freePorts(6);
  const names = ['e1', 'e2', 'e3'];
  const peer = (i: number) => `http://127.0.0.1:${ports[3 + i]}`;
  const client = (i: number) => `http://127.0.0.1:${ports[i]}`;
  const initial = names.map((n, i) => `${n}=${peer(i)}`).join(',');
  const procs: ChildProcess[] = names.map((name, i) =>
    spawn(
      'etcd',
      [
        '--name',
        name,
        '--data-dir',
        join(dir, name),
        '--listen-client-urls',
        client(i),
        '--advertise-client-urls',
        client(i),
        '--listen-peer-urls',
        peer(i),
        '--initial-advertise-peer-urls',
        peer(i),
        '--initial-cluster',
        initial,
        '--initial-cluster-state',
        'new',
        '--log-level',
        'error',
      ],
      { stdio: 'ignore' },
    ),
  );
  try {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const put = async (endpoint: string, key: string, value: string) => {
      const res = await fetch(`${endpoint}/v3/kv/put`, {
        method: 'POST',
        body: JSON.stringify({ key: b64(key), value: b64(value) }),
      });
      if (!res.ok) throw new Error(`etcd: ${res.status}`);
      await res.arrayBuffer();
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await put(client(0), 'ready', '1');
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await sleep(200);
      }
    }
    const value = 'v'.repeat(16);
    const run = await closedLoop((c, n) => put(client(c % 3), `k${(c * 7 + n) % KEYS}`, value));
    return figures('etcd 3.4, 3 nodes (JSON gateway)', run.latencies, run.seconds);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await sleep(300);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function longSoak(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'smr-soak-'));
  try {
    const t = performance.now();
    const r = await soak({
      dir,
      seconds: SOAK,
      clients: 6,
      keys: 8,
      seed: 7,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    console.log(
      `soak: ${SOAK} s of faults, kill -9 cycles survived ${r.kills}, pauses ${r.pauses}, operations acknowledged ${r.acknowledged} (${r.acknowledgedWrites} appends), lost ${r.lost}, duplicated ${r.duplicated}, outcome unknown ${r.unknown}, lincheck ${r.lincheck}, traces ${r.traceValid ? 'valid' : 'INVALID'} (${((performance.now() - t) / 1000).toFixed(0)} s with the checks)`,
    );
    console.log(`  ${r.traceReport.trim().split('\n')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Replicas run a bundle of the CLI: tsx would compile the sources anew for every restart.
const restore = process.env['SMR_SERVE_ENTRY'] === undefined ? useServeBundle() : () => undefined;
try {
  const load = loadavg().map((x) => x.toFixed(1));
  console.log(`load average ${load.join(' ')}; ${CLIENTS} clients, ${SECONDS} s per row`);
  if (only === undefined || only === 'smr' || only === 'etcd') {
    console.log('| cluster | ops/s | p50 ms | p99 ms | notes |');
    console.log('|---|---|---|---|---|');
  }
  if (only === undefined || only === 'smr') {
    print(await benchSmr(1, [], 'smr serve ×3, fsync, batch 1'));
    print(await benchSmr(64, [], 'smr serve ×3, fsync, batch 64'));
    print(await benchSmr(64, ['--trace', 'off'], 'smr serve ×3, fsync, batch 64, no trace'));
  }
  if (only === undefined || only === 'etcd') {
    const etcd = await benchEtcd();
    if (etcd === null) console.log('| etcd | — | — | — | not on PATH: skipped |');
    else print(etcd);
  }
  if (only === undefined || only === 'soak') await longSoak();
} finally {
  restore();
}
