/**
 * A candidate state of the trace model: the variables of spec/Smr.tla for every node, with the
 * core's richer values where the trace carries them (real ballots, ops, app outputs). States
 * are immutable; a successor shares everything it does not change (structural sharing), which
 * is what lets the checker keep several candidates without copying logs.
 */
import type { Json, NodeId } from '../core/types.js';
import type { Role } from '../core/replica/state.js';
import type { AnyApp } from '../core/app.js';
import type { ReplyPolicy } from '../core/client.js';
import { Net, type SendRecord } from './net.js';
import { SlotVector } from './slot-vector.js';
import {
  NO_BALLOT,
  type Ballots,
  UNKNOWN,
  type AcceptedEntry,
  type AcceptedValue,
  type Cmd,
  type Msg,
  type Unknown,
} from './values.js';

export interface Proposal {
  readonly cmd: Cmd;
  /** Replicas that accepted, as a bit set over header replica indexes (votes = {} is 0). */
  readonly votes: number;
}

export interface Output {
  readonly output: Json | Unknown;
  /** Canonical key; unknown outputs are `?slot` (equal iff executed at the same slot). */
  readonly outKey: string;
}

export interface Session extends Output {
  readonly seq: number;
}

/** An epoch [from, members]: `members` (a bit set) governs the slots from `from` to the next. */
export interface Epoch {
  readonly from: number;
  readonly members: number;
}

/** A configuration history, epochs in `from` order (Smr.tla: a set of Epochs; config.ts). */
export type Conf = readonly Epoch[];

/** A checkpoint (Smr.tla's Checkpoints): the state after executing slots 0..slot-1. */
export interface CheckpointVars {
  readonly slot: number;
  /** The app state, or UNKNOWN (as `app`). */
  readonly app: unknown;
  readonly sessions: ReadonlyMap<NodeId, Session>;
  /** The configuration history after `slot` slots. */
  readonly conf: Conf;
}

/** A promise a candidate collected: what the acceptor accepted, and where its log starts. */
export interface PromiseReport {
  readonly accepted: readonly AcceptedEntry[];
  readonly ckpt: number;
}

export interface ReplicaVars {
  readonly promised: number;
  readonly accepted: SlotVector<AcceptedValue>;
  readonly chosen: SlotVector<Cmd>;
  readonly ckpt: CheckpointVars;
  /** Derived from `chosen` and `ckpt`: the first slot not known chosen (ChosenPrefix(r)). */
  readonly chosenPrefix: number;
  readonly role: Role;
  readonly ballot: number;
  readonly prepareFrom: number;
  readonly promises: ReadonlyMap<NodeId, PromiseReport>;
  /** The replicas whose promises made this replica leader (a bit set, 0 unless leader). */
  readonly promisers: number;
  readonly proposals: ReadonlyMap<number, Proposal>;
  readonly nextSlot: number;
  readonly executed: number;
  readonly sessions: ReadonlyMap<NodeId, Session>;
  /** The app state, or UNKNOWN once an operation the trace did not log was applied. */
  readonly app: unknown;
  /** The configuration history after `executed` slots. */
  readonly conf: Conf;
}

export interface ClientVars {
  readonly clientSeq: number;
  readonly pending: boolean;
  readonly replies: ReadonlyMap<NodeId, Output>;
}

export interface World {
  readonly replicas: readonly ReplicaVars[];
  readonly clients: readonly ClientVars[];
  /** `msgs` as committed before the current event... */
  readonly net: Net;
  /** ...and what this candidate sent since (flushed into `net` when the event commits). */
  readonly sent: readonly SendRecord[];
  /** `decided`: every command some replica decided or learned, by slot (one, unless unsafe). */
  readonly decided: SlotVector<readonly Cmd[]>;
  /** `snapshots`: every checkpoint some replica took, in the order taken. */
  readonly snapshots: readonly CheckpointVars[];
  /** Unlogged steps taken since the last logged event (bounded by --max-hidden). */
  readonly hidden: number;
}

/**
 * The configuration the actions run in: who the replicas and clients are, how ballots number,
 * which app computes outputs (null: outputs stay unknown) and how clients vote. A trace's
 * header gives one (src/trace/parse-header.ts); a model-checking configuration another.
 */
export interface SpecContext {
  readonly replicas: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly replicaIndex: ReadonlyMap<NodeId, number>;
  readonly clientIndex: ReadonlyMap<NodeId, number>;
  readonly ballots: Ballots;
  readonly app: AnyApp | null;
  readonly policy: ReplyPolicy;
  /** Members0: the starting configuration, a bit set over `replicas`. */
  readonly members0: number;
  /** Alpha: a configuration chosen at slot i governs from i + alpha. */
  readonly alpha: number;
  /** AuditEvery: members audit after every `auditEvery` slots (0: never). */
  readonly auditEvery: number;
}

/**
 * An action's parameters: the node, and what is known of the step — the message it consumed or
 * sent, its slot, whether Execute applied — each undefined when unknown (the action then
 * tries every value the spec allows). The rest locates the step, for clock checks and reports.
 */
export interface EventInfo {
  readonly node: NodeId;
  readonly action: string;
  readonly slot: number | undefined;
  readonly applied: boolean | undefined;
  readonly msg: Msg | undefined;
  readonly lamport: number;
  readonly vc: Readonly<Record<string, number>> | null;
  readonly file: string;
  readonly line: number;
  /** A step nobody logged, inserted by a checker (or a model checker's own step). */
  readonly hidden?: boolean;
}

