/**
 * The main job (`smr check`): what a user puts in CI first, and what must catch the classic
 * Paxos and SMR bugs on its embedded defaults (issue 12). Seven parts, cheapest and strongest
 * first; every one checks every invariant, and every node step against the spec twin (but the
 * steps that receive an audit, declare a replica faulty or run in a changed configuration:
 * corruption is outside the spec, and the core prunes the configuration history it keeps):
 *
 *   1. explore  — the F=1 scope, exhaustively (every interleaving of loss, duplication,
 *                 reordering, a crash–restart, two elections and a request);
 *   2. probes   — every replica and client state part 1 reached, and those of a bounded F=2
 *                 search with two clients, handed synthetic messages of every kind
 *                 (harness/conformance/probes.ts);
 *   3. audit    — the audit scope (the checkpoint scope below with an audit after every slot),
 *                 every run within two delays: a corrupt replica detected by the audit, its
 *                 QUIT, its state rebuilt, its JOIN (src/core/replica/audit.ts; corruption is
 *                 outside Smr.tla, so the steps that take part in them are not checked
 *                 against the twin);
 *   4. simulate — seeded simulations of 3 and 5 replicas under every fault, corruption and an
 *                 operator's JOIN/QUIT included; the traces of the runs without those are
 *                 validated by the native trace checker;
 *   5. checkpoints — the checkpoint scope (two requests, a checkpoint every slot, loss,
 *                 duplication, a crash, a corrupt replica), every run within three delays of a
 *                 fair scheduler (engine/delay.ts): checkpoint, truncation, restart and a state
 *                 transfer to the restarted replica;
 *   6. walks    — seeded swarm random walks over wider scopes (walks.ts);
 *   7. traces   — the bundled trace corpus gets its expected verdicts.
 *
 * `failFast` stops at the first part that fails (the mutation score wants the time to the
 * first violation); otherwise every part runs and reports.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvApp } from '../../src/core/apps/kv.js';
import { checkTrace } from '../../src/trace/checker.js';
import { checkBundledTraces, type BundledVerdict } from '../../src/trace/corpus.js';
import { probeNodeSteps, type ProbeResult } from '../conformance/probes.js';
import { createClusterProtocol } from '../explore/cluster/protocol.js';
import { DEFAULT_SCOPE, type ClusterScope } from '../explore/cluster/scope.js';
import type { Progress } from '../explore/engine/search.js';
import {
  auditScopeOptions,
  checkpointScopeOptions,
  explore,
  type ExploreResult,
  type NodeStates,
} from '../explore/explore.js';
import type { CoreModelSpec } from '../explore/model-spec.js';
import { MUTANTS, type Mutant } from '../mutants/index.js';
import { FAULTS, INPUT_FAULTS, simulate, type SimResult } from '../sim/simulate.js';
import { CHECKPOINT_WALK_SCOPE, WALK_SCOPES, WALK_WEIGHTS } from './walks.js';

export const PARTS = [
  'explore',
  'probes',
  'audit',
  'simulate',
  'checkpoints',
  'walks',
  'traces',
] as const;
export type PartName = (typeof PARTS)[number];

/** The simulations of part 4: traced ones first (their traces are validated), then corruption. */
/** Half of them checkpoint every four slots, so truncation and state transfer show in traces. */
export const SIMULATION_SUITE = [
  {
    replicas: 3,
    clients: 2,
    seed: 1,
    steps: 5000,
    faults: INPUT_FAULTS,
    traced: true,
    checkpointEvery: 64,
  },
  {
    replicas: 3,
    clients: 3,
    seed: 2,
    steps: 5000,
    faults: INPUT_FAULTS,
    traced: true,
    checkpointEvery: 4,
  },
  {
    replicas: 5,
    clients: 2,
    seed: 3,
    steps: 5000,
    faults: INPUT_FAULTS,
    traced: true,
    checkpointEvery: 64,
  },
  {
    replicas: 5,
    clients: 3,
    seed: 4,
    steps: 5000,
    faults: INPUT_FAULTS,
    traced: true,
    checkpointEvery: 4,
  },
  {
    replicas: 3,
    clients: 3,
    seed: 5,
    steps: 5000,
    faults: FAULTS,
    traced: false,
    checkpointEvery: 4,
  },
  {
    replicas: 5,
    clients: 3,
    seed: 6,
    steps: 5000,
    faults: FAULTS,
    traced: false,
    checkpointEvery: 64,
  },
] as const;

