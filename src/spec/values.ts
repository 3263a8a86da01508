/**
 * The values the trace model works on: ballots as numbers, commands and messages with a
 * canonical key computed once at parse time, so that set membership (`m \in msgs`) and value
 * equality are string comparisons on the hot path.
 */
import type { AnyApp } from '../core/app.js';
import type { Json, NodeId, ReplicaId } from '../core/types.js';

/**
 * Ballot `(round, leader)` as a number, as spec/Smr.tla does: `(round-1)·N + index(leader)`,
 * with replicas indexed in code-unit order so numbers order exactly as the core's
 * `compareBallots` (round, then leader id). The core's ZERO_BALLOT is NO_BALLOT.
 */
export const NO_BALLOT = -1;

/** An operation or output a trace did not record (observation levels below `full`). */
export const UNKNOWN: unique symbol = Symbol('unknown');
export type Unknown = typeof UNKNOWN;

export interface Cmd {
  readonly kind: 'noop' | 'op' | 'checkpoint' | 'join' | 'quit';
  readonly client: NodeId;
  readonly seq: number;
  readonly op: Json | Unknown;
  /** The replica a JOIN or QUIT names ('' for other kinds). */
  readonly replica?: ReplicaId;
  /** Canonical: equal keys ⇔ equal commands (an unknown op has its own key). */
  readonly key: string;
}

export const NOOP_CMD: Cmd = Object.freeze({
  kind: 'noop',
  client: '',
  seq: 0,
  op: null,
  key: 'noop',
});

/** Smr.tla's Ckpt: the CHECKPOINT command a leader proposes. */
export const CKPT_CMD: Cmd = Object.freeze({
  kind: 'checkpoint',
  client: '',
  seq: 0,
  op: null,
  key: 'checkpoint',
});

export function opCmd(client: NodeId, seq: number, op: Json | Unknown, opKey: string): Cmd {
  return { kind: 'op', client, seq, op, key: `op\u0000${client}\u0000${seq}\u0000${opKey}` };
}

/** Smr.tla's JOIN or QUIT request of `client` (an operator) about `replica`. */
export function reconfigCmd(
  kind: 'join' | 'quit',
  client: NodeId,
  seq: number,
  replica: ReplicaId,
): Cmd {
  return {
    kind,
    client,
    seq,
    op: { type: kind, replica },
    replica,
    key: `${kind}\u0000${client}\u0000${seq}\u0000${replica}`,
  };
}

/** IsReconfig(cmd): a JOIN or QUIT. */
export const isReconfig = (c: Cmd): boolean => c.kind === 'join' || c.kind === 'quit';

/** A client's request (an operation, JOIN or QUIT), not a no-op or a checkpoint. */
export const isClientCmd = (c: Cmd): boolean => c.kind !== 'noop' && c.kind !== 'checkpoint';

/**
 * The command a request asks for: a JOIN or QUIT when its op is `{"type":"join"|"quit",
 * "replica": r}` (the core's reconfigRequestOf), else the app's operation.
 */
export function requestCmd(client: NodeId, seq: number, op: Json | Unknown, opKey: string): Cmd {
  if (op !== UNKNOWN && typeof op === 'object' && op !== null && !Array.isArray(op)) {
    const rec = op as { readonly [k: string]: Json };
    const type = rec['type'];
    if ((type === 'join' || type === 'quit') && typeof rec['replica'] === 'string')
      if (Object.keys(rec).length === 2) return reconfigCmd(type, client, seq, rec['replica']);
  }
  return opCmd(client, seq, op, opKey);
}

/** A command that names the same request as `cmd` (client and seq), whatever its op. */
export const sameRequest = (a: Cmd, b: Cmd): boolean =>
  isClientCmd(a) && isClientCmd(b) && a.client === b.client && a.seq === b.seq;

export interface AcceptedValue {
  readonly bal: number;
  readonly cmd: Cmd;
}
export interface AcceptedEntry extends AcceptedValue {
  readonly slot: number;
}

/**
 * Messages of the spec's network (spec/Smr.tla `Messages`), plus the trace payloads Decision
 * (of Decide and Learn) and Snapshot (of InstallCheckpoint), which are not in `msgs`.
 */
