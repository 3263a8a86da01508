/**
 * `smr test [options] -- CMD ARGS…`: the black-box harness (docs/node-protocol.md). N processes
 * of the user's node behind the kit's simulated network, with faults and clients; the clients'
 * history is checked for linearizability, exactly-once execution and agreement. On a violation
 * the schedule is shrunk and written as a replay file (`--replay FILE` runs it again).
 * Exit 0 pass, 1 a violation, 2 bad usage or a node that broke the protocol, 3 the
 * linearizability check ran out of budget.
 */
import { join } from 'node:path';
import type { Executed } from '../../../harness/blackbox/cluster.js';
import type { RunResult, RunSetup } from '../../../harness/blackbox/run.js';
import { actionsOf } from '../../../harness/blackbox/run.js';
import { readReplay, TestReplayError } from '../../../harness/blackbox/files.js';
import type { StableStep } from '../../../harness/explore/cluster/replay.js';
import {
  readReplayFile,
  ReplayFileError,
} from '../../../harness/explore/counterexample/replay-file.js';
import { TEST_FAULTS, type TestFault } from '../../../harness/blackbox/scheduler.js';
import { runSession, type SessionResult } from '../../../harness/blackbox/session.js';
import { EXIT, UsageError } from '../../errors.js';
import { assertWritableDir } from '../../files.js';
import { intOption, listOption } from '../options.js';
import type { RegisterCommand } from './register.js';
import { replicasOption } from './simulate.js';

interface TestFlags {
  replicas: number;
  clients: number;
  seed: number;
  faults: TestFault[];
  time: number;
  quiet: number;
  tick: number;
  attemptTimeout: number;
  requestTimeout: number;
  stepTimeout: number;
  maxSteps: number;
  runs: number;
  swarm?: boolean;
  shard?: string;
  replay?: string;
  schedule?: string;
  shrink: boolean;
  shrinkTime: number;
  out: string;
  json?: boolean;
  progress: boolean;
}

const DEFAULT_OUT = 'smr-test-out';
/**
 * One run of the example Raft node's stale-read and missing-election-restriction bugs finds them
 * 60–70 % of the time (bench/README.md); five runs miss one about 1 time in 100.
 */
const DEFAULT_RUNS = 5;

export const registerTest: RegisterCommand = (program, setExit) => {
  program
    .command('test')
    .description(
      'run N processes of your node (-- CMD ARGS…) behind a simulated network with faults and clients, and check what the clients saw (docs/node-protocol.md)',
    )
    .argument('<command...>', 'the node command, after --')
    .option('--replicas <N>', 'nodes (odd, 1..9)', replicasOption, 3)
    .option('--clients <C>', 'concurrent clients', intOption('--clients', { min: 1, max: 32 }), 3)
    .option('--seed <S>', 'scheduler seed', intOption('--seed', { min: 0, max: 2 ** 31 - 1 }), 1)
    .option(
      '--faults <LIST>',
      `faults, comma-separated (${TEST_FAULTS.join(',')}; "none" for none)`,
      (raw: string) => (raw.trim() === 'none' ? [] : listOption('--faults', TEST_FAULTS)(raw)),
      [...TEST_FAULTS],
    )
    .option(
      '--time <MS>',
      'simulated milliseconds with faults and new requests',
      intOption('--time', { min: 1, max: 10_000_000 }),
      5000,
    )
    .option(
      '--quiet <MS>',
      'simulated milliseconds of quiet afterwards (no faults, no new requests)',
      intOption('--quiet', { min: 0, max: 10_000_000 }),
      3000,
    )
    .option(
      '--tick <MS>',
      'simulated milliseconds between ticks',
      intOption('--tick', { min: 1, max: 10_000 }),
      10,
    )
    .option(
      '--attempt-timeout <MS>',
      'a client tries another node after this long without an answer',
      intOption('--attempt-timeout', { min: 1, max: 10_000_000 }),
      300,
    )
    .option(
      '--request-timeout <MS>',
      'a client gives up on an operation (outcome unknown) after this long',
      intOption('--request-timeout', { min: 1, max: 10_000_000 }),
      2000,
    )
    .option(
      '--step-timeout <MS>',
      'real milliseconds a node may take to answer one event',
      intOption('--step-timeout', { min: 1, max: 600_000 }),
      5000,
    )
    .option(
      '--max-steps <K>',
      'stop a run after this many node steps',
      intOption('--max-steps', { min: 1, max: 100_000_000 }),
      200_000,
    )
    .option(
      '--runs <K>',
      'seeded runs (seeds S, S+1, …); stops at the first failure',
      intOption('--runs', { min: 1, max: 1_000_000 }),
      DEFAULT_RUNS,
    )
    .option('--swarm', 'each run after the first uses a random subset of --faults (swarm testing)')
    .option(
      '--shard <I/N>',
      'run only every N-th run, starting with the I-th (split --runs across machines)',
    )
    .option(
      '--replay <FILE>',
      'execute the schedule of a replay file (OUT/replay.json) instead of a seeded run',
    )
    .option(
      '--schedule <FILE>',
      'drive the nodes through the pattern of an explorer counterexample (counterexample.replay.json), then the quiet period',
    )
    .option('--no-shrink', 'report a failing run as it is, without shrinking it')
    .option(
      '--shrink-time <S>',
      'seconds shrinking may take',
      intOption('--shrink-time', { min: 0, max: 86_400 }),
      60,
    )
    .option(
      '--out <DIR>',
      'where replay.json, history.ndjson, steps.ndjson and timeline.html go',
      DEFAULT_OUT,
    )
    .option('--json', 'print one JSON result object on stdout')
    .option('--no-progress', 'no progress lines on stderr')
    .action(async (command: string[], flags: TestFlags) => {
      setExit(await runTest(command, flags));
    });
};

