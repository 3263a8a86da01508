/**
 * The fault soak (issue 19 part 4): a local 3-replica cluster under a client workload while one
 * replica at a time is killed (SIGKILL) and restarted, or paused (SIGSTOP) and resumed (SIGCONT).
 * Then every replica is killed at once and restarted, and:
 *  - every acknowledged write is present: the workload appends a unique token per operation, a
 *    final read of each key must hold every acknowledged token exactly once (and no token twice:
 *    exactly-once);
 *  - the clients' history (call and return order as the driver saw it) is linearizable for the kv
 *    app (`smr lincheck --model app:kv DIR/history.jsonl`);
 *  - the nodes' trace files are valid (`smr check-trace DIR/*.ndjson`).
 * The small part of `smr live` this needs (issue 18): our own servers, whose clients are trace
 * nodes that never give up on a request, which live's retiring clients are not.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Json, Outcome } from '../../src/core/types.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { modelByName } from '../../src/oracle/models.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import { checkTrace } from '../../src/trace/checker.js';
import { formatResult } from '../../src/trace/report.js';
import { Random } from '../random.js';
import { SmrClient } from '../../src/runtime/client.js';
import {
  clusterDown,
  clusterUp,
  runningPid,
  signal,
  sleep,
  startReplica,
} from '../../src/runtime/cluster.js';
import type { ClusterConfig } from '../../src/runtime/config.js';
import { leaseClient, processAlive, type Lease } from '../../src/runtime/sessions.js';

export interface SoakOptions {
  readonly dir: string;
  /** Seconds of workload under faults. */
  readonly seconds: number;
  readonly clients?: number;
  readonly keys?: number;
  readonly seed?: number;
  /** Milliseconds between faults, and how long a replica stays down or paused: [min, max]. */
  readonly every?: readonly [number, number];
  readonly hold?: readonly [number, number];
  /** No faults: the same workload and checks (a baseline, or a seeded bug's run). */
  readonly faults?: boolean;
  readonly serveArgs?: readonly string[];
  readonly replicaArgs?: Readonly<Record<string, readonly string[]>>;
  readonly params?: Readonly<Record<string, number>>;
  /** Seconds the clients get to finish their last requests once faults stop. */
  readonly drain?: number;
  readonly log?: (line: string) => void;
}

export interface SoakResult {
  readonly seconds: number;
  /** Kill -9 and restart cycles of one replica (the final kill of all three not counted). */
  readonly kills: number;
  readonly pauses: number;
  readonly operations: number;
  readonly acknowledged: number;
  readonly acknowledgedWrites: number;
  /** Acknowledged appends missing from the final read. */
  readonly lost: number;
  /** Tokens found twice in the final read (an append executed twice). */
  readonly duplicated: number;
  /** Operations whose outcome is unknown (still pending at the end, or a FAIL). */
  readonly unknown: number;
  readonly lincheck: 'linearizable' | 'not-linearizable' | 'unknown';
  readonly traceValid: boolean;
  readonly traceReport: string;
  readonly historyFile: string;
}

export async function soak(o: SoakOptions): Promise<SoakResult> {
  const dir = resolve(o.dir);
  const log = o.log ?? (() => undefined);
  const rnd = new Random(o.seed ?? 1);
  const nClients = o.clients ?? 4;
  const keys = Array.from({ length: o.keys ?? 4 }, (_, i) => `k${i + 1}`);
  const { config } = await clusterUp({
    dir,
    replicas: 3,
    clients: nClients + 1,
    ...(o.serveArgs === undefined ? {} : { serveArgs: o.serveArgs }),
    ...(o.replicaArgs === undefined ? {} : { replicaArgs: o.replicaArgs }),
    ...(o.params === undefined ? {} : { params: o.params }),
    log,
  });
  const started = Date.now();
  const history = new History();
  const sessions = Array.from({ length: nClients }, () => openSession(dir, config));
  let running = true;
  const loops = sessions.map(({ client }, i) =>
    workload(client, history, keys, new Random((o.seed ?? 1) * 1000 + i), () => running),
  );
  let kills = 0;
  let pauses = 0;
  try {
    const until = started + o.seconds * 1000;
    const [e0, e1] = o.every ?? [800, 1600];
    const [h0, h1] = o.hold ?? [300, 1200];
    while (Date.now() < until) {
      await sleep(e0 + rnd.int(e1 - e0 + 1));
      if (o.faults === false || Date.now() >= until) continue;
      const victim = rnd.pick(config.replicas).id;
      const pid = runningPid(dir, victim);
      if (pid === null) continue;
      const hold = h0 + rnd.int(h1 - h0 + 1);
      if (rnd.chance(0.5)) {
        signal(pid, 'SIGKILL');
        while (processAlive(pid)) await sleep(10);
        await sleep(hold);
        startReplica(dir, victim);
        kills++;
        log(`kill -9 ${victim} (pid ${pid}), restarted after ${hold} ms`);
      } else {
        signal(pid, 'SIGSTOP');
        await sleep(hold);
        signal(pid, 'SIGCONT');
        pauses++;
        log(`paused ${victim} (pid ${pid}) for ${hold} ms`);
      }
    }
    running = false;
    await settled(Promise.all(loops), (o.drain ?? 15) * 1000);
    // The last crash takes every replica at once: what was acknowledged is on their disks.
    const all = config.replicas.flatMap((r) => runningPid(dir, r.id) ?? []);
    for (const pid of all) signal(pid, 'SIGKILL');
    while (all.some(processAlive)) await sleep(10);
    log('kill -9 of every replica, then all restarted');
    await clusterUp({ dir, replicas: 3, clients: nClients + 1, log });
    const final = await finalRead(dir, config, keys, history);
    const result = judge(history, final, keys);
    const historyFile = join(dir, 'history.jsonl');
    writeFileSync(
      historyFile,
      history.ops.map((op) => JSON.stringify(opJson(op))).join('\n') + '\n',
    );
    for (const s of sessions) s.close();
    await clusterDown(dir);
    const model = modelByName('app:kv');
    if (model === undefined) throw new Error('no app:kv model');
    const lin = checkLinearizability(history.ops, model, { timeoutMs: 60_000, explain: false });
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => join(dir, f));
    const traces = checkTrace(files);
    return {
      seconds: (Date.now() - started) / 1000,
      kills,
      pauses,
      ...result,
      lincheck: lin.verdict,
      traceValid: traces.verdict === 'valid',
      traceReport: formatResult(traces),
      historyFile,
    };
  } finally {
    running = false;
    for (const s of sessions) s.close();
    await clusterDown(dir);
  }
}

