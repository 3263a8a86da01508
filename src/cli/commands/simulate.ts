import { APPS } from '../../core/apps/index.js';
import { FAULTS, simulate, type FaultName, type SimResult } from '../../../harness/sim/simulate.js';
import { OBSERVE_LEVELS, type ObserveLevel } from '../../trace/format.js';
import { EXIT, UsageError } from '../../errors.js';
import { assertWritableFile, writeAtomically } from '../../files.js';
import { choiceOption, intOption, listOption } from '../options.js';
import type { RegisterCommand } from './register.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import type { HistoryOp } from '../../oracle/types.js';

interface SimulateFlags {
  replicas: number;
  clients: number;
  seed: number;
  steps: number;
  faults: FaultName[];
  app: string;
  policy: 'majority' | 'first-reply';
  checkpointEvery: number;
  auditEvery?: number;
  trace?: string;
  history?: string;
  mutant?: string;
  observe: ObserveLevel;
  progress: boolean;
  json?: boolean;
}

export const registerSimulate: RegisterCommand = (program, setExit) => {
  program
    .command('simulate')
    .description(
      'run a seeded, fault-injected simulation of the reference cluster, checking every invariant after every step',
    )
    .option('--replicas <N>', 'number of replicas (odd, 1..9)', replicasOption, 3)
    .option('--clients <C>', 'number of clients', intOption('--clients', { min: 1, max: 32 }), 2)
    .option('--seed <S>', 'random seed', intOption('--seed', { min: 0, max: 2 ** 32 - 1 }), 1)
    .option(
      '--steps <K>',
      'scheduler steps',
      intOption('--steps', { min: 1, max: 100_000_000 }),
      10_000,
    )
    .option(
      '--faults <LIST>',
      `comma-separated faults: ${FAULTS.join(',')} (default: none)`,
      listOption('--faults', FAULTS),
      [],
    )
    .option(
      '--app <NAME>',
      `replicated app: ${[...APPS.keys()].join(', ')}`,
      choiceOption('--app', [...APPS.keys()]),
      'kv',
    )
    .option(
      '--policy <P>',
      'client reply policy: majority | first-reply',
      choiceOption('--policy', ['majority', 'first-reply'] as const),
      'majority',
    )
    .option(
      '--checkpoint-every <K>',
      'a leader proposes CHECKPOINT every K executed slots (0: never)',
      intOption('--checkpoint-every', { min: 0, max: 1_000_000 }),
      64,
    )
    .option(
      '--audit-every <K>',
      'replicas audit their state digests every K executed slots (default 4 with the corrupt fault, else 0: never)',
      intOption('--audit-every', { min: 0, max: 1_000_000 }),
    )
    .option('--trace <FILE>', 'write the run as an NDJSON trace')
    .option(
      '--observe <LEVEL>',
      `what the trace logs: ${OBSERVE_LEVELS.join(' | ')} (state and messages / messages / action names)`,
      choiceOption('--observe', OBSERVE_LEVELS),
      'full',
    )
    .option(
      '--history <FILE>',
      'write the client-visible history as JSON (what `smr lincheck` reads)',
    )
    .option('--mutant <NAME>', 'run a seeded bug of harness/mutants instead of the reference rules')
    .option('--no-progress', 'no progress line on stderr')
    .option('--json', 'print one JSON result object on stdout')
    .action((flags: SimulateFlags) => {
      setExit(runSimulate(flags));
    });
};

export function replicasOption(raw: string): number {
  const n = intOption('--replicas', { min: 1, max: 9 })(raw);
  if (n % 2 === 0) throw new UsageError(`--replicas must be odd (N = 2F+1), got ${n}`);
  return n;
}

