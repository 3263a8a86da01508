/**
 * The explorer's network after a step, kept sorted by packet identity so that a set network can
 * ignore a packet it already holds by binary search, and with dead messages collected
 * (dead-messages.ts). Copy-on-write: an unchanged network stays the same array, so its cached
 * hash is reused.
 */
import type { Packet, World } from '../../model/world.js';
import type { KeyedPacket, WorldEncoder } from './encode.js';

/** The first index whose identity is ≥ `key` in a network sorted by identity. */
export function searchKey(network: readonly KeyedPacket[], key: string): number {
  let lo = 0;
  let hi = network.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((network[mid] as KeyedPacket).text < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function holds(network: readonly Packet[], key: string): boolean {
  const keyed = network as readonly KeyedPacket[];
  return keyed[searchKey(keyed, key)]?.text === key;
}

export interface NetworkChange {
  /** The packet the step consumed (multiset) or dropped, by id. */
  readonly remove?: number;
  readonly add: readonly Packet[];
  /** The set network keeps one copy of each message. */
  readonly set: boolean;
  /** The node whose state changed: messages to it may have died. */
  readonly node?: string;
  readonly isDead: (world: World, p: Packet) => boolean;
}

export interface NetworkUpdate {
  readonly network: KeyedPacket[];
  readonly added: readonly KeyedPacket[];
  readonly removed: readonly KeyedPacket[];
}

export function nextNetwork(
  encoder: WorldEncoder,
  world: World,
  change: NetworkChange,
): NetworkUpdate {
  const before = world.network as readonly KeyedPacket[];
  let out: KeyedPacket[] | null = null;
  const added: KeyedPacket[] = [];
  const removed: KeyedPacket[] = [];
  const own = (): KeyedPacket[] => (out ??= [...before]);
  if (change.remove !== undefined) {
    const at = before.findIndex((p) => p.id === change.remove);
    if (at >= 0) removed.push(...own().splice(at, 1));
  }
  for (const raw of change.add) {
    const c = encoder.packetIdentity(raw);
    const current = out ?? before;
    const at = searchKey(current, c.text);
    if (change.set && current[at]?.text === c.text) continue;
    const p = encoder.keyed(raw, c);
    own().splice(at, 0, p);
    added.push(p);
  }
  const current = out ?? before;
  for (let i = current.length - 1; i >= 0; i--) {
    const p = current[i] as KeyedPacket;
    if (p.to !== change.node && !added.includes(p)) continue;
    if (!change.isDead(world, p)) continue;
    removed.push(...own().splice(i, 1));
  }
  if (out === null) return { network: before as KeyedPacket[], added: [], removed: [] };
  const netAdded = added.filter((p) => !removed.includes(p));
  const netRemoved = removed.filter((p) => !added.includes(p));
  return { network: out, added: netAdded, removed: netRemoved };
}
