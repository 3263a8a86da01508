/**
 * Schedules for differential testing: the inputs each replica received in a run, in order.
 * They are recorded from the simulator (same seed ⇒ same schedule), so an external replica is
 * fed exactly what the reference replica was fed (open loop: its own outputs are not fed back).
 */
import type { AnyApp } from '../../core/app.js';
import type { Input, ReplicaId } from '../../core/types.js';
import type { ReplicaParams } from '../../core/replica/state.js';
import { makeConfig } from '../../../harness/model/world.js';
import { simulate, type FaultName } from '../../../harness/sim/simulate.js';

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
