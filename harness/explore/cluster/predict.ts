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
import type { Input, Message, NodeId, StepResult } from '../../../src/core/types.js';
import { checkDurable, checkPersistOrder } from '../../model/invariants.js';
import type { ClusterConfig, ReplicaNode, World } from '../../model/world.js';
import { isDead } from './dead-messages.js';
import type { Hash, KeyedPacket, WorldEncoder } from './encode.js';
import type { GhostSteps } from './ghost-steps.js';
import type { Coded } from './hashing.js';
import type { LocalSteps } from './local-steps.js';
import { holds } from './network.js';
import type { ClusterAction, ClusterState } from './protocol.js';

/** What a node step does to the world besides the node's own state and the ghost. */
export interface StepSummary {
  /** False when the node step itself exposes a violation (Durability, persist order). */
  readonly clean: boolean;
  /** The packets it sends, with their identities (sender, receiver, message). */
  readonly sends: readonly SentPacket[];
  /** What its last Persist wrote, if any. */
  readonly persisted: ReplicaNode['disk'] | undefined;
  /** Candidacies it started (the scope's election counter). */
  readonly phase1a: number;
}

interface SentPacket extends Coded {
  readonly to: NodeId;
  readonly msg: Message;
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
  predict(state: ClusterState, action: ClusterAction): Hash | undefined {
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

    let nodes = known.nodes;
    let clients = known.clients;
    let replicas = world.replicas;
    let worldClients = world.clients;
    let result: StepResult<unknown>;
    let summary: StepSummary;
    let stepped: ReplicaNode | undefined;
    const r = world.replicas.findIndex((n) => n.state.id === target);
    if (r >= 0) {
      const node = world.replicas[r] as ReplicaNode;
      if (!node.up) return undefined;
      // A restart rebuilds the state from the disk: the same object when the disk holds it.
      if (input === RESTART && node.disk !== node.state.durable) return undefined;
      const step = this.local.stepReplica(node.state, input, this.cfg);
      result = step;
      summary = this.summaries.of(node.state, step);
      if (!summary.clean) return undefined;
      stepped = { state: step.state, up: true, disk: summary.persisted ?? node.disk };
      nodes = replaced(nodes, r, this.encoder.nodeHash(stepped));
      replicas = replaced(replicas, r, stepped);
    } else {
      const c = world.clients.findIndex((x) => x.id === target);
      const client = world.clients[c];
      if (client === undefined) return undefined;
      const step = this.local.stepClient(client, input);
      result = step;
      summary = this.summaries.of(undefined, step);
      clients = replaced(clients, c, this.encoder.clientHash(step.state));
      worldClients = replaced(worldClients, c, step.state);
    }
    // A determinism violation is reported by the full step.
    if (this.local.found.length > 0) return undefined;
    const change = this.ghosts.step(this.cfg, world.ghost, target, input, result, stepped);
    if (change.violations.length > 0) return undefined;
    const ghost =
      change.ghost === world.ghost ? known.ghost : this.encoder.ghostHash(change.ghost, 0);

    // The network's change, as nextNetwork makes it: the consumed copy (multiset) leaves, new
    // identities join (a set network ignores one it holds), and dead messages — sent now, or
    // already waiting for the node that stepped — are collected.
    const after: World = { ...world, replicas, clients: worldClients };
    const network = world.network as readonly KeyedPacket[];
    let [hi, lo] = known.network;
    let length = network.length;
    if (consumed !== undefined) {
      hi = (hi - consumed.hi) | 0;
      lo = (lo - consumed.lo) | 0;
      length--;
    }
    const { collect, gcBallots, setNetwork } = this.options;
    const dead = (p: { readonly to: NodeId; readonly msg: Message }): boolean =>
      collect && isDead(after, p as KeyedPacket, gcBallots);
    const joined: string[] = [];
    for (const p of summary.sends) {
      if (setNetwork && (holds(network, p.text) || joined.includes(p.text))) continue;
      joined.push(p.text);
      if (dead(p)) continue;
      hi = (hi + p.hi) | 0;
      lo = (lo + p.lo) | 0;
      length++;
    }
    for (const p of network) {
      if (p.to !== target || p === consumed || !dead(p)) continue;
      hi = (hi - p.hi) | 0;
      lo = (lo - p.lo) | 0;
      length--;
    }
    const extra = [
      state.crashes + (action.kind === 'CrashRestart' ? 1 : 0),
      state.corruptions,
      state.elections + summary.phase1a,
    ];
    return this.encoder.combine(extra, nodes, clients, [hi, lo], length, ghost);
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
    const sends: SentPacket[] = [];
    let persisted: ReplicaNode['disk'] | undefined;
    let phase1a = 0;
    for (const e of result.effects) {
      if (e.kind === 'Send' || e.kind === 'Reply') {
        const c = this.encoder.packetIdentity({ id: 0, from: id, to: e.to, msg: e.msg });
        sends.push({ text: c.text, hi: c.hi, lo: c.lo, to: e.to, msg: e.msg });
      } else if (e.kind === 'Persist') persisted = e.durable;
      else if (e.kind === 'Trace' && e.event.action === 'Phase1a') phase1a++;
    }
    return { clean, sends, persisted, phase1a };
  }
}
