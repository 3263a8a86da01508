/**
 * The cluster protocol on packed states: what the explorer searches. A state is one short array
 * of small integers — scope counters, one id per replica node, client and ghost, the ids of the
 * packets in flight, and the state's fingerprint — and every id names an interned component
 * (one object per distinct replica node, client state, ghost or packet) whose hashes under each
 * client renaming are computed once. A node step is looked up per (node id, input) and a ghost
 * step per (ghost id, node step), so most transitions cost a few table lookups, a small array
 * and a fingerprint of about twenty words: no world objects are built (TLC's states are arrays
 * of fingerprinted values for the same reason).
 *
 * The meaning stays with the object protocol (protocol.ts): the packed protocol takes node steps
 * — deliveries, ticks, fused crash-and-restarts — and a multiset network's drops and copies
 * itself, and hands every other action, and every step that exposes a violation, to the object
 * protocol on the unpacked world (`unpack`, then `pack` the result). Fingerprints equal the
 * object protocol's, so both reach the same states in the same order: the pinned state counts
 * hold for both, and `verifyFastSteps` (tests) checks every fast step against the object one.
 */
import type { ClientState } from '../../../src/core/client.js';
import type { Input, Json, Message, NodeId, StepResult } from '../../../src/core/types.js';
import type { Violation } from '../../model/invariants.js';
import { QUIET_EVENTS } from '../../model/step.js';
import type { Ghost, Packet, ReplicaNode } from '../../model/world.js';
import type { Protocol, Successor } from '../protocol.js';
import { isDead } from './dead-messages.js';
import { COUNTER_SALT, type KeyedPacket } from './encode.js';
import { finish, LANE_A_SEED, LANE_B_SALT, LANE_B_SEED, LENGTH_SALT, mix } from './hashing.js';
import {
  createClusterProtocol,
  describeClusterAction,
  type ClusterAction,
  type ClusterOptions,
  type ClusterProtocol,
  type ClusterState,
} from './protocol.js';
import { workloadOp, type ClusterScope } from './scope.js';

/**
 * `[crashes, corruptions, elections, node id × replicas, client id × clients, ghost id,
 * packet id × packets in flight (ordered by packet identity), fingerprint hi, fingerprint lo]`.
 * Ids are only meaningful to the protocol instance that made them: states cross threads and
 * checkpoints unpacked (`exportState`).
 */
export type PackedState = readonly number[];

/** What one node step does, per (node, input): computed once, read on every transition. */
interface StepRecord {
  /** Keys the ghost step memo. */
  readonly uid: number;
  readonly result: StepResult<unknown>;
  /** The node (or client) entry after the step. */
  readonly next: number;
  /** Packet ids of what it sends, in effect order. */
  readonly sends: readonly number[];
  readonly phase1a: number;
  /** The node step exposes no violation by itself (Durability, persist order). */
  readonly clean: boolean;
  /** A replica's ballot passes the scope's round bound. */
  readonly overRound: boolean;
  /** The state does not change and nothing a ghost records happens: a loop if all sends are held. */
  readonly still: boolean;
  /** A client completes its operation. */
  readonly completes: boolean;
}

/** An interned component: its id in its table and its hash under each client renaming. */
interface Interned {
  readonly id: number;
  readonly hi: readonly number[];
  readonly lo: readonly number[];
}

interface NodeEntry extends Interned {
  readonly index: number;
  readonly node: ReplicaNode;
  /** The disk holds exactly the durable state (a restart reuses the state object). */
  readonly plainDisk: boolean;
  readonly steps: Map<number, StepRecord>;
}

/** Client states hash the same under every renaming (they do not name clients). */
interface ClientEntry {
  readonly id: number;
  readonly index: number;
  readonly client: ClientState;
  readonly hi: number;
  readonly lo: number;
  readonly steps: Map<number, StepRecord>;
  /** Per packet id: a reply vote that does not complete the operation (POR rule 2). */
  readonly votes: Map<number, boolean>;
}

interface PacketEntry extends Interned {
  /** The packet with `id` as its id, so unpacked worlds and actions agree on ids. */
  readonly packet: KeyedPacket;
  readonly receive: Input;
  /** The receiver's index among the replicas, or -1. */
  readonly replica: number;
  /** The receiver's index among the clients, or -1. */
  readonly client: number;
  /** Dead for the receiver entry with this id (dead-messages.ts). */
  readonly dead: Map<number, boolean>;
  readonly deliver: ClusterAction;
  readonly drop: ClusterAction;
  readonly duplicate: ClusterAction;
}

