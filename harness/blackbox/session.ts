/**
 * A whole `smr test` session: one or more seeded runs (swarm mode: a random mix of the faults
 * per run, split across machines with a shard), or one replayed schedule; on the first
 * violation, shrinking and a final run of the shrunk schedule that writes the report files.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../../src/files.js';
import { renderTimeline } from '../../src/oracle/html.js';
import { Random } from '../random.js';
import { describeOp, type Action, type Executed } from './cluster.js';
import {
  historyText,
  replayChunks,
  REPLAY_FORMAT,
  REPLAY_VERSION,
  writeChunksAtomically,
} from './files.js';
import { traceFiles } from './checks.js';
import { runOnce, type RunResult, type RunSetup } from './run.js';
import type { TestFault } from './scheduler.js';
import { shrinkRun } from './shrink.js';
import type { StableStep } from '../explore/cluster/replay.js';

export interface SessionOptions {
  readonly setup: RunSetup;
  readonly out: string;
  /** Seeded runs: seeds setup.seed, setup.seed+1, …; run 0 uses every fault of setup.faults. */
  readonly runs: number;
  /** Swarm testing: each run after the first draws a random non-empty subset of the faults. */
  readonly swarm: boolean;
  /** This machine's share of the runs: run r is ours when r % count === index - 1. */
  readonly shard: { readonly index: number; readonly count: number };
  /** An explorer counterexample's steps, as the adversary of one run (adversary.ts). */
  readonly pattern?: readonly StableStep[];
  /** A schedule to execute instead of seeded runs. */
  readonly replay?: {
    readonly actions: readonly Action[];
    /** The recorded run's digest and steps (with their answers' hashes), when known. */
    readonly digest?: string;
    readonly recorded?: readonly Executed[];
  };
  readonly shrink: boolean;
  readonly shrinkTimeMs: number;
  readonly onProgress?: (line: string) => void;
}

export interface SessionResult {
  /** Every run, in order (seeded runs of this shard, or the one replay). */
  readonly runs: readonly RunResult[];
  /** The run reported: the first that failed (after shrinking), else the last. */
  readonly reported: RunResult;
  readonly shrunk: {
    readonly from: number;
    readonly to: number;
    readonly probes: number;
    readonly complete: boolean;
  } | null;
  /** On replay: whether the run was the recorded one (same digest). */
  readonly sameAsRecorded: boolean | null;
  /** On replay of a different run: the first step whose answer (or whether it ran) differed. */
  readonly firstDifference?: { readonly step: number; readonly node: string };
  readonly files: readonly string[];
}

export async function runSession(options: SessionOptions): Promise<SessionResult> {
  mkdirSync(options.out, { recursive: true });
  const progress = options.onProgress ?? (() => undefined);
  const runs: RunResult[] = [];
  if (options.replay !== undefined) {
    const result = await recordedRun(options.setup, options.replay.actions);
    runs.push(result.run);
    const files = writeReport(options.out, result.run, result.transcript);
    const same =
      options.replay.digest === undefined ? null : options.replay.digest === result.run.digest;
    const difference =
      same === false && options.replay.recorded !== undefined
        ? firstDifference(options.replay.recorded, result.run.executed)
        : null;
    return {
      runs,
      reported: result.run,
      shrunk: null,
      sameAsRecorded: same,
      ...(difference !== null ? { firstDifference: difference } : {}),
      files,
    };
  }
  // An explorer schedule is one run; seeded runs are this shard's share of --runs.
  const mine =
    options.pattern !== undefined
      ? [0]
      : Array.from({ length: options.runs }, (_, r) => r).filter(
          (r) => r % options.shard.count === options.shard.index - 1,
        );
  let last: { run: RunResult; transcript: string[] } | null = null;
  for (const r of mine) {
    const setup = {
      ...options.setup,
      seed: options.setup.seed + r,
      faults:
        options.swarm && r > 0
          ? swarmFaults(options.setup.faults, options.setup.seed + r)
          : options.setup.faults,
    };
    const transcript: string[] = [];
    const run = await runOnce(
      setup,
      options.pattern !== undefined
        ? { kind: 'pattern', steps: options.pattern }
        : {
            kind: 'seeded',
            onProgress: (time, steps) =>
              progress(
                `run ${r + 1}/${options.runs} (seed ${setup.seed}): ${time} ms simulated, ${steps} steps`,
              ),
          },
      { explain: true, onLine: (dir, node, line) => transcript.push(`${dir} ${node} ${line}`) },
    );
    runs.push(run);
    last = { run, transcript };
    if (run.verdict?.kind === 'pass') continue;
    // A trace failure names its event already, and a shorter run's trace fails for other reasons
    // (a cut-off send): shrinking is for what the clients saw.
    if (run.verdict?.kind !== 'violation' || !options.shrink || run.verdict.check === 'trace')
      break;
    progress(
      `run ${r + 1} (seed ${setup.seed}) found a violation: shrinking its ${run.executed.length} steps`,
    );
    const shrunk = await shrinkRun(setup, run, { timeMs: options.shrinkTimeMs }, (probes, length) =>
      progress(`shrinking: probe ${probes}, ${length} steps`),
    );
    // The shrunk schedule once more, explained and transcribed: this is what the files show.
    const final = await recordedRun(setup, shrunk.actions);
    const reproduced = final.run.verdict?.kind === 'violation';
    const shown = reproduced ? final : last;
    return {
      runs,
      reported: shown.run,
      shrunk: {
        from: run.executed.length,
        to: shown.run.executed.length,
        probes: shrunk.probes,
        complete: shrunk.complete,
      },
      sameAsRecorded: null,
      files: writeReport(options.out, shown.run, shown.transcript),
    };
  }
  if (last === null) throw new Error('no run in this shard'); // the CLI refuses such a shard
  return {
    runs,
    reported: last.run,
    shrunk: null,
    sameAsRecorded: null,
    files: writeReport(options.out, last.run, last.transcript),
  };
}

