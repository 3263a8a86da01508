/**
 * Fingerprint-first successors. Most transitions of a search reach a state already visited
 * (82 % on the F=1 scope). For a node step — a Deliver, a Tick, or a fused crash and restart —
 * the successor's fingerprint follows from the parent's component hashes, the memoised node step,
 * the memoised ghost step and the network's change, so the engine can look it up in the visited
 * set before it pays for the world copy and the bookkeeping (TLC fingerprints a successor before
 * storing it; this goes one step further and does not build it).
 *
 * The contract (Protocol.predictFingerprint): the prediction equals the fingerprint of the world
 * `step` builds, and is only made for steps that expose no violation. The engine compares the two
 * on every new state it builds, and `verifyPredictions` (tests) compares them on every step.
 */
import type { ClientState } from '../../../src/core/client.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Input, NodeId, StepResult } from '../../../src/core/types.js';
import { checkDurable, checkPersistOrder } from '../../model/invariants.js';
import type { ClusterConfig, Packet, ReplicaNode, World } from '../../model/world.js';
import { isDead } from './dead-messages.js';
import { least, type KeyedPacket, type KnownHashes, type WorldEncoder } from './encode.js';
import type { GhostSteps } from './ghost-steps.js';
import type { LocalSteps } from './local-steps.js';
import { holds } from './network.js';
import type { ClusterAction, ClusterState } from './protocol.js';

/** What a node step does to the world besides the node's own state and the ghost. */
export interface StepSummary {
  /** False when the node step itself exposes a violation (Durability, persist order). */
  readonly clean: boolean;
  /** The packets it sends, with their identities (sender, receiver, message). */
  readonly sends: readonly KeyedPacket[];
  /** What its last Persist wrote, if any. */
  readonly persisted: ReplicaNode['disk'] | undefined;
  /** Candidacies it started (the scope's election counter). */
  readonly phase1a: number;
}

export interface PredictorOptions {
  readonly setNetwork: boolean;
  /** Dead messages are collected (and with the reference ballot rules, ballot messages too). */
  readonly collect: boolean;
  readonly gcBallots: boolean;
}

const replaced = <T>(items: readonly T[], index: number, item: T): readonly T[] => {
  const copy = items.slice();
  copy[index] = item;
  return copy;
};

const TICK: Input = { kind: 'Tick' };
const RESTART: Input = { kind: 'Restart' };

export class SuccessorPredictor {
  constructor(
    private readonly cfg: ClusterConfig,
    private readonly encoder: WorldEncoder,
    private readonly local: LocalSteps,
    private readonly ghosts: GhostSteps,
    private readonly summaries: StepSummaries,
    private readonly options: PredictorOptions,
  ) {}

