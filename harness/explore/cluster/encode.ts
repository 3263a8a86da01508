/**
 * Canonical encodings of cluster worlds, fast enough for millions of states: every component
 * (replica, client, packet, ghost map) is encoded once per object and cached, since successor
 * worlds share every component a step did not touch. Packet ids, `nextPacketId`, replica and
 * client params and the ghost's derivable parts (`submitted`, `open`) are left out: they never
 * change what can happen next.
 *
 * Symmetry over clients (TLC's SYMMETRY, Ip & Dill's scalarsets): the explorer's clients run the
 * same workload, so renaming them maps runs to runs and verdicts to verdicts. The orbit's
 * representative is the least encoding over every renaming. Replicas are not symmetric here —
 * ballots are ordered by replica id and Ω trusts the first replica of the configuration — so
 * renaming them would merge states that behave differently.
 */
import type { ClientState } from '../../../src/core/client.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import { hash64 } from '../../../src/core/canonical.js';
import type { Message } from '../../../src/core/types.js';
import type { HistoryOp } from '../../../src/oracle/types.js';
import type { Ghost, Packet, ReplicaNode, World } from '../../model/world.js';
import { coded, Hasher, type Coded } from './hashing.js';
import { encodeHistory, encodeValue, type Renaming } from './text.js';

export { clientRenamings, type Renaming } from './text.js';

export type Hash = readonly [hi: number, lo: number];

/** What each scope counter is paired with in a fingerprint (packed.ts hashes the same words). */
export const COUNTER_SALT = 0x2545f491;

/**
 * Component hashes a state carries from its parent, under one renaming (clients in that
 * renaming's order); a state keeps one per renaming.
 */
export interface KnownHashes {
  readonly nodes: readonly Hash[];
  readonly clients: readonly Hash[];
  readonly network: Hash;
  readonly ghost: Hash;
}

/** A packet in an explorer world: its identity (sender, receiver, message) and hash ride along. */
export interface KeyedPacket extends Packet, Coded {}

/**
 * Caches component encodings per object and per renaming. A world's fingerprint combines the
 * components' hashes instead of hashing one long string, so a step costs a few words of hashing
 * for the components it did not change; the network is a multiset, hashed as the lane-wise sum
 * of its packets' hashes (order-free, and updated in O(1) per sent packet).
 */
export class WorldEncoder {
  private readonly replicas = new WeakMap<ReplicaState, Coded[]>();
  private readonly durables = new WeakMap<object, Coded[]>();
  private readonly clients = new WeakMap<ClientState, Coded>();
  private readonly messages = new WeakMap<Message, string[]>();
  private readonly packets = new WeakMap<Packet, Coded[]>();
  private readonly networks = new WeakMap<readonly Packet[], [number, number][]>();
  private readonly maps = new WeakMap<object, Coded[]>();
  private readonly histories = new WeakMap<readonly HistoryOp[], Coded[]>();
  private readonly ghosts = new WeakMap<Ghost, [number, number][]>();

  /** Per renaming: the text of every value object met (encodeValue's memo). */
  private readonly texts: WeakMap<object, string>[];

  constructor(
    readonly renamings: readonly Renaming[],
    /** True when the replicas run with electionTicks = 1 and heartbeatTicks = 0. */
    private readonly timersAreDead = false,
  ) {
    this.texts = renamings.map(() => new WeakMap());
  }

  private cached<K extends object, V>(
    cache: WeakMap<K, V[]>,
    key: K,
    r: number,
    make: (rename: Renaming, memo: WeakMap<object, string>) => V,
  ): V {
    let row = cache.get(key);
    if (row === undefined) {
      row = [];
      cache.set(key, row);
    }
    let s = row[r];
    if (s === undefined) {
      s = make(this.renamings[r] as Renaming, this.texts[r] as WeakMap<object, string>);
      row[r] = s;
    }
    return s;
  }

