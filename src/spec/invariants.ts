/**
 * The invariants and properties of spec/Smr.tla, with the same names, on the twin's states. A
 * state invariant returns why it is violated, or null; Durability and ConsensusRefinement look
 * at one step. The model-checking configurations check them on every state and step (models.ts).
 */
import { FAIL_KEY } from './client.js';
import { known, type CheckpointVars, type ReplicaVars, type Session, type World } from './state.js';
import { NO_BALLOT, type Cmd, type Msg } from './values.js';

/** The state invariants (INVARIANTS of the MC models), in Smr.tla's order. */
export const STATE_INVARIANTS = [
  'TypeOK',
  'Agreement',
  'Validity',
  'ExactlyOnce',
  'PrefixConsistency',
  'Linearizability',
  'CheckpointSafety',
] as const;
/** The temporal properties (PROPERTIES of the MC models): both are checked on each step. */
export const PROPERTIES = ['Durability', 'ConsensusRefinement'] as const;
export type SpecInvariantName = (typeof STATE_INVARIANTS)[number] | (typeof PROPERTIES)[number];

/** The bounds of a model-checking configuration (Smr.tla's CONSTANTS). */
export interface Bounds {
  readonly replicas: readonly string[];
  readonly clients: readonly string[];
  readonly maxSeq: number;
  readonly numSlots: number;
  readonly maxBallot: number;
}

/** An outcome a client accepted (Smr.tla's ghost `done`): its output key, or FAIL. */
export interface Done {
  readonly client: string;
  readonly seq: number;
  readonly output: string;
}

/** A state of the spec with its ghost variable `done`. */
export interface GhostState {
  readonly w: World;
  readonly done: readonly Done[];
}

const chosenAtCache = new WeakMap<World, Map<number, string[]>>();

/**
 * ChosenAt(s): the commands a quorum voted for in one ballot (command keys). A leader's vote is
 * its Accept, an acceptor's its Accepted for the same ballot and slot.
 */
export function chosenAt(k: Bounds, w: World, slot: number): readonly string[] {
  let bySlot = chosenAtCache.get(w);
  if (bySlot === undefined) {
    bySlot = new Map();
    const keys = new Set<string>();
    const accepts: Extract<Msg, { type: 'Accept' }>[] = [];
    for (const r of w.net.above(null)) {
      keys.add(voteKey(r.msg));
      if (r.msg.type === 'Accept') accepts.push(r.msg);
    }
    for (const a of accepts) {
      let voters = 1;
      for (const q of k.replicas) if (q !== a.from && keys.has(`2b|${q}|${a.bal}|${a.slot}`)) voters++;
      if (2 * voters <= k.replicas.length) continue;
      const list = bySlot.get(a.slot) ?? [];
      if (!list.includes(a.cmd.key)) list.push(a.cmd.key);
      bySlot.set(a.slot, list.sort());
    }
    chosenAtCache.set(w, bySlot);
  }
  return bySlot.get(slot) ?? [];
}

const voteKey = (m: Msg): string =>
  m.type === 'Accepted' ? `2b|${m.from}|${m.bal}|${m.slot}` : m.key;

const inRange = (x: number, lo: number, hi: number): boolean =>
  Number.isInteger(x) && x >= lo && x <= hi;

function cmdOk(k: Bounds, c: Cmd): boolean {
  return c.kind !== 'op' || (k.clients.includes(c.client) && inRange(c.seq, 1, k.maxSeq));
}

function checkpointOk(k: Bounds, c: CheckpointVars): boolean {
  return (
    inRange(c.slot, 0, k.numSlots) &&
    typeof c.app === 'number' &&
    inRange(c.app, 0, k.numSlots) &&
    [...c.sessions.keys()].every((client) => k.clients.includes(client))
  );
}

