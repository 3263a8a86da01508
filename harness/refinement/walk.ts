/**
 * Random walks of the reference cluster with the refinement check after every transition: a
 * seeded scheduler delivers, drops and duplicates messages, ticks nodes, crashes and restarts
 * replicas and submits unit increments of the counter app (the spec's app), so app states and
 * outputs are compared too. Used by the tests and `checkRefinementWalks`.
 */
import type { AnyApp } from '../../src/core/app.js';
import { counterApp } from '../../src/core/apps/counter.js';
import type { ReplicaRules } from '../../src/core/replica/rules.js';
import type { Json } from '../../src/core/types.js';
import type { Violation } from '../../src/spec/violation.js';
import { applyAction, type Action } from '../model/step.js';
import { initialWorld, makeConfig, type ClusterConfig, type World } from '../model/world.js';
import { Random } from '../random.js';
import { checkRefinementStep } from './check.js';

export interface WalkOptions {
  readonly replicas?: number;
  readonly clients?: number;
  readonly seed: number;
  readonly steps: number;
  readonly rules?: ReplicaRules;
  /** Requests per client. */
  readonly requests?: number;
  /** The app and its operations; default the counter with unit increments (exact mode). */
  readonly app?: AnyApp;
  readonly op?: (client: string, seq: number) => Json;
}

export interface WalkResult {
  readonly steps: number;
  readonly transitions: number;
  readonly events: number;
  readonly violation: (Violation & { readonly step: number; readonly action: string }) | null;
}

export function walkConfig(options: WalkOptions): ClusterConfig {
  return makeConfig({
    replicas: options.replicas ?? 3,
    clients: options.clients ?? 2,
    app: options.app ?? counterApp,
    ...(options.rules !== undefined ? { rules: options.rules } : {}),
    replicaParams: { electionTicks: 2, heartbeatTicks: 2, window: 3 },
    clientParams: { retransmitTicks: 4 },
  });
}

function choose(rng: Random, cfg: ClusterConfig, world: World, options: WalkOptions): Action {
  const requests = options.requests ?? 3;
  const roll = rng.next();
  const { network } = world;
  if (network.length > 0 && roll < 0.6) {
    const packet = (network[rng.int(network.length)] as World['network'][number]).id;
    const fate = rng.next();
    if (fate < 0.08) return { kind: 'Drop', packet };
    if (fate < 0.14) return { kind: 'Duplicate', packet };
    return { kind: 'Deliver', packet };
  }
  if (roll < 0.66) {
    const n = world.replicas[rng.int(world.replicas.length)] as World['replicas'][number];
    const down = world.replicas.filter((x) => !x.up).length;
    if (!n.up) return { kind: 'Restart', replica: n.state.id };
    if (down < Math.floor((cfg.replicas.length - 1) / 2) && rng.chance(0.5))
      return { kind: 'Crash', replica: n.state.id };
  }
  const client = world.clients[rng.int(world.clients.length)];
  if (roll < 0.75 && client !== undefined && client.pending === null && client.seq < requests) {
    return {
      kind: 'Submit',
      client: client.id,
      op: options.op?.(client.id, client.seq + 1) ?? { type: 'inc' },
    };
  }
  const nodes = [...cfg.replicas, ...cfg.clients];
  return { kind: 'Tick', node: nodes[rng.int(nodes.length)] as string };
}

/** One seeded walk; stops at the first Refinement (or other) violation. */
export function refinementWalk(options: WalkOptions): WalkResult {
  const cfg = walkConfig(options);
  const rng = new Random(options.seed);
  let world = initialWorld(cfg);
  let events = 0;
  for (let step = 0; step < options.steps; step++) {
    const action = choose(rng, cfg, world, options);
    const t = applyAction(cfg, world, action);
    events += t.events.length;
    const bad = [...checkRefinementStep(cfg, world, t), ...t.violations][0];
    if (bad !== undefined) {
      return {
        steps: step + 1,
        transitions: step + 1,
        events,
        violation: { ...bad, step, action: JSON.stringify(action) },
      };
    }
    world = t.world;
  }
  return { steps: options.steps, transitions: options.steps, events, violation: null };
}
