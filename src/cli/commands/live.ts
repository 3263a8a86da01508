/**
 * `smr live --config FILE`: real servers on loopback under process faults and proxy
 * partitions, their clients' history checked by lincheck (harness/live/run.ts; issue 18 part 4).
 * Exit 0 linearizable, 1 not linearizable, 2 bad config or a broken adapter or node (the
 * history so far is kept), 3 lincheck's verdict is unknown within its budget, 130 Ctrl-C.
 */
import { resolve } from 'node:path';
import type { Failure } from '../../oracle/lincheck.js';
import { modelByName } from '../../oracle/models.js';
import type { Model } from '../../oracle/types.js';
import { loadLiveConfig, type LiveConfig } from '../../../harness/live/config.js';
import { describeOp, runLive, type LiveResult } from '../../../harness/live/run.js';
import { EXIT } from '../../errors.js';
import { assertWritableDir } from '../../files.js';
import { intOption, numberOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface LiveFlags {
  readonly config: string;
  readonly seed?: number;
  readonly duration?: number;
  readonly out?: string;
  readonly json?: boolean;
  readonly progress: boolean;
}

/** Exit code of an interrupted run (128 + SIGINT, what a shell reports for Ctrl-C). */
const INTERRUPTED = 130;

export const registerLive: RegisterCommand = (program, setExit) => {
  program
    .command('live')
    .description(
      'run real servers on loopback under kill/pause/restart faults and proxy partitions, ' +
        'and check the clients’ history for linearizability (exit 0 yes, 1 no, 2 bad config or a broken adapter/node, 3 unknown)',
    )
    .requiredOption('--config <FILE>', 'the run: nodes, adapter, workload, faults (JSON)')
    .option(
      '--seed <S>',
      'override the config’s seed',
      intOption('--seed', { min: 0, max: 2 ** 32 - 1 }),
    )
    .option(
      '--duration <SECONDS>',
      'override the config’s duration',
      numberOption('--duration', { min: 0.1, max: 86_400 }),
    )
    .option('--out <DIR>', 'override the config’s output directory')
    .option('--json', 'print one JSON result object on stdout')
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (flags: LiveFlags) => {
      setExit(await runLiveCommand(flags));
    });
};