function msgOk(k: Bounds, m: Msg): boolean {
  const bal = 'bal' in m ? inRange(m.bal, 0, k.maxBallot) : true;
  switch (m.type) {
    case 'Prepare':
      return bal && k.replicas.includes(m.from) && inRange(m.fromSlot, 0, k.numSlots);
    case 'Promise':
      return (
        bal &&
        k.replicas.includes(m.from) &&
        m.accepted.every((e) => inRange(e.slot, 0, k.numSlots - 1) && cmdOk(k, e.cmd)) &&
        inRange(m.ckpt, 0, k.numSlots)
      );
    case 'Accept':
      return (
        bal && k.replicas.includes(m.from) && inRange(m.slot, 0, k.numSlots - 1) && cmdOk(k, m.cmd)
      );
    case 'Accepted':
      return bal && k.replicas.includes(m.from) && inRange(m.slot, 0, k.numSlots - 1);
    case 'Request':
      return k.clients.includes(m.from) && inRange(m.seq, 1, k.maxSeq);
    case 'Reply':
      return k.replicas.includes(m.from) && k.clients.includes(m.to) && inRange(m.seq, 1, k.maxSeq);
    case 'Decision':
    case 'Snapshot':
      return false; // not messages of Smr.tla
  }
}

const entries = <T>(v: { from(slot: number): IterableIterator<[number, T]> }): [number, T][] => [
  ...v.from(0),
];

/** TypeOK */
export function TypeOK(k: Bounds, s: GhostState): string | null {
  for (const [i, v] of s.w.replicas.entries()) {
    const r = k.replicas[i];
    const slotOk = (x: number) => inRange(x, 0, k.numSlots - 1);
    const balOk = (x: number) => x === NO_BALLOT || inRange(x, 0, k.maxBallot);
    if (!balOk(v.promised) || !balOk(v.ballot)) return `${r}: a ballot out of range`;
    if (!entries(v.accepted).every(([slot, e]) => slotOk(slot) && inRange(e.bal, 0, k.maxBallot) && cmdOk(k, e.cmd)))
      return `${r}: accepted out of type`;
    if (!entries(v.chosen).every(([slot, c]) => slotOk(slot) && cmdOk(k, c)))
      return `${r}: chosen out of type`;
    if (![v.prepareFrom, v.nextSlot, v.executed].every((x) => inRange(x, 0, k.numSlots)))
      return `${r}: a slot counter out of range`;
    if (typeof v.app !== 'number' || !inRange(v.app, 0, k.numSlots)) return `${r}: app out of range`;
    if (!checkpointOk(k, v.ckpt)) return `${r}: ckpt out of type`;
  }
  for (const c of s.w.clients) if (!inRange(c.clientSeq, 0, k.maxSeq)) return 'clientSeq out of range';
  for (const [slot, cmds] of entries(s.w.decided))
    if (!inRange(slot, 0, k.numSlots - 1) || !cmds.every((c) => cmdOk(k, c)))
      return 'decided out of type';
  if (!s.w.snapshots.every((c) => checkpointOk(k, c))) return 'snapshots out of type';
  for (const r of s.w.net.above(null))
    if (!msgOk(k, r.msg)) return `message out of type: ${r.msg.key.split('\u0000').join('|')}`;
  return null;
}

/** Agreement: one command per slot, and replicas learn (or ever learned) only the chosen one. */
export function Agreement(k: Bounds, s: GhostState): string | null {
  for (let slot = 0; slot < k.numSlots; slot++) {
    const ca = chosenAt(k, s.w, slot);
    if (ca.length > 1) return `slot ${slot}: ${ca.join(' and ')} are both chosen`;
  }
  for (const [i, v] of s.w.replicas.entries())
    for (const [slot, c] of entries(v.chosen))
      if (!chosenAt(k, s.w, slot).includes(c.key))
        return `${k.replicas[i]} learned ${c.key} in slot ${slot}, which no quorum voted for`;
  for (const [slot, cmds] of entries(s.w.decided))
    for (const c of cmds)
      if (!chosenAt(k, s.w, slot).includes(c.key))
        return `${c.key} was decided in slot ${slot}, which no quorum voted for`;
  return null;
}

/** Validity: only no-ops, checkpoints and requests clients issued are learned. */
export function Validity(k: Bounds, s: GhostState): string | null {
  for (const [i, v] of s.w.replicas.entries())
    for (const [slot, c] of entries(v.chosen)) {
      if (c.kind !== 'op') continue;
      const client = s.w.clients[k.clients.indexOf(c.client)];
      if (client === undefined || c.seq > client.clientSeq)
        return `${k.replicas[i]} learned ${c.client}#${c.seq} in slot ${slot}, which its client never issued`;
    }
  return null;
}

