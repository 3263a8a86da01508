/**
 * smr-oracle's one public entry (STYLE.md §9). Deep imports are blocked by package.json
 * `exports`; everything a user may rely on is exported here, explicitly.
 */
export type * from './core/types.js';
export {
  ZERO_BALLOT,
  compareBallots,
  ballotEquals,
  nextBallot,
  formatBallot,
} from './core/ballot.js';
export { majority, isMajority } from './core/quorum.js';
export { canonicalEncode, digestOf, hash64, hash64Hex } from './core/canonical.js';
export type { App, AnyApp } from './core/app.js';
export { APPS, kvApp, counterApp } from './core/apps/index.js';
export type { KvState, KvCell } from './core/apps/kv.js';
export { checkMessage } from './core/validate.js';
export { initReplica, replicaContext, replicaStep } from './core/replica/reducer.js';
export { REFERENCE_RULES, NOOP, type ReplicaRules } from './core/replica/rules.js';
export {
  DEFAULT_REPLICA_PARAMS,
  EMPTY_DURABLE,
  chosenPrefix,
  type ReplicaParams,
  type ReplicaState,
  type VolatileState,
  type Proposal,
  type Session,
  type Role,
} from './core/replica/state.js';
export type { ReplicaContext } from './core/replica/builder.js';
export {
  initClient,
  clientStep,
  decide as decideOutcome,
  type ClientParams,
  type ClientState,
  type PendingRequest,
  type ReplyPolicy,
} from './core/client.js';

// ── Oracles: linearizability (src/oracle) and differential testing (harness/difftest) ──
export type { HistoryOp, Model, Verdict } from './oracle/types.js';
export {
  checkLinearizability,
  type LincheckOptions,
  type LincheckResult,
  type PartitionResult,
  type Failure as LincheckFailure,
} from './oracle/lincheck.js';
export {
  createIncrementalChecker,
  type IncrementalChecker,
  type IncrementalOptions,
  type IncrementalResult,
} from './oracle/incremental.js';
export {
  registerModel,
  kvModel,
  appModel,
  modelByName,
  inferModelName,
  MODEL_NAMES,
  type KvModelState,
} from './oracle/models.js';
export {
  HISTORY_FORMATS,
  detectFormat,
  parseHistory,
  validateForModel,
  type HistoryFormat,
  type ParsedHistory,
} from './oracle/formats/index.js';
export { renderTimeline, type TimelineInput } from './oracle/html.js';
export { diffTest, type DiffTestOptions, type DiffTestResult } from '../harness/difftest/run.js';
export {
  scheduleFromSimulation,
  scheduleFromReplayFile,
  type Schedule,
  type ScheduledInput,
} from '../harness/difftest/schedule.js';

// ── Traces: the format, the one writer, the checkers, the bundled corpus (src/trace) ──
export * from './trace/index.js';
export {
  checkTraceWithTlc,
  type TlcOptions,
  type TlcResult,
} from '../harness/tlc/trace-backend.js';

// ── The TS twin of spec/Smr.tla, as a namespace: its action functions carry TLA+ names ──
export * as spec from './spec/index.js';

// ── Simulator, explorer, mutants, refinement, TLC runner (harness/) ──
export {
  simulate,
  FAULTS,
  INPUT_FAULTS,
  type FaultName,
  type SimOptions,
  type SimResult,
} from '../harness/sim/simulate.js';
export { CHECKED_INVARIANTS } from '../harness/model/invariants.js';
export { INVARIANTS, type InvariantName, type Violation } from './spec/violation.js';
export {
  explore,
  runDefaultExploration,
  defaultExploreOptions,
  STRATEGIES,
  type ExploreOptions,
  type ExploreResult,
  type Strategy,
} from '../harness/explore/explore.js';
export {
  bfs,
  type BfsOptions,
  type BfsResult,
  type Counterexample,
} from '../harness/explore/bfs.js';
export type { Protocol, Successor } from './spec/transition-system.js';
export type { ModelSpec, CoreModelSpec, TwinModelSpec } from '../harness/explore/model-spec.js';
export {
  DEFAULT_SCOPE,
  DEFAULT_SCOPE_F2,
  EXPLORE_FAULTS,
  type ClusterScope,
} from '../harness/explore/cluster/scope.js';
export {
  readReplayFile,
  replayFile,
  type ReplayOutcome,
} from '../harness/explore/counterexample/replay-file.js';
export { MUTANTS, type Mutant } from '../harness/mutants/index.js';
export { CORE_EDITS, type CoreEdit, type SourceEdit } from '../harness/mutants/core-edits.js';
export { checkRefinementStep } from '../harness/refinement/index.js';
export { StepRefinement } from '../harness/refinement/local.js';
export {
  probeNodeSteps,
  type ProbeFinding,
  type ProbeOptions,
  type ProbeResult,
} from '../harness/conformance/probes.js';
export {
  runMainJob,
  PARTS,
  SIMULATION_SUITE,
  type MainJobOptions,
  type MainJobResult,
  type PartName,
  type PartResult,
} from '../harness/check/main-job.js';
export { WALK_SCOPES, type WalkScope } from '../harness/check/walks.js';
export { mutationScore, type MutantScore, type ScoreResult } from '../harness/check/score.js';
export {
  findJar,
  runSany,
  runTlc,
  JAR_ENV,
  type TlcRunOptions,
  type TlcResult as TlcRunResult,
} from '../harness/tlc/run.js';