/** Part 2's second source of states: a bounded F=2 search with competing clients. */
export const PROBE_F2_SCOPE: ClusterScope = {
  ...DEFAULT_SCOPE,
  replicas: 5,
  clients: 2,
  requests: 2,
  maxElections: 2,
};
export const PROBE_F2_STATES = 40_000;
/** One run of SIMULATION_SUITE, with a mutant's rules if given (the main job's part, tests). */
export function simulateSuiteRun(
  s: (typeof SIMULATION_SUITE)[number],
  mutant?: Pick<Mutant, 'rules' | 'clientRules'>,
  onTraceLine?: (line: string) => void,
): SimResult {
  return simulate({
    replicas: s.replicas,
    clients: s.clients,
    seed: s.seed,
    steps: s.steps,
    faults: s.faults,
    app: kvApp,
    checkpointEvery: s.checkpointEvery,
    ...(mutant?.rules !== undefined ? { rules: mutant.rules } : {}),
    ...(mutant?.clientRules !== undefined ? { clientRules: mutant.clientRules } : {}),
    ...(onTraceLine !== undefined ? { onTraceLine } : {}),
  });
}

/** Part 2's third source: random walks with checkpoints every slot (truncated and installing replicas). */
export const PROBE_CHECKPOINT_WALKS = 300;