export type Msg =
  | {
      readonly type: 'Prepare';
      readonly from: ReplicaId;
      readonly bal: number;
      readonly fromSlot: number;
      readonly key: string;
    }
  | {
      readonly type: 'Promise';
      readonly from: ReplicaId;
      readonly bal: number;
      readonly accepted: readonly AcceptedEntry[];
      /** Where the acceptor's log starts: the slots below are truncated (its checkpoint). */
      readonly ckpt: number;
      readonly key: string;
    }
  | {
      readonly type: 'Accept';
      readonly from: ReplicaId;
      readonly bal: number;
      readonly slot: number;
      readonly cmd: Cmd;
      readonly key: string;
    }
  | {
      readonly type: 'Accepted';
      readonly from: ReplicaId;
      readonly bal: number;
      readonly slot: number;
      readonly key: string;
    }
  | {
      readonly type: 'Decision';
      readonly from: ReplicaId;
      readonly slot: number;
      readonly cmd: Cmd;
      readonly key: string;
    }
  | {
      /** Trace payload of InstallCheckpoint: which checkpoint was installed, sent by whom. */
      readonly type: 'Snapshot';
      readonly from: ReplicaId;
      readonly slot: number;
      readonly key: string;
    }
  | {
      /** A member's audit: the digest of its state after `slot` slots (seed step 6). */
      readonly type: 'Audit';
      readonly from: ReplicaId;
      readonly slot: number;
      readonly digest: string;
      readonly key: string;
    }
  | {
      readonly type: 'Request';
      readonly from: NodeId;
      readonly seq: number;
      readonly op: Json | Unknown;
      readonly opKey: string;
      readonly key: string;
    }
  | {
      readonly type: 'Reply';
      readonly from: ReplicaId;
      readonly to: NodeId;
      readonly seq: number;
      readonly output: Json | Unknown;
      readonly outKey: string;
      readonly key: string;
    };

export type MsgOf<T extends Msg['type']> = Extract<Msg, { type: T }>;

const SEP = '\u0000';

export const prepareKey = (from: string, bal: number, fromSlot: number): string =>
  `Prepare${SEP}${from}${SEP}${bal}${SEP}${fromSlot}`;
export const acceptKey = (from: string, bal: number, slot: number, cmd: Cmd): string =>
  `Accept${SEP}${from}${SEP}${bal}${SEP}${slot}${SEP}${cmd.key}`;
export const acceptedKey = (from: string, bal: number, slot: number): string =>
  `Accepted${SEP}${from}${SEP}${bal}${SEP}${slot}`;
export const requestKey = (from: string, seq: number, opKey: string): string =>
  `Request${SEP}${from}${SEP}${seq}${SEP}${opKey}`;
export const replyKey = (from: string, to: string, seq: number, outKey: string): string =>
  `Reply${SEP}${from}${SEP}${to}${SEP}${seq}${SEP}${outKey}`;
export const decisionKey = (from: string, slot: number, cmd: Cmd): string =>
  `Decision${SEP}${from}${SEP}${slot}${SEP}${cmd.key}`;
export const snapshotKey = (from: string, slot: number): string =>
  `Snapshot${SEP}${from}${SEP}${slot}`;
export const auditKey = (from: string, slot: number, digest: string): string =>
  `Audit${SEP}${from}${SEP}${slot}${SEP}${digest}`;

/** A Promise's `accepted` is a set in the spec: the key lists entries in slot order. */
export function promiseKey(
  from: string,
  bal: number,
  accepted: readonly AcceptedEntry[],
  ckpt: number,
): string {
  const sorted = isSortedBySlot(accepted)
    ? accepted
    : [...accepted].sort((a, b) => a.slot - b.slot || a.bal - b.bal);
  let key = `Promise${SEP}${from}${SEP}${bal}${SEP}${ckpt}`;
  for (const e of sorted) key += `${SEP}${e.slot}:${e.bal}:${e.cmd.key}`;
  return key;
}

function isSortedBySlot(entries: readonly AcceptedEntry[]): boolean {
  for (let i = 1; i < entries.length; i++)
    if ((entries[i - 1] as AcceptedEntry).slot > (entries[i] as AcceptedEntry).slot) return false;
  return true;
}

/**
 * Canonical JSON text (object keys in code-unit order), the key of ops and outputs. Values whose
 * objects already list their keys in order (what our recorder writes) go through the native
 * JSON.stringify; others are rebuilt with sorted keys.
 */
export function jsonKey(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const text = JSON.stringify(value);
  // Ops and outputs repeat a lot: remember the canonical form of recent texts.
  let key = canonicalCache.get(text);
  if (key === undefined) {
    key = isCanonical(value) ? text : canonical(value);
    if (canonicalCache.size >= CACHE_LIMIT) canonicalCache.clear();
    canonicalCache.set(text, key);
  }
  return key;
}