interface GhostEntry extends Interned {
  readonly ghost: Ghost;
  /** Per step record uid: the ghost entry after it, or -1 when the step exposes a violation. */
  readonly after: Map<number, number>;
  verdict: readonly Violation[] | undefined;
}

/** Per replica index: the actions that name a replica, made once. */
interface ReplicaActions {
  readonly tick: ClusterAction;
  readonly crash: ClusterAction;
  readonly crashRestart: ClusterAction;
  readonly restart: ClusterAction;
  readonly corrupt: ClusterAction;
}

export interface PackedOptions extends ClusterOptions {
  /**
   * Run every step both ways — the packed fast step and the object protocol's — and throw if
   * they reach different states (tests).
   */
  readonly verifyFastSteps?: boolean;
}

export interface PackedClusterProtocol extends Protocol<PackedState, ClusterAction> {
  /** The object protocol it packs: counterexamples are replayed there. */
  readonly objects: ClusterProtocol;
  fingerprint(state: PackedState): readonly [number, number];
  exportState(state: PackedState): unknown;
  importState(data: unknown): PackedState;
  unpack(state: PackedState): ClusterState;
  pack(state: ClusterState): PackedState;
}

const TICK = -1;
const RESTART = -2;
const TICK_INPUT: Input = { kind: 'Tick' };
const RESTART_INPUT: Input = { kind: 'Restart' };
const NO_VIOLATIONS: readonly Violation[] = [];
const OK = 0;
const LOOP = 1;
const OVER = 2;
/** The three scope counters at the head of a state. */
const CRASHES = 0;
const CORRUPTIONS = 1;
const ELECTIONS = 2;
const NODES = 3;

export function createPackedClusterProtocol(
  scope: ClusterScope,
  options: PackedOptions = {},
): PackedClusterProtocol {
  return new PackedCluster(createClusterProtocol(scope, options), options.verifyFastSteps === true);
}

/**
 * The tables only grow: they hold one entry per distinct component met (replica node, client
 * state, ghost, packet) and one record per (node, input) and (ghost, node step) pair, which is
 * far fewer than the states of a scope (on F=2's 1,015,122 states the process peaks at ≈ 430 MB,
 * the visited set and frontier included).
 */
class PackedCluster implements PackedClusterProtocol {
  readonly name = 'multipaxos';
  readonly checksDeterminism = true;
  private readonly nodeTable = new InternTable<NodeEntry>();
  private readonly clientTable = new InternTable<ClientEntry>();
  private readonly ghostTable = new InternTable<GhostEntry>();
  private readonly packetTable = new InternTable<PacketEntry>();
  /** The entries by id (the hot paths index these directly). */
  private readonly nodes = this.nodeTable.entries;
  private readonly clients = this.clientTable.entries;
  private readonly ghosts = this.ghostTable.entries;
  private readonly packets = this.packetTable.entries;
  private readonly replicaIndex = new Map<string, number>();
  private readonly replicaActions: ReplicaActions[];
  private readonly submits = new Map<string, ClusterAction>();
  private uids = 0;
  private readonly renamings: number;
  /** Per renaming, the client indices in the renamed order (encode.ts `clientOrder`). */
  private readonly clientOrders: (readonly number[])[] = [];
  private readonly clientsAt: number;
  private readonly ghostAt: number;
  private readonly packetsAt: number;
  /** The successor the last fast step computed, for the `step` that follows its prediction. */
  private readonly scratch: number[] = [];
  private scratchLength = 0;
  private lastState: PackedState | undefined;
  private lastAction: ClusterAction | undefined;
  private lastFast = false;

  constructor(
    readonly objects: ClusterProtocol,
    private readonly verify: boolean,
  ) {
    const { cfg } = objects;
    const { encoder } = objects.parts;
    cfg.replicas.forEach((id, i) => this.replicaIndex.set(id, i));
    this.replicaActions = cfg.replicas.map((replica) => ({
      tick: { kind: 'Tick', node: replica },
      crash: { kind: 'Crash', replica },
      crashRestart: { kind: 'CrashRestart', replica },
      restart: { kind: 'Restart', replica },
      corrupt: { kind: 'Corrupt', replica },
    }));
    this.renamings = encoder.renamings.length;
    const initial = objects.initialStates()[0] as ClusterState;
    for (let r = 0; r < this.renamings; r++)
      this.clientOrders.push(encoder.clientOrder(initial.world.clients, r));
    this.clientsAt = NODES + cfg.replicas.length;
    this.ghostAt = this.clientsAt + cfg.clients.length;
    this.packetsAt = this.ghostAt + 1;
  }