  /**
   * With electionTicks = 1 and no heartbeats (the explorer's parameters) a Tick sets every
   * peer's silence to the cap before Ω reads it, so `silence` never influences what a replica
   * does next; nor do the heartbeat and candidacy timers, which stay at 0. Leaving them out
   * merges states that only differ in dead variables (a bisimulation, like TLC's VIEW).
   */
  private replicaText(
    state: ReplicaState,
    rename: Renaming,
    memo?: WeakMap<object, string>,
  ): string {
    const v = state.volatile;
    const live = this.timersAreDead
      ? { ...v, silence: undefined, sinceHeartbeat: undefined, sinceCandidacy: undefined }
      : v;
    return encodeValue([state.id, state.durable, live], rename, memo);
  }

  /**
   * Replica states are the bulk of the explorer's memory, so only their hash is kept; the text
   * is rebuilt when the exact mode asks for it.
   */
  private replicaCoded(state: ReplicaState, r: number): Coded {
    return this.cached(this.replicas, state, r, (rename, memo) => {
      const [hi, lo] = hash64(this.replicaText(state, rename, memo));
      return { text: '', hi, lo };
    });
  }

  replica(state: ReplicaState, r = 0): string {
    return this.replicaText(state, this.renamings[r] as Renaming);
  }

  /** A key for hash-consing replica states: their 64-bit hash (collisions as rare as the visited set's). */
  replicaKey(state: ReplicaState): string {
    const c = this.replicaCoded(state, 0);
    return `${c.hi}:${c.lo}`;
  }

  /** Null when the disk holds exactly the replica's durable state (the usual case). */
  private diskCoded(n: ReplicaNode, r: number): Coded | null {
    if (n.disk === n.state.durable) return null;
    const disk = this.cached(this.durables, n.disk, r, (rename, memo) =>
      coded(encodeValue(n.disk, rename, memo)),
    );
    const durable = this.cached(this.durables, n.state.durable, r, (rename, memo) =>
      coded(encodeValue(n.state.durable, rename, memo)),
    );
    return disk.hi === durable.hi && disk.lo === durable.lo && disk.text === durable.text
      ? null
      : disk;
  }

  node(n: ReplicaNode, r = 0): string {
    return `${n.up ? 'U' : 'D'}${this.diskCoded(n, r)?.text ?? '='}${this.replica(n.state, r)}`;
  }

  private clientCoded(c: ClientState): Coded {
    let s = this.clients.get(c);
    if (s === undefined) {
      s = coded(encodeValue([c.seq, c.pending], new Map()));
      this.clients.set(c, s);
    }
    return s;
  }

  client(c: ClientState): string {
    return this.clientCoded(c).text;
  }

  message(m: Message, r = 0): string {
    return this.cached(this.messages, m, r, (rename, memo) => encodeValue(m, rename, memo));
  }

  private readonly sends = new WeakMap<Message, Map<string, Coded>>();

