/**
 * `smr diff-test [options] -- CMD ARGS…`: differential testing of an external replica against
 * the reference reducer on a simulator-recorded schedule, or on the inputs of an explorer
 * counterexample (`--schedule FILE`); protocol: harness/difftest/protocol.ts.
 * Exit 0 same behaviour, 1 a difference, 2 bad usage or a broken external process.
 */
import type { AnyApp } from '../../core/app.js';
import { kvApp } from '../../core/apps/kv.js';
import { canonicalEncode } from '../../core/canonical.js';
import { diffTest, type DiffTestResult } from '../../../harness/difftest/run.js';
import {
  scheduleFromReplayFile,
  scheduleFromSimulation,
  ScheduleFileError,
  type Schedule,
} from '../../../harness/difftest/schedule.js';
import { INPUT_FAULTS, type FaultName } from '../../../harness/sim/simulate.js';
import { EXIT, UsageError } from '../../errors.js';
import { intOption, listOption } from '../options.js';
import type { RegisterCommand } from './register.js';
import { replicasOption } from './simulate.js';

interface DiffFlags {
  replicas: number;
  clients: number;
  seed: number;
  steps: number;
  faults: FaultName[];
  replica?: string;
  schedule?: string;
  stepTimeout: number;
  json?: boolean;
}

export const registerDiffTest: RegisterCommand = (program, setExit) => {
  program
    .command('diff-test')
    .description(
      'feed a simulator schedule to the reference replica and to an external one (-- CMD ARGS…), report the first difference',
    )
    .argument('<command...>', 'the external replica command, after --')
    .option('--replicas <N>', 'cluster size of the recorded schedule', replicasOption, 3)
    .option(
      '--clients <C>',
      'clients in the recorded schedule',
      intOption('--clients', { min: 1, max: 32 }),
      2,
    )
    .option('--seed <S>', 'simulator seed', intOption('--seed', { min: 0, max: 2 ** 32 - 1 }), 1)
    .option(
      '--steps <K>',
      'simulator steps',
      intOption('--steps', { min: 1, max: 10_000_000 }),
      2000,
    )
    .option(
      '--faults <LIST>',
      `faults while recording: ${INPUT_FAULTS.join(',')}`,
      listOption('--faults', INPUT_FAULTS),
      [...INPUT_FAULTS],
    )
    .option(
      '--schedule <FILE>',
      'drive the inputs of an explorer counterexample (counterexample.replay.json) instead of a simulation',
    )
    .option('--replica <IDS>', 'replicas to test, comma-separated (default: all)')
    .option(
      '--step-timeout <MS>',
      'per-step timeout for the external process',
      intOption('--step-timeout', { min: 1, max: 600_000 }),
      5000,
    )
    .option('--json', 'print one JSON result object on stdout')
    .action(async (command: string[], flags: DiffFlags) => {
      setExit(await runDiffTest(command, flags));
    });
};

async function runDiffTest(command: string[], flags: DiffFlags): Promise<number> {
  const [cmd, ...args] = command;
  if (cmd === undefined)
    throw new UsageError('diff-test needs the external replica command after --');
  let schedule: Schedule;
  let app: AnyApp = kvApp;
  if (flags.schedule === undefined) {
    schedule = scheduleFromSimulation({
      replicas: flags.replicas,
      clients: flags.clients,
      seed: flags.seed,
      steps: flags.steps,
      faults: flags.faults,
      app,
    });
  } else {
    try {
      ({ schedule, app } = await scheduleFromReplayFile(flags.schedule));
    } catch (error) {
      if (error instanceof ScheduleFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  const ids = flags.replica
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const id of ids ?? []) {
    if (!schedule.params.replicas.includes(id))
      throw new UsageError(
        `--replica: ${JSON.stringify(id)} is not one of ${schedule.params.replicas.join(', ')}`,
      );
  }
  const result = await diffTest({
    command: cmd,
    args,
    schedule,
    app,
    stepTimeoutMs: flags.stepTimeout,
    ...(ids ? { replicas: ids } : {}),
  });
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else process.stdout.write(render(result));
  if (result.verdict === 'broken')
    process.stderr.write(`smr: ${result.replica} step ${result.step}: ${result.reason}\n`);
  return result.verdict === 'same'
    ? EXIT.ok
    : result.verdict === 'differ'
      ? EXIT.violation
      : EXIT.badInput;
}

function render(r: DiffTestResult): string {
  if (r.verdict === 'same')
    return `same behaviour: ${r.steps} steps over replicas ${r.replicas.join(', ')}\n`;
  if (r.verdict === 'broken') return `the external replica broke at ${r.replica} step ${r.step}\n`;
  const lines = [
    `DIFFERENCE at ${r.replica} step ${r.step} (${r.what}) after input ${canonicalEncode(r.input)}`,
  ];
  if (r.what === 'messages') {
    const ours = new Set(r.reference.sends);
    const theirs = new Set(r.external.sends);
    for (const s of r.reference.sends)
      if (!theirs.has(s)) lines.push(`  reference sent, external did not: ${s}`);
    for (const s of r.external.sends)
      if (!ours.has(s)) lines.push(`  external sent, reference did not: ${s}`);
    if (lines.length === 1)
      lines.push(
        `  same messages, different counts: reference ${r.reference.sends.length}, external ${r.external.sends.length}`,
      );
  } else {
    lines.push(`  reference app: ${r.reference.app}`, `  external app:  ${r.external.app}`);
  }
  return lines.join('\n') + '\n';
}