/** PrefixConsistency: execution only of known slots; equal prefixes, equal app states. */
export function PrefixConsistency(k: Bounds, s: GhostState): string | null {
  const rs = s.w.replicas;
  for (const [i, v] of rs.entries())
    for (let slot = 0; slot < v.executed; slot++)
      if (!known(v, slot)) return `${k.replicas[i]} executed slot ${slot} without learning it`;
  for (const [i, v] of rs.entries())
    for (const [j, w] of rs.entries()) {
      if (j <= i || v.executed !== w.executed) continue;
      if (!sameExecState(k, v, w))
        return `${k.replicas[i]} and ${k.replicas[j]} executed ${v.executed} slots but differ`;
    }
  return null;
}

function sameExecState(k: Bounds, v: ReplicaVars, w: ReplicaVars): boolean {
  if (JSON.stringify(v.app) !== JSON.stringify(w.app)) return false;
  return sameSessions(k, v.sessions, w.sessions);
}

function sameSessions(
  k: Bounds,
  x: ReadonlyMap<string, Session>,
  y: ReadonlyMap<string, Session>,
): boolean {
  return k.clients.every(
    (c) =>
      (x.get(c)?.seq ?? 0) === (y.get(c)?.seq ?? 0) &&
      (x.get(c)?.outKey ?? '0') === (y.get(c)?.outKey ?? '0'),
  );
}

/**
 * The chosen log as learned (Smr.tla's Log == decided): `client#seq`, `noop` or `checkpoint`
 * per slot, the first command when (unsafely) there are several.
 */
function theLog(w: World): Map<number, string> {
  const log = new Map<number, string>();
  for (const [slot, cmds] of entries(w.decided)) {
    const c = cmds[0] as Cmd;
    log.set(slot, c.kind === 'op' ? `${c.client}#${c.seq}` : c.kind);
  }
  return log;
}

const isRequest = (c: string): boolean => c !== 'noop' && c !== 'checkpoint';

/** RequestsBelow(k): the distinct requests in the log below slot k. */
function requestsBelow(log: ReadonlyMap<number, string>, below: number): Set<string> {
  const out = new Set<string>();
  for (const [slot, c] of log) if (slot < below && isRequest(c)) out.add(c);
  return out;
}

/** Position(cmd): the counter's output for the request, or undefined if it is in no slot. */
function position(log: ReadonlyMap<number, string>, key: string): number | undefined {
  const slots = [...log.entries()].filter(([, c]) => c === key).map(([slot]) => slot);
  if (slots.length === 0) return undefined;
  const before = requestsBelow(log, Math.min(...slots));
  before.delete(key);
  return before.size + 1;
}

/** StateAfter(k): the app (requests applied) and sessions after executing slots below k. */
function stateAfter(
  k: Bounds,
  log: ReadonlyMap<number, string>,
  below: number,
): { app: number; sessions: Map<string, Session> } {
  const requests = requestsBelow(log, below);
  const sessions = new Map<string, Session>();
  for (const c of k.clients) {
    let top = 0;
    for (const r of requests) if (r.startsWith(`${c}#`)) top = Math.max(top, Number(r.slice(c.length + 1)));
    if (top === 0) continue;
    const output = String(position(log, `${c}#${top}`));
    sessions.set(c, { seq: top, output: Number(output), outKey: output });
  }
  return { app: requests.size, sessions };
}

/** ExactlyOnce: the app (a counter of unit increments) applied each distinct request once. */
export function ExactlyOnce(k: Bounds, s: GhostState): string | null {
  const log = theLog(s.w);
  for (const [i, v] of s.w.replicas.entries()) {
    const distinct = requestsBelow(log, v.executed).size;
    if (v.app !== distinct)
      return `${k.replicas[i]} applied ${String(v.app)} requests for ${distinct} distinct ones`;
  }
  return null;
}

/**
 * CheckpointSafety: a replica truncates only what it executed, and every checkpoint taken or
 * installed covers only chosen slots and is the state after executing them.
 */