interface Session {
  readonly client: SmrClient;
  close(): void;
}

function openSession(dir: string, config: ClusterConfig): Session {
  const lease: Lease = leaseClient(dir, config.clients);
  const client = SmrClient.open({ config, id: lease.id, trace: join(dir, `${lease.id}.ndjson`) });
  return {
    client,
    close() {
      client.close();
      lease.release();
    },
  };
}

/** The clients' history, times counted in events as this process saw them. */
class History {
  readonly ops: HistoryOp[] = [];
  private time = 0;

  call(process: string, input: Json): number {
    this.ops.push({ process, input, output: undefined, call: ++this.time, ret: null });
    return this.ops.length - 1;
  }

  ret(i: number, outcome: Outcome): void {
    const op = this.ops[i] as HistoryOp;
    // FAIL (no majority agreed): the client does not know what happened.
    this.ops[i] = outcome.ok ? { ...op, output: outcome.output, ret: ++this.time } : op;
  }
}

async function workload(
  client: SmrClient,
  history: History,
  keys: readonly string[],
  rnd: Random,
  running: () => boolean,
): Promise<void> {
  let n = 0;
  while (running()) {
    const key = rnd.pick(keys);
    const op: Json = rnd.chance(0.8)
      ? { type: 'append', key, value: `${client.id}.${++n};` }
      : { type: 'get', key };
    const i = history.call(client.id, op);
    history.ret(i, await client.submit(op));
  }
}

async function finalRead(
  dir: string,
  config: ClusterConfig,
  keys: readonly string[],
  history: History,
): Promise<Map<string, string>> {
  const { client, close } = openSession(dir, config);
  try {
    const values = new Map<string, string>();
    for (const key of keys) {
      const op: Json = { type: 'get', key };
      const i = history.call(client.id, op);
      const outcome = await client.submit(op);
      history.ret(i, outcome);
      if (!outcome.ok) throw new Error(`the final read of ${key} failed: no majority agreed`);
      values.set(key, typeof outcome.output === 'string' ? outcome.output : '');
    }
    return values;
  } finally {
    close();
  }
}

function judge(
  history: History,
  final: ReadonlyMap<string, string>,
  keys: readonly string[],
): Pick<
  SoakResult,
  'operations' | 'acknowledged' | 'acknowledgedWrites' | 'lost' | 'duplicated' | 'unknown'
> {
  const counts = new Map<string, number>();
  for (const key of keys)
    for (const token of (final.get(key) ?? '').split(';').filter((t) => t !== ''))
      counts.set(`${key}/${token}`, (counts.get(`${key}/${token}`) ?? 0) + 1);
  let acknowledged = 0;
  let writes = 0;
  let lost = 0;
  for (const op of history.ops) {
    if (op.ret === null) continue;
    acknowledged++;
    const input = op.input as { type: string; key: string; value?: string };
    if (input.type !== 'append') continue;
    writes++;
    if ((counts.get(`${input.key}/${(input.value ?? '').slice(0, -1)}`) ?? 0) === 0) lost++;
  }
  const duplicated = [...counts.values()].filter((c) => c > 1).length;
  return {
    operations: history.ops.length,
    acknowledged,
    acknowledgedWrites: writes,
    lost,
    duplicated,
    unknown: history.ops.length - acknowledged,
  };
}

function opJson(op: HistoryOp): Json {
  return op.ret === null
    ? { process: op.process, input: op.input, call: op.call, ret: null }
    : {
        process: op.process,
        input: op.input,
        output: op.output as Json,
        call: op.call,
        ret: op.ret,
      };
}

/** Waits for `p`, or `ms` at most (no timer left behind). */
async function settled(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((ok) => (timer = setTimeout(ok, ms)))]);
  clearTimeout(timer);
}