  // --- Interning -------------------------------------------------------------------------

  private node(n: ReplicaNode, index: number): NodeEntry {
    const { encoder, local } = this.objects.parts;
    const state = local.intern(n.state);
    let node: ReplicaNode = state === n.state ? n : { ...n, state };
    // As the object protocol does: a disk equal to the durable state is that object.
    if (node.disk !== state.durable && encoder.sameDisk(node))
      node = { ...node, disk: state.durable };
    const [hi, lo] = encoder.nodeHash(node, 0);
    return this.nodeTable.intern(`${index}:${hi}:${lo}`, (id) => ({
      id,
      index,
      node,
      plainDisk: node.disk === state.durable,
      ...this.hashes((r) => encoder.nodeHash(node, r)),
      steps: new Map(),
    }));
  }

  private client(c: ClientState, index: number): ClientEntry {
    const [hi, lo] = this.objects.parts.encoder.clientHash(c);
    return this.clientTable.intern(`${index}:${hi}:${lo}`, (id) => ({
      id,
      index,
      client: c,
      hi,
      lo,
      steps: new Map(),
      votes: new Map(),
    }));
  }

  private ghost(g: Ghost): GhostEntry {
    const { encoder } = this.objects.parts;
    const [hi, lo] = encoder.ghostHash(g, 0);
    return this.ghostTable.intern(`${hi}:${lo}`, (id) => ({
      id,
      ghost: g,
      ...this.hashes((r) => encoder.ghostHash(g, r)),
      after: new Map(),
      verdict: undefined,
    }));
  }

  private packet(p: Packet): PacketEntry {
    const { encoder } = this.objects.parts;
    const identity = encoder.packetIdentity(p);
    return this.packetTable.intern(identity.text, (id) => {
      const packet = encoder.keyed({ id, from: p.from, to: p.to, msg: p.msg }, identity);
      return {
        id,
        packet,
        receive: { kind: 'Receive', msg: p.msg },
        replica: this.replicaIndex.get(p.to) ?? -1,
        client: this.objects.cfg.clients.indexOf(p.to),
        ...this.hashes((r) => encoder.shiftSum([0, 0], [packet], [], r)),
        dead: new Map(),
        deliver: { kind: 'Deliver', packet: id },
        drop: { kind: 'Drop', packet: id },
        duplicate: { kind: 'Duplicate', packet: id },
      };
    });
  }

  private hashes(of: (r: number) => readonly [number, number]): { hi: number[]; lo: number[] } {
    const hi: number[] = [];
    const lo: number[] = [];
    for (let r = 0; r < this.renamings; r++) {
      const [h, l] = of(r);
      hi.push(h);
      lo.push(l);
    }
    return { hi, lo };
  }

  // --- Memoised steps --------------------------------------------------------------------

  private replicaStep(entry: NodeEntry, key: number, input: Input): StepRecord {
    const known = entry.steps.get(key);
    if (known !== undefined) return known;
    const { cfg, scope, parts } = this.objects;
    const before = entry.node.state;
    const result = parts.local.stepReplica(before, input, cfg);
    const summary = parts.summaries.of(before, result);
    const next = this.node(
      { state: result.state, up: true, disk: summary.persisted ?? entry.node.disk },
      entry.index,
    );
    let loud = false;
    for (const e of result.effects)
      if ((e.kind === 'Trace' && !QUIET_EVENTS.has(e.event.action)) || e.kind === 'Rejected')
        loud = true;
    const record: StepRecord = {
      uid: this.uids++,
      result,
      next: next.id,
      sends: summary.sends.map((p) => this.packet(p).id),
      phase1a: summary.phase1a,
      clean: summary.clean,
      overRound: result.state.volatile.ballot.round > scope.maxRound,
      // Only a tick can be a loop on a multiset network (a delivery consumes its packet).
      still: result.state === before && (parts.setNetwork || key === TICK) && !loud,
      completes: false,
    };
    entry.steps.set(key, record);
    return record;
  }

