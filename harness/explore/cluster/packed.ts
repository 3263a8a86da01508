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
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Input } from '../../../src/core/types.js';
import type { Violation } from '../../../src/spec/violation.js';
import type { Ghost, Packet, ReplicaNode } from '../../model/world.js';
import type { Protocol, SharedParts, Successor } from '../../../src/spec/transition-system.js';
import {
  Components,
  RESTART,
  TICK,
  type ClientEntry,
  type GhostEntry,
  type NodeEntry,
  type PacketEntry,
} from './components.js';
import type { KeyedPacket } from './encode.js';
import { CheckpointError } from '../engine/checkpoint-error.js';
import { PackedActions } from './packed-actions.js';
import {
  CORRUPTIONS,
  CRASHES,
  ELECTIONS,
  holds,
  NODES,
  PackedLayout,
  type PackedState,
} from './packed-state.js';
import {
  createClusterProtocol,
  type ClusterOptions,
  type ClusterProtocol,
  type ClusterState,
} from './protocol.js';
import { describeClusterAction, type ClusterAction } from './action.js';
import type { ClusterScope } from './scope.js';

export type { PackedState } from './packed-state.js';

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
  /** Every distinct replica and client state met so far (node probes start from these). */
  nodeStates(): { replicas: ReplicaState[]; clients: ClientState[] };
}

/** The kinds of parts of a packed state (sharedParts). */
const NODE = 0;
const CLIENT = 1;
const GHOST = 2;
const PACKET = 3;

const TICK_INPUT: Input = { kind: 'Tick' };
const RESTART_INPUT: Input = { kind: 'Restart' };
const NO_VIOLATIONS: readonly Violation[] = [];

export function createPackedClusterProtocol(
  scope: ClusterScope,
  options: PackedOptions = {},
): PackedClusterProtocol {
  return new PackedCluster(createClusterProtocol(scope, options), options.verifyFastSteps === true);
}