  /** The fingerprint of the successor, or undefined when the step is not one predicted here. */
  predict(state: ClusterState, action: ClusterAction): [number, number] | undefined {
    const known = state.hashes;
    if (known === undefined) return undefined;
    const { world } = state;
    let target: NodeId;
    let input: Input;
    let consumed: KeyedPacket | undefined;
    if (action.kind === 'Deliver') {
      const packet = world.network.find((p) => p.id === action.packet) as KeyedPacket | undefined;
      if (packet === undefined) return undefined;
      target = packet.to;
      input = { kind: 'Receive', msg: packet.msg };
      if (!this.options.setNetwork) consumed = packet;
    } else if (action.kind === 'Tick') {
      target = action.node;
      input = TICK;
    } else if (action.kind === 'CrashRestart') {
      target = action.replica;
      input = RESTART;
    } else {
      return undefined;
    }

    let replicas = world.replicas;
    let clients = world.clients;
    let result: StepResult<unknown>;
    let summary: StepSummary;
    let stepped: ReplicaNode | undefined;
    let client = -1;
    const replica = world.replicas.findIndex((n) => n.state.id === target);
    if (replica >= 0) {
      const node = world.replicas[replica] as ReplicaNode;
      if (!node.up) return undefined;
      // A restart rebuilds the state from the disk: the same object when the disk holds it.
      if (input === RESTART && node.disk !== node.state.durable) return undefined;
      const step = this.local.stepReplica(node.state, input, this.cfg);
      result = step;
      summary = this.summaries.of(node.state, step);
      if (!summary.clean) return undefined;
      stepped = { state: step.state, up: true, disk: summary.persisted ?? node.disk };
      replicas = replaced(replicas, replica, stepped);
    } else {
      client = world.clients.findIndex((x) => x.id === target);
      if (client < 0) return undefined;
      const step = this.local.stepClient(world.clients[client] as ClientState, input);
      result = step;
      summary = this.summaries.of(undefined, step);
      clients = replaced(clients, client, step.state);
    }
    // A determinism violation is reported by the full step.
    if (this.local.found.length > 0) return undefined;
    const change = this.ghosts.step(this.cfg, world.ghost, target, input, result, stepped);
    if (change.violations.length > 0) return undefined;

    // The network's change, as nextNetwork makes it: the consumed copy (multiset) leaves, new
    // identities join (a set network ignores one it holds), and dead messages — sent now, or
    // already waiting for the node that stepped — are collected.
    const after: World = { ...world, replicas, clients };
    const network = world.network as readonly KeyedPacket[];
    const { collect, gcBallots, setNetwork } = this.options;
    const dead = (p: Packet): boolean => collect && isDead(after, p, gcBallots);
    const joined: KeyedPacket[] = [];
    const removed: KeyedPacket[] = consumed === undefined ? [] : [consumed];
    const seen: string[] = [];
    for (const p of summary.sends) {
      if (setNetwork) {
        if (holds(network, p.text) || seen.includes(p.text)) continue;
        seen.push(p.text);
      }
      if (!dead(p)) joined.push(p);
    }
    for (const p of network) if (p.to === target && p !== consumed && dead(p)) removed.push(p);
    const length = network.length + joined.length - removed.length;
    const extra = [
      state.crashes + (action.kind === 'CrashRestart' ? 1 : 0),
      state.corruptions,
      state.elections + summary.phase1a,
    ];

    // The fingerprint under every client renaming; the orbit's is the least (encode.ts).
    let best: [number, number] | undefined;
    for (let r = 0; r < known.length; r++) {
      const k = known[r] as KnownHashes;
      const nodes =
        stepped === undefined
          ? k.nodes
          : replaced(k.nodes, replica, this.encoder.nodeHash(stepped, r));
      const clientHashes = client < 0 ? k.clients : this.encoder.clientHashes(clients, r);
      const ghost =
        change.ghost === world.ghost ? k.ghost : this.encoder.ghostHash(change.ghost, r);
      const sum = this.encoder.shiftSum(k.network, joined, removed, r);
      const f = this.encoder.combine(extra, nodes, clientHashes, sum, length, ghost);
      best = best === undefined ? f : least(best, f);
    }
    return best;
  }
}

/**
 * Node step summaries, one per memoised step result (one object per node state and input): the
 * packets a step sends with their identities, computed once for the explorer's hot paths.
 */
export class StepSummaries {
  private readonly summaries = new WeakMap<StepResult<unknown>, StepSummary>();

  constructor(private readonly encoder: WorldEncoder) {}

  /** `before`: the replica's state before the step (undefined for a client). */
  of(
    before: ReplicaState | undefined,
    result: StepResult<ReplicaState> | StepResult<ClientState>,
  ): StepSummary {
    let summary = this.summaries.get(result);
    if (summary === undefined) {
      summary = this.summarise(before, result);
      this.summaries.set(result, summary);
    }
    return summary;
  }

  private summarise(
    before: ReplicaState | undefined,
    result: StepResult<ReplicaState> | StepResult<ClientState>,
  ): StepSummary {
    const id = result.state.id;
    let clean = true;
    if (before !== undefined) {
      const after = (result as StepResult<ReplicaState>).state;
      clean =
        checkDurable(id, before.durable, after.durable).length === 0 &&
        checkPersistOrder(id, result.effects).length === 0;
    }
    const sends: KeyedPacket[] = [];
    let persisted: ReplicaNode['disk'] | undefined;
    let phase1a = 0;
    for (const e of result.effects) {
      if (e.kind === 'Send' || e.kind === 'Reply') {
        sends.push(this.encoder.keyed({ id: 0, from: id, to: e.to, msg: e.msg }));
      } else if (e.kind === 'Persist') persisted = e.durable;
      else if (e.kind === 'Trace' && e.event.action === 'Phase1a') phase1a++;
    }
    return { clean, sends, persisted, phase1a };
  }
}
