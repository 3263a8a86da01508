/**
 * The files a counterexample is written to (`--out DIR`): the replay file `smr replay` runs,
 * a trace in the project's trace format (src/trace, so the trace checker and TLC can take it),
 * and a self-contained HTML sequence diagram.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../../../src/files.js';
import { makeHeader, type ObserveLevel } from '../../../src/trace/format.js';
import { TraceRecorder } from '../../../src/trace/recorder.js';
import { SPEC_MODELS } from '../../../src/spec/models.js';
import type { Violation } from '../../../src/spec/violation.js';
import { renderMessage } from '../../scenario.js';
import type { ClusterProtocol } from '../cluster/protocol.js';
import type { Replay, StableStep } from '../cluster/replay.js';
import type { ModelSpec } from '../model-spec.js';
import { renderClusterPage } from './html.js';
import { renderSpecPage } from './spec-page.js';

export const REPLAY_FORMAT = 'smr-explore-replay';
export const REPLAY_VERSION = 1;

/** A replayable counterexample. Core models name steps by content; spec models by index. */
export interface ReplayFile {
  readonly format: typeof REPLAY_FORMAT;
  readonly version: typeof REPLAY_VERSION;
  readonly spec: ModelSpec;
  /** Core model: the steps. */
  readonly steps?: readonly StableStep[];
  /** Spec model: [initial state index, action index, ...]. */
  readonly choices?: readonly number[];
  /** For people: one label per step. */
  readonly labels: readonly string[];
  readonly violation: Violation & { readonly step: number };
}

export interface WrittenFiles {
  readonly replay: string;
  readonly trace?: string;
  readonly html: string;
}

export function writeClusterCounterexample(
  dir: string,
  protocol: ClusterProtocol,
  spec: ModelSpec,
  run: Replay,
  observe: ObserveLevel = 'full',
): WrittenFiles {
  const found = run.violation;
  if (found === null) throw new Error('the counterexample does not reproduce');
  mkdirSync(dir, { recursive: true });
  const steps = run.steps.map((s) => s.step);
  const labels = run.steps.map((s) => s.label);
  const replayFile: ReplayFile = {
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    spec,
    steps,
    labels,
    violation: { ...found.violation, step: found.index },
  };
  const paths = {
    replay: join(dir, 'counterexample.replay.json'),
    trace: join(dir, 'counterexample.ndjson'),
    html: join(dir, 'counterexample.html'),
  };
  writeAtomically(paths.replay, JSON.stringify(replayFile, null, 1) + '\n');
  writeAtomically(paths.trace, traceOf(protocol, run, observe));
  writeAtomically(paths.html, renderClusterPage(protocol, run));
  return paths;
}

function traceOf(protocol: ClusterProtocol, run: Replay, observe: ObserveLevel): string {
  const { cfg, scope } = protocol;
  const lines: string[] = [];
  const recorder = new TraceRecorder(
    makeHeader(cfg.replicas, cfg.clients, {
      source: 'smr explore',
      app: cfg.app.name,
      policy: cfg.clientParams.policy,
      electionTicks: cfg.replicaParams.electionTicks,
      heartbeatTicks: cfg.replicaParams.heartbeatTicks,
      window: cfg.replicaParams.window,
      network: scope.network,
      ...(scope.mutant === undefined ? {} : { mutant: scope.mutant }),
    }),
    (line) => lines.push(line),
    { observe, app: cfg.app },
  );
  // The set network keeps a delivered message: keep its send clock for the next delivery.
  const SHADOW = -1;
  for (const s of run.steps) {
    const id = packetOf(s)?.id;
    const kept = scope.network === 'set' && s.step.kind === 'Deliver' && id !== undefined;
    if (kept) recorder.duplicated(id, SHADOW);
    recorder.record(s.t);
    if (kept) recorder.duplicated(SHADOW, id);
    if (s.step.kind === 'Drop' && id !== undefined) recorder.dropped(id);
    if (s.step.kind === 'Duplicate' && id !== undefined)
      recorder.duplicated(id, s.before.world.nextPacketId);
  }
  return lines.join('\n') + '\n';
}

/** The packet a Deliver, Drop or Duplicate step acted on, as it was in flight. */
function packetOf(s: Replay['steps'][number]) {
  const step = s.step;
  if (step.kind !== 'Deliver' && step.kind !== 'Drop' && step.kind !== 'Duplicate')
    return undefined;
  const text = renderMessage(step.msg);
  return s.before.world.network.find(
    (p) => p.from === step.from && p.to === step.to && renderMessage(p.msg) === text,
  );
}

/** Spec (twin) models: steps are indices into the protocol's action lists. */
export function writeGenericCounterexample(
  dir: string,
  spec: ModelSpec,
  choices: readonly number[],
  labels: readonly string[],
  violation: Violation,
): WrittenFiles {
  mkdirSync(dir, { recursive: true });
  const paths = {
    replay: join(dir, 'counterexample.replay.json'),
    html: join(dir, 'counterexample.html'),
  };
  const file: ReplayFile = {
    format: REPLAY_FORMAT,
    version: REPLAY_VERSION,
    spec,
    choices,
    labels,
    violation: { ...violation, step: labels.length - 1 },
  };
  writeAtomically(paths.replay, JSON.stringify(file, null, 1) + '\n');
  const factory = spec.model === 'spec' ? SPEC_MODELS.get(spec.constants) : undefined;
  if (factory === undefined || spec.model !== 'spec')
    throw new Error('writeGenericCounterexample: not a spec model');
  writeAtomically(paths.html, renderSpecPage(spec.constants, factory(), choices, violation));
  return paths;
}