function runSimulate(flags: SimulateFlags): number {
  const app = APPS.get(flags.app);
  if (app === undefined) throw new UsageError(`unknown app ${flags.app}`);
  const mutant = flags.mutant === undefined ? undefined : MUTANTS.get(flags.mutant);
  if (flags.mutant !== undefined && mutant === undefined)
    throw new UsageError(
      `--mutant: unknown mutant ${JSON.stringify(flags.mutant)} (smr mutants lists them)`,
    );
  // Refuse an unwritable destination before the run, not after it.
  if (flags.trace !== undefined) assertWritableFile('--trace', flags.trace);
  if (flags.history !== undefined) assertWritableFile('--history', flags.history);
  const lines: string[] = [];
  let history: readonly HistoryOp[] = [];
  const started = Date.now();
  const result = simulate({
    replicas: flags.replicas,
    clients: flags.clients,
    seed: flags.seed,
    steps: flags.steps,
    faults: flags.faults,
    app,
    policy: flags.policy,
    checkpointEvery: flags.checkpointEvery,
    ...(flags.auditEvery !== undefined ? { auditEvery: flags.auditEvery } : {}),
    ...(mutant !== undefined ? { rules: mutant.rules } : {}),
    ...(mutant?.clientRules !== undefined ? { clientRules: mutant.clientRules } : {}),
    ...(flags.trace !== undefined ? { onTraceLine: (line: string) => void lines.push(line) } : {}),
    onHistory: (ops) => (history = ops),
    ...(flags.progress ? { onProgress: progressLine(started) } : {}),
    observe: flags.observe,
  });
  if (flags.trace !== undefined) writeAtomically(flags.trace, lines.join('\n') + '\n');
  if (flags.trace !== undefined && (result.audit.every > 0 || flags.faults.includes('reconfig')))
    process.stderr.write(
      `simulate: note: ${flags.trace} may hold audit or JOIN/QUIT events, which smr check-trace refuses until spec/Smr.tla models them (issue 15)\n`,
    );
  if (flags.history !== undefined) writeAtomically(flags.history, historyJson(history));
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(summarize(result, Date.now() - started));
  return result.violation === null ? EXIT.ok : EXIT.violation;
}

/** A progress line on stderr at most once a second, once the run has taken a second. */
function progressLine(started: number) {
  let last = started;
  return (p: { step: number; steps: number; completed: number }): void => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    process.stderr.write(
      `simulate: step ${p.step.toLocaleString('en-US')} of ${p.steps.toLocaleString('en-US')}, ${p.completed} requests completed, ${((now - started) / 1000).toFixed(1)} s\n`,
    );
  };
}

/**
 * One operation record per line (schema/history.schema.json). An operation the client gave up
 * on (FAIL) completed with an unknown outcome: `"status": "info"`; a pending one has no `ret`.
 */
function historyJson(history: readonly HistoryOp[]): string {
  const records = history.map((op) =>
    JSON.stringify(op.ret !== null && op.output === undefined ? { ...op, status: 'info' } : op),
  );
  return `[\n${records.join(',\n')}\n]\n`;
}

function summarize(r: SimResult, ms: number): string {
  const lines = [
    `simulated ${r.steps} steps: ${r.replicas} replicas, ${r.clients} clients, seed ${r.seed}, faults ${r.faults.join(',') || 'none (the default; --faults adds them)'} (${ms} ms)`,
    `requests: ${r.requests.submitted} submitted, ${r.requests.completed} completed, ${r.requests.failed} FAIL, ${r.requests.pending} pending; ${r.slotsChosen} slots chosen`,
    `messages: ${r.messages.sent} sent, ${r.messages.delivered} delivered, ${r.messages.dropped} dropped, ${r.messages.duplicated} duplicated; ${r.crashes} crashes, ${r.restarts} restarts, ${r.partitions} partitions`,
    `checkpoints: ${r.checkpoints.taken} taken, ${r.checkpoints.truncations} truncations, ${r.checkpoints.transfers} state transfers; at most ${r.maxRetainedLog} log entries held by one replica`,
    r.audit.every === 0
      ? 'audit: off'
      : `audit every ${r.audit.every} slots: ${r.audit.rounds} digests sent, ${r.audit.detections} replicas declared themselves faulty; ${r.audit.quits} QUIT and ${r.audit.joins} JOIN executed, ${r.audit.refused} refused`,
    `invariants checked after every step: ${r.invariantsChecked.join(', ')}`,
    `refinement of the spec twin, every step: ${r.refinement}`,
  ];
  if (r.violation === null) lines.push('no violation');
  else
    lines.push(
      `VIOLATION ${r.violation.invariant} at step ${r.violation.step} (${r.violation.action}): ${r.violation.message}`,
    );
  return lines.join('\n') + '\n';
}