async function recordedRun(setup: RunSetup, actions: readonly Action[]) {
  const transcript: string[] = [];
  const run = await runOnce(
    setup,
    { kind: 'actions', actions },
    { explain: true, onLine: (dir, node, line) => transcript.push(`${dir} ${node} ${line}`) },
  );
  return { run, transcript };
}

/** The first step where a replay went otherwise than the recording. */
function firstDifference(
  recorded: readonly Executed[],
  replayed: readonly Executed[],
): { step: number; node: string } | null {
  for (let i = 0; i < Math.max(recorded.length, replayed.length); i++) {
    const a = recorded[i];
    const b = replayed[i];
    if (
      a === undefined ||
      b === undefined ||
      a.do !== b.do ||
      a.node !== b.node ||
      a.answer !== b.answer
    )
      return { step: i, node: (a ?? b)?.node ?? '?' };
  }
  return null;
}

/** A random non-empty subset of `faults`, from the run's seed. */
export function swarmFaults(faults: readonly TestFault[], seed: number): TestFault[] {
  const rng = new Random(seed ^ 0x5eed);
  for (;;) {
    const chosen = faults.filter(() => rng.chance(0.5));
    if (chosen.length > 0 || faults.length === 0) return chosen;
  }
}

function writeReport(out: string, run: RunResult, transcript: readonly string[]): string[] {
  const { command, args, ...setup } = run.setup;
  const replayPath = join(out, 'replay.json');
  const verdict = run.broken !== null ? 'broken' : (run.verdict?.kind ?? 'broken');
  writeChunksAtomically(
    replayPath,
    replayChunks({
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      command: [command, ...args],
      setup,
      digest: run.digest,
      verdict,
      actions: run.executed as Executed[],
    }),
  );
  const historyPath = join(out, 'history.ndjson');
  writeAtomically(historyPath, historyText(run.client.ops));
  const stepsPath = join(out, 'steps.ndjson');
  writeChunksAtomically(
    stepsPath,
    transcript.map((line) => `${line}\n`),
  );
  const files = [replayPath, historyPath, stepsPath];
  const lincheck =
    run.verdict !== null && 'lincheck' in run.verdict ? run.verdict.lincheck : undefined;
  if (lincheck !== undefined) {
    const timeline = join(out, 'timeline.html');
    writeAtomically(
      timeline,
      renderTimeline({
        title: `smr test: ${[command, ...args].join(' ')} (seed ${run.setup.seed})`,
        history: run.client.history,
        result: lincheck,
        describe: (i) => {
          const op = run.client.ops[i];
          if (op === undefined) return '?';
          return `${op.id} ${describeOp(op.op)}${op.ok !== undefined && (op.op.f === 'get' || op.op.f === 'cas') ? ` → ${JSON.stringify(op.ok.value)}` : ''}`;
        },
        where: (i) => {
          const op = run.client.ops[i];
          return op === undefined
            ? ''
            : `request at step ${op.call}${op.ok !== undefined ? `, answered by ${op.ok.node} at step ${op.ok.step}` : ''}`;
        },
      }),
    );
    files.push(timeline);
  }
  for (const [node, text] of traceFiles(run.traces)) {
    const path = join(out, `trace-${node}.ndjson`);
    writeAtomically(path, text);
    files.push(path);
  }
  return files;
}