async function runLiveCommand(flags: LiveFlags): Promise<number> {
  const loaded = loadLiveConfig(flags.config);
  const config: LiveConfig = {
    ...loaded,
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.duration === undefined ? {} : { duration: flags.duration }),
    ...(flags.out === undefined ? {} : { out: resolve(flags.out) }),
  };
  assertWritableDir(flags.out === undefined ? 'out' : '--out', config.out);
  const result = await runLive(config, {
    handleSignals: true,
    ...(flags.progress ? { progress: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  const model = modelByName(config.model) as Model;
  if (flags.json === true) process.stdout.write(`${JSON.stringify(toJson(result))}\n`);
  else process.stdout.write(human(result, config, model));
  if (result.status === 'broken') {
    process.stderr.write(`smr: ${result.broken}\n`);
    process.stderr.write(`smr: the history so far is in ${result.history.file}\n`);
    return EXIT.badInput;
  }
  if (result.status === 'interrupted') {
    process.stderr.write(`smr: interrupted; the history so far is in ${result.history.file}\n`);
    return INTERRUPTED;
  }
  const verdict = result.lincheck?.result.verdict;
  return verdict === 'linearizable'
    ? EXIT.ok
    : verdict === 'not-linearizable'
      ? EXIT.violation
      : EXIT.unknown;
}

function human(r: LiveResult, config: LiveConfig, model: Model): string {
  const n = (x: number) => x.toLocaleString('en');
  const h = r.history;
  const kinds = Object.entries(r.faults.byKind)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const out = [
    `smr live ${r.config}: ${r.nodes} nodes, ${r.clients} clients, ${r.ranSeconds.toFixed(1)} s, seed ${r.seed}`,
    `history: ${n(h.operations)} operations (ok ${n(h.ok)}, fail ${n(h.fail)}, info ${n(h.info)}${h.open > 0 ? `, open ${h.open}` : ''}) in ${h.file}`,
    `faults: ${r.faults.total}${kinds ? ` (${kinds})` : ''}${r.faults.total > 0 ? ` in ${r.faults.file}` : ''}`,
  ];
  if (r.nodes > 1)
    out.push(
      `peer connections through the proxies: ${n(r.proxies.accepted)}${r.proxies.unidentified > 0 ? ` (${n(r.proxies.unidentified)} from an unidentified sender)` : ''}, ${n(r.proxies.refused)} reset or refused by cuts`,
    );
  const check = r.lincheck;
  if (check !== undefined) {
    const res = check.result;
    const what = `${res.partitions.length} partition${res.partitions.length === 1 ? '' : 's'}, model ${res.model}, ${n(res.steps)} steps, ${(check.elapsedMs / 1000).toFixed(1)} s`;
    if (res.verdict === 'linearizable') out.push(`lincheck: linearizable (${what})`);
    else if (res.verdict === 'unknown')
      out.push(
        `lincheck: unknown: the search ran out of ${res.exhausted === 'memory' ? 'memory' : `its ${config.lincheckTimeout} s budget (lincheckTimeout)`} (${what})`,
      );
    else {
      out.push(`lincheck: NOT linearizable (${what})`);
      for (const failure of res.failures) out.push(...explain(failure, r, model));
      out.push(
        `  all of it: npx smr lincheck --model ${res.model} ${h.file}${res.partitions.length > 1 ? ' (--all for every key)' : ''}`,
      );
    }
  }
  if (r.timeline !== undefined) out.push(`timeline: ${r.timeline}`);
  return `${out.join('\n')}\n`;
}

function explain(failure: Failure, r: LiveResult, model: Model): string[] {
  const ms = (ns: number | null) => (ns === null ? '…' : `${(ns / 1e6).toFixed(1)} ms`);
  const row = (i: number) => {
    const op = r.checked[i];
    return `${op?.process ?? '?'}  ${describeOp(model, r.checked, i)}  [${ms(op?.call ?? null)} – ${ms(op?.ret ?? null)}]`;
  };
  const where = failure.partition === undefined ? '' : `key ${failure.partition}: `;
  const why =
    failure.window.reason === 'real-time'
      ? 'its output fits some order of these, but none that respects real time (a stale read?)'
      : 'no order of these gives its output';
  const lines = [
    `  ${where}breaks when ${row(failure.breakingOp)} returns`,
    `  window that cannot be ordered (${failure.window.ops.length} operations; ${why}):`,
  ];
  for (const op of failure.window.ops)
    lines.push(
      `    ${row(op)}${op === failure.breakingOp ? '  <- breaks' : ''}${failure.window.pending.includes(op) ? '  [outcome unknown]' : ''}`,
    );
  return lines;
}

function toJson(r: LiveResult) {
  const res = r.lincheck?.result;
  return {
    status: r.status,
    ...(r.broken === undefined ? {} : { broken: r.broken }),
    config: r.config,
    seed: r.seed,
    nodes: r.nodes,
    clients: r.clients,
    seconds: Number(r.ranSeconds.toFixed(3)),
    history: r.history,
    faults: { total: r.faults.total, byKind: r.faults.byKind, file: r.faults.file },
    proxies: r.proxies,
    ...(res === undefined
      ? {}
      : {
          lincheck: {
            verdict: res.verdict,
            model: res.model,
            steps: res.steps,
            elapsedMs: r.lincheck?.elapsedMs,
            ...(res.exhausted === undefined ? {} : { exhausted: res.exhausted }),
            partitions: res.partitions.length,
            failures: res.failures.map((f) => ({
              partition: f.partition ?? null,
              breaking: r.checked[f.breakingOp],
              window: f.window.ops.map((i) => r.checked[i]),
              reason: f.window.reason,
            })),
          },
        }),
    ...(r.timeline === undefined ? {} : { timeline: r.timeline }),
    out: r.out,
  };
}