  private clientStep(entry: ClientEntry, key: number, input: Input): StepRecord {
    const known = entry.steps.get(key);
    if (known !== undefined) return known;
    const { parts } = this.objects;
    const result = parts.local.stepClient(entry.client, input);
    const summary = parts.summaries.of(undefined, result);
    const record: StepRecord = {
      uid: this.uids++,
      result,
      next: this.client(result.state, entry.index).id,
      sends: summary.sends.map((p) => this.packet(p).id),
      phase1a: 0,
      clean: summary.clean,
      overRound: false,
      still: result.state === entry.client && result.effects.length === 0,
      completes: result.effects.some((e) => e.kind === 'Complete'),
    };
    entry.steps.set(key, record);
    return record;
  }

  /** The ghost entry after `record`, or -1 when the step exposes a violation. */
  private ghostAfter(
    entry: GhostEntry,
    record: StepRecord,
    node: NodeId,
    input: Input,
    stepped: ReplicaNode | undefined,
  ): number {
    const known = entry.after.get(record.uid);
    if (known !== undefined) return known;
    const { cfg, parts } = this.objects;
    const change = parts.ghosts.step(cfg, entry.ghost, node, input, record.result, stepped);
    const next = change.violations.length > 0 ? -1 : this.ghost(change.ghost).id;
    entry.after.set(record.uid, next);
    return next;
  }

  /** Is `p` dead for its receiver in `state` (dead-messages.ts)? */
  private isDeadIn(p: PacketEntry, state: readonly number[]): boolean {
    const { parts } = this.objects;
    if (!parts.collect) return false;
    const receiver =
      p.replica >= 0
        ? (state[NODES + p.replica] as number)
        : p.client >= 0
          ? (state[this.clientsAt + p.client] as number)
          : -1;
    if (receiver < 0) return false;
    let dead = p.dead.get(receiver);
    if (dead === undefined) {
      const world =
        p.replica >= 0
          ? { replicas: [(this.nodes[receiver] as NodeEntry).node], clients: [] }
          : { replicas: [], clients: [(this.clients[receiver] as ClientEntry).client] };
      dead = isDead(world as never, p.packet, parts.gcBallots);
      p.dead.set(receiver, dead);
    }
    return dead;
  }

  // --- Fast steps ------------------------------------------------------------------------

  /**
   * Compute the successor into `scratch`, or return false when the object protocol must take
   * the step (an action that is not a node step, or a step that exposes a violation).
   */
  private fast(state: PackedState, action: ClusterAction): boolean {
    if (state === this.lastState && action === this.lastAction) return this.lastFast;
    this.lastState = state;
    this.lastAction = action;
    this.lastFast = this.computeFast(state, action);
    return this.lastFast;
  }

  private computeFast(state: PackedState, action: ClusterAction): boolean {
    const { setNetwork } = this.objects.parts;
    switch (action.kind) {
      case 'Deliver': {
        const p = this.packets[action.packet];
        if (p === undefined) return false;
        const consumed = setNetwork ? -1 : p.id;
        if (p.replica >= 0) return this.nodeStep(state, p.replica, p.id, p.receive, consumed, 0);
        if (p.client >= 0) return this.clientDelivery(state, p, consumed);
        return false;
      }
      case 'Tick': {
        const index = this.replicaIndex.get(action.node);
        return index !== undefined && this.nodeStep(state, index, TICK, TICK_INPUT, -1, 0);
      }
      case 'CrashRestart': {
        const index = this.replicaIndex.get(action.replica);
        return index !== undefined && this.nodeStep(state, index, RESTART, RESTART_INPUT, -1, 1);
      }
      case 'Drop':
      case 'Duplicate': {
        const p = this.packets[action.packet];
        if (p === undefined || setNetwork) return false;
        const s = this.copyHead(state);
        const end = state.length - 2;
        let n = this.packetsAt;
        let skipped = action.kind === 'Duplicate';
        for (let k = this.packetsAt; k < end; k++) {
          const id = state[k] as number;
          if (!skipped && id === p.id) {
            skipped = true;
            continue;
          }
          s[n++] = id;
        }
        if (!skipped) return false;
        if (action.kind === 'Duplicate' && !this.isDeadIn(p, s)) n = this.insert(s, n, p);
        return this.seal(s, n);
      }
      default:
        return false;
    }
  }

  private copyHead(state: PackedState): number[] {
    const s = this.scratch;
    for (let k = 0; k < this.packetsAt; k++) s[k] = state[k] as number;
    return s;
  }