export function initialWorld(ctx: SpecContext): World {
  const app = ctx.app === null ? UNKNOWN : ctx.app.init();
  const conf: Conf = [{ from: 0, members: ctx.members0 }];
  const replica: ReplicaVars = {
    promised: NO_BALLOT,
    accepted: SlotVector.empty(),
    chosen: SlotVector.empty(),
    ckpt: { slot: 0, app, sessions: new Map(), conf },
    chosenPrefix: 0,
    role: 'follower',
    ballot: NO_BALLOT,
    prepareFrom: 0,
    promises: new Map(),
    promisers: 0,
    proposals: new Map(),
    nextSlot: 0,
    executed: 0,
    sessions: new Map(),
    app,
    conf,
  };
  const client: ClientVars = { clientSeq: 0, pending: false, replies: new Map() };
  return {
    replicas: ctx.replicas.map(() => replica),
    clients: ctx.clients.map(() => client),
    net: new Net(),
    sent: [],
    decided: SlotVector.empty(),
    snapshots: [],
    hidden: 0,
  };
}

export function withReplica(w: World, index: number, vars: ReplicaVars, send?: SendRecord): World {
  const replicas = w.replicas.slice();
  replicas[index] = vars;
  return {
    replicas,
    clients: w.clients,
    net: w.net,
    sent: send === undefined ? w.sent : [...w.sent, send],
    decided: w.decided,
    snapshots: w.snapshots,
    hidden: w.hidden,
  };
}

export function withClient(w: World, index: number, vars: ClientVars, send?: SendRecord): World {
  const clients = w.clients.slice();
  clients[index] = vars;
  return {
    replicas: w.replicas,
    clients,
    net: w.net,
    sent: send === undefined ? w.sent : [...w.sent, send],
    decided: w.decided,
    snapshots: w.snapshots,
    hidden: w.hidden,
  };
}

/** `m \in msgs`: the committed network, then this candidate's own sends. */
export function findMsg(w: World, key: string): SendRecord | undefined {
  for (const r of w.sent) if (r.msg.key === key) return r;
  return w.net.get(key);
}

/** Was a Request of this client and seq sent, with any op? */
export function hasRequest(w: World, client: string, seq: number): boolean {
  for (const r of w.sent)
    if (r.msg.type === 'Request' && r.msg.from === client && r.msg.seq === seq) return true;
  return w.net.requested(client, seq);
}

export function selectMsgs(w: World, indexKey: string, match: (m: Msg) => boolean): SendRecord[] {
  const out = w.net.select(indexKey).filter((r) => match(r.msg));
  for (const r of w.sent)
    if (match(r.msg) && !out.some((o) => o.msg.key === r.msg.key)) out.push(r);
  return out;
}

/** A send record for a message the event (or the spec, on the event's behalf) sent. */
export function sendRecord(ev: EventInfo, msg: Msg): SendRecord {
  return {
    msg,
    lamport: ev.hidden === true ? -1 : ev.lamport,
    vcOwn: ev.hidden === true || ev.vc === null ? -1 : (ev.vc[ev.node] ?? -1),
    node: ev.node,
    file: ev.file,
    line: ev.line,
  };
}

/** `vector` with `slot` set: in place while the checker is transient (see ModelEnv). */
export function setSlot<T>(
  env: { readonly transient?: boolean },
  vector: SlotVector<T>,
  slot: number,
  value: T,
): SlotVector<T> {
  return env.transient === true && vector.size > 0
    ? vector.setInPlace(slot, value)
    : vector.set(slot, value);
}

/** Known(r, s): r learned that s is chosen, or its checkpoint covers s. */
export const known = (v: ReplicaVars, s: number): boolean => s < v.ckpt.slot || v.chosen.has(s);

/**
 * ChosenPrefix(r), advanced from the cached value after `chosen` gained a slot or the
 * checkpoint moved (both only ever raise it).
 */
export function advancePrefix(chosen: SlotVector<Cmd>, prefix: number, ckptSlot = 0): number {
  let s = Math.max(prefix, ckptSlot);
  while (chosen.has(s)) s++;
  return s;
}

/** NextFree(r): the first slot at or after nextSlot[r] that r does not know chosen. */
export function nextFree(r: ReplicaVars): number {
  let s = Math.max(r.nextSlot, 0);
  while (known(r, s)) s++;
  return s;
}

/** `[slot |-> s, cmd |-> v] \in decided`. */
export function wasDecided(w: World, s: number, cmd: Cmd): boolean {
  const here = w.decided.get(s);
  return here !== undefined && here.some((c) => c.key === cmd.key);
}

/** `decided' = decided \cup {[slot |-> s, cmd |-> v]}`. */
export function withDecided(w: World, s: number, cmd: Cmd): World {
  if (wasDecided(w, s, cmd)) return w;
  const here = w.decided.get(s) ?? [];
  return { ...w, decided: w.decided.set(s, [...here, cmd]) };
}

/** AcceptedFrom(r, s), in slot order (the core's `acceptedFrom`). */
export function acceptedFrom(r: ReplicaVars, from: number): AcceptedEntry[] {
  const out: AcceptedEntry[] = [];
  for (const [slot, v] of r.accepted.from(from)) out.push({ slot, bal: v.bal, cmd: v.cmd });
  return out;
}

export function popcount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

