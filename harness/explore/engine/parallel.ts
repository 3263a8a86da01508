/**
 * Breadth-first search over W worker threads (`--workers W`). The workers share one lock-free
 * visited set (a SharedArrayBuffer) and keep their own frontiers; this thread drives them level
 * by level, so the search stays exactly breadth-first, and between levels it moves states from
 * the fullest frontiers to the emptiest (structured clone) so no worker idles for long. Only
 * rebalancing moves states between threads: a worker keeps every new state it finds.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { SharedFingerprintSet } from '../fingerprints.js';
import type { ModelSpec } from '../model-spec.js';
import {
  commitCheckpoint,
  CheckpointWriter,
  partialCheckpointPath,
  type Checkpoint,
} from './checkpoint.js';
import { ParentTable } from './parents.js';
import {
  rssMb,
  shardSplitSize,
  type BfsConfig,
  type SearchCounts,
  type SearchOutcome,
} from './search.js';
import type { FoundViolation, FrontierItem } from './shard.js';
import type { WorkerCommand, WorkerInit } from './worker-protocol.js';

interface Report {
  readonly type: 'report';
  readonly outcome: 'done' | 'paused' | 'violation';
  readonly transitions: number;
  readonly depth: number;
  readonly remaining: number;
  readonly next: number;
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

class WorkerHandle {
  private pending: ((msg: unknown) => void) | null = null;
  private failure: Error | null = null;

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
  }

  /** The next message from the worker (one request, one answer). */
  next<T>(): Promise<T> {
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

export async function runParallelBfs(
  spec: ModelSpec,
  initialCount: number,
  workers: number,
  config: BfsConfig,
  resume?: Checkpoint,
): Promise<SearchOutcome> {
  const started = performance.now();
  const prior = resume?.header.stats;
  let capacity = 1 << 22;
  const resumed = resume?.visited.reduce((n, w) => n + w.length / 2, 0) ?? 0;
  while (resumed > capacity * 0.25) capacity *= 2;
  let table = new SharedFingerprintSet(capacity);
  for (const words of resume?.visited ?? [])
    for (let i = 0; i < words.length; i += 2) table.add(words[i] as number, words[i + 1] as number);
  const control = new Int32Array(new SharedArrayBuffer(4 * 4));
  const stats = new Float64Array(new SharedArrayBuffer(8 * 3 * workers));
  const handles = Array.from({ length: workers }, (_, index) => {
    const init: WorkerInit = {
      index,
      spec,
      determinism: config.determinism,
      ...(config.maxDepth !== undefined ? { maxDepth: config.maxDepth } : {}),
      table: table.buffer,
      control: control.buffer as SharedArrayBuffer,
      stats: stats.buffer as SharedArrayBuffer,
    };
    return new WorkerHandle(startWorker(init));
  });
  let stop: 'memory' | 'max-states' | null = null;
  const counts = (reports?: readonly Report[]): SearchCounts => {
    let transitions = prior?.transitions ?? 0;
    let depth = prior?.depth ?? 0;
    for (let i = 0; i < workers; i++) {
      transitions += reports?.[i]?.transitions ?? (stats[3 * i] as number);
      depth = Math.max(depth, reports?.[i]?.depth ?? (stats[3 * i + 1] as number));
    }
    return {
      distinct: table.size,
      transitions,
      depth,
      elapsedMs: (prior?.elapsedMs ?? 0) + performance.now() - started,
    };
  };
  const timer = setInterval(() => {
    if (config.memoryLimitMb !== undefined && rssMb() > config.memoryLimitMb) stop = 'memory';
    if (config.checkpointAfterStates !== undefined && table.size >= config.checkpointAfterStates)
      stop = 'memory';
    if (config.maxStates !== undefined && table.size >= config.maxStates) stop = 'max-states';
    if (stop !== null) Atomics.store(control, 0, 1);
  }, 100);
  const progress = setInterval(() => {
    let queue = 0;
    for (let i = 0; i < workers; i++) queue += stats[3 * i + 2] as number;
    config.onProgress?.({ ...counts(), queue });
  }, 1000);
  const all = (cmd: WorkerCommand) => Promise.all(handles.map((h) => h.ask<Report>(cmd)));

  try {
    await Promise.all(handles.map((h) => h.next()));
    let reports: Report[];
    let sharded = resume?.header.sharded ?? false;
    if (resume !== undefined) {
      await distribute(handles, 'current', resume.current);
      reports = await distribute(handles, 'next', resume.next);
    } else {
      const indices = Array.from({ length: initialCount }, (_, i) => i);
      reports = await Promise.all(
        handles.map((h, w) =>
          h.ask<Report>({ type: 'seed', indices: indices.filter((i) => i % workers === w) }),
        ),
      );
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
        // The shared table filled up: grow it while every worker waits, then carry on.
        capacity *= 4;
        table = table.grownTo(capacity);
        await all({ type: 'table', table: table.buffer });
        Atomics.store(control, 0, 0);
        continue;
      }
      await rebalance(handles, reports);
      reports = await all({ type: 'advance' });
      if (total(reports, 'remaining') === 0) return { kind: 'complete', ...counts(reports) };
    }
  } finally {
    clearInterval(timer);
    clearInterval(progress);
    await Promise.all(handles.map((h) => h.worker.terminate()));
  }

  async function violation(reports: readonly Report[]): Promise<SearchOutcome> {
    const found = reports.find((r) => r.found !== null)?.found as FoundViolation;
    const tables = [
      ...(resume?.parents ?? []).map((w) => new ParentTable(w)),
      ...(
        await Promise.all(handles.map((h) => h.ask<{ words: Uint32Array }>({ type: 'parents' })))
      ).map((m) => new ParentTable(m.words)),
    ];
    return { kind: 'violation', ...counts(reports), found, tables };
  }

  async function checkpoint(reports: readonly Report[], sharded: boolean): Promise<string> {
    const partial = partialCheckpointPath(config.checkpointPath);
    const out = new CheckpointWriter(partial);
    out.header({
      ...config.identity,
      stats: counts(reports),
      sharded,
    });
    out.fingerprints(table.entries());
    for (const words of resume?.parents ?? []) out.words('parents', words);
    out.close();
    for (const h of handles) await h.ask({ type: 'dump', path: partial });
    commitCheckpoint(config.checkpointPath);
    return config.checkpointPath;
  }
}