class PackedCluster implements PackedClusterProtocol {
  readonly name = 'multipaxos';
  readonly checksDeterminism = true;
  private readonly components: Components;
  /** The component tables by id (the hot paths index these directly). */
  private readonly nodes: readonly NodeEntry[];
  private readonly clients: readonly ClientEntry[];
  private readonly ghosts: readonly GhostEntry[];
  private readonly packets: readonly PacketEntry[];
  private readonly layout: PackedLayout;
  private readonly enabled: PackedActions;
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
    this.components = new Components(objects);
    ({ nodes: this.nodes, clients: this.clients, ghosts: this.ghosts } = this.components);
    this.packets = this.components.packets;
    const { clients } = (objects.initialStates()[0] as ClusterState).world;
    const orders = encoder.renamings.map((_, r) => encoder.clientOrder(clients, r));
    this.layout = new PackedLayout(this.components, cfg.replicas.length, clients.length, orders);
    ({ clientsAt: this.clientsAt, ghostAt: this.ghostAt, packetsAt: this.packetsAt } = this.layout);
    this.enabled = new PackedActions(objects, this.components, this.layout);
  }

  /** Is `p` dead for its receiver in the (scratch) state `s`? */
  private isDeadIn(p: PacketEntry, s: readonly number[]): boolean {
    const receiver =
      p.replica >= 0
        ? (s[NODES + p.replica] as number)
        : p.client >= 0
          ? (s[this.clientsAt + p.client] as number)
          : -1;
    return this.components.deadFor(p, receiver);
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
        const index = this.components.replicaIndex.get(action.node);
        return index !== undefined && this.nodeStep(state, index, TICK, TICK_INPUT, -1, 0);
      }
      case 'CrashRestart': {
        const index = this.components.replicaIndex.get(action.replica);
        return index !== undefined && this.nodeStep(state, index, RESTART, RESTART_INPUT, -1, 1);
      }
      case 'Drop':
      case 'Duplicate': {
        const p = this.packets[action.packet];
        if (p === undefined || setNetwork) return false;
        const s = this.copyHead(state);
        const end = state.length - 2;
        let n = this.packetsAt;
        // A drop removes one copy; a duplicate removes nothing and adds one.
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
    const record = this.components.replicaStep(entry, key, input);
    // A determinism violation is reported by the object step (it drains LocalSteps.found).
    if (!record.clean || this.objects.parts.local.found.length > 0) return false;
    const next = this.nodes[record.next] as NodeEntry;
    const ghost = this.ghosts[state[this.ghostAt] as number] as GhostEntry;
    const after = this.components.ghostAfter(
      ghost,
      record,
      entry.node.state.id,
      input,
      next.node,
      entry.node,
    );
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
    const record = this.components.clientStep(entry, p.id, p.receive);
    if (!record.clean || this.objects.parts.local.found.length > 0) return false;
    const ghost = this.ghosts[state[this.ghostAt] as number] as GhostEntry;
    const after = this.components.ghostAfter(
      ghost,
      record,
      entry.client.id,
      p.receive,
      undefined,
      undefined,
    );
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
    this.layout.fingerprintInto(s, n);
    this.scratchLength = n + 2;
    return true;
  }

  // --- Protocol --------------------------------------------------------------------------

  initialStates(): readonly PackedState[] {
    return this.objects.initialStates().map((s) => this.pack(s));
  }

  actions(state: PackedState): readonly ClusterAction[] {
    return this.enabled.actions(state);
  }

  candidates(state: PackedState): readonly ClusterAction[] {
    return this.enabled.actions(state, true);
  }

  isEnabled(state: PackedState, action: ClusterAction): boolean {
    return this.enabled.enabled(state, action);
  }

  persistent(state: PackedState, actions: readonly ClusterAction[]): readonly number[] | undefined {
    return this.enabled.persistent(state, actions);
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

  nodeStates(): { replicas: ReplicaState[]; clients: ClientState[] } {
    return {
      replicas: this.nodes.filter((n) => n.node.up).map((n) => n.node.state),
      clients: this.clients.map((c) => c.client),
    };
  }

  readonly plainStates = true;

  /** The components packed states refer to, once each (a compact checkpoint's parts). */
  sharedParts(): SharedParts<PackedState> {
    const seen: Set<number>[] = [new Set(), new Set(), new Set(), new Set()];
    return {
      note: (state) => {
        const end = state.length - 2;
        for (let k = NODES; k < end; k++) {
          (seen[this.partKind(k)] as Set<number>).add(state[k] as number);
        }
      },
      export: () => [
        ...[...(seen[NODE] as Set<number>)].map((id) => {
          const { index, node } = this.nodes[id] as NodeEntry;
          return { part: 'node', id, index, node };
        }),
        ...[...(seen[CLIENT] as Set<number>)].map((id) => {
          const { index, client } = this.clients[id] as ClientEntry;
          return { part: 'client', id, index, client };
        }),
        ...[...(seen[GHOST] as Set<number>)].map((id) => ({
          part: 'ghost',
          id,
          ghost: (this.ghosts[id] as GhostEntry).ghost,
        })),
        ...[...(seen[PACKET] as Set<number>)].map((id) => {
          const { from, to, msg } = (this.packets[id] as PacketEntry).packet;
          return { part: 'packet', id, packet: { from, to, msg } };
        }),
      ],
    };
  }

  /** Which table the id at position `k` (from NODES on) of a packed state names. */
  private partKind(k: number): number {
    if (k < this.clientsAt) return NODE;
    if (k < this.ghostAt) return CLIENT;
    return k === this.ghostAt ? GHOST : PACKET;
  }

  /** Intern a compact checkpoint's parts here; states written against them get these ids. */
  importParts(parts: readonly unknown[]): (state: PackedState) => PackedState {
    const ids: Map<number, number>[] = [new Map(), new Map(), new Map(), new Map()];
    for (const raw of parts) {
      const p = raw as { part: string; id: number; index: number } & Record<string, unknown>;
      if (p.part === 'node')
        ids[NODE]?.set(p.id, this.components.node(p['node'] as ReplicaNode, p.index).id);
      else if (p.part === 'client')
        ids[CLIENT]?.set(p.id, this.components.client(p['client'] as ClientState, p.index).id);
      else if (p.part === 'ghost')
        ids[GHOST]?.set(p.id, this.components.ghost(p['ghost'] as Ghost).id);
      else if (p.part === 'packet')
        ids[PACKET]?.set(p.id, this.components.packet(p['packet'] as Packet).id);
      else throw new CheckpointError(`--resume: not a part of a packed state: ${String(p.part)}`);
    }
    return (state) => {
      const out = [...state];
      const end = state.length - 2;
      for (let k = NODES; k < end; k++) {
        const id = ids[this.partKind(k)]?.get(state[k] as number);
        if (id === undefined)
          throw new CheckpointError(
            `--resume: a state refers to a part the checkpoint lacks (position ${k}, id ${String(state[k])})`,
          );
        out[k] = id;
      }
      return out;
    };
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
    world.replicas.forEach((n, i) => s.push(this.components.node(n, i).id));
    world.clients.forEach((c, i) => s.push(this.components.client(c, i).id));
    s.push(this.components.ghost(world.ghost).id);
    const packets = world.network.map((p) => this.components.packet(p));
    packets.sort((a, b) =>
      a.packet.text < b.packet.text ? -1 : a.packet.text > b.packet.text ? 1 : 0,
    );
    for (const p of packets) s.push(p.id);
    this.layout.fingerprintInto(s, s.length);
    return s;
  }
}
