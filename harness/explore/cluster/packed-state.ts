/**
 * Packed cluster states (packed.ts): the layout of the integer array, and its fingerprint.
 *
 * `[crashes, corruptions, elections, node id × replicas, client id × clients, ghost id,
 * packet id × packets in flight (ordered by packet identity), fingerprint hi, fingerprint lo]`.
 * Ids name entries of one Components instance (components.ts) and mean nothing elsewhere:
 * states cross threads and checkpoints unpacked (Protocol.exportState).
 */
import type { ClientEntry, Components, GhostEntry, NodeEntry, PacketEntry } from './components.js';
import { COUNTER_SALT } from './encode.js';
import { finish, LANE_A_SEED, LANE_B_SALT, LANE_B_SEED, LENGTH_SALT, mix } from './hashing.js';

export type PackedState = readonly number[];

/** The scope counters at the head of a state. */
export const CRASHES = 0;
export const CORRUPTIONS = 1;
export const ELECTIONS = 2;
/** Where the node ids start. */
export const NODES = 3;

/** Where each part of a packed state starts, and its fingerprint. */
export class PackedLayout {
  readonly clientsAt: number;
  readonly ghostAt: number;
  readonly packetsAt: number;

  constructor(
    private readonly components: Components,
    replicas: number,
    clients: number,
    /** Per client renaming, the client indices in the renamed order (encode.ts `clientOrder`). */
    private readonly clientOrders: readonly (readonly number[])[],
  ) {
    this.clientsAt = NODES + replicas;
    this.ghostAt = this.clientsAt + clients;
    this.packetsAt = this.ghostAt + 1;
  }

  /**
   * The fingerprint of `s` (network [packetsAt, n)) written at s[n], s[n + 1]: what
   * WorldEncoder.canonicalFingerprint gives the unpacked world — the least over client
   * renamings of a hash of the counters, node, client, network-sum and ghost hashes.
   */
  fingerprintInto(s: number[], n: number): void {
    let bestHi = 0;
    let bestLo = 0;
    for (let r = 0; r < this.components.renamings; r++) {
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
        const e = this.components.nodes[s[k] as number] as NodeEntry;
        const hi = e.hi[r] as number;
        const lo = e.lo[r] as number;
        a = mix(mix(a, hi), lo);
        b = mix(mix(b, lo ^ LANE_B_SALT), hi);
      }
      words += 2 * (this.clientsAt - NODES);
      const order = this.clientOrders[r] as readonly number[];
      for (let k = 0; k < order.length; k++) {
        const e = this.components.clients[
          s[this.clientsAt + (order[k] as number)] as number
        ] as ClientEntry;
        a = mix(mix(a, e.hi), e.lo);
        b = mix(mix(b, e.lo ^ LANE_B_SALT), e.hi);
      }
      words += 2 * order.length;
      let sumHi = 0;
      let sumLo = 0;
      for (let k = this.packetsAt; k < n; k++) {
        const p = this.components.packets[s[k] as number] as PacketEntry;
        sumHi = (sumHi + (p.hi[r] as number)) | 0;
        sumLo = (sumLo + (p.lo[r] as number)) | 0;
      }
      a = mix(mix(a, sumHi), sumLo);
      b = mix(mix(b, sumLo ^ LANE_B_SALT), sumHi);
      const length = n - this.packetsAt;
      a = mix(mix(a, length), 0);
      b = mix(mix(b, LANE_B_SALT), length);
      const g = this.components.ghosts[s[this.ghostAt] as number] as GhostEntry;
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
}

/** Does state [from, to) hold packet `id`? */
export function holds(state: readonly number[], from: number, to: number, id: number): boolean {
  for (let k = from; k < to; k++) if (state[k] === id) return true;
  return false;
}
