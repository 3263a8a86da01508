/**
 * The explorer's entry point (`smr explore`, `smr check`, the library API): choose the search,
 * run it in this thread or over workers, then turn a violation into a shortest, minimised
 * counterexample with its files.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resourceUsage } from 'node:process';
import type { ClientState } from '../../src/core/client.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import { CHECKED_INVARIANTS } from '../model/invariants.js';
import { type InvariantName, type Violation } from '../../src/spec/violation.js';
import { PROPERTIES, STATE_INVARIANTS } from '../../src/spec/invariants.js';
import { rebuildCounterexample, replayChoices } from './bfs.js';
import type { PackedClusterProtocol, PackedState } from './cluster/packed.js';
import type { ClusterProtocol, ClusterState } from './cluster/protocol.js';
import type { ClusterAction } from './cluster/action.js';
import { minimise, replay, toStable, type StableStep } from './cluster/replay.js';
import {
  AUDIT_SCOPE,
  AUDIT_SCOPE_DELAYS,
  AUDIT_SCOPE_F2,
  CHECKPOINT_SCOPE,
  CHECKPOINT_SCOPE_F2,
  checkpointScopeDelays,
  DEFAULT_SCOPE,
  type ClusterScope,
} from './cluster/scope.js';
import {
  writeClusterCounterexample,
  writeGenericCounterexample,
  type WrittenFiles,
} from './counterexample/files.js';
import { readCheckpoint, type SearchIdentity } from './engine/checkpoint.js';
import { runDelayBounded, type MilestoneCounts } from './engine/delay.js';
import { runDfs, runRandomWalks, type PathOutcome } from './engine/dfs.js';
import { runLocalBfs } from './engine/local.js';
import { runParallelBfs } from './engine/parallel.js';
import type { Progress, SearchOutcome } from './engine/search.js';
import { buildClusterProtocol, buildProtocol, type ModelSpec } from './model-spec.js';
import type { ObserveLevel } from '../../src/trace/format.js';
import type { Protocol } from '../../src/spec/transition-system.js';

export const STRATEGIES = ['bfs', 'dfs', 'random', 'delay'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface ExploreOptions {
  readonly spec: ModelSpec;
  readonly strategy?: Strategy;
  readonly maxDepth?: number;
  readonly maxStates?: number;
  /** Threads for BFS (this one and W − 1 workers); 1 searches in this thread alone. */
  readonly workers?: number;
  /** Workers join once a level holds this many states (engine/parallel.ts; 0 = at once). */
  readonly workerJoinFrontier?: number;
  /** Exact visited set (full encodings) instead of 64-bit fingerprints. */
  readonly exact?: boolean;
  /** Engine-level determinism check for protocols that do not check themselves. */
  readonly determinism?: boolean;
  /** Delay-bounded search: departures from the fair scheduler allowed (default 3). */
  readonly maxDelays?: number;
  readonly seed?: number;
  readonly walks?: number;
  readonly walkSteps?: number;
  readonly swarm?: boolean;
  /** Random walks: relative weights of action kinds (the label's first word); default 1 each. */
  readonly walkWeights?: Readonly<Record<string, number>>;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly memoryLimitMb?: number;
  /** Stop with a checkpoint after this many distinct states (like a memory limit, but exact). */
  readonly checkpointAfterStates?: number;
  /** Tests: spill the next level to disk whenever it holds this many states (one thread). */
  readonly spillAtFrontier?: number;
  readonly checkpointPath?: string;
  readonly resume?: string;
  /** Write the counterexample's files here. */
  readonly out?: string;
  /** What the counterexample's trace logs (src/trace/recorder.ts); default `full`. */
  readonly observe?: ObserveLevel;
  /** Drop steps from the counterexample while it still fails (default true). */
  readonly minimise?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /**
   * Receives every distinct replica and client state the search met in this thread, when it
   * ends without a violation (the main job's node probes start from them).
   */
  readonly onNodeStates?: (states: NodeStates) => void;
}

export interface NodeStates {
  readonly replicas: readonly ReplicaState[];
  readonly clients: readonly ClientState[];
}

