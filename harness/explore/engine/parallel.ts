/**
 * Breadth-first search over W participants (`--workers W`): this thread and W − 1 worker
 * threads. They share one lock-free visited set (a SharedArrayBuffer) and keep their own
 * frontiers; this thread drives them level by level, so the search stays exactly breadth-first,
 * and between levels it moves states from the fullest frontiers to the emptiest (exported, then
 * structured clone) so no participant idles for long. This thread searches from the first level
 * on; a worker joins at the first level boundary after it has loaded, so thread start-up is
 * hidden behind the search instead of added to it.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { SharedFingerprintSet } from '../fingerprints.js';
import type { ModelSpec } from '../model-spec.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import {
  commitCheckpoint,
  CheckpointWriter,
  remapFor,
  partialCheckpointPath,
  type Checkpoint,
} from './checkpoint.js';
import { ParentTable } from './parents.js';
import {
  ProgressClock,
  rssMb,
  shardSplitSize,
  type BfsConfig,
  type SearchCounts,
  type SearchOutcome,
} from './search.js';
import { ShardHost } from './shard-host.js';
import { fromJson } from './codec.js';
import type { FrontierFile } from './frontier-file.js';
import type { FoundViolation, FrontierItem } from './shard.js';
import type { WorkerCommand, WorkerInit } from './worker-protocol.js';

/**
 * Workers join once a level holds this many states (and start loading at half of it). A
 * joining thread starts cold — it loads the modules, compiles the hot paths and fills its own
 * step tables — which costs more than it brings to a search of a few ten thousand states on a
 * two-core machine: the F=1 scope (levels of at most ≈ 9,000 states) ran in 1.4–1.6 s with a
 * second thread joining early against ≈ 1.0 s without (bench/README.md).
 */
export const WORKER_JOIN_FRONTIER = 20_000;

interface Report {
  readonly type: 'report';
  readonly outcome: 'done' | 'paused' | 'violation';
  readonly transitions: number;
  readonly depth: number;
  readonly remaining: number;
  readonly next: number;
  /** The worker's shard met a state at --max-depth that still had actions. */
  readonly cut: boolean;
  readonly found: FoundViolation | null;
}

/**
 * A worker running engine/worker: the compiled worker.js when this module is built, or — under
 * tsx or vitest, where this module is TypeScript — worker.ts behind tsx's loader (registered in
 * the thread first, since loader flags do not reach worker threads).
 */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker.js', here), { workerData: init });
  const tsx = createRequire(here).resolve('tsx/esm/api');
  const entry = new URL('./worker.ts', here).href;
  const boot = `require(${JSON.stringify(tsx)}).register(); import(${JSON.stringify(entry)});`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** A participant as the driver sees it: one command at a time, one answer each. */
interface Participant {
  ask<T>(cmd: WorkerCommand): Promise<T>;
}

class WorkerHandle implements Participant {
  private pending: ((msg: unknown) => void) | null = null;
  private failure: Error | null = null;
  /** Settles once the thread has loaded and said so, or failed (then `check` throws). */
  readonly ready: Promise<unknown>;

  constructor(readonly worker: Worker) {
    worker.on('message', (msg: unknown) => {
      const resolve = this.pending;
      this.pending = null;
      resolve?.(msg);
    });
    worker.on('error', (e) => {
      this.failure = e;
      this.pending?.({ type: 'error', error: e });
    });
    this.ready = this.next().catch(() => undefined);
  }

  /** Throws the thread's error, if it failed. */
  check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** The next message from the thread. */
  private next<T>(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure !== null) return reject(this.failure);
      this.pending = (msg) => {
        const m = msg as { type: string; error?: Error };
        if (m.type === 'error') reject(m.error);
        else resolve(msg as T);
      };
    });
  }

  ask<T>(cmd: WorkerCommand): Promise<T> {
    const answer = this.next<T>();
    this.worker.postMessage(cmd);
    return answer;
  }
}

/** The participant in this thread: it serves a command at once, when asked. */
class LocalParticipant implements Participant {
  constructor(private readonly host: ShardHost<unknown, unknown>) {}

  ask<T>(cmd: WorkerCommand): Promise<T> {
    return Promise.resolve(this.host.handle(cmd).message as T);
  }
}