async function runTest(command: string[], flags: TestFlags): Promise<number> {
  const [cmd, ...args] = command;
  if (cmd === undefined) throw new UsageError('test needs the node command after --');
  const shard = parseShard(flags.shard, flags.runs);
  assertWritableDir('--out', flags.out);
  let setup: RunSetup = {
    command: cmd,
    args,
    replicas: flags.replicas,
    clients: flags.clients,
    seed: flags.seed,
    faults: flags.faults,
    timeMs: flags.time,
    quietMs: flags.quiet,
    tickMs: flags.tick,
    attemptTimeoutMs: flags.attemptTimeout,
    requestTimeoutMs: flags.requestTimeout,
    stepTimeoutMs: flags.stepTimeout,
    maxSteps: flags.maxSteps,
    lincheckTimeoutMs: 60_000,
  };
  let replay:
    | { actions: ReturnType<typeof actionsOf>; digest: string; recorded: readonly Executed[] }
    | undefined;
  if (flags.replay !== undefined) {
    try {
      const file = readReplay(flags.replay);
      // The file's setup wins: the schedule only means something with the same cluster.
      setup = { ...file.setup, command: cmd, args, stepTimeoutMs: flags.stepTimeout };
      replay = { actions: actionsOf(file.actions), digest: file.digest, recorded: file.actions };
    } catch (error) {
      if (error instanceof TestReplayError) throw new UsageError(error.message);
      throw error;
    }
  }
  let pattern: readonly StableStep[] | undefined;
  if (flags.schedule !== undefined) {
    if (flags.replay !== undefined)
      throw new UsageError('--schedule and --replay exclude each other');
    const read = readPattern(flags.schedule);
    pattern = read.steps;
    setup = { ...setup, replicas: read.replicas, clients: read.clients };
  }
  let lastProgress = 0;
  const started = Date.now();
  const session = await runSession({
    setup,
    out: flags.out,
    runs: flags.runs,
    swarm: flags.swarm === true,
    shard,
    ...(replay !== undefined ? { replay } : {}),
    ...(pattern !== undefined ? { pattern } : {}),
    shrink: flags.shrink,
    shrinkTimeMs: flags.shrinkTime * 1000,
    onProgress: (line) => {
      const now = Date.now();
      if (!flags.progress || flags.json === true || now - lastProgress < 1000) return;
      lastProgress = now;
      process.stderr.write(`test: ${line} (${((now - started) / 1000).toFixed(1)} s)\n`);
    },
  });
  const reported = session.reported;
  if (flags.json === true) process.stdout.write(`${JSON.stringify(toJson(session))}\n`);
  else process.stdout.write(summary(session, [cmd, ...args], flags));
  if (reported.broken !== null) {
    process.stderr.write(
      `smr: ${reported.broken.message} (what was recorded is in ${flags.out}/)\n`,
    );
    return EXIT.badInput;
  }
  switch (reported.verdict?.kind) {
    case 'pass':
      return EXIT.ok;
    case 'violation':
      return EXIT.violation;
    default:
      return EXIT.unknown;
  }
}

/** The steps of an explorer counterexample of the core model, and its cluster's size. */
function readPattern(path: string): {
  steps: readonly StableStep[];
  replicas: number;
  clients: number;
} {
  let file;
  try {
    file = readReplayFile(path);
  } catch (error) {
    if (error instanceof ReplayFileError) throw new UsageError(error.message);
    throw error;
  }
  if (file.spec.model !== 'core' || file.steps === undefined)
    throw new UsageError(
      `${path}: a counterexample of the spec twin has no steps to drive nodes with; use one of the core model`,
    );
  if (file.steps.some((s) => s.kind === 'Corrupt'))
    throw new UsageError(`${path}: corrupts app state, which cannot be done to a node`);
  const { replicas, clients } = file.spec.scope as { replicas: number; clients: number };
  return { steps: file.steps, replicas, clients };
}

