/**
 * `smr check`: the main job on embedded defaults, what a user puts in CI first. Three parts, each
 * with every invariant checked on every state or step:
 *   1. the explorer's F = 1 default scope (3 replicas, every interleaving of loss, duplication,
 *      reordering, one crash–restart, elections and a client request);
 *   2. the bundled trace corpus (traces/valid must pass, traces/invalid must fail where its
 *      .why.md says), through the native trace checker;
 *   3. the simulator's default scenario suite (3 and 5 replicas, every fault, several seeds).
 * Exit 0 when all three pass, 1 when any finds a violation or a wrong verdict.
 */
import { kvApp } from '../../core/apps/kv.js';
import { FAULTS, simulate, type SimResult } from '../../../harness/sim/simulate.js';
import {
  runDefaultExploration,
  type ExploreOptions,
  type ExploreResult,
} from '../../../harness/explore/explore.js';
import { checkBundledTraces, type BundledVerdict } from '../../trace/corpus.js';
import { EXIT } from '../errors.js';
import { assertWritableDir } from '../output.js';
import type { RegisterCommand } from './index.js';
import { describeScope, printProgress } from './explore.js';

export const DEFAULT_SUITE = [
  { replicas: 3, clients: 2, seed: 1, steps: 5000 },
  { replicas: 3, clients: 3, seed: 2, steps: 5000 },
  { replicas: 5, clients: 2, seed: 3, steps: 5000 },
  { replicas: 5, clients: 3, seed: 4, steps: 5000 },
] as const;

export interface CheckFlags {
  readonly json?: boolean;
  readonly out?: string;
  readonly progress?: boolean;
}

export const registerCheck: RegisterCommand = (program, setExit) => {
  program
    .command('check')
    .description(
      'the main job on embedded defaults: explore the F=1 scope, check the bundled traces, simulate the default fault scenarios',
    )
    .option('--json', 'print one JSON result object on stdout')
    .option('--out <dir>', "where the explorer writes a counterexample's files", 'smr-check-out')
    .option('--no-progress', 'no progress line on stderr while the explorer runs')
    .action(async (flags: CheckFlags) => {
      setExit(await runCheck(flags));
    });
};

export interface CheckResult {
  readonly ok: boolean;
  readonly elapsedMs: number;
  readonly exploration: ExploreResult;
  readonly traces: readonly BundledVerdict[];
  readonly simulations: readonly SimResult[];
}

/** Runs the three parts in order; `report` receives one human line per finished item. */
export async function runCheckJob(
  options: {
    readonly out?: string;
    readonly report?: (line: string) => void;
    readonly onProgress?: ExploreOptions['onProgress'];
    /** Another trace corpus laid out like traces/ (tests use it). */
    readonly tracesDir?: string;
  } = {},
): Promise<CheckResult> {
  const started = Date.now();
  const report = options.report ?? (() => undefined);

  const exploration = await runDefaultExploration({
    ...(options.out === undefined ? {} : { out: options.out }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const v = exploration.violation;
  report(
    `explore F=1 (${describeScope(exploration)}): ${exploration.distinctStates.toLocaleString('en-US')} distinct states, depth ${exploration.depth}, ${(exploration.elapsedMs / 1000).toFixed(1)} s — ` +
      (v === null
        ? exploration.complete
          ? 'ok'
          : 'INCOMPLETE'
        : `VIOLATION ${v.invariant}: ${v.message}` +
          (exploration.counterexample?.files
            ? ` (smr replay ${exploration.counterexample.files.replay})`
            : '')),
  );

  const traces = checkBundledTraces(options.tracesDir);
  for (const t of traces)
    report(
      `trace ${t.name}: ${t.verdict}${t.line === null ? '' : ` at line ${t.line}`} (${t.detail})${t.ok ? ' — as expected' : ' — WRONG VERDICT'}`,
    );

  const simulations: SimResult[] = [];
  for (const scenario of DEFAULT_SUITE) {
    const result = simulate({ ...scenario, faults: FAULTS, app: kvApp });
    simulations.push(result);
    const sv = result.violation;
    report(
      `simulate N=${result.replicas} C=${result.clients} seed=${result.seed}: ${result.steps} steps, ` +
        `${result.requests.completed} requests completed, ${result.slotsChosen} slots chosen — ` +
        (sv === null ? 'ok' : `VIOLATION ${sv.invariant} at step ${sv.step}: ${sv.message}`),
    );
  }

  const ok =
    exploration.status === 'ok' &&
    exploration.complete &&
    traces.length > 0 &&
    traces.every((t) => t.ok) &&
    simulations.every((s) => s.violation === null);
  return { ok, elapsedMs: Date.now() - started, exploration, traces, simulations };
}

async function runCheck(flags: CheckFlags): Promise<number> {
  if (flags.out !== undefined) assertWritableDir('--out', flags.out);
  const json = flags.json === true;
  const result = await runCheckJob({
    ...(flags.out === undefined ? {} : { out: flags.out }),
    ...(json ? {} : { report: (line: string) => process.stdout.write(line + '\n') }),
    ...(flags.progress === false ? {} : { onProgress: printProgress }),
  });
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      `${result.ok ? 'check passed' : 'check FAILED'} (${(result.elapsedMs / 1000).toFixed(1)} s)\n`,
    );
  return result.ok ? EXIT.ok : EXIT.violation;
}