function total(reports: readonly Report[], key: 'remaining' | 'next'): number {
  return reports.reduce((n, r) => n + r[key], 0);
}

/** Move states from the fullest next-level frontiers to the emptiest. */
async function rebalance(
  handles: readonly WorkerHandle[],
  reports: readonly Report[],
): Promise<void> {
  const sizes = reports.map((r) => r.next);
  const target = Math.ceil(sizes.reduce((a, b) => a + b, 0) / handles.length);
  for (let to = 0; to < handles.length; to++) {
    for (let from = 0; from < handles.length && (sizes[to] as number) < target; from++) {
      const surplus = (sizes[from] as number) - target;
      const want = target - (sizes[to] as number);
      const count = Math.min(surplus, want);
      // Small imbalances are not worth a round trip.
      if (count < 64) continue;
      const { items } = await (handles[from] as WorkerHandle).ask<{
        items: FrontierItem<unknown>[];
      }>({ type: 'give', count });
      await (handles[to] as WorkerHandle).ask({ type: 'take', into: 'next', items });
      sizes[from] = (sizes[from] as number) - count;
      sizes[to] = (sizes[to] as number) + count;
    }
  }
}

async function distribute(
  handles: readonly WorkerHandle[],
  into: 'current' | 'next',
  items: readonly FrontierItem<unknown>[],
): Promise<Report[]> {
  const shares = handles.map((_, w) => items.filter((_, i) => i % handles.length === w));
  return Promise.all(
    handles.map((h, w) =>
      h.ask<Report>({ type: 'take', into, items: shares[w] as FrontierItem<unknown>[] }),
    ),
  );
}