export interface ExploreResult {
  readonly status: 'ok' | 'violation' | 'incomplete';
  readonly model: ModelSpec['model'];
  readonly protocol: string;
  readonly scope?: ClusterScope;
  readonly constants?: string;
  readonly strategy: Strategy;
  readonly workers: number;
  /** The threads that took part: workers join a parallel search only once levels are large. */
  readonly workersUsed: number;
  readonly reductions: {
    readonly symmetry: boolean;
    readonly por: boolean;
    /** Dead messages pruned (--prune-dead-messages, checked as it runs). */
    readonly deadMessages: boolean;
  };
  /** Every reachable state within the bounds was explored. */
  readonly complete: boolean;
  readonly stoppedBy?: 'max-states' | 'max-depth' | 'memory-limit';
  readonly distinctStates: number;
  /** Successor states computed, duplicates included (TLC's "states generated"). */
  readonly generatedStates: number;
  readonly depth: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  readonly peakRssMb: number;
  /** What was checked on every state and step (a spec model checks its own invariants too). */
  readonly invariants: readonly string[];
  readonly violation: (Violation & { readonly steps: number; readonly foundSteps: number }) | null;
  readonly counterexample?: { readonly steps: readonly string[]; readonly files?: WrittenFiles };
  readonly checkpoint?: string;
  /** Delay-bounded search: the bound, and how many distinct states lie after each milestone. */
  readonly maxDelays?: number;
  readonly milestones?: MilestoneCounts;
}

export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const { spec } = options;
  const strategy = options.strategy ?? 'bfs';
  const workers = strategy === 'bfs' ? (options.workers ?? 1) : 1;
  // The delay-bounded scheduler orders messages by when they were sent: object worlds keep that.
  const protocol =
    strategy === 'delay' && spec.model === 'core'
      ? ((await buildClusterProtocol(spec)) as unknown as Protocol<unknown, unknown>)
      : await buildProtocol(spec);
  const identity: SearchIdentity = {
    spec,
    maxDepth: options.maxDepth ?? null,
    shard: options.shard === undefined ? null : `${options.shard.index}/${options.shard.count}`,
  };
  const checkpointPath = options.checkpointPath ?? 'smr-explore.checkpoint.ndjson';
  // Beside the checkpoint, on the disk the user chose for it (not /tmp, often memory itself).
  const spillDir = join(dirname(checkpointPath), `.smr-explore-frontier-${process.pid}`);
  try {
    return await search();
  } finally {
    rmSync(spillDir, { recursive: true, force: true });
  }

  async function search(): Promise<ExploreResult> {
    const resume =
      options.resume === undefined
        ? undefined
        : await readCheckpoint(options.resume, identity, spillDir);
    const config = {
      exact: options.exact === true,
      determinism: options.determinism ?? true,
      checkpointPath,
      spillDir,
      identity,
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(options.memoryLimitMb !== undefined ? { memoryLimitMb: options.memoryLimitMb } : {}),
      ...(options.spillAtFrontier !== undefined
        ? { spillAtFrontier: options.spillAtFrontier }
        : {}),
      ...(options.checkpointAfterStates !== undefined
        ? { checkpointAfterStates: options.checkpointAfterStates }
        : {}),
      ...(options.workerJoinFrontier !== undefined
        ? { workerJoinFrontier: options.workerJoinFrontier }
        : {}),
      ...(options.shard !== undefined ? { shard: options.shard } : {}),
      ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
    };

    let outcome: SearchOutcome | PathOutcome;
    let milestones: MilestoneCounts | undefined;
    if (strategy === 'dfs') {
      outcome = runDfs(protocol, {
        maxDepth: options.maxDepth ?? 60,
        ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      });
    } else if (strategy === 'delay') {
      const delayed = runDelayBounded(protocol, {
        maxDelays: options.maxDelays ?? 3,
        // Deep enough for the default scopes' longest runs (the audit scope at F=2 passes 200).
        maxDepth: options.maxDepth ?? 2000,
        ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      });
      outcome = delayed;
      milestones = delayed.milestones;
    } else if (strategy === 'random') {
      outcome = runRandomWalks(protocol, {
        seed: options.seed ?? 1,
        walks: options.walks ?? 1000,
        steps: options.walkSteps ?? options.maxDepth ?? 60,
        swarm: options.swarm ?? true,
        ...(options.walkWeights !== undefined ? { weights: options.walkWeights } : {}),
        ...(options.shard !== undefined ? { shard: options.shard } : {}),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
      });
    } else if (workers > 1) {
      outcome = await runParallelBfs(protocol, spec, workers, config, resume);
    } else {
      outcome = runLocalBfs(protocol, config, resume);
    }

    const base = {
      model: spec.model,
      protocol: protocol.name,
      ...(spec.model === 'core' ? { scope: spec.scope } : { constants: spec.constants }),
      strategy,
      workers,
      workersUsed: ('participants' in outcome ? outcome.participants : undefined) ?? 1,
      reductions:
        spec.model === 'core'
          ? {
              symmetry: spec.symmetry,
              por: spec.por,
              deadMessages: spec.pruneDeadMessages === true,
            }
          : { symmetry: false, por: false, deadMessages: false },
      distinctStates: outcome.distinct,
      generatedStates: outcome.transitions,
      depth: outcome.depth,
      elapsedMs: Math.round(outcome.elapsedMs),
      statesPerSecond: Math.round((outcome.distinct / Math.max(outcome.elapsedMs, 1)) * 1000),
      peakRssMb: Math.round(resourceUsage().maxRSS / 1024),
      invariants: checkedInvariants(spec),
      ...(milestones !== undefined ? { maxDelays: options.maxDelays ?? 3, milestones } : {}),
    };
    if (outcome.kind === 'violation') {
      const choices =
        'found' in outcome
          ? rebuildCounterexample(protocol, outcome.tables, outcome.found).choices
          : (outcome.choices as readonly number[]);
      const violation =
        'found' in outcome ? outcome.found.violation : (outcome.violation as Violation);
      const cx = counterexample(protocol, spec, choices, violation, options);
      return {
        ...base,
        status: 'violation',
        complete: false,
        violation: { ...cx.violation, steps: cx.labels.length, foundSteps: cx.foundSteps },
        counterexample: { steps: cx.labels, ...(cx.files ? { files: cx.files } : {}) },
      };
    }
    if (options.onNodeStates !== undefined && 'nodeStates' in protocol)
      options.onNodeStates((protocol as unknown as PackedClusterProtocol).nodeStates());
    const stoppedBy =
      outcome.kind === 'max-states' || outcome.kind === 'max-depth'
        ? outcome.kind
        : outcome.kind === 'checkpoint'
          ? 'memory-limit'
          : undefined;
    return {
      ...base,
      status: outcome.kind === 'checkpoint' ? 'incomplete' : 'ok',
      complete: outcome.kind === 'complete' && strategy !== 'random',
      ...(stoppedBy !== undefined ? { stoppedBy } : {}),
      violation: null,
      ...(outcome.kind === 'checkpoint' ? { checkpoint: outcome.checkpoint } : {}),
    };
  }
}

