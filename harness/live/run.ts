/**
 * `smr live`: check real servers under process faults (issue 18 part 4). Start N nodes on
 * loopback with their peer traffic through the kit's proxies, run C clients through the user's
 * adapter, inject faults on a schedule from the seed, record the history with real-time
 * intervals, and check it with lincheck.
 *
 * Files in the output directory: history.ndjson (written as operations complete; what
 * `smr lincheck --model etcd` reads), faults.ndjson (each fault, same clock), timeline.html,
 * result.json, logs/ (each node's and adapter's output), data/ (the nodes' data directories,
 * removed at the end unless keepData).
 */
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../../src/core/types.js';
import { writeAtomically } from '../../src/files.js';
import { renderTimeline } from '../../src/oracle/html.js';
import { checkLinearizability, type LincheckResult } from '../../src/oracle/lincheck.js';
import { modelByName } from '../../src/oracle/models.js';
import type { HistoryOp, Model } from '../../src/oracle/types.js';
import { Random } from '../random.js';
import { runClient, type AdapterSpec } from './clients.js';
import { LiveCluster } from './cluster.js';
import { commandLine, type LiveConfig, type FaultKind } from './config.js';
import { hasFaults, runFaults, type FaultEvent } from './faults.js';
import { HistoryRecorder } from './history.js';
import { freePorts } from './ports.js';
import { Progress } from './progress.js';
import { RunStop } from './stop.js';
import { ProcessGroups } from './supervisor.js';
import { Workload } from './workload.js';

export interface LiveOptions {
  /** A progress line (for stderr), at most once a second. */
  readonly progress?: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers: stop, clean up, keep the history (the CLI). */
  readonly handleSignals?: boolean;
  /** Stops the run as Ctrl-C would (tests). */
  readonly signal?: AbortSignal;
}

export interface LiveResult {
  /** `checked`: lincheck ran (see lincheck.verdict); `broken`: an adapter or node broke. */
  readonly status: 'checked' | 'broken' | 'interrupted';
  /** The one line naming what broke. */
  readonly broken?: string;
  readonly config: string;
  readonly seed: number;
  readonly nodes: number;
  readonly clients: number;
  readonly model: string;
  /** Seconds of workload (from the first operation to the end of the last). */
  readonly ranSeconds: number;
  readonly history: {
    readonly file: string;
    readonly operations: number;
    readonly ok: number;
    readonly fail: number;
    readonly info: number;
    readonly open: number;
  };
  readonly faults: {
    readonly total: number;
    readonly byKind: Readonly<Partial<Record<FaultKind, number>>>;
    readonly file: string;
    readonly events: readonly FaultEvent[];
  };
  /**
   * Peer connections through the proxies: accepted, of which the sender could not be told
   * (it then gets the union of the links into the destination), and reset or refused by a cut.
   */
  readonly proxies: {
    readonly accepted: number;
    readonly unidentified: number;
    readonly refused: number;
  };
  readonly lincheck?: { readonly result: LincheckResult; readonly elapsedMs: number };
  readonly timeline?: string;
  readonly out: string;
  /** Every process started (nodes, adapters, stop commands); all gone when runLive returns. */
  readonly pids: readonly number[];
  /** The history as checked (failed operations left out), for explanations. */
  readonly checked: readonly HistoryOp[];
}