  /** The identity of a packet, cached by message object (memoised steps reuse messages). */
  packetIdentity(p: Packet): Coded {
    if ((p as Partial<KeyedPacket>).text !== undefined) return p as KeyedPacket;
    let byRoute = this.sends.get(p.msg);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.sends.set(p.msg, byRoute);
    }
    const route = `${p.from}>${p.to}`;
    let c = byRoute.get(route);
    if (c === undefined) {
      c = coded(`${route}:${this.message(p.msg)}`);
      byRoute.set(route, c);
    }
    return c;
  }

  /** A packet that carries its own identity, so the hot path needs no table lookup. */
  keyed(p: Packet, c: Coded = this.packetIdentity(p)): KeyedPacket {
    if ((p as Partial<KeyedPacket>).text !== undefined) return p as KeyedPacket;
    // Spelled out, not spread: one hidden class for every packet keeps the hot path monomorphic.
    return { id: p.id, from: p.from, to: p.to, msg: p.msg, text: c.text, hi: c.hi, lo: c.lo };
  }

  private packetCoded(p: Packet, r: number): Coded {
    if (r === 0 && (p as Partial<KeyedPacket>).text !== undefined) return p as KeyedPacket;
    return this.cached(this.packets, p, r, (rename) => {
      const from = rename.get(p.from) ?? p.from;
      const to = rename.get(p.to) ?? p.to;
      return coded(`${from}>${to}:${this.message(p.msg, r)}`);
    });
  }

  /** The identity of a packet for the network: sender, receiver and message, never its id. */
  packet(p: Packet, r = 0): string {
    return this.packetCoded(p, r).text;
  }

  private networkHash(network: readonly Packet[], r: number): [number, number] {
    return this.cached(this.networks, network, r, () => {
      let hi = 0;
      let lo = 0;
      for (const p of network) {
        const c = this.packetCoded(p, r);
        hi = (hi + c.hi) | 0;
        lo = (lo + c.lo) | 0;
      }
      return [hi, lo];
    });
  }

  private mapCoded(m: object, r: number): Coded {
    return this.cached(this.maps, m, r, (rename, memo) => coded(encodeValue(m, rename, memo)));
  }

  private historyCoded(g: Ghost, r: number): Coded {
    return this.cached(this.histories, g.history, r, (rename) =>
      coded(encodeHistory(g.history, rename)),
    );
  }

  ghost(g: Ghost, r = 0): string {
    const parts = [g.chosen, g.votes, g.digests, g.applied, g.corrupted, g.faulty].map(
      (m) => this.mapCoded(m, r).text,
    );
    return `${parts.join('|')}|${this.historyCoded(g, r).text}`;
  }

  /** The client states in the order of their names after renaming `r`. */
  private clientsUnder(w: World, r: number): readonly ClientState[] {
    const rename = this.renamings[r] as Renaming;
    if (rename.size === 0) return w.clients;
    const byName = new Map<string, ClientState>();
    for (const c of w.clients) byName.set(rename.get(c.id) ?? c.id, c);
    return w.clients.map((c) => byName.get(c.id) as ClientState);
  }

  /** The whole world under renaming `r` as text (exact mode); `extra`: explorer counters. */
  world(w: World, extra: readonly number[], r = 0): string {
    let s = extra.join(',');
    for (const n of w.replicas) s += `#${this.node(n, r)}`;
    for (const c of this.clientsUnder(w, r)) s += `#${this.client(c)}`;
    const packets = w.network.map((p) => this.packet(p, r)).sort();
    s += `#N${packets.join('\n')}`;
    return `${s}#G${this.ghost(w.ghost, r)}`;
  }

  /** The least text over every renaming: one string per symmetry orbit. */
  canonical(w: World, extra: readonly number[]): string {
    let best = this.world(w, extra, 0);
    for (let r = 1; r < this.renamings.length; r++) {
      const s = this.world(w, extra, r);
      if (s < best) best = s;
    }
    return best;
  }

  /** Hashes of up replicas whose disk is their durable state (the usual node), by state. */
  private readonly plainNodes = new WeakMap<ReplicaState, Hash[]>();

  /** A replica node's hash (state, up flag, disk) under renaming `r`. */
  nodeHash(n: ReplicaNode, r = 0): Hash {
    if (!n.up || n.disk !== n.state.durable) return this.computeNodeHash(n, r);
    return this.cached(this.plainNodes, n.state, r, () => this.computeNodeHash(n, r));
  }

  private computeNodeHash(n: ReplicaNode, r: number): Hash {
    const rep = this.replicaCoded(n.state, r);
    const disk = this.diskCoded(n, r);
    return new Hasher()
      .add(rep.hi, rep.lo)
      .add(n.up ? 1 : 2, 0)
      .add(disk?.hi ?? 0, disk?.lo ?? 0)
      .result();
  }

  /** Sum `base` with `added` and without `removed`, under renaming `r`. */
  shiftSum(base: Hash, added: readonly Packet[], removed: readonly Packet[], r = 0): Hash {
    let [hi, lo] = base;
    for (const p of added) {
      const c = this.packetCoded(p, r);
      hi = (hi + c.hi) | 0;
      lo = (lo + c.lo) | 0;
    }
    for (const p of removed) {
      const c = this.packetCoded(p, r);
      hi = (hi - c.hi) | 0;
      lo = (lo - c.lo) | 0;
    }
    return [hi, lo];
  }

  /**
   * The world's 64-bit fingerprint under renaming `r`. `known` carries the hashes under `r` the
   * caller kept from the previous state, so an unchanged component costs nothing.
   */
  fingerprint(w: World, extra: readonly number[], r = 0, known?: KnownHashes): [number, number] {
    if (known !== undefined)
      return this.combine(
        extra,
        known.nodes,
        known.clients,
        known.network,
        w.network.length,
        known.ghost,
      );
    return this.combine(
      extra,
      w.replicas.map((n) => this.nodeHash(n, r)),
      this.clientHashes(w.clients, r),
      this.networkHash(w.network, r),
      w.network.length,
      this.ghostHash(w.ghost, r),
    );
  }

  /** A world's fingerprint from its component hashes (what `fingerprint` hashes). */
  combine(
    extra: readonly number[],
    nodes: readonly Hash[],
    clients: readonly Hash[],
    network: Hash,
    networkLength: number,
    ghost: Hash,
  ): [number, number] {
    const h = new Hasher();
    for (const x of extra) h.add(x, COUNTER_SALT);
    for (const [a, b] of nodes) h.add(a, b);
    for (const [a, b] of clients) h.add(a, b);
    h.add(network[0], network[1]);
    h.add(networkLength, 0);
    h.add(ghost[0], ghost[1]);
    return h.result();
  }

  clientHash(c: ClientState): Hash {
    const k = this.clientCoded(c);
    return [k.hi, k.lo];
  }

  /** The client hashes in renaming `r`'s order. */
  clientHashes(clients: readonly ClientState[], r: number): Hash[] {
    const order = this.clientOrder(clients, r);
    return order.map((i) => this.clientHash(clients[i] as ClientState));
  }

  private readonly orders: number[][] = [];

  /**
   * Renaming `r` lists the clients in this order of indices into the world's clients (the same
   * for every world: the client ids never change). The position of client i is `indexOf(i)`.
   */
  clientOrder(clients: readonly ClientState[], r: number): readonly number[] {
    let order = this.orders[r];
    if (order === undefined) {
      const byId = new Map(clients.map((c, i) => [c.id, i]));
      order = this.clientsUnder({ clients } as World, r).map((c) => byId.get(c.id) as number);
      this.orders[r] = order;
    }
    return order;
  }

  /** The component hashes of `w` under every renaming, to seed KnownHashes. */
  known(w: World): KnownHashes[] {
    return this.renamings.map((_, r) => ({
      nodes: w.replicas.map((n) => this.nodeHash(n, r)),
      clients: this.clientHashes(w.clients, r),
      network: this.networkHash(w.network, r),
      ghost: this.ghostHash(w.ghost, r),
    }));
  }

  /** The same disk as the replica's durable state, by content (then the node hashes faster). */
  sameDisk(n: ReplicaNode): boolean {
    return n.disk === n.state.durable || this.diskCoded(n, 0) === null;
  }

  ghostHash(g: Ghost, r: number): [number, number] {
    return this.cached(this.ghosts, g, r, () => {
      const h = new Hasher();
      for (const m of [g.chosen, g.votes, g.digests, g.applied, g.corrupted, g.faulty]) {
        const k = this.mapCoded(m, r);
        h.add(k.hi, k.lo);
      }
      const hist = this.historyCoded(g, r);
      return h.add(hist.hi, hist.lo).result();
    });
  }

  /** The least fingerprint over every renaming: an invariant of the symmetry orbit. */
  canonicalFingerprint(
    w: World,
    extra: readonly number[],
    known?: readonly KnownHashes[],
  ): [number, number] {
    let best = this.fingerprint(w, extra, 0, known?.[0]);
    for (let r = 1; r < this.renamings.length; r++)
      best = least(best, this.fingerprint(w, extra, r, known?.[r]));
    return best;
  }
}

/** The lesser of two fingerprints (the orbit's representative is the least). */
export function least(a: [number, number], b: [number, number]): [number, number] {
  return b[0] < a[0] || (b[0] === a[0] && b[1] < a[1]) ? b : a;
}
