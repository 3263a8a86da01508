/**
 * `smr explore`: exhaustive small-scope exploration of failure interleavings (issue 3).
 * Exit 0: no violation within the scope; 1: a violation (counterexample written to --out);
 * 2: bad input; 3: the scope was not covered: stopped at --memory-limit with a checkpoint to
 * --resume from, or cut by --max-states / --max-depth.
 */
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { APPS } from '../../core/apps/index.js';
import {
  DEFAULT_SCOPE,
  DEFAULT_SCOPE_F2,
  EXPLORE_FAULTS,
  NETWORKS,
  checkScope,
  type ClusterScope,
  type ExploreFault,
  type NetworkSemantics,
} from '../../../harness/explore/cluster/scope.js';
import { CheckpointError } from '../../../harness/explore/engine/checkpoint.js';
import type { Progress } from '../../../harness/explore/engine/search.js';
import {
  auditScopeOptions,
  checkpointScopeOptions,
  explore,
  overallResult,
  STRATEGIES,
  type ExploreResult,
  type Strategy,
} from '../../../harness/explore/explore.js';
import {
  checkSpecModel,
  UnknownModelError,
  type ModelSpec,
} from '../../../harness/explore/model-spec.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { UnsoundPruningError } from '../../../harness/explore/cluster/dead-messages.js';
import { UnsoundSymmetryError } from '../../../harness/explore/cluster/local-steps.js';

const UNSOUND_REDUCTIONS = [UnsoundPruningError.name, UnsoundSymmetryError.name];
import { OBSERVE_LEVELS, type ObserveLevel } from '../../trace/format.js';
import { EXIT, UsageError } from '../../errors.js';
import { assertWritableDir } from '../../files.js';
import { choiceOption, intOption, listOption } from '../options.js';
import type { RegisterCommand } from './register.js';

export interface ExploreFlags {
  model: 'core' | 'spec';
  constants?: string;
  replicas?: number;
  clients?: number;
  requests?: number;
  faults?: ExploreFault[];
  network?: NetworkSemantics;
  maxDepth?: number;
  maxStates?: number;
  maxCrashes?: number;
  maxCorruptions?: number;
  maxCopies?: number;
  maxRound?: number;
  maxElections?: number;
  window?: number;
  checkpointEvery?: number;
  auditEvery?: number;
  electionTicks?: number;
  heartbeatTicks?: number;
  pruneDeadMessages?: boolean;
  app?: string;
  policy?: 'majority' | 'first-reply';
  mutant?: string;
  workers: number;
  workerJoin?: number;
  strategy: Strategy;
  maxDelays?: number;
  checkpointScope: boolean;
  auditScope: boolean;
  seed: number;
  walks: number;
  walkSteps?: number;
  swarm: boolean;
  shard?: { index: number; count: number };
  exact?: boolean;
  memoryLimit?: number;
  checkpoint?: string;
  resume?: string;
  symmetry: boolean;
  por: boolean;
  determinism: boolean;
  refinement?: boolean;
  minimise: boolean;
  out: string;
  observe: ObserveLevel;
  json?: boolean;
  progress: boolean;
}

const int = (flag: string, min: number, max: number) => intOption(flag, { min, max });