function checkedInvariants(spec: ModelSpec): string[] {
  // A spec model checks the twin's invariants and properties, named as in spec/Smr.tla.
  if (spec.model === 'spec') return [...STATE_INVARIANTS, ...PROPERTIES, 'Nondeterminism'];
  // Every node step is checked against the twin (harness/refinement/local.ts); --refinement
  // adds the whole-world check of every transition.
  const names: InvariantName[] = [...CHECKED_INVARIANTS, 'Refinement'];
  if (spec.determinism) names.push('Nondeterminism');
  return names;
}

/** Replay the found path, minimise it (core models), and write its files. */
function counterexample(
  protocol: Protocol<unknown, unknown>,
  spec: ModelSpec,
  choices: readonly number[],
  found: Violation,
  options: ExploreOptions,
): { labels: string[]; violation: Violation; foundSteps: number; files?: WrittenFiles } {
  if (spec.model !== 'core') {
    const { actions } = replayChoices(protocol, choices);
    const labels = actions.map((a) => protocol.describe(a));
    const files =
      options.out === undefined
        ? undefined
        : writeGenericCounterexample(options.out, spec, choices, labels, found);
    return { labels, violation: found, foundSteps: labels.length, ...(files ? { files } : {}) };
  }
  // The search may run on packed states; the counterexample is replayed on object worlds.
  const search = protocol as unknown as Protocol<unknown, ClusterAction>;
  const packed = 'objects' in protocol ? (protocol as unknown as PackedClusterProtocol) : null;
  const cluster = packed?.objects ?? (protocol as unknown as ClusterProtocol);
  const view = (s: unknown): ClusterState =>
    packed === null ? (s as ClusterState) : packed.unpack(s as PackedState);
  let state = search.initialStates()[choices[0] as number];
  const steps: StableStep[] = [];
  for (const k of choices.slice(1)) {
    const action = search.actions(state)[k];
    if (action === undefined) throw new Error('counterexample replay diverged from the search');
    steps.push(...toStable(view(state), action));
    state = search.step(state, action).world;
  }
  const short = options.minimise === false ? steps : minimise(cluster, steps, found.invariant);
  const run = replay(cluster, short);
  if (run.violation === null) throw new Error('the minimised counterexample does not reproduce');
  const files =
    options.out === undefined
      ? undefined
      : writeClusterCounterexample(options.out, cluster, spec, run, options.observe ?? 'full');
  return {
    labels: run.steps.map((s) => s.label),
    violation: run.violation.violation,
    foundSteps: steps.length,
    ...(files ? { files } : {}),
  };
}