  /** A replica's step on `input` (`key`: packet id, TICK or RESTART) into the scratch state. */
  private nodeStep(
    state: PackedState,
    index: number,
    key: number,
    input: Input,
    consumed: number,
    crashes: number,
  ): boolean {
    const entry = this.nodes[state[NODES + index] as number] as NodeEntry;
    if (!entry.node.up || (key === RESTART && !entry.plainDisk)) return false;
    const record = this.replicaStep(entry, key, input);
    // A determinism violation is reported by the object step (it drains LocalSteps.found).
    if (!record.clean || this.objects.parts.local.found.length > 0) return false;
    const next = this.nodes[record.next] as NodeEntry;
    const ghost = this.ghosts[state[this.ghostAt] as number] as GhostEntry;
    const after = this.ghostAfter(ghost, record, entry.node.state.id, input, next.node);
    if (after < 0) return false;
    const s = this.copyHead(state);
    s[CRASHES] = (state[CRASHES] as number) + crashes;
    s[ELECTIONS] = (state[ELECTIONS] as number) + record.phase1a;
    s[NODES + index] = record.next;
    s[this.ghostAt] = after;
    return this.network(state, s, record.sends, consumed, index, -1);
  }

  private clientDelivery(state: PackedState, p: PacketEntry, consumed: number): boolean {
    const entry = this.clients[state[this.clientsAt + p.client] as number] as ClientEntry;
    const record = this.clientStep(entry, p.id, p.receive);
    if (!record.clean || this.objects.parts.local.found.length > 0) return false;
    const ghost = this.ghosts[state[this.ghostAt] as number] as GhostEntry;
    const after = this.ghostAfter(ghost, record, entry.client.id, p.receive, undefined);
    if (after < 0) return false;
    const s = this.copyHead(state);
    s[this.clientsAt + p.client] = record.next;
    s[this.ghostAt] = after;
    return this.network(state, s, record.sends, consumed, -1, p.client);
  }

  /**
   * The network after a node step, as network.ts's `nextNetwork` makes it: the consumed copy
   * leaves (multiset), packets to the stepped node that are now dead leave, and the sends join
   * unless dead (or, on a set network, already held).
   */
  private network(
    state: PackedState,
    s: number[],
    sends: readonly number[],
    consumed: number,
    replica: number,
    client: number,
  ): boolean {
    const end = state.length - 2;
    let n = this.packetsAt;
    let skipped = consumed < 0;
    for (let k = this.packetsAt; k < end; k++) {
      const id = state[k] as number;
      if (!skipped && id === consumed) {
        skipped = true;
        continue;
      }
      const p = this.packets[id] as PacketEntry;
      const toStepped = replica >= 0 ? p.replica === replica : p.client === client;
      if (toStepped && this.isDeadIn(p, s)) continue;
      s[n++] = id;
    }
    if (!skipped) return false;
    const set = this.objects.parts.setNetwork;
    for (const id of sends) {
      if (set && (holds(state, this.packetsAt, end, id) || holds(s, this.packetsAt, n, id)))
        continue;
      const p = this.packets[id] as PacketEntry;
      if (!this.isDeadIn(p, s)) n = this.insert(s, n, p);
    }
    return this.seal(s, n);
  }