export const registerExplore: RegisterCommand = (program, setExit) => {
  program
    .command('explore')
    .description(
      'explore every interleaving of messages, losses, duplicates, crashes and restarts within a bounded scope, checking every invariant',
    )
    .option(
      '--model <M>',
      'what to explore: core (the reference cluster) | spec (the TS twin of Smr.tla)',
      choiceOption('--model', ['core', 'spec'] as const),
      'core',
    )
    .option('--constants <NAME>', 'spec model configuration (with --model spec)')
    .option(
      '--replicas <N>',
      'replicas: 3 (F=1) or 5 (F=2) pick a default scope; 7 only with a bound (--max-states or --max-depth)',
      replicasFlag,
    )
    .option('--clients <C>', 'clients (default 1)', int('--clients', 1, 4))
    .option('--requests <R>', 'client requests in total (default 1)', int('--requests', 0, 8))
    .option(
      '--faults <LIST>',
      `faults: ${EXPLORE_FAULTS.join(',')} (default loss,dup,crash)`,
      listOption('--faults', EXPLORE_FAULTS),
    )
    .option(
      '--network <S>',
      'set (DSLabs: sent messages stay deliverable) | multiset (each copy delivered once) (default set)',
      choiceOption('--network', NETWORKS),
    )
    .option(
      '--max-depth <D>',
      'do not expand states deeper than D steps',
      int('--max-depth', 0, 100_000),
    )
    .option('--max-states <K>', 'stop after K distinct states', int('--max-states', 1, 2 ** 31))
    .option('--max-crashes <K>', 'crashes in total (default 1)', int('--max-crashes', 0, 8))
    .option(
      '--max-corruptions <K>',
      'corruptions in total (with the corrupt fault) (default 1)',
      int('--max-corruptions', 0, 8),
    )
    .option(
      '--max-copies <K>',
      'multiset network: copies of one message in flight (default 2)',
      int('--max-copies', 1, 8),
    )
    .option(
      '--max-round <K>',
      'highest ballot round a candidate may start (default 1)',
      int('--max-round', 1, 8),
    )
    .option(
      '--max-elections <K>',
      'candidacies (Phase1a) in total (default 2 with 3 replicas, 1 with 5)',
      int('--max-elections', 1, 8),
    )
    .option('--window <A>', 'pipeline window α (default 2)', int('--window', 1, 16))
    .option(
      '--checkpoint-every <K>',
      'a leader proposes CHECKPOINT every K executed slots (0: never)',
      int('--checkpoint-every', 0, 64),
    )
    .option(
      '--audit-every <K>',
      'replicas audit their state digests every K executed slots (0: never)',
      int('--audit-every', 0, 64),
    )
    .option(
      '--election-ticks <K>',
      'ticks of silence before a replica suspects a peer (default 1)',
      int('--election-ticks', 1, 8),
    )
    .option(
      '--heartbeat-ticks <K>',
      'send heartbeats and retransmit every K ticks (default 0: never)',
      int('--heartbeat-ticks', 0, 8),
    )
    .option(
      '--prune-dead-messages',
      'drop messages the reference ballot rules make dead (faster; checked as it runs, and refused for a reducer that acts on them)',
    )
    .option(
      '--app <NAME>',
      `replicated app: ${[...APPS.keys()].join(', ')} (default kv)`,
      choiceOption('--app', [...APPS.keys()]),
    )
    .option(
      '--policy <P>',
      'client reply policy: majority | first-reply (default majority)',
      choiceOption('--policy', ['majority', 'first-reply'] as const),
    )
    .option(
      '--mutant <NAME>',
      'explore a seeded bug instead of the reference reducer (see smr mutants)',
    )
    .option(
      '--workers <W>',
      'threads for breadth-first search (this one and W-1 workers)',
      int('--workers', 1, 64),
      1,
    )
    .option(
      '--worker-join <N>',
      'workers join once a level holds N states (default 20000; 0 = from the start)',
      int('--worker-join', 0, 1 << 30),
    )
    .option(
      '--strategy <S>',
      'bfs (shortest counterexamples) | dfs | random (swarm walks) | delay (every run within --max-delays departures from a fair scheduler)',
      choiceOption('--strategy', STRATEGIES),
      'bfs',
    )
    .option(
      '--max-delays <D>',
      'delay-bounded search: departures from the scheduler allowed (default 3)',
      int('--max-delays', 0, 16),
    )
    .option(
      '--no-checkpoint-scope',
      'without scope flags: skip the second part, the delay-bounded checkpoint scope',
    )
    .option(
      '--no-audit-scope',
      'without scope flags: skip the third part, the delay-bounded audit scope (audit, QUIT, JOIN)',
    )
    .option('--seed <S>', 'random walks: seed', int('--seed', 0, 2 ** 32 - 1), 1)
    .option('--walks <K>', 'random walks: how many', int('--walks', 1, 100_000_000), 1000)
    .option(
      '--walk-steps <K>',
      'random walks: steps per walk (default: --max-depth or 60)',
      int('--walk-steps', 1, 100_000),
    )
    .option('--no-swarm', 'random walks: do not switch off random action kinds per walk')
    .option('--shard <I/N>', 'explore only share I of N (1-based), for a CI matrix', shardFlag)
    .option('--exact', 'keep full state encodings instead of 64-bit fingerprints (debugging)')
    .option(
      '--memory-limit <MB>',
      'past half of MB, keep the level being built on disk; past MB, stop cleanly with a checkpoint (one thread; default 3/4 of the heap Node allows, without --workers)',
      int('--memory-limit', 64, 1_048_576),
    )
    .option(
      '--checkpoint <FILE>',
      'where --memory-limit writes its checkpoint (default: OUT/smr-explore.checkpoint.ndjson)',
    )
    .option('--resume <FILE>', 'continue from a checkpoint (same flags as the run that wrote it)')
    .option('--symmetry', 'merge states equal up to renaming clients (default)')
    .option('--no-symmetry', 'no symmetry reduction')
    .option('--por', 'partial-order reduction with persistent sets (default)')
    .option('--no-por', 'no partial-order reduction')
    .option('--no-determinism', 'skip the determinism self-check')
    .option('--refinement', 'check every step against the TLA+ twin (needs harness/refinement)')
    .option('--no-minimise', 'keep the counterexample as found')
    .option('--out <DIR>', 'where to write a counterexample', 'smr-explore-out')
    .option(
      '--observe <LEVEL>',
      `what the counterexample's trace logs: ${OBSERVE_LEVELS.join(' | ')}`,
      choiceOption('--observe', OBSERVE_LEVELS),
      'full',
    )
    .option('--no-progress', 'no progress line on stderr')
    .option('--json', 'print one JSON result object on stdout')
    .action(async (flags: ExploreFlags) => {
      setExit(await runExplore(flags));
    });
};

