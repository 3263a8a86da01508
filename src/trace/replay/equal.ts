/**
 * Exact equality of candidate states, for de-duplicating the candidate set. Shared structure
 * (the same object in both) is equal without being walked, so comparing two candidates that
 * differ in one replica costs about one replica.
 */
import { appViewKey } from '../../spec/values.js';
import type { ModelEnv } from '../../spec/refusal.js';
import { hashString, sameNet } from '../../spec/net.js';
import type {
  CheckpointVars,
  ClientVars,
  Output,
  PromiseReport,
  ReplicaVars,
  World,
} from '../../spec/state.js';
import type { AcceptedEntry } from '../../spec/values.js';

/** A hash of the whole state: equal states hash equal (used to bucket before comparing). */
export function fingerprint(w: World): number {
  let h = w.net.hash();
  for (const r of w.sent) h ^= hashString(r.msg.key);
  h = Math.imul(h ^ w.decided.size ^ (w.snapshots.length << 16), 0x01000193);
  for (const r of w.replicas) h = Math.imul(h ^ replicaHash(r), 0x01000193);
  for (const c of w.clients) h = Math.imul(h ^ clientHash(c), 0x01000193);
  return h >>> 0;
}

const replicaHashes = new WeakMap<ReplicaVars, number>();
function replicaHash(r: ReplicaVars): number {
  let h = replicaHashes.get(r);
  if (h !== undefined) return h;
  let s = `${r.promised},${r.role},${r.ballot},${r.prepareFrom},${r.executed},${r.nextSlot},${r.accepted.size},${r.chosen.size},${r.ckpt.slot}`;
  // The newest accepted entries are where candidates usually differ.
  for (let slot = r.accepted.maxSlot, k = 0; slot >= 0 && k < 8; slot--, k++) {
    const a = r.accepted.get(slot);
    if (a !== undefined) s += `|${slot}:${a.bal}:${a.cmd.key}`;
  }
  for (const [slot, p] of r.proposals) s += `|p${slot}:${p.votes}:${p.cmd.key}`;
  for (const [from, e] of r.promises) s += `|q${from}:${e.accepted.length}:${e.ckpt}`;
  for (const [c, x] of r.sessions) s += `|s${c}:${x.seq}:${x.outKey}`;
  h = hashString(s);
  replicaHashes.set(r, h);
  return h;
}

function clientHash(c: ClientVars): number {
  let s = `${c.clientSeq},${c.pending ? 1 : 0}`;
  for (const [r, x] of c.replies) s += `|${r}:${x.outKey}`;
  return hashString(s);
}

export function sameWorld(env: ModelEnv, a: World, b: World): boolean {
  if (a === b) return true;
  for (let i = 0; i < a.replicas.length; i++)
    if (!sameReplica(env, a.replicas[i] as ReplicaVars, b.replicas[i] as ReplicaVars)) return false;
  for (let i = 0; i < a.clients.length; i++)
    if (!sameClient(a.clients[i] as ClientVars, b.clients[i] as ClientVars)) return false;
  if (a.net !== b.net || a.sent.length > 0 || b.sent.length > 0) {
    const keys = (w: World): Set<string> => new Set(w.sent.map((r) => r.msg.key));
    const ka = keys(a);
    const kb = keys(b);
    if (ka.size !== kb.size || [...ka].some((k) => !kb.has(k))) return false;
    if (!sameNet(a.net, b.net)) return false;
  }
  return (
    a.decided.equals(
      b.decided,
      (x, y) => x.length === y.length && x.every((c, i) => c.key === y[i]?.key),
    ) && sameSnapshots(env, a.snapshots, b.snapshots)
  );
}

function sameSnapshots(
  env: ModelEnv,
  a: readonly CheckpointVars[],
  b: readonly CheckpointVars[],
): boolean {
  return (
    a === b ||
    (a.length === b.length && a.every((c, i) => sameCheckpoint(env, c, b[i] as CheckpointVars)))
  );
}

function sameCheckpoint(env: ModelEnv, a: CheckpointVars, b: CheckpointVars): boolean {
  return (
    a === b ||
    (a.slot === b.slot &&
      sameApp(env, a.app, b.app) &&
      sameMap(a.sessions, b.sessions, (x, y) => x.seq === y.seq && x.outKey === y.outKey))
  );
}

function sameReplica(env: ModelEnv, a: ReplicaVars, b: ReplicaVars): boolean {
  if (a === b) return true;
  return (
    a.promised === b.promised &&
    a.role === b.role &&
    a.ballot === b.ballot &&
    a.prepareFrom === b.prepareFrom &&
    a.nextSlot === b.nextSlot &&
    a.executed === b.executed &&
    sameApp(env, a.app, b.app) &&
    sameCheckpoint(env, a.ckpt, b.ckpt) &&
    a.accepted.equals(
      b.accepted,
      (x, y) => x === y || (x.bal === y.bal && x.cmd.key === y.cmd.key),
    ) &&
    a.chosen.equals(b.chosen, (x, y) => x.key === y.key) &&
    sameMap(a.proposals, b.proposals, (x, y) => x.votes === y.votes && x.cmd.key === y.cmd.key) &&
    sameMap(a.promises, b.promises, samePromise) &&
    sameMap(a.sessions, b.sessions, (x, y) => x.seq === y.seq && x.outKey === y.outKey)
  );
}

function sameClient(a: ClientVars, b: ClientVars): boolean {
  return (
    a === b ||
    (a.clientSeq === b.clientSeq &&
      a.pending === b.pending &&
      sameMap(a.replies, b.replies, (x: Output, y: Output) => x.outKey === y.outKey))
  );
}

function sameApp(env: ModelEnv, a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (env.ctx.app === null || typeof a === 'symbol' || typeof b === 'symbol') return false;
  return appViewKey(env.ctx.app, a) === appViewKey(env.ctx.app, b);
}

function sameMap<K, V>(
  a: ReadonlyMap<K, V>,
  b: ReadonlyMap<K, V>,
  same: (x: V, y: V) => boolean,
): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, x] of a) {
    const y = b.get(k);
    if (y === undefined || (x !== y && !same(x, y))) return false;
  }
  return true;
}

function samePromise(a: PromiseReport, b: PromiseReport): boolean {
  return a.ckpt === b.ckpt && sameEntries(a.accepted, b.accepted);
}

function sameEntries(a: readonly AcceptedEntry[], b: readonly AcceptedEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as AcceptedEntry;
    const y = b[i] as AcceptedEntry;
    if (x.slot !== y.slot || x.bal !== y.bal || x.cmd.key !== y.cmd.key) return false;
  }
  return true;
}