const CACHE_LIMIT = 50_000;
const canonicalCache = new Map<string, string>();

function isCanonical(value: Json): boolean {
  if (value === null || typeof value !== 'object')
    return typeof value !== 'number' || Number.isFinite(value);
  if (Array.isArray(value)) {
    for (const item of value) if (!isCanonical(item as Json)) return false;
    return true;
  }
  let previous = '';
  let first = true;
  const record = value as { readonly [k: string]: Json };
  for (const k in record) {
    if (!first && previous >= k) return false;
    first = false;
    previous = k;
    if (!isCanonical(record[k] as Json)) return false;
  }
  return true;
}

function canonical(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v as Json)).join(',')}]`;
  const record = value as { readonly [k: string]: Json };
  const keys = Object.keys(record).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k] as Json)}`).join(',')}}`;
}

/** Structural equality of JSON values (object key order does not matter). */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as { readonly [k: string]: Json };
  const y = b as { readonly [k: string]: Json };
  let count = 0;
  for (const k in x) {
    const v = y[k];
    if (v === undefined || !sameJson(x[k] as Json, v)) return false;
    count++;
  }
  for (const _ in y) count--;
  return count === 0;
}

/** A logged command (in `state`) against the model's: the same request and op, or both no-ops. */
export function sameCmdValue(
  model: Cmd,
  seen: {
    readonly kind: string;
    readonly client?: string;
    readonly seq?: number;
    readonly op?: Json;
  },
): boolean {
  if (model.kind !== seen.kind) return false;
  if (model.kind === 'noop' || model.kind === 'checkpoint') return true;
  if (model.kind !== 'op')
    return (
      model.client === seen.client &&
      model.seq === seen.seq &&
      model.replica === (seen as { readonly replica?: string }).replica
    );
  return (
    model.client === seen.client &&
    model.seq === seen.seq &&
    (model.op === UNKNOWN || sameJson(model.op, seen.op ?? null))
  );
}

export const UNKNOWN_KEY = '?';
export const valueKey = (v: Json | Unknown): string => (v === UNKNOWN ? UNKNOWN_KEY : jsonKey(v));

/** Ballot numbers ↔ the core's `(round, leader)`, for one configuration. */
export class Ballots {
  /** Replica ids in code-unit order: ballot owners by index. */
  readonly ordered: readonly ReplicaId[];
  private readonly index: ReadonlyMap<ReplicaId, number>;

  constructor(replicas: readonly ReplicaId[]) {
    this.ordered = [...replicas].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.index = new Map(this.ordered.map((r, i) => [r, i]));
  }

  /** The number of `(round, leader)`, or undefined when the leader is not a replica. */
  encode(round: number, leader: ReplicaId): number | undefined {
    const i = this.index.get(leader);
    return i === undefined ? undefined : (round - 1) * this.ordered.length + i;
  }

  owner(b: number): ReplicaId {
    return this.ordered[b % this.ordered.length] as ReplicaId;
  }

  round(b: number): number {
    return Math.floor(b / this.ordered.length) + 1;
  }

  /** As the core prints ballots: `round.leader`, or `none`. */
  format(b: number): string {
    return b === NO_BALLOT ? 'none' : `${this.round(b)}.${this.owner(b)}`;
  }

  toJson(b: number): Json {
    return b === NO_BALLOT ? null : { round: this.round(b), leader: this.owner(b) };
  }
}

export function describeCmd(cmd: Cmd): string {
  if (isReconfig(cmd)) return `${cmd.client}#${cmd.seq} ${cmd.kind} ${cmd.replica ?? '?'}`;
  if (cmd.kind !== 'op') return cmd.kind;
  return `${cmd.client}#${cmd.seq}${cmd.op === UNKNOWN ? '' : ` ${jsonKey(cmd.op)}`}`;
}

/** An app state's JSON view, cached per state object (app states are immutable). */
const views = new WeakMap<object, Json>();
export function appView(app: AnyApp, state: unknown): Json {
  if (typeof state !== 'object' || state === null) return app.view(state);
  let view = views.get(state);
  if (view === undefined) {
    view = app.view(state);
    views.set(state, view);
  }
  return view;
}

export function appViewKey(app: AnyApp, state: unknown): string {
  return jsonKey(appView(app, state));
}