function replicasFlag(raw: string): number {
  const n = intOption('--replicas', { min: 1, max: 7 })(raw);
  if (n % 2 === 0) throw new UsageError(`--replicas must be odd (N = 2F+1), got ${n}`);
  return n;
}

export function shardFlag(raw: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (m === null || n < 1 || i < 1 || i > n || n > 4096)
    throw new UsageError(`--shard expects I/N with 1 ≤ I ≤ N, got ${JSON.stringify(raw)}`);
  return { index: i - 1, count: n };
}

/**
 * The scope the flags ask for: the default scope for the replica count, then the flags. A
 * `--mutant` never changes the scope: the point of a seeded bug is to show what the scope given
 * catches.
 */
export function scopeFromFlags(flags: Partial<ExploreFlags>): ClusterScope {
  const base =
    flags.replicas === 5 ? DEFAULT_SCOPE_F2 : { ...DEFAULT_SCOPE, replicas: flags.replicas ?? 3 };
  const mutant = flags.mutant === undefined ? undefined : MUTANTS.get(flags.mutant);
  if (flags.mutant !== undefined && mutant === undefined)
    throw new UsageError(
      `--mutant: unknown mutant ${JSON.stringify(flags.mutant)} (see smr mutants)`,
    );
  const faults = flags.faults ?? base.faults;
  const pick = <K extends keyof ClusterScope>(
    key: K,
    value: ClusterScope[K] | undefined,
  ): ClusterScope[K] => value ?? base[key];
  const scope: ClusterScope = {
    replicas: base.replicas,
    clients: pick('clients', flags.clients),
    requests: pick('requests', flags.requests),
    faults,
    network: pick('network', flags.network),
    maxCrashes: pick('maxCrashes', flags.maxCrashes),
    maxCorruptions: pick('maxCorruptions', flags.maxCorruptions),
    maxCopies: pick('maxCopies', flags.maxCopies),
    maxRound: pick('maxRound', flags.maxRound),
    maxElections: pick('maxElections', flags.maxElections),
    window: pick('window', flags.window),
    ...(flags.checkpointEvery !== undefined || base.checkpointEvery !== undefined
      ? { checkpointEvery: flags.checkpointEvery ?? base.checkpointEvery }
      : {}),
    ...(flags.auditEvery !== undefined || base.auditEvery !== undefined
      ? { auditEvery: flags.auditEvery ?? base.auditEvery }
      : {}),
    ...(flags.electionTicks !== undefined ? { electionTicks: flags.electionTicks } : {}),
    ...(flags.heartbeatTicks !== undefined ? { heartbeatTicks: flags.heartbeatTicks } : {}),
    app: pick('app', flags.app),
    policy: pick('policy', flags.policy),
    ...(flags.mutant !== undefined ? { mutant: flags.mutant } : {}),
  };
  // The default scopes are sized for 3 and 5 replicas; 7 replicas' state space has no end in
  // sight, and a run without a bound would just run (issue 17).
  if (scope.replicas === 7 && flags.maxStates === undefined && flags.maxDepth === undefined)
    throw new UsageError(
      `--replicas ${scope.replicas}: the default scopes are for 3 and 5 replicas; give a bound (--max-states or --max-depth)`,
    );
  const problem = checkScope(scope);
  if (problem !== null) throw new UsageError(problem);
  return scope;
}