export async function runLive(config: LiveConfig, options: LiveOptions = {}): Promise<LiveResult> {
  const n = config.nodes;
  const out = config.out;
  const logs = join(out, 'logs');
  const dataRoot = join(out, 'data');
  mkdirSync(out, { recursive: true });
  rmSync(logs, { recursive: true, force: true });
  rmSync(dataRoot, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  const historyFile = join(out, 'history.ndjson');
  const faultsFile = join(out, 'faults.ndjson');
  const timeline = join(out, 'timeline.html');
  writeFileSync(faultsFile, '');
  rmSync(timeline, { force: true });

  const ports = await freePorts(3 * n);
  const groups = new ProcessGroups();
  const stop = new RunStop();
  const progress = new Progress(options.progress);
  const cluster = new LiveCluster(config, groups, stop, { logs, data: dataRoot }, ports);

  const onSignal = () => {
    if (stop.hard) {
      groups.killAllSync();
      process.exit(130);
    }
    stop.interrupt();
  };
  if (options.handleSignals === true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const onAbort = () => stop.interrupt();
  options.signal?.addEventListener('abort', onAbort);

  const faultEvents: FaultEvent[] = [];
  const byKind: Partial<Record<FaultKind, number>> = {};
  let recorder: HistoryRecorder | null = null;
  let ranSeconds = 0;
  let durationTimer: NodeJS.Timeout | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    progress.event(
      `live: starting ${n} node${n === 1 ? '' : 's'} (client ports ${cluster.clientPort.join(', ')}; peers through proxies ${cluster.proxyPort.join(', ')})`,
    );
    await cluster.start();

    const t0 = process.hrtime.bigint();
    const rec = new HistoryRecorder(historyFile, t0);
    recorder = rec;
    const clock = () => rec.now();
    if (!stop.stopped) {
      progress.event(
        `live: ${n} node${n === 1 ? '' : 's'} up; ${config.clients} clients for ${config.duration} s, seed ${config.seed}${hasFaults(config.faults) ? '' : ', no faults'}`,
      );
      durationTimer = setTimeout(() => stop.finish(), config.duration * 1000);
      let current = '';
      progressTimer = setInterval(() => {
        const c = rec.counts;
        const faults = Object.entries(byKind)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ');
        progress.status(
          `live ${(clock() / 1e9).toFixed(0)}/${config.duration} s: ${rec.size.toLocaleString('en')} ops (ok ${c.ok.toLocaleString('en')}, fail ${c.fail}, info ${c.info})${faults ? `; faults: ${faults}` : ''}${current ? `; now: ${current}` : ''}`,
        );
      }, 1000);
      const nemesis = cluster.nemesis();
      const onFault = (event: FaultEvent, phase: 'start' | 'end') => {
        if (phase === 'start') {
          faultEvents.push(event);
          byKind[event.kind] = (byKind[event.kind] ?? 0) + 1;
          current = describeFault(event);
          progress.event(`live ${(event.start / 1e9).toFixed(1)} s: ${current}`);
        } else {
          current = '';
          appendFileSync(faultsFile, JSON.stringify(event) + '\n');
        }
      };
      const ctx = {
        recorder: rec,
        stop,
        groups,
        adapter: (index: number): AdapterSpec => {
          const values = {
            endpoints: cluster.endpoints,
            client: `c${index + 1}`,
            client_index: String(index),
            node: String(index % n),
            timeout_ms: String(Math.round(config.opTimeout * 1000)),
            config_dir: config.dir,
          };
          return {
            ...commandLine(config.adapter, values),
            cwd: config.dir,
            env: {
              ...process.env,
              PYTHONUNBUFFERED: '1',
              SMR_ENDPOINTS: values.endpoints,
              SMR_CLIENT: values.client,
              SMR_NODE: values.node,
              SMR_TIMEOUT_MS: values.timeout_ms,
            },
            log: join(logs, `c${index + 1}.log`),
          };
        },
        hangMs: config.opTimeout * 1000 + Math.max(2000, config.opTimeout * 1000),
        thinkMs: config.rate > 0 ? (1000 * config.clients) / config.rate : 0,
      };
      const clients = Array.from({ length: config.clients }, (_, i) => {
        const seed = (config.seed + Math.imul(0x9e3779b9, i + 1)) >>> 0;
        const workload = new Workload(new Random(seed), config.keys, config.mix, i, config.clients);
        return runClient(ctx, i, workload, new Random(seed ^ 0x5bd1e995));
      });
      const faults = runFaults(
        config.faults,
        new Random(config.seed),
        nemesis,
        stop,
        clock,
        onFault,
      );
      await Promise.all([...clients, faults]);
      ranSeconds = clock() / 1e9;
    }
  } finally {
    clearTimeout(durationTimer);
    clearInterval(progressTimer);
    progress.close();
    if (!stop.stopped) stop.finish();
    await cluster.close();
    await groups.dispose();
    recorder?.close();
    if (options.handleSignals === true) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    options.signal?.removeEventListener('abort', onAbort);
    if (!config.keepData) rmSync(dataRoot, { recursive: true, force: true });
  }

  const reason = stop.reason ?? { kind: 'done' };
  const rec = recorder as HistoryRecorder | null;
  const model = modelByName(config.model) as Model;
  const checked = rec?.history() ?? [];
  const base = {
    config: config.file,
    seed: config.seed,
    nodes: n,
    clients: config.clients,
    model: config.model,
    ranSeconds,
    history: {
      file: historyFile,
      operations: rec?.size ?? 0,
      ok: rec?.counts.ok ?? 0,
      fail: rec?.counts.fail ?? 0,
      info: rec?.counts.info ?? 0,
      open: rec?.open ?? 0,
    },
    faults: { total: faultEvents.length, byKind, file: faultsFile, events: faultEvents },
    proxies: cluster.proxyCounts(),
    out,
    pids: groups.started,
    checked,
  };
  if (rec === null) writeFileSync(historyFile, '');
  progress.close();
  if (reason.kind !== 'done') {
    const result: LiveResult =
      reason.kind === 'broken'
        ? { status: 'broken', broken: reason.message, ...base }
        : { status: 'interrupted', ...base };
    writeResult(out, result);
    return result;
  }

  progress.event(
    `live: ${(rec?.size ?? 0).toLocaleString('en')} operations recorded; lincheck (model ${model.name})`,
  );
  progress.close();
  const started = performance.now();
  let reported = started;
  const result = checkLinearizability(checked, model, {
    witness: true,
    timeoutMs: config.lincheckTimeout > 0 ? config.lincheckTimeout * 1000 : undefined,
    onProgress: (steps) => {
      const now = performance.now();
      if (now - reported < 1000) return;
      reported = now;
      options.progress?.(
        `lincheck: ${steps.toLocaleString('en')} steps, ${((now - started) / 1000).toFixed(1)} s`,
      );
    },
  });
  const elapsedMs = Math.round(performance.now() - started);
  writeAtomically(
    timeline,
    renderTimeline({
      title: `smr live ${config.file} (seed ${config.seed})`,
      history: checked,
      result,
      describe: (i) => describeOp(model, checked, i),
    }),
  );
  const live: LiveResult = {
    status: 'checked',
    ...base,
    lincheck: { result, elapsedMs },
    timeline,
  };
  writeResult(out, live);
  return live;
}

export function describeFault(event: FaultEvent): string {
  const nodes = event.nodes.join(' ');
  switch (event.kind) {
    case 'kill':
      return `kill -9 ${nodes}`;
    case 'pause':
      return `pause (SIGSTOP) ${nodes}`;
    case 'restart-all':
      return 'restart all nodes';
    case 'partition':
      return `partition (${event.mode}) ${nodes} | the rest`;
    case 'delay':
      return `delay ${event.delayMs} ms on the links of ${nodes}`;
  }
}

export function describeOp(model: Model, history: readonly HistoryOp[], i: number): string {
  const op = history[i];
  if (op === undefined) return '?';
  const output = op.ret === null ? undefined : op.output;
  return model.describe?.(op.input, output) ?? JSON.stringify(op.input);
}

function writeResult(out: string, result: LiveResult): void {
  const { checked: _checked, ...rest } = result;
  const json: Record<string, Json | undefined> = {
    ...(rest as unknown as Record<string, Json>),
    lincheck:
      result.lincheck === undefined
        ? undefined
        : {
            verdict: result.lincheck.result.verdict,
            steps: result.lincheck.result.steps,
            elapsedMs: result.lincheck.elapsedMs,
          },
  };
  writeFileSync(join(out, 'result.json'), JSON.stringify(json, null, 2) + '\n');
}
