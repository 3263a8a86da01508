/**
 * Init and the helper operators of spec/Smr.tla (ChosenPrefix, NextFree, AcceptedFrom, Adopt,
 * Outcome, Send …), plus the canonical keys that make twin sets behave like TLA+ sets.
 */
import {
  NO_BALLOT,
  NO_SESSION,
  NOOP,
  type Cmd,
  type Entry,
  type Msg,
  type MsgSet,
  type ReplicaId,
  type ReplicaVars,
  type SpecConstants,
  type SpecState,
  type Step,
  type Vote,
} from './types.js';

/** Quorums == {Q \in SUBSET Replicas : 2 * Cardinality(Q) > N} */
export const isQuorum = (k: SpecConstants, voters: number): boolean =>
  2 * voters > k.replicas.length;

/** Owner(b) == ReplicaSeq[(b % N) + 1] */
export const owner = (k: SpecConstants, b: number): ReplicaId =>
  k.replicas[b % k.replicas.length] as ReplicaId;

export const cmdKey = (c: Cmd): string => (c.kind === 'noop' ? 'noop' : `${c.client}#${c.seq}`);

export const sameCmd = (a: Cmd, b: Cmd): boolean => cmdKey(a) === cmdKey(b);

const entriesKey = (es: readonly Entry[]): string =>
  es.map((e) => `${e.slot}:${e.bal}:${cmdKey(e.cmd)}`).join(',');

/** A canonical key per message: equal keys ⇔ equal TLA+ records. */
export function msgKey(m: Msg): string {
  switch (m.type) {
    case 'Prepare':
      return `1a|${m.from}|${m.bal}|${m.fromSlot}`;
    case 'Promise':
      return `1b|${m.from}|${m.bal}|${entriesKey(m.accepted)}`;
    case 'Accept':
      return `2a|${m.from}|${m.bal}|${m.slot}|${cmdKey(m.cmd)}`;
    case 'Accepted':
      return `2b|${m.from}|${m.bal}|${m.slot}`;
    case 'Request':
      return `rq|${m.from}|${m.seq}`;
    case 'Reply':
      return `rp|${m.from}|${m.to}|${m.seq}|${m.output}`;
  }
}

export const EMPTY_MSGS: MsgSet = { keys: [], byKey: new Map() };

export const hasMsg = (msgs: MsgSet, m: Msg): boolean => msgs.byKey.has(msgKey(m));

/** msgs \cup {m}: the same object when m is already there. */
export function addMsg(msgs: MsgSet, m: Msg): MsgSet {
  const key = msgKey(m);
  if (msgs.byKey.has(key)) return msgs;
  let lo = 0;
  let hi = msgs.keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((msgs.keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  const keys = [...msgs.keys];
  keys.splice(lo, 0, key);
  return { keys, byKey: new Map(msgs.byKey).set(key, m) };
}

/** Every message, in key order (a deterministic enumeration for the explorer). */
export function* messages(msgs: MsgSet): Generator<Msg> {
  for (const key of msgs.keys) yield msgs.byKey.get(key) as Msg;
}

export function initialReplica(k: SpecConstants): ReplicaVars {
  return {
    promised: NO_BALLOT,
    accepted: [],
    chosen: [],
    role: 'follower',
    ballot: NO_BALLOT,
    prepareFrom: 0,
    promises: [],
    proposals: [],
    nextSlot: 0,
    executed: 0,
    sessions: k.clients.map(() => NO_SESSION),
    app: 0,
  };
}

/** Init */
export function init(k: SpecConstants): SpecState {
  const replica = initialReplica(k);
  return {
    replicas: k.replicas.map(() => replica),
    clients: k.clients.map(() => ({ clientSeq: 0, pending: false, replies: [] })),
    msgs: EMPTY_MSGS,
    done: [],
  };
}

export function replicaIndex(k: SpecConstants, r: ReplicaId): number {
  const i = k.replicas.indexOf(r);
  if (i < 0) throw new RangeError(`unknown replica ${JSON.stringify(r)}`);
  return i;
}

export function clientIndex(k: SpecConstants, c: string): number {
  const i = k.clients.indexOf(c);
  if (i < 0) throw new RangeError(`unknown client ${JSON.stringify(c)}`);
  return i;
}

/** The variables of replica r (by id). */
export const replicaVars = (k: SpecConstants, s: SpecState, r: ReplicaId): ReplicaVars =>
  s.replicas[replicaIndex(k, r)] as ReplicaVars;

/** [x EXCEPT ![r] = …] for every variable of replica i at once. */
export function withReplica(s: SpecState, i: number, patch: Partial<ReplicaVars>): SpecState {
  const replicas = [...s.replicas];
  replicas[i] = { ...(s.replicas[i] as ReplicaVars), ...patch };
  return { ...s, replicas };
}

export const ok = (state: SpecState): Step => ({ ok: true, state });
export const fail = (guard: string): Step => ({ ok: false, guard });

export const chosenCmd = (v: ReplicaVars, slot: number): Cmd | undefined =>
  v.chosen.find((e) => e.slot === slot)?.cmd;

export const isChosenSlot = (v: ReplicaVars, slot: number): boolean =>
  v.chosen.some((e) => e.slot === slot);

/** ChosenPrefix(r): the first slot r does not know to be chosen. */
export function chosenPrefix(v: ReplicaVars): number {
  let s = 0;
  while (isChosenSlot(v, s)) s++;
  return s;
}

/** NextFree(r): the first slot at or after nextSlot[r] that r does not know chosen. */
export function nextFree(v: ReplicaVars): number {
  let s = v.nextSlot;
  while (isChosenSlot(v, s)) s++;
  return s;
}

/** AcceptedFrom(r, s) */
export const acceptedFrom = (v: ReplicaVars, slot: number): readonly Entry[] =>
  v.accepted.filter((e) => e.slot >= slot);

/** PutSlot(S, e): replace the record for e.slot, keeping the array sorted by slot. */
export function putSlot<T extends { readonly slot: number }>(xs: readonly T[], x: T): T[] {
  const out = xs.filter((y) => y.slot !== x.slot);
  const at = out.findIndex((y) => y.slot > x.slot);
  out.splice(at < 0 ? out.length : at, 0, x);
  return out;
}

/** Insert into a sorted array of strings, as a set. */
export function insertSorted(xs: readonly string[], x: string): readonly string[] {
  if (xs.includes(x)) return xs;
  return [...xs, x].sort();
}

/** Adopt(reports, s): the highest-ballot report's value in slot s, or a no-op (P2c). */
export function adopt(reports: readonly Entry[], slot: number): Cmd {
  let best: Entry | undefined;
  for (const e of reports) if (e.slot === slot && (best === undefined || e.bal > best.bal)) best = e;
  return best?.cmd ?? NOOP;
}

/** Outcome(vs): an agreed output, FAIL, or undefined (Undecided). */
export function outcome(k: SpecConstants, vs: readonly Vote[]): number | undefined {
  for (const v of vs) {
    const agree = vs.filter((w) => w.output === v.output).length;
    if (isQuorum(k, agree)) return v.output;
  }
  return vs.length === k.replicas.length ? -1 : undefined;
}