export function specFromFlags(flags: Partial<ExploreFlags>): ModelSpec {
  if (flags.model === 'spec') {
    const problem = checkSpecModel(flags.constants);
    if (problem !== null) throw new UsageError(problem);
    return { model: 'spec', constants: flags.constants as string };
  }
  if (flags.constants !== undefined) throw new UsageError('--constants needs --model spec');
  const scope = scopeFromFlags(flags);
  // A checkpoint's (or an audit's) digest covers the session table, keyed by client: renaming
  // clients changes it, so states equal up to renaming are not equivalent once digests are taken.
  const checkpoints =
    ((scope.checkpointEvery ?? 0) > 0 || (scope.auditEvery ?? 0) > 0) && scope.clients > 1;
  if (checkpoints && flags.symmetry === true)
    throw new UsageError(
      '--symmetry: client symmetry does not hold with checkpoints or audits (their digests name clients); leave it out',
    );
  return {
    model: 'core',
    scope,
    symmetry: flags.symmetry ?? !checkpoints,
    // Delay-bounded search keeps crashes apart from restarts (explore.ts checkpointScopeOptions).
    por: flags.por ?? flags.strategy !== 'delay',
    determinism: flags.determinism ?? true,
    refinement: flags.refinement === true,
    ...(flags.pruneDeadMessages === true ? { pruneDeadMessages: true } : {}),
  };
}

/**
 * Flags that shape the search. Without any, `smr explore` is the default exploration: the
 * exhaustive default scope, then the delay-bounded checkpoint scope (explore.ts).
 */
const SCOPE_FLAGS = [
  'constants',
  'clients',
  'requests',
  'faults',
  'network',
  'maxDepth',
  'maxStates',
  'maxCrashes',
  'maxCorruptions',
  'maxCopies',
  'maxRound',
  'maxElections',
  'window',
  'checkpointEvery',
  'auditEvery',
  'electionTicks',
  'heartbeatTicks',
  'pruneDeadMessages',
  'app',
  'policy',
  'maxDelays',
  'shard',
  'resume',
  'memoryLimit',
] as const satisfies readonly (keyof ExploreFlags)[];

export function isDefaultExploration(flags: Partial<ExploreFlags>): boolean {
  return (
    (flags.model ?? 'core') === 'core' &&
    (flags.strategy ?? 'bfs') === 'bfs' &&
    SCOPE_FLAGS.every((f) => flags[f] === undefined)
  );
}

