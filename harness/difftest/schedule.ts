/**
 * Schedules for differential testing: the inputs each replica received in a run, in order.
 * They are recorded from the simulator (same seed ⇒ same schedule) or from an explorer
 * counterexample (`counterexample.replay.json`), so an external replica is fed exactly what the
 * reference replica was fed (open loop: its own outputs are not fed back).
 */
import type { AnyApp } from '../../src/core/app.js';
import type { Input, ReplicaId } from '../../src/core/types.js';
import type { ReplicaParams } from '../../src/core/replica/state.js';
import { makeConfig } from '../model/world.js';
import { simulate, type FaultName } from '../sim/simulate.js';
import { readReplayFile } from '../explore/counterexample/replay-file.js';
import { replay, type StableStep } from '../explore/cluster/replay.js';
import { buildClusterProtocol } from '../explore/model-spec.js';

export interface ScheduledInput {
  readonly replica: ReplicaId;
  readonly input: Input;
}

export interface Schedule {
  readonly params: ReplicaParams;
  readonly inputs: readonly ScheduledInput[];
}

export function scheduleFromSimulation(options: {
  replicas: number;
  clients: number;
  seed: number;
  steps: number;
  faults: readonly FaultName[];
  app: AnyApp;
}): Schedule {
  const inputs: ScheduledInput[] = [];
  simulate({
    ...options,
    onTransition: (action, before) => {
      const up = (id: string): boolean => before.replicas.some((n) => n.state.id === id && n.up);
      if (action.kind === 'Deliver') {
        const packet = before.network.find((p) => p.id === action.packet);
        if (packet !== undefined && up(packet.to))
          inputs.push({ replica: packet.to, input: { kind: 'Receive', msg: packet.msg } });
      } else if (action.kind === 'Tick' && up(action.node)) {
        inputs.push({ replica: action.node, input: { kind: 'Tick' } });
      } else if (action.kind === 'Restart') {
        inputs.push({ replica: action.replica, input: { kind: 'Restart' } });
      }
    },
  });
  // The simulator builds its cluster with makeConfig: the same call gives the same parameters.
  const { replicaParams } = makeConfig({
    replicas: options.replicas,
    clients: options.clients,
    app: options.app,
  });
  return { params: replicaParams, inputs };
}

/** A schedule file that cannot be used (bad input, exit 2). */
export class ScheduleFileError extends Error {
  override readonly name = 'ScheduleFileError';
}

/**
 * The inputs each replica received along an explorer counterexample of the core model, with the
 * explorer's replica parameters (electionTicks 1, no heartbeats). The steps are replayed on the
 * model the file names (a mutant's counterexample replays with the mutant), and every delivery,
 * tick and restart of a replica becomes an input; drops, duplications and client steps are not
 * replica inputs. Corruption cannot be fed to an external process, so such files are refused.
 */
export async function scheduleFromReplayFile(
  path: string,
): Promise<{ schedule: Schedule; app: AnyApp }> {
  let file;
  try {
    file = readReplayFile(path);
  } catch (error) {
    throw new ScheduleFileError((error as Error).message);
  }
  if (file.spec.model !== 'core')
    throw new ScheduleFileError(
      `${path}: a counterexample of the spec twin has no replica inputs; use one of the core model`,
    );
  const steps = file.steps ?? [];
  if (steps.some((s) => s.kind === 'Corrupt'))
    throw new ScheduleFileError(
      `${path}: corrupts app state, which an external process cannot be fed`,
    );
  const protocol = await buildClusterProtocol(file.spec);
  const run = replay(protocol, steps);
  if (run.infeasible !== null)
    throw new ScheduleFileError(`${path}: step ${run.infeasible + 1} is not possible in its model`);
  const inputs: ScheduledInput[] = [];
  for (const { step, before } of run.steps) {
    const input = replicaInputOf(step);
    if (input === null) continue;
    const node = before.world.replicas.find((n) => n.state.id === input.replica);
    // A delivery to, or a tick of, a crashed replica does not reach it; a restart always does.
    if (node !== undefined && (node.up || input.input.kind === 'Restart')) inputs.push(input);
  }
  return { schedule: { params: protocol.cfg.replicaParams, inputs }, app: protocol.cfg.app };
}

function replicaInputOf(step: StableStep): ScheduledInput | null {
  switch (step.kind) {
    case 'Deliver':
      return { replica: step.to, input: { kind: 'Receive', msg: step.msg } };
    case 'Tick':
      return { replica: step.node, input: { kind: 'Tick' } };
    case 'Restart':
      return { replica: step.replica, input: { kind: 'Restart' } };
    default:
      return null;
  }
}