/** The F = 1 default scope with every reduction on: what `smr check` runs. */
export function defaultExploreOptions(overrides: Partial<ExploreOptions> = {}): ExploreOptions {
  return {
    spec: {
      model: 'core',
      scope: DEFAULT_SCOPE,
      symmetry: true,
      por: true,
      determinism: true,
      refinement: false,
    },
    strategy: 'bfs',
    workers: 1,
    ...overrides,
  };
}

/** `smr check` calls this: explore the F = 1 default scope and return the result. */
export function runDefaultExploration(
  overrides: Partial<ExploreOptions> = {},
): Promise<ExploreResult> {
  return explore(defaultExploreOptions(overrides));
}

/**
 * The second part of the default exploration (`smr explore` with no scope flags, and `smr
 * check`): the checkpoint scope for this replica count, delay-bounded, with the same mutant.
 * The first part's exhaustive scope takes no checkpoint; this one reaches checkpoint,
 * truncation, restart and state transfer (its result's `milestones` count the states).
 */
export function checkpointScopeOptions(
  replicas: number,
  mutant: string | undefined,
  overrides: Partial<ExploreOptions> = {},
): ExploreOptions {
  const base = replicas >= 5 ? CHECKPOINT_SCOPE_F2 : { ...CHECKPOINT_SCOPE, replicas };
  return {
    strategy: 'delay',
    maxDelays: checkpointScopeDelays(replicas),
    ...overrides,
    spec: {
      model: 'core',
      scope: { ...base, ...(mutant !== undefined ? { mutant } : {}) },
      symmetry: true,
      // Crashes stay apart from their restarts: a replica down while the others checkpoint is
      // the point, and fused it would cost a delay per message it must miss.
      por: false,
      determinism: true,
      refinement: false,
    },
  };
}

/**
 * The third part of the default exploration: the audit scope (scope.ts), delay-bounded, which
 * reaches an audit detection, a QUIT and a JOIN (its result's `milestones` count the states).
 */
export function auditScopeOptions(
  replicas: number,
  mutant: string | undefined,
  overrides: Partial<ExploreOptions> = {},
): ExploreOptions {
  const options = checkpointScopeOptions(replicas, mutant, overrides);
  const base = replicas >= 5 ? AUDIT_SCOPE_F2 : { ...AUDIT_SCOPE, replicas };
  if (options.spec.model !== 'core') throw new Error('the audit scope is a core model');
  return {
    ...options,
    maxDelays: overrides.maxDelays ?? AUDIT_SCOPE_DELAYS,
    spec: { ...options.spec, scope: { ...base, ...(mutant !== undefined ? { mutant } : {}) } },
  };
}

/** The verdict of several parts: the first violation, else the first part incomplete, else ok. */
export function overallResult(parts: readonly ExploreResult[]): ExploreResult {
  const first = parts[0];
  if (first === undefined) throw new Error('no exploration part ran');
  return (
    parts.find((p) => p.status === 'violation') ??
    parts.find((p) => p.status === 'incomplete') ??
    first
  );
}