async function runExplore(flags: ExploreFlags): Promise<number> {
  const spec = specFromFlags(flags);
  if (flags.exact && flags.workers > 1)
    throw new UsageError('--exact runs in one thread: drop --workers');
  // Threads hold their levels in memory and checkpoint whole states: resumed under the same
  // limit they would stop where they were (bench/README.md, explore --memory-limit).
  if (flags.memoryLimit !== undefined && flags.workers > 1)
    throw new UsageError(
      '--memory-limit runs in one thread (its levels go to disk and its checkpoints are compact, so each --resume gets further): drop --workers',
    );
  if (flags.exact && flags.memoryLimit !== undefined)
    throw new UsageError('--exact does not write checkpoints: drop --memory-limit');
  if (flags.strategy !== 'bfs' && (flags.resume !== undefined || flags.memoryLimit !== undefined))
    throw new UsageError('--memory-limit and --resume work with --strategy bfs');
  assertWritableDir('--out', flags.out);
  // Never die out of heap with nothing to show: one thread gets a limit by default, so a big
  // scope spills to disk and then stops with a checkpoint (exit 3) instead.
  const memoryLimit =
    flags.memoryLimit ??
    (flags.workers === 1 && flags.exact !== true && (flags.strategy ?? 'bfs') === 'bfs'
      ? defaultMemoryLimitMb()
      : undefined);
  const progress = flags.progress ? printProgress : undefined;
  const parts: ExploreResult[] = [];
  try {
    parts.push(
      await explore({
        spec,
        strategy: flags.strategy,
        workers: flags.workers,
        exact: flags.exact === true,
        determinism: flags.determinism,
        seed: flags.seed,
        walks: flags.walks,
        swarm: flags.swarm,
        minimise: flags.minimise,
        out: flags.out,
        observe: flags.observe,
        checkpointPath: flags.checkpoint ?? join(flags.out, 'smr-explore.checkpoint.ndjson'),
        ...(flags.walkSteps !== undefined ? { walkSteps: flags.walkSteps } : {}),
        ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
        ...(flags.maxStates !== undefined ? { maxStates: flags.maxStates } : {}),
        ...(flags.workerJoin !== undefined ? { workerJoinFrontier: flags.workerJoin } : {}),
        ...(flags.shard !== undefined ? { shard: flags.shard } : {}),
        ...(memoryLimit !== undefined ? { memoryLimitMb: memoryLimit } : {}),
        ...(flags.resume !== undefined ? { resume: flags.resume } : {}),
        ...(flags.maxDelays !== undefined ? { maxDelays: flags.maxDelays } : {}),
        ...(progress !== undefined ? { onProgress: progress } : {}),
      }),
    );
    const further = (
      wanted: boolean,
      options: typeof checkpointScopeOptions,
    ): Promise<ExploreResult> | null =>
      wanted &&
      isDefaultExploration(flags) &&
      parts.every((p) => p.status === 'ok') &&
      spec.model === 'core'
        ? explore(
            options(spec.scope.replicas, spec.scope.mutant, {
              determinism: flags.determinism,
              minimise: flags.minimise,
              out: flags.out,
              observe: flags.observe,
              ...(progress !== undefined ? { onProgress: progress } : {}),
            }),
          )
        : null;
    const checkpoints = further(flags.checkpointScope, checkpointScopeOptions);
    if (checkpoints !== null) parts.push(await checkpoints);
    const audits = further(flags.auditScope, auditScopeOptions);
    if (audits !== null) parts.push(await audits);
  } catch (error) {
    if (error instanceof UnknownModelError || error instanceof CheckpointError)
      throw new UsageError(error.message);
    // A reduction whose condition this reducer breaks (checked as the search runs; the error
    // may come back from a worker thread, so it is recognised by name).
    if (error instanceof Error && UNSOUND_REDUCTIONS.includes(error.name))
      throw new UsageError(error.message);
    throw error;
  }
  // A search cut by --max-states or --max-depth did not check the scope the user asked for:
  // not a green result but an incomplete one (exit 3, as a stop at --memory-limit).
  const judged = parts.map((p) =>
    p.status === 'ok' && (p.stoppedBy === 'max-states' || p.stoppedBy === 'max-depth')
      ? { ...p, status: 'incomplete' as const }
      : p,
  );
  const result = overallResult(judged);
  if (flags.json)
    process.stdout.write(
      JSON.stringify(judged.length > 1 ? { ...result, parts: judged } : result) + '\n',
    );
  else {
    if (flags.shard !== undefined)
      process.stdout.write(
        `shard ${flags.shard.index + 1}/${flags.shard.count}: only this share of the frontier was explored; the other shards cover the rest\n`,
      );
    process.stdout.write(
      judged
        .map((r) =>
          summarize(
            r,
            flags.minimise,
            flags.memoryLimit === undefined && memoryLimit !== undefined
              ? `the default memory limit, ${memoryLimit} MB (--memory-limit to change it)`
              : `--memory-limit ${memoryLimit ?? ''} MB`,
          ),
        )
        .join(''),
    );
  }
  if (result.status === 'violation') return EXIT.violation;
  return result.status === 'incomplete' ? EXIT.unknown : EXIT.ok;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/** The explorer's progress line on stderr (the engine calls it at most once a second). */
export function printProgress(p: Progress): void {
  const rate = Math.round((p.distinct / Math.max(p.elapsedMs, 1)) * 1000);
  process.stderr.write(
    `explore: ${fmt(p.distinct)} distinct states, ${fmt(rate)} states/s, depth ${p.depth}, queue ${fmt(p.queue)}, ${(p.elapsedMs / 1000).toFixed(1)} s\n`,
  );
}

/** Three quarters of the heap this Node process may use, in MB (the default --memory-limit). */
export function defaultMemoryLimitMb(): number {
  return Math.max(64, Math.floor((getHeapStatistics().heap_size_limit / 2 ** 20) * 0.75));
}

export function describeScope(r: ExploreResult): string {
  if (r.scope === undefined) return `spec model ${r.constants ?? ''}`;
  const s = r.scope;
  return `${s.replicas} replicas, ${s.clients} clients, ${s.requests} requests, faults ${s.faults.join(',') || 'none'}, ${s.network} network, ≤${s.maxCrashes} crashes, ≤${s.maxElections} elections${(s.checkpointEvery ?? 0) > 0 ? `, checkpoint every ${s.checkpointEvery} slot${s.checkpointEvery === 1 ? '' : 's'}` : ''}${(s.auditEvery ?? 0) > 0 ? `, audit every ${s.auditEvery} slot${s.auditEvery === 1 ? '' : 's'}` : ''}${s.mutant === undefined ? '' : `, mutant ${s.mutant}`}`;
}

function summarize(r: ExploreResult, minimised: boolean, limit: string): string {
  const lines = [
    `explored ${r.protocol} (${describeScope(r)}) by ${r.strategy}${r.workers > 1 ? ` on ${r.workersUsed} of ${r.workers} threads` : ''}: ${fmt(r.distinctStates)} distinct states, ${fmt(r.generatedStates)} generated, depth ${r.depth}, ${r.complete ? 'complete' : 'incomplete'}, ${(r.elapsedMs / 1000).toFixed(1)} s (${fmt(r.statesPerSecond)} states/s), peak ${fmt(r.peakRssMb)} MB`,
    `reductions: symmetry ${r.reductions.symmetry ? 'on' : 'off'}, partial-order ${r.reductions.por ? 'on' : 'off'}, dead-message pruning ${r.reductions.deadMessages ? 'on' : 'off'}; invariants: ${r.invariants.join(', ')}`,
  ];
  if (r.milestones !== undefined) {
    // The plain milestones, and the one the checkpoint scope is for (the rest are in --json).
    const reached = Object.entries(r.milestones)
      .filter(([m]) => !m.includes(', then ') || m === 'restart, then state transfer')
      .map(([m, n]) => `${m} ${fmt(n)}`);
    lines.push(
      `within ≤${r.maxDelays ?? 0} delays; states after each milestone: ${reached.join('; ') || 'none reached'}`,
    );
  }
  if ((r.scope?.auditEvery ?? 0) > 0)
    lines.push(
      'node steps checked against the spec twin except those that receive an audit, declare a replica faulty or run in a changed configuration (a corrupted replica is outside spec/Smr.tla)',
    );
  if (r.stoppedBy === 'max-states') lines.push('stopped at --max-states');
  if (r.stoppedBy === 'max-depth')
    lines.push('cut at --max-depth: a state there still had actions, so the search is incomplete');
  if (r.checkpoint !== undefined)
    lines.push(
      `stopped at ${limit}; checkpoint written to ${r.checkpoint}; continue with the same flags and --resume ${r.checkpoint}`,
    );
  if (r.violation === null) {
    lines.push(
      r.stoppedBy === 'max-states' || r.stoppedBy === 'max-depth'
        ? 'no violation in the part explored; the scope was not covered (exit 3)'
        : 'no violation',
    );
  } else {
    const v = r.violation;
    lines.push(
      `VIOLATION ${v.invariant}${v.node === undefined ? '' : ` at ${v.node}`} after ${v.steps} steps${minimised ? ` (${v.foundSteps} as found, then minimised)` : ' (as found: --no-minimise)'}: ${v.message}`,
    );
    r.counterexample?.steps.forEach((s, i) => lines.push(`  ${String(i + 1).padStart(3)}. ${s}`));
    const files = r.counterexample?.files;
    if (files !== undefined) {
      lines.push(
        `counterexample: ${files.replay} (smr replay ${files.replay}), ${files.html}${files.trace ? `, ${files.trace}` : ''}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}
