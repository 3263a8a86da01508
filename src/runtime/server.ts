/**
 * `smr serve`: one replica of the reference protocol as a process (issue 19). It reads the
 * cluster config, recovers its durable state from its write-ahead log (and snapshot), repairs
 * and continues its trace file, listens on TCP, feeds the reducer a `Tick` every `tickMs`, and
 * runs the host's batches (host.ts) as inputs arrive. A process that ran before gets a
 * `Restart` first: the reducer rebuilds its volatile state from what was persisted.
 *
 * Files: DATA/wal/*, DATA/snap-*.snap (store.ts), DATA/LOCK (the pid of the process using
 * DATA), and the trace file (default: ID.ndjson next to the config).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Socket } from 'node:net';
import { REFERENCE_RULES, type ReplicaRules } from '../core/replica/rules.js';
import { replicaContext } from '../core/replica/reducer.js';
import type { Json } from '../core/types.js';
import { UsageError } from '../errors.js';
import type { ClockKind, ObserveLevel } from '../trace/format.js';
import { addressOf, clusterTraceHeader, loadClusterConfig } from './config.js';
import { frameKey, type Envelope } from './frame.js';
import { NODE_FS, withoutSync } from './fs-layer.js';
import { ReplicaHost } from './host.js';
import { ReplicaNet } from './net.js';
import { NodeTrace } from './node-trace.js';
import { processAlive } from './sessions.js';
import { DurableStore } from './store.js';

export interface ServeOptions {
  readonly config: string;
  readonly id: string;
  /** Default: ID/ next to the config. */
  readonly data?: string;
  /** The trace file; null: no trace. Default: ID.ndjson next to the config. */
  readonly trace?: string | null;
  readonly observe?: ObserveLevel;
  readonly clock?: ClockKind;
  /** Inputs per fsync (group commit); default 64. */
  readonly batch?: number;
  /** false: no fsync (measuring only: a machine crash may then lose acknowledged writes). */
  readonly fsync?: boolean;
  /** The replica's rules: the reference's unless a seeded bug's (`smr serve --mutant`). */
  readonly rules?: ReplicaRules;
  /** The seeded bug's name, for the log. */
  readonly mutant?: string;
  readonly insecure?: boolean;
  readonly segmentBytes?: number;
  /** Lines for the log (stderr). */
  readonly log: (line: string) => void;
}

export interface RunningServer {
  readonly host: ReplicaHost;
  readonly net: ReplicaNet;
  /** Resolves when the server stopped (close, or a fatal storage error). */
  readonly stopped: Promise<number>;
  close(): Promise<void>;
}