  /** Insert `p` into the scratch network [packetsAt, n), before any equal identity. */
  private insert(s: number[], n: number, p: PacketEntry): number {
    const text = p.packet.text;
    let lo = this.packetsAt;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.packets[s[mid] as number] as PacketEntry).packet.text < text) lo = mid + 1;
      else hi = mid;
    }
    for (let k = n; k > lo; k--) s[k] = s[k - 1] as number;
    s[lo] = p.id;
    return n + 1;
  }

  /** Append the fingerprint of scratch state [0, n) and remember its length. */
  private seal(s: number[], n: number): true {
    this.fingerprintInto(s, n);
    this.scratchLength = n + 2;
    return true;
  }

  /**
   * The fingerprint of `s` (network [packetsAt, n)) written at s[n], s[n + 1]: what
   * WorldEncoder.canonicalFingerprint gives the unpacked world — the least over client
   * renamings of a hash of the counters, node, client, network-sum and ghost hashes.
   */
  private fingerprintInto(s: number[], n: number): void {
    let bestHi = 0;
    let bestLo = 0;
    for (let r = 0; r < this.renamings; r++) {
      let a = LANE_A_SEED;
      let b = LANE_B_SEED;
      let words = 0;
      for (let k = 0; k < NODES; k++) {
        const x = s[k] as number;
        a = mix(mix(a, x), COUNTER_SALT);
        b = mix(mix(b, COUNTER_SALT ^ LANE_B_SALT), x);
      }
      words += 2 * NODES;
      for (let k = NODES; k < this.clientsAt; k++) {
        const e = this.nodes[s[k] as number] as NodeEntry;
        const hi = e.hi[r] as number;
        const lo = e.lo[r] as number;
        a = mix(mix(a, hi), lo);
        b = mix(mix(b, lo ^ LANE_B_SALT), hi);
      }
      words += 2 * (this.clientsAt - NODES);
      const order = this.clientOrders[r] as readonly number[];
      for (let k = 0; k < order.length; k++) {
        const e = this.clients[s[this.clientsAt + (order[k] as number)] as number] as ClientEntry;
        a = mix(mix(a, e.hi), e.lo);
        b = mix(mix(b, e.lo ^ LANE_B_SALT), e.hi);
      }
      words += 2 * order.length;
      let sumHi = 0;
      let sumLo = 0;
      for (let k = this.packetsAt; k < n; k++) {
        const p = this.packets[s[k] as number] as PacketEntry;
        sumHi = (sumHi + (p.hi[r] as number)) | 0;
        sumLo = (sumLo + (p.lo[r] as number)) | 0;
      }
      a = mix(mix(a, sumHi), sumLo);
      b = mix(mix(b, sumLo ^ LANE_B_SALT), sumHi);
      const length = n - this.packetsAt;
      a = mix(mix(a, length), 0);
      b = mix(mix(b, LANE_B_SALT), length);
      const g = this.ghosts[s[this.ghostAt] as number] as GhostEntry;
      const gHi = g.hi[r] as number;
      const gLo = g.lo[r] as number;
      a = mix(mix(a, gHi), gLo);
      b = mix(mix(b, gLo ^ LANE_B_SALT), gHi);
      words += 6;
      const hi = finish(a, words);
      const lo = finish(b, words ^ LENGTH_SALT);
      if (r === 0 || hi < bestHi || (hi === bestHi && lo < bestLo)) {
        bestHi = hi;
        bestLo = lo;
      }
    }
    s[n] = bestHi | 0;
    s[n + 1] = bestLo | 0;
  }

  // --- Protocol --------------------------------------------------------------------------

  initialStates(): readonly PackedState[] {
    return this.objects.initialStates().map((s) => this.pack(s));
  }

  actions(state: PackedState): readonly ClusterAction[] {
    const { scope, parts } = this.objects;
    const out: ClusterAction[] = [];
    const end = state.length - 2;
    const loss = scope.faults.includes('loss');
    const dup = scope.faults.includes('dup');
    let last = -1;
    for (let k = this.packetsAt; k < end; k++) {
      const id = state[k] as number;
      if (id === last) continue; // equal copies lead to equal states
      last = id;
      const p = this.packets[id] as PacketEntry;
      if (parts.setNetwork) {
        // A message to a crashed replica waits in the set until the restart.
        if (this.deliverable(state, p)) out.push(p.deliver);
        continue;
      }
      out.push(p.deliver);
      if (loss) out.push(p.drop);
      if (dup) {
        let copies = 0;
        for (let j = k; j < end && state[j] === id; j++) copies++;
        if (copies < scope.maxCopies) out.push(p.duplicate);
      }
    }
    const ghost = (this.ghosts[state[this.ghostAt] as number] as GhostEntry).ghost;
    let down = 0;
    for (let k = NODES; k < this.clientsAt; k++)
      if (!(this.nodes[state[k] as number] as NodeEntry).node.up) down++;
    for (let i = 0; i < this.clientsAt - NODES; i++) {
      const entry = this.nodes[state[NODES + i] as number] as NodeEntry;
      const actions = this.replicaActions[i] as ReplicaActions;
      if (!entry.node.up) {
        out.push(actions.restart);
        continue;
      }
      if (this.outcome(state, entry, TICK, TICK_INPUT) === OK) out.push(actions.tick);
      if ((state[CRASHES] as number) < parts.maxCrashes && down < parts.f)
        out.push(parts.fuseCrashes ? actions.crashRestart : actions.crash);
      if (
        (state[CORRUPTIONS] as number) < parts.maxCorruptions &&
        ghost.corrupted.size < parts.f &&
        !ghost.corrupted.has(entry.node.state.id)
      )
        out.push(actions.corrupt);
    }
    let submitted = 0;
    for (let k = this.clientsAt; k < this.ghostAt; k++)
      submitted += (this.clients[state[k] as number] as ClientEntry).client.seq;
    if (submitted < scope.requests)
      for (let k = this.clientsAt; k < this.ghostAt; k++) {
        const c = (this.clients[state[k] as number] as ClientEntry).client;
        if (c.pending === null) out.push(this.submit(c.id, c.seq + 1));
      }
    return out;
  }

  /** Set network: does delivering `p` now do anything (object protocol's `outcome`)? */
  private deliverable(state: PackedState, p: PacketEntry): boolean {
    if (p.replica >= 0) {
      const entry = this.nodes[state[NODES + p.replica] as number] as NodeEntry;
      return entry.node.up && this.outcome(state, entry, p.id, p.receive) === OK;
    }
    if (p.client < 0) return true;
    const entry = this.clients[state[this.clientsAt + p.client] as number] as ClientEntry;
    return !this.clientStep(entry, p.id, p.receive).still;
  }

  /**
   * What a replica step would do (protocol.ts `outcome`): OVER when it leaves the scope, LOOP
   * when the world would not change, else OK.
   */
  private outcome(state: PackedState, entry: NodeEntry, key: number, input: Input): number {
    const record = this.replicaStep(entry, key, input);
    if (record.overRound) return OVER;
    if (record.phase1a > 0 && (state[ELECTIONS] as number) >= this.objects.scope.maxElections)
      return OVER;
    if (!record.still) return OK;
    const end = state.length - 2;
    for (const id of record.sends) if (!holds(state, this.packetsAt, end, id)) return OK;
    return LOOP;
  }

  private submit(client: string, seq: number): ClusterAction {
    const key = `${client}#${seq}`;
    let action = this.submits.get(key);
    if (action === undefined) {
      action = { kind: 'Submit', client, op: workloadOp(this.objects.scope.app, seq) as Json };
      this.submits.set(key, action);
    }
    return action;
  }

  /** Partial-order reduction: por.ts's persistent sets, on packed states. */
  persistent(state: PackedState, actions: readonly ClusterAction[]): readonly number[] | undefined {
    if (this.objects.persistent === undefined) return undefined; // --no-por
    let idle = true;
    for (let k = this.clientsAt; k < this.ghostAt; k++)
      if ((this.clients[state[k] as number] as ClientEntry).client.pending !== null) idle = false;
    if (idle) {
      const submits: number[] = [];
      actions.forEach((a, i) => {
        if (a.kind === 'Submit') submits.push(i);
      });
      if (submits.length > 0) return submits;
    }
    if (this.objects.scope.policy !== 'majority') return undefined;
    for (const a of actions) {
      if (a.kind !== 'Deliver') continue;
      const p = this.packets[a.packet] as PacketEntry;
      if (p.client < 0 || !this.freshVote(state, p)) continue;
      const chosen: number[] = [];
      actions.forEach((b, i) => {
        if (
          (b.kind === 'Deliver' || b.kind === 'Drop' || b.kind === 'Duplicate') &&
          b.packet === a.packet
        )
          chosen.push(i);
      });
      return chosen;
    }
    return undefined;
  }

  /** A reply vote the client has not counted that does not complete its operation (por.ts). */
  private freshVote(state: PackedState, p: PacketEntry): boolean {
    const entry = this.clients[state[this.clientsAt + p.client] as number] as ClientEntry;
    let fresh = entry.votes.get(p.id);
    if (fresh === undefined) {
      const msg: Message = p.packet.msg;
      const pending = entry.client.pending;
      fresh =
        msg.type === 'Reply' &&
        pending !== null &&
        msg.seq === pending.seq &&
        !pending.votes.has(msg.from) &&
        !this.clientStep(entry, p.id, p.receive).completes;
      entry.votes.set(p.id, fresh);
    }
    return fresh;
  }

  predictFingerprint(state: PackedState, action: ClusterAction): [number, number] | undefined {
    if (this.verify || !this.fast(state, action)) return undefined;
    const s = this.scratch;
    const n = this.scratchLength;
    return [(s[n - 2] as number) >>> 0, (s[n - 1] as number) >>> 0];
  }

  step(state: PackedState, action: ClusterAction): Successor<PackedState> {
    if (this.verify) return this.verifiedStep(state, action);
    if (this.fast(state, action))
      return { world: this.scratch.slice(0, this.scratchLength), violations: NO_VIOLATIONS };
    return this.objectStep(state, action);
  }

  private objectStep(state: PackedState, action: ClusterAction): Successor<PackedState> {
    const succ = this.objects.step(this.unpack(state), action);
    return { world: this.pack(succ.world), violations: succ.violations };
  }

  private verifiedStep(state: PackedState, action: ClusterAction): Successor<PackedState> {
    this.lastState = undefined;
    const fast = this.fast(state, action) ? this.scratch.slice(0, this.scratchLength) : undefined;
    const slow = this.objectStep(state, action);
    if (fast !== undefined) {
      const same =
        slow.violations.length === 0 &&
        fast.length === slow.world.length &&
        fast.every((x, i) => x === slow.world[i]);
      if (!same)
        throw new Error(
          `internal error: packed step ${describeClusterAction(action)} gave [${fast.join(',')}], the object step [${slow.world.join(',')}]${slow.violations.length > 0 ? ` and ${slow.violations[0]?.invariant}` : ''}`,
        );
    }
    return slow;
  }

  check(state: PackedState): readonly Violation[] {
    const entry = this.ghosts[state[this.ghostAt] as number] as GhostEntry;
    entry.verdict ??= this.objects.check(this.unpack(state));
    return entry.verdict;
  }

  fingerprint(state: PackedState): readonly [number, number] {
    const n = state.length;
    return [(state[n - 2] as number) >>> 0, (state[n - 1] as number) >>> 0];
  }

  encode(state: PackedState): string {
    return this.objects.encode(this.unpack(state));
  }

  encodeCanonical(state: PackedState): string {
    // Without symmetry every state is its own orbit's representative.
    const cluster = this.objects;
    const unpacked = this.unpack(state);
    return cluster.encodeCanonical ? cluster.encodeCanonical(unpacked) : cluster.encode(unpacked);
  }

  describe(action: ClusterAction): string {
    return describeClusterAction(action);
  }

  exportState(state: PackedState): unknown {
    return this.unpack(state);
  }

  importState(data: unknown): PackedState {
    return this.pack(data as ClusterState);
  }

  /** The object world of a packed state; packets carry their packed ids. */
  unpack(state: PackedState): ClusterState {
    const end = state.length - 2;
    const network: KeyedPacket[] = [];
    for (let k = this.packetsAt; k < end; k++)
      network.push((this.packets[state[k] as number] as PacketEntry).packet);
    const replicas: ReplicaNode[] = [];
    for (let k = NODES; k < this.clientsAt; k++)
      replicas.push((this.nodes[state[k] as number] as NodeEntry).node);
    const clients: ClientState[] = [];
    for (let k = this.clientsAt; k < this.ghostAt; k++)
      clients.push((this.clients[state[k] as number] as ClientEntry).client);
    return {
      world: {
        replicas,
        clients,
        network,
        nextPacketId: this.packets.length,
        ghost: (this.ghosts[state[this.ghostAt] as number] as GhostEntry).ghost,
      },
      crashes: state[CRASHES] as number,
      corruptions: state[CORRUPTIONS] as number,
      elections: state[ELECTIONS] as number,
    };
  }

  pack(cs: ClusterState): PackedState {
    const { world } = cs;
    const s: number[] = [cs.crashes, cs.corruptions, cs.elections];
    world.replicas.forEach((n, i) => s.push(this.node(n, i).id));
    world.clients.forEach((c, i) => s.push(this.client(c, i).id));
    s.push(this.ghost(world.ghost).id);
    const packets = world.network.map((p) => this.packet(p));
    packets.sort((a, b) =>
      a.packet.text < b.packet.text ? -1 : a.packet.text > b.packet.text ? 1 : 0,
    );
    for (const p of packets) s.push(p.id);
    this.fingerprintInto(s, s.length);
    return s;
  }
}

/** Interned entries: one per key, numbered in order of first appearance. */
class InternTable<E> {
  readonly entries: E[] = [];
  private readonly ids = new Map<string, number>();

  intern(key: string, make: (id: number) => E): E {
    const known = this.ids.get(key);
    if (known !== undefined) return this.entries[known] as E;
    const id = this.entries.length;
    const entry = make(id);
    this.entries.push(entry);
    this.ids.set(key, id);
    return entry;
  }
}

/** Does state [from, to) hold packet `id`? */
function holds(state: readonly number[], from: number, to: number, id: number): boolean {
  for (let k = from; k < to; k++) if (state[k] === id) return true;
  return false;
}