export interface MainJobOptions {
  /** Where counterexamples go (one folder per part that found one). */
  readonly out?: string;
  /** Receives one human line per finished item. */
  readonly report?: (line: string) => void;
  readonly onProgress?: (p: Progress) => void;
  /** Another trace corpus laid out like traces/ (tests use it). */
  readonly tracesDir?: string;
  /** Stop at the first failing part. */
  readonly failFast?: boolean;
  /** Judge a seeded bug of harness/mutants instead of the reference reducer. */
  readonly mutant?: string;
  /** Run only these parts (default: all, in order). */
  readonly parts?: readonly PartName[];
  /** Walks: only share `index` of `count` (a CI matrix job; the other parts run in full). */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface PartResult {
  readonly part: PartName;
  readonly ok: boolean;
  readonly elapsedMs: number;
  /** What the part covered, in one line. */
  readonly covered: string;
  /** The first violation or wrong verdict, in one line. */
  readonly finding?: string;
  /** The invariant of that violation. */
  readonly invariant?: string;
  /** Steps of its counterexample (explore and walks). */
  readonly counterexampleSteps?: number;
}

export interface WalkRun {
  readonly name: string;
  readonly scope: ClusterScope;
  readonly result: ExploreResult;
}

export interface SimulationRun {
  readonly result: SimResult;
  /** The native trace checker's verdict on the run's trace, when it was traced. */
  readonly trace: {
    readonly verdict: string;
    readonly events: number;
    readonly detail: string;
  } | null;
}

export interface MainJobResult {
  readonly ok: boolean;
  readonly elapsedMs: number;
  readonly mutant?: string;
  readonly parts: readonly PartResult[];
  readonly exploration?: ExploreResult;
  /** Part 5: the checkpoint scope, delay-bounded. */
  readonly checkpointExploration?: ExploreResult;
  /** Part 3: the audit scope, delay-bounded. */
  readonly auditExploration?: ExploreResult;
  readonly probes?: { readonly f2Search: ExploreResult; readonly result: ProbeResult };
  readonly simulations?: readonly SimulationRun[];
  readonly walks?: readonly WalkRun[];
  readonly traces?: readonly BundledVerdict[];
}

const fmt = (n: number): string => n.toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function runMainJob(options: MainJobOptions = {}): Promise<MainJobResult> {
  const started = performance.now();
  const report = options.report ?? (() => undefined);
  const wanted = new Set(options.parts ?? PARTS);
  const mutant = options.mutant === undefined ? undefined : MUTANTS.get(options.mutant);
  if (options.mutant !== undefined && mutant === undefined)
    throw new RangeError(`unknown mutant ${JSON.stringify(options.mutant)}`);
  const withMutant = (scope: ClusterScope): ClusterScope =>
    options.mutant === undefined ? scope : { ...scope, mutant: options.mutant };
  const outFor = (part: string) =>
    options.out === undefined ? {} : { out: join(options.out, part) };
  const spec = (scope: ClusterScope, symmetry = true): CoreModelSpec => ({
    model: 'core',
    scope: withMutant(scope),
    symmetry,
    por: true,
    determinism: true,
    refinement: false,
  });

  const parts: PartResult[] = [];
  const result: {
    -readonly [K in keyof MainJobResult]?: MainJobResult[K];
  } = {};
  let f1States: NodeStates | undefined;
  const finish = (part: PartResult): boolean => {
    parts.push(part);
    report(
      `${part.part}: ${part.covered} — ${part.ok ? 'ok' : `FAILED: ${part.finding ?? 'see above'}`} (${secs(part.elapsedMs)})`,
    );
    return part.ok || options.failFast !== true;
  };

  const steps: Record<PartName, () => Promise<boolean>> = {
    explore: async () => {
      const r = await explore({
        spec: spec(DEFAULT_SCOPE),
        ...outFor('explore'),
        ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        onNodeStates: (s) => (f1States = s),
      });
      result.exploration = r;
      return finish({
        part: 'explore',
        ok: r.status === 'ok' && r.complete,
        elapsedMs: r.elapsedMs,
        covered: `F=1 scope (${describeScope(r.scope ?? DEFAULT_SCOPE)}) exhaustively: ${fmt(r.distinctStates)} states, depth ${r.depth}${r.complete ? ', complete' : ', INCOMPLETE'}`,
        ...violationOf(r),
      });
    },
    probes: async () => {
      const t = performance.now();
      // Run alone (--only probes), the part gathers the F=1 states itself.
      if (f1States === undefined)
        await explore({ spec: spec(DEFAULT_SCOPE), onNodeStates: (s) => (f1States = s) });
      let f2States: NodeStates | undefined;
      await macrotask();
      const f2 = await explore({
        spec: spec(PROBE_F2_SCOPE),
        maxStates: PROBE_F2_STATES,
        ...outFor('probes-f2'),
        onNodeStates: (s) => (f2States = s),
      });
      let cpStates: NodeStates | undefined;
      await macrotask();
      const cp =
        f2.status === 'ok'
          ? await explore({
              spec: spec(CHECKPOINT_WALK_SCOPE, false),
              strategy: 'random',
              seed: 7,
              walks: PROBE_CHECKPOINT_WALKS,
              walkSteps: 100,
              swarm: true,
              walkWeights: WALK_WEIGHTS,
              ...outFor('probes-checkpoints'),
              onNodeStates: (s) => (cpStates = s),
            })
          : f2;
      let probe: ProbeResult | null = null;
      if (f2.status === 'ok' && cp.status === 'ok') {
        const sources: [ClusterScope, NodeStates | undefined][] = [
          [DEFAULT_SCOPE, f1States],
          [PROBE_F2_SCOPE, f2States],
          [CHECKPOINT_WALK_SCOPE, cpStates],
        ];
        for (const [scope, states] of sources) {
          await macrotask();
          if (states === undefined) continue;
          const { cfg } = createClusterProtocol(withMutant(scope));
          if (cfg.stepChecks === undefined) continue;
          const r = probeNodeSteps(
            { ...cfg, stepChecks: cfg.stepChecks },
            states.replicas,
            states.clients,
          );
          probe = probe === null ? r : merge(probe, r);
          if (r.finding !== null) break;
        }
      }
      const p = probe ?? emptyProbe();
      result.probes = { f2Search: f2, result: p };
      if (p.finding !== null && options.out !== undefined) writeProbeFinding(options.out, p);
      const searchBad =
        f2.status === 'violation'
          ? violationOf(f2)
          : cp.status === 'violation'
            ? violationOf(cp)
            : {};
      return finish({
        part: 'probes',
        ok: f2.status === 'ok' && cp.status === 'ok' && p.finding === null,
        elapsedMs: performance.now() - t,
        covered: `${fmt(p.replicaStates)} replica and ${fmt(p.clientStates)} client states (F=1, the first ${fmt(f2.distinctStates)} states of F=2 with two clients, ${fmt(PROBE_CHECKPOINT_WALKS)} walks with checkpoints: ${describeCheckpointStates(cpStates)}) × ${fmt(p.probes)} synthetic inputs`,
        ...searchBad,
        ...(p.finding === null
          ? {}
          : {
              finding: `${p.finding.violation.invariant} at ${p.finding.node} on ${p.finding.inputs.join(' then ')}: ${p.finding.violation.message}`,
              invariant: p.finding.violation.invariant,
            }),
      });
    },
    checkpoints: async () => {
      const cp = await explore(
        checkpointScopeOptions(DEFAULT_SCOPE.replicas, options.mutant, {
          ...outFor('checkpoints'),
          ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        }),
      );
      result.checkpointExploration = cp;
      const reached = (m: string): string => fmt(cp.milestones?.[m] ?? 0);
      return finish({
        part: 'checkpoints',
        ok: cp.status === 'ok' && cp.complete,
        elapsedMs: cp.elapsedMs,
        covered: `checkpoint scope (${describeScope(cp.scope ?? DEFAULT_SCOPE)}) within ≤${cp.maxDelays ?? 0} delays of a fair scheduler: ${fmt(cp.distinctStates)} states${cp.complete || cp.status === 'violation' ? '' : ', INCOMPLETE'}; after a checkpoint ${reached('checkpoint')}, a truncation ${reached('truncation')}, a state transfer ${reached('state transfer')} (to a restarted replica ${reached('restart, then state transfer')})`,
        ...violationOf(cp),
      });
    },
    audit: async () => {
      const au = await explore(
        auditScopeOptions(DEFAULT_SCOPE.replicas, options.mutant, {
          ...outFor('audit'),
          ...(options.onProgress !== undefined ? { onProgress: options.onProgress } : {}),
        }),
      );
      result.auditExploration = au;
      const reached = (m: string): string => fmt(au.milestones?.[m] ?? 0);
      return finish({
        part: 'audit',
        ok: au.status === 'ok' && au.complete,
        elapsedMs: au.elapsedMs,
        covered: `audit scope (${describeScope(au.scope ?? DEFAULT_SCOPE)}) within ≤${au.maxDelays ?? 0} delays of a fair scheduler: ${fmt(au.distinctStates)} states${au.complete || au.status === 'violation' ? '' : ', INCOMPLETE'}; after an audit detection ${reached('audit detection')}, a QUIT ${reached('QUIT')}, a JOIN ${reached('JOIN')}, a state transfer after a detection ${reached('audit detection, then state transfer')}; the steps of the corrupted replica's audit, QUIT and JOIN are not checked against the twin (Smr.tla's replicas only crash)`,
        ...violationOf(au),
      });
    },
    simulate: async () => {
      const t = performance.now();
      const runs: SimulationRun[] = [];
      let bad: PartResult | undefined;
      for (const s of SIMULATION_SUITE) {
        await macrotask();
        const lines: string[] = [];
        const r = simulateSuiteRun(
          s,
          mutant,
          s.traced ? (l: string) => void lines.push(l) : undefined,
        );
        const trace = s.traced && r.violation === null ? validateTrace(lines) : null;
        runs.push({ result: r, trace });
        const what = `N=${s.replicas} C=${s.clients} seed=${s.seed} checkpoint every ${s.checkpointEvery}${s.traced ? '' : ' with corruption and an operator’s JOIN/QUIT'}`;
        report(
          `  simulate ${what}: ${fmt(r.steps)} steps, ${fmt(r.requests.completed)} requests completed, ${fmt(r.slotsChosen)} slots chosen, ${fmt(r.checkpoints.taken)} checkpoints, ${fmt(r.checkpoints.transfers)} transfers` +
            (trace === null ? '' : `, trace ${trace.verdict} (${fmt(trace.events)} events)`) +
            (r.audit.every === 0
              ? ''
              : `, ${r.audit.detections} audit detections, ${r.audit.quits} QUIT and ${r.audit.joins} JOIN executed, ${r.audit.refused} refused`) +
            (r.violation === null
              ? ''
              : ` — VIOLATION ${r.violation.invariant} at step ${r.violation.step}`),
        );
        if (bad === undefined && r.violation !== null)
          bad = {
            part: 'simulate',
            ok: false,
            elapsedMs: 0,
            covered: '',
            finding: `${what}: ${r.violation.invariant} at step ${r.violation.step} (${r.violation.action}): ${r.violation.message}`,
            invariant: r.violation.invariant,
          };
        else if (bad === undefined && trace !== null && trace.verdict !== 'valid')
          bad = {
            part: 'simulate',
            ok: false,
            elapsedMs: 0,
            covered: '',
            finding: `${what}: the run's trace is ${trace.verdict}: ${trace.detail}`,
            invariant: 'Refinement',
          };
        if (bad !== undefined && options.failFast === true) break;
      }
      result.simulations = runs;
      const traced = runs.filter((r) => r.trace !== null).length;
      return finish({
        part: 'simulate',
        ok: bad === undefined,
        elapsedMs: performance.now() - t,
        covered: `${runs.length} seeded runs (3 and 5 replicas, every fault, 2 with corruption, the audit and an operator's JOIN/QUIT), ${fmt(runs.reduce((n, r) => n + r.result.steps, 0))} steps, ${traced} traces validated`,
        ...(bad?.finding !== undefined ? { finding: bad.finding } : {}),
        ...(bad?.invariant !== undefined ? { invariant: bad.invariant } : {}),
      });
    },
    walks: async () => {
      const t = performance.now();
      const runs: WalkRun[] = [];
      let bad: WalkRun | undefined;
      for (const [i, w] of WALK_SCOPES.entries()) {
        await macrotask();
        // Walks merge no states, so client symmetry (and its check) would only cost time.
        const r = await explore({
          spec: spec(w.scope, false),
          strategy: 'random',
          seed: 1000 + i,
          walks: w.walks,
          walkSteps: w.steps,
          swarm: true,
          walkWeights: WALK_WEIGHTS,
          ...(options.shard !== undefined ? { shard: options.shard } : {}),
          ...outFor(`walks-${i + 1}`),
        });
        runs.push({ name: w.name, scope: w.scope, result: r });
        report(
          `  walks ${w.name}: ${fmt(w.walks)} walks of ${w.steps} steps, ${fmt(r.distinctStates)} distinct states, ${secs(r.elapsedMs)}` +
            (r.violation === null ? '' : ` — VIOLATION ${r.violation.invariant}`),
        );
        if (r.status === 'violation') {
          bad ??= runs[runs.length - 1];
          if (options.failFast === true) break;
        }
      }
      result.walks = runs;
      const walks = runs.reduce(
        (n, r) => n + (WALK_SCOPES.find((w) => w.name === r.name)?.walks ?? 0),
        0,
      );
      return finish({
        part: 'walks',
        ok: bad === undefined,
        elapsedMs: performance.now() - t,
        covered: `${fmt(walks)} swarm walks${options.shard === undefined ? '' : ` (share ${options.shard.index + 1}/${options.shard.count})`} over ${runs.length} wider scopes, ${fmt(runs.reduce((n, r) => n + r.result.distinctStates, 0))} distinct states`,
        ...(bad === undefined
          ? {}
          : {
              ...violationOf(bad.result),
              finding: `${bad.name}: ${violationOf(bad.result).finding ?? ''}`,
            }),
      });
    },
    traces: () => {
      const t = performance.now();
      const traces = checkBundledTraces(options.tracesDir);
      result.traces = traces;
      const wrong = traces.filter((v) => !v.ok);
      for (const v of wrong)
        report(
          `  trace ${v.name}: ${v.verdict}${v.line === null ? '' : ` at line ${v.line}`} — WRONG VERDICT (${v.detail})`,
        );
      const valid = traces.filter((v) => v.expected === 'valid').length;
      return Promise.resolve(
        finish({
          part: 'traces',
          ok: traces.length > 0 && wrong.length === 0,
          elapsedMs: performance.now() - t,
          covered: `${traces.length} bundled traces (${valid} valid, ${traces.length - valid} invalid at the line their .why.md names)`,
          ...(wrong.length > 0
            ? { finding: `${wrong.length} wrong verdicts, first ${wrong[0]?.name ?? ''}` }
            : traces.length === 0
              ? { finding: 'no bundled traces found' }
              : {}),
        }),
      );
    },
  };

  for (const part of PARTS) {
    if (!wanted.has(part)) continue;
    await macrotask();
    if (!(await steps[part]())) break;
  }
  return {
    ok: parts.every((p) => p.ok),
    elapsedMs: Math.round(performance.now() - started),
    ...(options.mutant !== undefined ? { mutant: options.mutant } : {}),
    parts,
    ...result,
  };
}

/** How many of the replica states the checkpoint walks met hold a checkpoint, and a truncated log. */
function describeCheckpointStates(states: NodeStates | undefined): string {
  let held = 0;
  let truncated = 0;
  for (const s of states?.replicas ?? []) {
    const cp = s.durable.checkpoint;
    if (cp === null) continue;
    held++;
    let below = false;
    for (const slot of s.durable.chosen.keys()) if (slot < cp.slot) below = true;
    for (const slot of s.durable.accepted.keys()) if (slot < cp.slot) below = true;
    if (!below) truncated++;
  }
  return `${fmt(held)} states hold a checkpoint, ${fmt(truncated)} of them with the log below it truncated`;
}

/**
 * Let the event loop run between long synchronous stretches (each search is synchronous inside):
 * timers and I/O callbacks — a test runner's RPC, a progress bar — would otherwise wait for the
 * whole job.
 */
const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function describeScope(s: ClusterScope): string {
  const timing =
    (s.heartbeatTicks ?? 0) > 0
      ? `, heartbeats every ${s.heartbeatTicks} ticks, election after ${s.electionTicks ?? 1}`
      : '';
  const checkpoints =
    (s.checkpointEvery ?? 0) > 0
      ? `, a checkpoint every ${s.checkpointEvery === 1 ? 'slot' : `${s.checkpointEvery} slots`}`
      : '';
  const audits =
    (s.auditEvery ?? 0) > 0
      ? `, an audit every ${s.auditEvery === 1 ? 'slot' : `${s.auditEvery} slots`}`
      : '';
  return `${s.replicas} replicas, ${s.clients} client${s.clients === 1 ? '' : 's'}, ${s.requests} request${s.requests === 1 ? '' : 's'}, faults ${s.faults.join(',')}, ≤${s.maxCrashes} crashes, ≤${s.maxElections} elections${timing}${checkpoints}${audits}`;
}

function violationOf(r: ExploreResult): Partial<PartResult> {
  const v = r.violation;
  if (v === null) return {};
  const files = r.counterexample?.files;
  return {
    finding: `${v.invariant}${v.node === undefined ? '' : ` at ${v.node}`} after ${v.steps} steps: ${v.message}${files === undefined ? '' : ` (smr replay ${files.replay})`}`,
    invariant: v.invariant,
    counterexampleSteps: v.steps,
  };
}

function validateTrace(lines: readonly string[]): SimulationRun['trace'] {
  const dir = mkdtempSync(join(tmpdir(), 'smr-check-trace-'));
  try {
    const file = join(dir, 'run.ndjson');
    writeFileSync(file, lines.join('\n') + '\n');
    const r = checkTrace([file]);
    const f = r.failure;
    return {
      verdict: r.verdict,
      events: r.events,
      detail:
        f === null ? '' : `line ${f.line}: ${f.node} ${f.action}: ${f.invariant ?? f.conjunct}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The probe that failed, as JSON: the node's state, the inputs, the violation. */
function writeProbeFinding(out: string, p: ProbeResult): void {
  const dir = join(out, 'probes');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'finding.json'), JSON.stringify(p.finding, null, 2) + '\n');
}

function merge(a: ProbeResult, b: ProbeResult): ProbeResult {
  return {
    replicaStates: a.replicaStates + b.replicaStates,
    clientStates: a.clientStates + b.clientStates,
    probes: a.probes + b.probes,
    steps: a.steps + b.steps,
    elapsedMs: a.elapsedMs + b.elapsedMs,
    finding: a.finding ?? b.finding,
  };
}

function emptyProbe(): ProbeResult {
  return { replicaStates: 0, clientStates: 0, probes: 0, steps: 0, elapsedMs: 0, finding: null };
}
