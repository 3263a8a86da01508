/**
 * The trace package's public surface, re-exported by src/index.ts (STYLE.md §9): the format,
 * the one writer, the checkers (native, TS twin, TLC) and the bundled corpus.
 */
export {
  ACTIONS as TRACE_ACTIONS,
  CLIENT_VARIABLES,
  OBSERVE_LEVELS,
  REPLICA_VARIABLES,
  TRACE_FORMAT,
  TRACE_VERSION,
  makeHeader,
  type ClockKind,
  type HeaderExtras,
  type ObserveLevel,
  type TraceClock,
  type TraceHeader,
  type TraceLine,
} from './format.js';
export { TraceRecorder, type RecordedStep, type RecorderOptions } from './recorder.js';
export {
  DEFAULT_MAX_CANDIDATES,
  checkTrace,
  type CheckOptions,
  type CheckResult,
  type TraceFailure,
} from './checker.js';
export { formatResult as formatTraceResult } from './report.js';
export { openTrace, type EventSource } from './merge.js';
export {
  bundledTracesDir,
  checkBundledTraces,
  listBundledTraces,
  type BundledTrace,
  type BundledVerdict,
} from './corpus.js';
