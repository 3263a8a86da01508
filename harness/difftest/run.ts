/**
 * Differential testing (Maelstrom-style, issue 6): feed the same schedule to the reference
 * replica reducer and to an external process, one replica at a time, and report the first step
 * where the messages they send or their application states differ.
 */
import type { AnyApp } from '../../src/core/app.js';
import { initReplica, replicaContext, replicaStep } from '../../src/core/replica/reducer.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import type { Input, ReplicaId } from '../../src/core/types.js';
import { ExternalReplica } from './external.js';
import { observation, parseAnswer, type Observation, type OutputEffect } from './protocol.js';
import type { Schedule } from './schedule.js';

const INIT_TIMEOUT_MS = 10_000;

export interface DiffTestOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly schedule: Schedule;
  readonly app: AnyApp;
  /** Replicas to test; default every replica of the configuration. */
  readonly replicas?: readonly ReplicaId[];
  readonly stepTimeoutMs: number;
}

export type DiffTestResult =
  | { readonly verdict: 'same'; readonly steps: number; readonly replicas: readonly ReplicaId[] }
  | {
      readonly verdict: 'differ';
      readonly replica: ReplicaId;
      /** 1-based position of the input in this replica's schedule. */
      readonly step: number;
      readonly input: Input;
      readonly what: 'messages' | 'app state';
      readonly reference: Observation;
      readonly external: Observation;
    }
  | {
      readonly verdict: 'broken';
      readonly replica: ReplicaId;
      readonly step: number;
      readonly reason: string;
    };

export async function diffTest(options: DiffTestOptions): Promise<DiffTestResult> {
  const { params } = options.schedule;
  const targets = options.replicas ?? params.replicas;
  let steps = 0;
  for (const replica of targets) {
    const result = await diffOne(options, replica);
    if (result.verdict !== 'same') return result;
    steps += result.steps;
  }
  return { verdict: 'same', steps, replicas: targets };
}

async function diffOne(options: DiffTestOptions, replica: ReplicaId): Promise<DiffTestResult> {
  const { schedule, app } = options;
  const ctx = replicaContext(app);
  let reference: ReplicaState = initReplica(replica, schedule.params, app);
  const external = new ExternalReplica(options.command, options.args);
  let step = 0;
  const broken = (reason: string): DiffTestResult => ({
    verdict: 'broken',
    replica,
    step,
    reason: `${options.command}: ${reason}`,
  });
  try {
    const init = {
      type: 'init',
      id: replica,
      replicas: schedule.params.replicas,
      params: { ...schedule.params },
      app: app.name,
    };
    // Starting an interpreter can take longer than a step; the step timeout starts after init.
    const ready = await external.exchange(
      JSON.stringify(init),
      Math.max(options.stepTimeoutMs, INIT_TIMEOUT_MS),
    );
    if (!/"ready"\s*:\s*true/.test(ready))
      return broken(
        `answered init with ${JSON.stringify(ready.slice(0, 80))}, expected {"ready":true}`,
      );
    for (const { input } of schedule.inputs.filter((s) => s.replica === replica)) {
      step++;
      const r = replicaStep(reference, input, ctx);
      reference = r.state;
      const ours = observation(
        r.effects.flatMap((e): OutputEffect[] =>
          e.kind === 'Send' || e.kind === 'Reply' ? [{ kind: e.kind, to: e.to, msg: e.msg }] : [],
        ),
        app.view(reference.volatile.app),
      );
      const answer = parseAnswer(
        await external.exchange(
          JSON.stringify({ type: 'input', step, input }),
          options.stepTimeoutMs,
        ),
        step,
      );
      if (!answer.ok) return broken(answer.reason);
      const theirs = observation(answer.effects, answer.app);
      const sameSends =
        ours.sends.length === theirs.sends.length &&
        ours.sends.every((s, i) => s === theirs.sends[i]);
      if (!sameSends || ours.app !== theirs.app) {
        return {
          verdict: 'differ',
          replica,
          step,
          input,
          what: sameSends ? 'app state' : 'messages',
          reference: ours,
          external: theirs,
        };
      }
    }
    return { verdict: 'same', steps: step, replicas: [replica] };
  } catch (error) {
    return broken(error instanceof Error ? error.message : String(error));
  } finally {
    external.close();
  }
}
