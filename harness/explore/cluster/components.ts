/**
 * The interned components of packed cluster states (packed.ts) and the memoised steps between
 * them: one entry per distinct replica node, client state, ghost and packet, each with its hash
 * under every client renaming, and one record per (node, input) and (ghost, node step) pair.
 * Every record is computed once, through the object protocol's own memo tables and encoder
 * (its `parts`), so the packed protocol and the object protocol agree by construction.
 *
 * The tables only grow: they hold one entry per distinct component met, far fewer than the
 * states of a scope (on F=2's 1,015,122 states the process peaks at ≈ 430 MB, the visited set
 * and frontier included).
 */
import type { ClientState } from '../../../src/core/client.js';
import type { Input, NodeId, StepResult } from '../../../src/core/types.js';
import { QUIET_EVENTS } from '../../model/step.js';
import type { Ghost, Packet, ReplicaNode } from '../../model/world.js';
import { isDead, verifyDeadDelivery } from './dead-messages.js';
import type { KeyedPacket } from './encode.js';
import type { ClusterProtocol } from './protocol.js';
import type { ClusterAction } from './action.js';
import type { Violation } from '../../../src/spec/violation.js';

/** Input keys of a node's step records: a packet id for a delivery, or one of these. */
export const TICK = -1;
export const RESTART = -2;

/** What one node step does, per (node, input): computed once, read on every transition. */
export interface StepRecord {
  /** Keys the ghost step memo. */
  readonly uid: number;
  readonly result: StepResult<unknown>;
  /** The node (or client) entry after the step. */
  readonly next: number;
  /** Packet ids of what it sends, in effect order. */
  readonly sends: readonly number[];
  readonly phase1a: number;
  /** The node step exposes no violation by itself (Durability, persist order, refinement). */
  readonly clean: boolean;
  /** The step refines the spec twin (always explored, even when it would look like a loop). */
  readonly conforms: boolean;
  /** A replica's ballot passes the scope's round bound. */
  readonly overRound: boolean;
  /** The state does not change and nothing a ghost records happens: a loop if all sends are held. */
  readonly still: boolean;
  /** A client completes its operation. */
  readonly completes: boolean;
}

/** An interned component: its id in its table and its hash under each client renaming. */
export interface Interned {
  readonly id: number;
  readonly hi: readonly number[];
  readonly lo: readonly number[];
}

export interface NodeEntry extends Interned {
  readonly index: number;
  readonly node: ReplicaNode;
  /** The disk holds exactly the durable state (a restart reuses the state object). */
  readonly plainDisk: boolean;
  readonly steps: Map<number, StepRecord>;
}

/** Client states hash the same under every renaming (they do not name clients). */
export interface ClientEntry {
  readonly id: number;
  readonly index: number;
  readonly client: ClientState;
  readonly hi: number;
  readonly lo: number;
  readonly steps: Map<number, StepRecord>;
  /** Per packet id: a reply vote that does not complete the operation (POR rule 2). */
  readonly votes: Map<number, boolean>;
  /** Per pair of reply packets: taking them in either order gives the same result (POR rule 2). */
  readonly commutes: Map<number, boolean>;
}

export interface PacketEntry extends Interned {
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

export interface GhostEntry extends Interned {
  readonly ghost: Ghost;
  /** Per step record uid: the ghost entry after it, or -1 when the step exposes a violation. */
  readonly after: Map<number, number>;
  verdict: readonly Violation[] | undefined;
}

/** Interned entries: one per key, numbered in order of first appearance. */
export class InternTable<E> {
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

export class Components {
  private readonly nodeTable = new InternTable<NodeEntry>();
  private readonly clientTable = new InternTable<ClientEntry>();
  private readonly ghostTable = new InternTable<GhostEntry>();
  private readonly packetTable = new InternTable<PacketEntry>();
  /** The entries by id (the hot paths index these directly). */
  readonly nodes = this.nodeTable.entries;
  readonly clients = this.clientTable.entries;
  readonly ghosts = this.ghostTable.entries;
  readonly packets = this.packetTable.entries;
  /** Client renamings (symmetry): each entry has one hash per renaming. */
  readonly renamings: number;
  /** Replica ids to their index among the replicas. */
  readonly replicaIndex = new Map<string, number>();
  private uids = 0;