export async function serve(o: ServeOptions): Promise<RunningServer> {
  const config = loadClusterConfig(o.config, { insecure: o.insecure === true });
  const self = addressOf(config, o.id);
  const rules = o.rules ?? REFERENCE_RULES;
  const base = dirname(o.config);
  const data = o.data ?? join(base, o.id);
  const log = (line: string) => o.log(`${o.id}: ${line}`);

  const fs = o.fsync === false ? withoutSync(NODE_FS) : NODE_FS;
  const store = new DurableStore(
    data,
    config.app,
    config.params,
    fs,
    o.segmentBytes === undefined ? {} : { segmentBytes: o.segmentBytes },
  );
  const unlock = await lockData(data, store);
  const recovered = store.open();
  if (recovered.warning !== null) log(recovered.warning);

  const tracePath = o.trace === undefined ? join(base, `${o.id}.ndjson`) : o.trace;
  let trace: NodeTrace | null = null;
  let ranBefore = false;
  let traceStep = 0;
  if (tracePath !== null) {
    const header = clusterTraceHeader(
      config,
      o.id,
      o.observe ?? config.trace.observe,
      o.clock ?? config.trace.clock,
    );
    const opened = NodeTrace.open(tracePath, o.id, header, recovered.lastStep);
    if (opened.repaired !== null) log(opened.repaired);
    trace = opened.trace;
    ranBefore = opened.ranBefore;
    const lastMeta = opened.tail[opened.tail.length - 1]?.line.meta;
    traceStep = typeof lastMeta?.['step'] === 'number' ? lastMeta['step'] : 0;
  }
  const restarted = ranBefore || recovered.records > 0;

  let net: ReplicaNet | null = null;
  const host = new ReplicaHost(
    {
      id: o.id,
      params: config.params,
      ctx: replicaContext(config.app, rules),
      store,
      network: { send: (to, envelope) => net?.send(to, envelope) },
      trace,
      batch: o.batch ?? 64,
      log,
    },
    recovered.durable,
    Math.max(recovered.lastStep ?? 0, traceStep),
    restarted,
  );

  let finish: (code: number) => void = () => undefined;
  const stopped = new Promise<number>((resolve) => (finish = resolve));
  let scheduled = false;
  let closing = false;
  let ticker: NodeJS.Timeout | undefined = undefined;
  const shutdown = async (code: number) => {
    if (closing) return;
    closing = true;
    if (ticker !== undefined) clearInterval(ticker);
    await net?.close();
    trace?.close();
    store.close();
    unlock();
    finish(code);
  };
  const schedule = () => {
    if (scheduled || closing) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (closing) return;
      try {
        host.pump();
      } catch (error) {
        // The disk refused a write or an fsync: nothing after it may be sent (fsyncgate).
        log(`stopping: storage failed: ${(error as Error).message}`);
        void shutdown(1);
        return;
      }
      if (host.pending > 0) schedule();
    });
  };

  const onEnvelope = (envelope: Envelope, socket: Socket) => {
    if (envelope.msg !== undefined) {
      host.enqueue({ kind: 'Receive', msg: envelope.msg }, envelope.clock);
      schedule();
    } else if (envelope.status === 'ask') {
      const status: Json = { ...host.status(), ...(net?.counters ?? {}), pid: process.pid };
      net?.write(socket, { from: o.id, to: envelope.from, status });
    }
  };
  net = new ReplicaNet({
    self,
    peers: config.replicas.filter((r) => r.id !== o.id),
    key: frameKey(config.key),
    onEnvelope,
    log,
  });
  try {
    await listenRetrying(net);
  } catch (error) {
    store.close();
    trace?.close();
    unlock();
    throw new UsageError(
      `${o.id}: cannot listen on ${self.host}:${self.port}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  ticker = setInterval(() => {
    host.enqueue({ kind: 'Tick' });
    schedule();
  }, config.tickMs);
  schedule();
  log(
    `listening on ${self.host}:${self.port}; ${restarted ? `restarted from ${recovered.records} log records (step ${host.step})` : 'first start'}` +
      `${o.mutant === undefined ? '' : `; seeded bug ${o.mutant}`}${config.key === null ? '; INSECURE: no cluster key' : ''}`,
  );

  return { host, net, stopped, close: () => shutdown(0) };
}

/**
 * DATA/LOCK holds the pid of the process using DATA: a second server on the same data would
 * break every promise the first made. A lock whose process is gone is taken over.
 */
async function lockData(data: string, store: DurableStore): Promise<() => void> {
  const path = join(data, 'LOCK');
  NODE_FS.mkdirp(data);
  // A process killed a moment ago may take a while to go: wait for it a little.
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        if (Date.now() > deadline)
          throw new UsageError(`${data}: in use by process ${pid} (${store.dir}/LOCK)`);
        await new Promise((ok) => setTimeout(ok, 50));
        continue;
      }
      unlinkSync(path);
    }
  }
}

/** Listens; a port still held by a process that is going away is tried again for a while. */
async function listenRetrying(net: ReplicaNet): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    try {
      await net.listen();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline)
        throw error;
      await new Promise((ok) => setTimeout(ok, 100));
    }
  }
}
