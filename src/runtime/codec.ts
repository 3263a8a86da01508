/**
 * The replica's durable state (core/types.ts DurableState) as JSON for the write-ahead log and
 * snapshot files. The log holds deltas — what one Persist changed since the one before — so a
 * step costs what it changed, not the size of the state; a `base` record holds the whole state
 * (the first record of every segment), and a checkpoint lives in its own snapshot file, which a
 * record names by slot and digest.
 */
import type { AnyApp } from '../core/app.js';
import { ballotEquals } from '../core/ballot.js';
import { membershipFromJson, membershipJson } from '../core/membership.js';
import { checkpointDigest, digestedMembership } from '../core/replica/checkpoint.js';
import { EMPTY_DURABLE, type ReplicaParams } from '../core/replica/state.js';
import type {
  AcceptedValue,
  Ballot,
  Checkpoint,
  ClientId,
  Command,
  DurableState,
  Json,
  Session,
  Slot,
  SnapshotPart,
} from '../core/types.js';

/** A checkpoint's name in the log: its snapshot file is found and checked by these. */
export interface CheckpointRef {
  readonly slot: Slot;
  readonly digest: string;
}

/**
 * One log record. `s` is the host's step number (it orders records and ties them to trace
 * events, node-trace.ts); `base` says the record holds the whole state rather than a delta;
 * `null` in `a`/`c` deletes the slot (truncation below a checkpoint).
 */
export interface WalRecord {
  readonly s: number;
  readonly base?: true;
  readonly p?: Ballot;
  readonly a?: readonly (readonly [Slot, AcceptedValue | null])[];
  readonly c?: readonly (readonly [Slot, Command | null])[];
  /** The checkpoint (null: none, in a base record). */
  readonly k?: CheckpointRef | null;
}

/** What changed from `prev` to `next`, or null when nothing did. */
export function deltaRecord(
  step: number,
  prev: DurableState,
  next: DurableState,
): WalRecord | null {
  const record: { -readonly [K in keyof WalRecord]: WalRecord[K] } = { s: step };
  if (!ballotEquals(prev.promised, next.promised)) record.p = next.promised;
  const a = mapDelta(prev.accepted, next.accepted);
  if (a.length > 0) record.a = a;
  const c = mapDelta(prev.chosen, next.chosen);
  if (c.length > 0) record.c = c;
  if (prev.checkpoint !== next.checkpoint) record.k = refOf(next.checkpoint);
  return Object.keys(record).length === 1 ? null : record;
}

/** The whole state, as the first record of a segment. */
export function baseRecord(step: number, d: DurableState): WalRecord {
  return {
    s: step,
    base: true,
    p: d.promised,
    a: [...d.accepted].sort(bySlot),
    c: [...d.chosen].sort(bySlot),
    k: refOf(d.checkpoint),
  };
}

/** The durable state as the log describes it: the checkpoint by name, its file read at the end. */
export interface DurableImage {
  readonly promised: Ballot;
  readonly accepted: ReadonlyMap<Slot, AcceptedValue>;
  readonly chosen: ReadonlyMap<Slot, Command>;
  readonly checkpoint: CheckpointRef | null;
}

export const EMPTY_IMAGE: DurableImage = { ...EMPTY_DURABLE, checkpoint: null };

export function applyRecord(d: DurableImage, r: WalRecord): DurableImage {
  const start = r.base === true ? EMPTY_IMAGE : d;
  const accepted = new Map(start.accepted);
  for (const [slot, v] of r.a ?? []) {
    if (v === null) accepted.delete(slot);
    else accepted.set(slot, v);
  }
  const chosen = new Map(start.chosen);
  for (const [slot, cmd] of r.c ?? []) {
    if (cmd === null) chosen.delete(slot);
    else chosen.set(slot, cmd);
  }
  const checkpoint = r.k === undefined ? start.checkpoint : r.k;
  return { promised: r.p ?? start.promised, accepted, chosen, checkpoint };
}

/** Why `value` is not a log record, or null (the CRC said the bytes are ours; this checks form). */
export function recordProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const r = value as Record<string, unknown>;
  if (!Number.isSafeInteger(r['s'])) return 'no step number';
  for (const field of ['a', 'c'] as const)
    if (r[field] !== undefined && !Array.isArray(r[field])) return `"${field}" is not a list`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Snapshot files: a checkpoint as JSON. The app state goes as the app's own named parts (the
// form state transfer uses), so restoring it is the app's `restore`.

export function checkpointJson(app: AnyApp, cp: Checkpoint): Json {
  const parts: Json[] = app
    .snapshot(cp.app)
    .map((p) => ({ name: p.name, version: p.version, value: p.value }));
  const sessions: Json[] = [...cp.sessions].map(([client, s]) => [client, s.seq, s.output]);
  return {
    slot: cp.slot,
    digest: cp.digest,
    parts,
    sessions,
    membership: membershipJson(cp.membership),
  };
}

/**
 * The checkpoint in a snapshot file, its digest recomputed: a file that is not the checkpoint the
 * log names is refused (null), whatever its CRC says.
 */
export function checkpointFromJson(
  app: AnyApp,
  params: ReplicaParams,
  value: Json,
  ref: CheckpointRef,
): Checkpoint | null {
  const v = value as unknown as {
    slot: number;
    digest: string;
    parts: SnapshotPart[];
    sessions: [ClientId, number, Json][];
    membership: Json;
  };
  if (v.slot !== ref.slot || v.digest !== ref.digest) return null;
  const state = app.restore(v.parts);
  const sessions = new Map<ClientId, Session>(
    v.sessions.map(([client, seq, output]) => [client, { seq, output }]),
  );
  const membership = membershipFromJson(v.membership);
  const digest = checkpointDigest(
    app,
    v.slot,
    state,
    sessions,
    digestedMembership(params, membership, v.slot),
  );
  if (digest !== v.digest) return null;
  return { slot: v.slot, app: state, sessions, membership, digest };
}

export function refOf(cp: Checkpoint | null): CheckpointRef | null {
  return cp === null ? null : { slot: cp.slot, digest: cp.digest };
}

function mapDelta<V>(prev: ReadonlyMap<Slot, V>, next: ReadonlyMap<Slot, V>): [Slot, V | null][] {
  if (prev === next) return [];
  const out: [Slot, V | null][] = [];
  for (const [slot, v] of next) if (prev.get(slot) !== v) out.push([slot, v]);
  for (const slot of prev.keys()) if (!next.has(slot)) out.push([slot, null]);
  return out.sort(bySlot);
}

function bySlot(x: readonly [Slot, unknown], y: readonly [Slot, unknown]): number {
  return x[0] - y[0];
}