  constructor(private readonly objects: ClusterProtocol) {
    objects.cfg.replicas.forEach((id, i) => this.replicaIndex.set(id, i));
    this.renamings = objects.parts.encoder.renamings.length;
  }

  // --- Interning -------------------------------------------------------------------------

  node(n: ReplicaNode, index: number): NodeEntry {
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

  client(c: ClientState, index: number): ClientEntry {
    const [hi, lo] = this.objects.parts.encoder.clientHash(c);
    return this.clientTable.intern(`${index}:${hi}:${lo}`, (id) => ({
      id,
      index,
      client: c,
      hi,
      lo,
      steps: new Map(),
      votes: new Map(),
      commutes: new Map(),
    }));
  }

  ghost(g: Ghost): GhostEntry {
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

  packet(p: Packet): PacketEntry {
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

  replicaStep(entry: NodeEntry, key: number, input: Input): StepRecord {
    const known = entry.steps.get(key);
    if (known !== undefined) return known;
    const { cfg, scope, parts } = this.objects;
    const before = entry.node.state;
    const result = parts.local.stepReplica(before, input, cfg);
    const summary = parts.summaries.of(before, result);
    const conforms = (cfg.stepChecks?.replica(before, input, result).length ?? 0) === 0;
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
      clean: summary.clean && conforms,
      conforms,
      overRound: result.state.volatile.ballot.round > scope.maxRound,
      // Only a tick can be a loop on a multiset network (a delivery consumes its packet).
      still: result.state === before && (parts.setNetwork || key === TICK) && !loud,
      completes: false,
    };
    entry.steps.set(key, record);
    return record;
  }

  clientStep(entry: ClientEntry, key: number, input: Input): StepRecord {
    const known = entry.steps.get(key);
    if (known !== undefined) return known;
    const { cfg, parts } = this.objects;
    const result = parts.local.stepClient(entry.client, input);
    const summary = parts.summaries.of(undefined, result);
    const conforms = (cfg.stepChecks?.client(entry.client, input, result).length ?? 0) === 0;
    const record: StepRecord = {
      uid: this.uids++,
      result,
      next: this.client(result.state, entry.index).id,
      sends: summary.sends.map((p) => this.packet(p).id),
      phase1a: 0,
      clean: summary.clean && conforms,
      conforms,
      overRound: false,
      still: result.state === entry.client && result.effects.length === 0,
      completes: result.effects.some((e) => e.kind === 'Complete'),
    };
    entry.steps.set(key, record);
    return record;
  }

  /** The ghost entry after `record`, or -1 when the step exposes a violation. */
  ghostAfter(
    entry: GhostEntry,
    record: StepRecord,
    node: NodeId,
    input: Input,
    stepped: ReplicaNode | undefined,
    before: ReplicaNode | undefined,
  ): number {
    const known = entry.after.get(record.uid);
    if (known !== undefined) return known;
    const { cfg, parts } = this.objects;
    const change = parts.ghosts.step(cfg, entry.ghost, node, input, record.result, stepped, before);
    const next = change.violations.length > 0 ? -1 : this.ghost(change.ghost).id;
    entry.after.set(record.uid, next);
    return next;
  }

  /** Is `p` dead (dead-messages.ts) for its receiver in this state, the entry `receiver`? */
  deadFor(p: PacketEntry, receiver: number): boolean {
    const { parts } = this.objects;
    if (!parts.collect || receiver < 0) return false;
    let dead = p.dead.get(receiver);
    if (dead === undefined) {
      const world =
        p.replica >= 0
          ? { replicas: [(this.nodes[receiver] as NodeEntry).node], clients: [] }
          : { replicas: [], clients: [(this.clients[receiver] as ClientEntry).client] };
      dead = isDead(world as never, p.packet, parts.gcBallots);
      if (dead)
        verifyDeadDelivery(
          this.objects.deliveryProbe,
          p.replica >= 0
            ? { replica: (this.nodes[receiver] as NodeEntry).node.state }
            : { client: (this.clients[receiver] as ClientEntry).client },
          p.packet,
        );
      p.dead.set(receiver, dead);
    }
    return dead;
  }
}