function parseShard(raw: string | undefined, runs: number): { index: number; count: number } {
  if (raw === undefined) return { index: 1, count: 1 };
  const match = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || count < 1 || index < 1 || index > count)
    throw new UsageError(`--shard expects I/N with 1 ≤ I ≤ N, got ${JSON.stringify(raw)}`);
  if (index > runs)
    throw new UsageError(`--shard ${raw}: shard ${index} has no run of --runs ${runs}`);
  return { index, count };
}

function summary(session: SessionResult, command: readonly string[], flags: TestFlags): string {
  const replayFile = flags.replay;
  const run = session.reported;
  const s = run.setup;
  const out: string[] = [];
  out.push(
    `smr test: ${s.replicas} nodes of \`${command.join(' ')}\`, ${s.clients} clients, ${
      flags.schedule !== undefined
        ? `the explorer schedule ${flags.schedule}, then ${s.quietMs} ms quiet`
        : `seed ${s.seed}, faults ${s.faults.join(',') || 'none'}, ${s.timeMs} ms + ${s.quietMs} ms quiet`
    }${replayFile !== undefined ? `, replaying ${replayFile}` : ''}`,
  );
  if (session.runs.length > 1) {
    const passed = session.runs.filter((r) => r.verdict?.kind === 'pass').length;
    out.push(`  runs: ${session.runs.length} (${passed} passed); reported: seed ${s.seed}`);
  }
  const kinds = { start: 0, crash: 0, tick: 0, deliver: 0, request: 0 };
  for (const a of run.executed) kinds[a.do]++;
  out.push(
    `  run digest ${run.digest}${session.sameAsRecorded === true ? ' — the same run as recorded' : session.sameAsRecorded === false ? ` — NOT the recorded run: ${session.firstDifference !== undefined ? `step ${session.firstDifference.step} (${session.firstDifference.node}) went differently` : 'the nodes answered differently'} (is the node deterministic, and the same version?)` : ''}`,
  );
  out.push(
    `  steps ${run.executed.length.toLocaleString('en-US')}: ${kinds.tick} ticks, ${kinds.deliver} deliveries, ${kinds.request} requests, ${run.cluster.crashes} crashes, ${run.cluster.restarts} restarts`,
  );
  if (run.network !== null)
    out.push(
      `  messages: ${run.cluster.sent} sent, ${run.network.lost} lost, ${run.network.duplicated} duplicated, ${run.network.cut} cut by ${run.network.partitions} partitions${run.network.stoppedAtStepLimit ? `; stopped at --max-steps ${s.maxSteps}` : ''}`,
    );
  const c = run.client.counts;
  out.push(
    `  operations: ${c.invoked} invoked, ${c.ok} ok, ${c.failed} refused, ${c.unknown} unknown; ${run.stuck === 0 ? 'every operation issued before the quiet period completed' : `${run.stuck} issued before the quiet period never completed (liveness)`}`,
  );
  if (run.traceReport !== null)
    out.push(
      `  the nodes' traces (smr check-trace --partial): ${run.traceReport.split('\n')[0] ?? ''}`,
    );
  if (session.shrunk !== null)
    out.push(
      `  shrunk: ${session.shrunk.from} steps → ${session.shrunk.to} in ${session.shrunk.probes} probes${session.shrunk.complete ? '' : ' (time ran out)'}`,
    );
  const v = run.verdict;
  if (run.broken !== null) out.push(`BROKEN: ${run.broken.message}`);
  else if (v?.kind === 'pass')
    out.push(
      `PASS: linearizable (kv), no append executed twice, replies agree${run.traceReport !== null ? ', traces valid' : ''}`,
    );
  else if (v?.kind === 'violation') out.push(`VIOLATION (${v.check}): ${v.message}`);
  else if (v !== null) out.push(`UNKNOWN: ${v.message}`);
  out.push(`  files: ${session.files.join(', ')}`);
  if (v?.kind === 'violation' && replayFile === undefined)
    out.push(
      `  reproduce: smr test --replay ${join(session.files[0] ? dirOf(session.files[0]) : DEFAULT_OUT, 'replay.json')} -- ${command.join(' ')}`,
    );
  return out.join('\n') + '\n';
}

function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

function toJson(session: SessionResult) {
  const run: RunResult = session.reported;
  return {
    verdict: run.broken !== null ? 'broken' : (run.verdict?.kind ?? 'broken'),
    ...(run.verdict?.kind === 'violation' ? { check: run.verdict.check } : {}),
    message:
      run.broken?.message ?? (run.verdict && 'message' in run.verdict ? run.verdict.message : null),
    seed: run.setup.seed,
    faults: run.setup.faults,
    runs: session.runs.length,
    digest: run.digest,
    sameAsRecorded: session.sameAsRecorded,
    steps: run.executed.length,
    operations: run.client.counts,
    stuck: run.stuck,
    messages: { ...run.cluster, ...(run.network ?? {}) },
    shrunk: session.shrunk,
    files: session.files,
  };
}