export function CheckpointSafety(k: Bounds, s: GhostState): string | null {
  for (const [i, v] of s.w.replicas.entries())
    if (v.ckpt.slot > v.executed)
      return `${k.replicas[i]}'s checkpoint covers ${v.ckpt.slot} slots, it executed ${v.executed}`;
  const log = theLog(s.w);
  for (const c of [...s.w.snapshots, ...s.w.replicas.map((v) => v.ckpt)]) {
    for (let slot = 0; slot < c.slot; slot++)
      if (!log.has(slot)) return `a checkpoint at ${c.slot} covers slot ${slot}, never chosen`;
    const after = stateAfter(k, log, c.slot);
    if (c.app !== after.app || !sameSessions(k, c.sessions, after.sessions))
      return `the checkpoint at ${c.slot} is not the state after executing slots below it`;
  }
  return null;
}

/** Linearizability: every accepted output is the request's position in the chosen log. */
export function Linearizability(_k: Bounds, s: GhostState): string | null {
  const log = theLog(s.w);
  for (const d of s.done) {
    const key = `${d.client}#${d.seq}`;
    if (d.output === FAIL_KEY) return `${key} completed with FAIL`;
    const at = position(log, key);
    if (at === undefined) return `${key} completed with ${d.output} but is in no learned slot`;
    if (d.output !== String(at))
      return `${key} completed with ${d.output}, its position in the log is ${at}`;
  }
  return null;
}

/**
 * Durability (an action property): promises never fall, checkpoints never move back, learned and
 * accepted values stay unless the checkpoint covers them.
 */
export function Durability(k: Bounds, before: GhostState, after: GhostState): string | null {
  for (const [i, v] of before.w.replicas.entries()) {
    const w = after.w.replicas[i];
    if (w === undefined || v === w) continue;
    const r = k.replicas[i];
    if (w.promised < v.promised) return `${r}'s promise fell from ${v.promised} to ${w.promised}`;
    if (w.ckpt.slot < v.ckpt.slot) return `${r}'s checkpoint moved back to slot ${w.ckpt.slot}`;
    for (const [slot, c] of entries(v.chosen))
      if (w.chosen.get(slot)?.key !== c.key && slot >= w.ckpt.slot)
        return `${r} forgot slot ${slot} is chosen`;
    for (const [slot, e] of entries(v.accepted)) {
      const now = w.accepted.get(slot);
      if ((now === undefined || now.bal < e.bal) && slot >= w.ckpt.slot)
        return `${r} lost its acceptance of slot ${slot} at ballot ${e.bal}`;
    }
  }
  return null;
}

/** ConsensusRefinement: per slot, ChosenAt only goes from {} to {v}, or stays (C(s)!Spec). */
export function ConsensusRefinement(k: Bounds, before: GhostState, after: GhostState): string | null {
  if (before.w.net === after.w.net) return null;
  for (let slot = 0; slot < k.numSlots; slot++) {
    const a = chosenAt(k, before.w, slot);
    const b = chosenAt(k, after.w, slot);
    if (a.join() === b.join()) continue;
    if (a.length === 0 && b.length === 1) continue;
    return `slot ${slot}: chosen went from {${a.join(', ')}} to {${b.join(', ')}}`;
  }
  return null;
}

const STATE_CHECKS: {
  readonly [N in (typeof STATE_INVARIANTS)[number]]: (k: Bounds, s: GhostState) => string | null;
} = { TypeOK, Agreement, Validity, ExactlyOnce, PrefixConsistency, Linearizability, CheckpointSafety };

/** Every state invariant, in order: the first violation found, named. */
export function checkState(
  k: Bounds,
  s: GhostState,
): { name: SpecInvariantName; message: string } | null {
  for (const name of STATE_INVARIANTS) {
    const message = STATE_CHECKS[name](k, s);
    if (message !== null) return { name, message };
  }
  return null;
}

/** Both step properties: the first violation found, named. */
export function checkStep(
  k: Bounds,
  before: GhostState,
  after: GhostState,
): { name: SpecInvariantName; message: string } | null {
  const durable = Durability(k, before, after);
  if (durable !== null) return { name: 'Durability', message: durable };
  const refines = ConsensusRefinement(k, before, after);
  return refines === null ? null : { name: 'ConsensusRefinement', message: refines };
}