export async function runParallelBfs(
  protocol: Protocol<unknown, unknown>,
  spec: ModelSpec,
  workers: number,
  config: BfsConfig,
  resume?: Checkpoint,
): Promise<SearchOutcome> {
  const started = performance.now();
  const prior = resume?.header.stats;
  let capacity = 1 << 16;
  const resumed = resume?.visited.reduce((n, w) => n + w.length / 2, 0) ?? 0;
  while (resumed > capacity * 0.25) capacity *= 2;
  let table = new SharedFingerprintSet(capacity);
  for (const words of resume?.visited ?? [])
    for (let i = 0; i < words.length; i += 2) table.add(words[i] as number, words[i + 1] as number);
  const control = new Int32Array(new SharedArrayBuffer(4 * 4));
  const stats = new Float64Array(new SharedArrayBuffer(8 * 3 * workers));
  const settings = (index: number) => ({
    index,
    determinism: config.determinism,
    ...(config.maxDepth !== undefined ? { maxDepth: config.maxDepth } : {}),
    table: table.buffer,
    control: control.buffer as SharedArrayBuffer,
    stats: stats.buffer as SharedArrayBuffer,
  });
  const threads: WorkerHandle[] = [];
  const joinAt = config.workerJoinFrontier ?? WORKER_JOIN_FRONTIER;
  /** Start the worker threads (they load while this thread searches). */
  const spawn = () => {
    for (let i = threads.length + 1; i < workers; i++)
      threads.push(new WorkerHandle(startWorker({ ...settings(i), spec })));
  };
  let stop: 'memory' | 'max-states' | null = null;
  const counts = (reports?: readonly Report[]): SearchCounts => {
    let transitions = prior?.transitions ?? 0;
    let depth = prior?.depth ?? 0;
    // Reports are exact (one per active participant); between them, the stats slots.
    if (reports !== undefined)
      for (const r of reports) {
        transitions += r.transitions;
        depth = Math.max(depth, r.depth);
      }
    else
      for (let i = 0; i < workers; i++) {
        transitions += stats[3 * i] as number;
        depth = Math.max(depth, stats[3 * i + 1] as number);
      }
    return {
      participants: active.length,
      distinct: table.size,
      transitions,
      depth,
      elapsedMs: (prior?.elapsedMs ?? 0) + performance.now() - started,
    };
  };
  const clock = new ProgressClock(started, config.onProgress);
  let lastCheck = started;
  /** The limits and the progress line: from a timer, and between states of this thread's share. */
  const poll = () => {
    const now = performance.now();
    if (now - lastCheck >= 100) {
      lastCheck = now;
      if (config.memoryLimitMb !== undefined && rssMb() > config.memoryLimitMb) stop = 'memory';
      if (config.checkpointAfterStates !== undefined && table.size >= config.checkpointAfterStates)
        stop = 'memory';
      if (config.maxStates !== undefined && table.size >= config.maxStates) stop = 'max-states';
      if (stop !== null) Atomics.store(control, 0, 1);
    }
    clock.tick(now, () => {
      let queue = 0;
      for (let i = 0; i < workers; i++) queue += stats[3 * i + 2] as number;
      return { ...counts(), queue };
    });
  };
  const local = new LocalParticipant(new ShardHost(protocol, { ...settings(0), poll }));
  /** The participants searching: this thread first, then workers in the order they loaded. */
  const active: Participant[] = [local];
  const timer = setInterval(poll, 100);
  const all = (cmd: WorkerCommand): Promise<Report[]> => {
    // Workers first, so they run while this thread serves its own share.
    const answers = active.map((p) => (p === local ? null : p.ask<Report>(cmd)));
    const mine = local.ask<Report>(cmd);
    return Promise.all(answers.map((a) => a ?? mine));
  };
  /**
   * Start the workers once levels grow, and let them join (on the current visited table) once
   * a level is large: they have usually loaded by then, else this thread waits for them.
   */
  const admit = async (frontier: number): Promise<void> => {
    if (active.length === workers) return;
    if (frontier >= joinAt / 2) spawn();
    if (frontier < joinAt) return;
    await Promise.all(threads.map((t) => t.ready));
    for (const t of threads) {
      t.check();
      if (active.includes(t)) continue;
      await t.ask({ type: 'table', table: table.buffer });
      active.push(t);
    }
  };

  try {
    let reports: Report[];
    let sharded = resume?.header.sharded ?? false;
    if (resume !== undefined) {
      await admit(Infinity);
      // The threads take states exported, a chunk at a time, and hold them as they do in a
      // search (packed, they are small); only the one-thread search spills levels to disk.
      const remap = remapFor(protocol, resume);
      const read = (line: string): FrontierItem<unknown> => {
        if (remap === null) return fromJson(line) as FrontierItem<unknown>;
        const item = JSON.parse(line) as FrontierItem<unknown>;
        const world = remap(item.world);
        return { ...item, world: protocol.exportState?.(world) ?? world };
      };
      await distribute(active, 'current', resume.current, read);
      await distribute(active, 'next', resume.next, read);
      reports = [];
      for (const p of active)
        reports.push(await p.ask<Report>({ type: 'take', into: 'next', items: [] }));
    } else {
      await admit(0);
      reports = [await local.ask<Report>({ type: 'seed' })];
      if (reports.some((r) => r.outcome === 'violation')) return await violation(reports);
      reports = await all({ type: 'advance' });
    }
    for (;;) {
      if (
        config.shard !== undefined &&
        !sharded &&
        total(reports, 'remaining') >= shardSplitSize(config.shard.count)
      ) {
        reports = await all({ type: 'shard', ...config.shard });
        sharded = true;
      }
      reports = await all({ type: 'run' });
      if (reports.some((r) => r.outcome === 'violation')) return await violation(reports);
      if (reports.some((r) => r.outcome === 'paused')) {
        if (stop === 'max-states') return { kind: 'max-states', ...counts(reports) };
        if (stop === 'memory')
          return {
            kind: 'checkpoint',
            ...counts(reports),
            checkpoint: await checkpoint(reports, sharded),
          };
        // The shared table filled up: grow it while every participant waits, then carry on.
        capacity *= 4;
        table = table.grownTo(capacity);
        await all({ type: 'table', table: table.buffer });
        Atomics.store(control, 0, 0);
        continue;
      }
      await admit(total(reports, 'next'));
      reports = await rebalance(active, reports);
      reports = await all({ type: 'advance' });
      if (total(reports, 'remaining') === 0) {
        // States at --max-depth sit in the last level; shards keep the flag once set.
        const cut = reports.some((r) => r.cut);
        return { kind: cut ? 'max-depth' : 'complete', ...counts(reports) };
      }
    }
  } finally {
    clearInterval(timer);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  async function violation(reports: readonly Report[]): Promise<SearchOutcome> {
    const found = reports.find((r) => r.found !== null)?.found as FoundViolation;
    const tables = [
      ...(resume?.parents ?? []).map((w) => new ParentTable(w)),
      ...(
        await Promise.all(active.map((p) => p.ask<{ words: Uint32Array }>({ type: 'parents' })))
      ).map((m) => new ParentTable(m.words)),
    ];
    return { kind: 'violation', ...counts(reports), found, tables };
  }

  async function checkpoint(reports: readonly Report[], sharded: boolean): Promise<string> {
    const partial = partialCheckpointPath(config.checkpointPath);
    const out = new CheckpointWriter(partial);
    // Each thread interns its own parts: the threads write their states exported, whole.
    out.header({
      ...config.identity,
      stats: counts(reports),
      sharded,
      compact: false,
    });
    out.fingerprints(table.entries());
    for (const words of resume?.parents ?? []) out.words('parents', words);
    out.close();
    for (const p of active) await p.ask({ type: 'dump', path: partial });
    commitCheckpoint(config.checkpointPath);
    return config.checkpointPath;
  }
}

function total(reports: readonly Report[], key: 'remaining' | 'next'): number {
  return reports.reduce((n, r) => n + r[key], 0);
}

/**
 * Move states from the fullest next-level frontiers to the emptiest; the reports again, with
 * the moved counts (a participant that just joined has none).
 */
async function rebalance(
  participants: readonly Participant[],
  reports: readonly Report[],
): Promise<Report[]> {
  const sizes = participants.map((_, i) => reports[i]?.next ?? 0);
  const target = Math.ceil(sizes.reduce((a, b) => a + b, 0) / participants.length);
  for (let to = 0; to < participants.length; to++) {
    for (let from = 0; from < participants.length && (sizes[to] as number) < target; from++) {
      const surplus = (sizes[from] as number) - target;
      const want = target - (sizes[to] as number);
      const count = Math.min(surplus, want);
      // Small imbalances are not worth a round trip.
      if (count < 64) continue;
      const { items } = await (participants[from] as Participant).ask<{
        items: FrontierItem<unknown>[];
      }>({ type: 'give', count });
      await (participants[to] as Participant).ask({ type: 'take', into: 'next', items });
      sizes[from] = (sizes[from] as number) - count;
      sizes[to] = (sizes[to] as number) + count;
    }
  }
  return participants.map((_, i) => reports[i] ?? IDLE);
}

const IDLE: Report = {
  type: 'report',
  outcome: 'done',
  transitions: 0,
  depth: 0,
  remaining: 0,
  next: 0,
  cut: false,
  found: null,
};

/** A checkpoint's level dealt out to the participants in turn, a chunk at a time. */
async function distribute(
  participants: readonly Participant[],
  into: 'current' | 'next',
  file: FrontierFile,
  read: (line: string) => FrontierItem<unknown>,
): Promise<void> {
  const reader = file.finish();
  let k = 0;
  for (
    let lines = reader.read(DISTRIBUTE_CHUNK);
    lines.length > 0;
    lines = reader.read(DISTRIBUTE_CHUNK)
  ) {
    const shares = participants.map((): FrontierItem<unknown>[] => []);
    for (const line of lines) shares[k++ % participants.length]?.push(read(line));
    for (let w = 0; w < participants.length; w++)
      await (participants[w] as Participant).ask({ type: 'take', into, items: shares[w] ?? [] });
  }
  reader.close();
}

const DISTRIBUTE_CHUNK = 4096;
