/**
 * The invariants and properties of spec/Smr.tla, with the same names, on the twin's states. A
 * state invariant returns why it is violated, or null; Durability and ConsensusRefinement look
 * at one step. The model-checking configurations check them on every state and step (models.ts).
 */
import type { Json } from '../core/types.js';
import { FAIL_KEY } from './client.js';
import { modelContext, type Bounds } from './model-context.js';
import {
  applies,
  confText,
  initConf,
  isQuorumOf,
  latest,
  membersAt,
  memberIds,
  reconfigured,
  slotMembers,
  windowEnd,
  type Conf,
} from './config.js';
import { digestOfState, reconfigOutput } from './reconfig.js';
import {
  known,
  popcount,
  type CheckpointVars,
  type ReplicaVars,
  type Session,
  type SpecContext,
  type World,
} from './state.js';
import { NO_BALLOT, isClientCmd, isReconfig, jsonKey, type Cmd, type Msg } from './values.js';

/** The state invariants (INVARIANTS of the MC models), in Smr.tla's order. */
export const STATE_INVARIANTS = [
  'TypeOK',
  'Agreement',
  'Validity',
  'ExactlyOnce',
  'PrefixConsistency',
  'Linearizability',
  'CheckpointSafety',
  'ConfigSafety',
  'AuditAgreement',
] as const;
/** The temporal properties (PROPERTIES of the MC models): both are checked on each step. */
export const PROPERTIES = ['Durability', 'ConsensusRefinement'] as const;
export type SpecInvariantName = (typeof STATE_INVARIANTS)[number] | (typeof PROPERTIES)[number];

export type { Bounds, ScriptEntry } from './model-context.js';

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
export function chosenAt(ctx: SpecContext, w: World, slot: number): readonly string[] {
  let bySlot = chosenAtCache.get(w);
  if (bySlot === undefined) {
    bySlot = new Map();
    const keys = new Set<string>();
    const accepts: Extract<Msg, { type: 'Accept' }>[] = [];
    for (const r of w.net.above(null)) {
      keys.add(voteKey(r.msg));
      if (r.msg.type === 'Accept') accepts.push(r.msg);
    }
    const log = logOf(ctx, w);
    for (const a of accepts) {
      let voters = 0;
      ctx.replicas.forEach((q, i) => {
        if (q === a.from || keys.has(`2b|${q}|${a.bal}|${a.slot}`)) voters |= 1 << i;
      });
      if (!isQuorumOf(voters, log.configOf(a.slot))) continue;
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
  if (!isClientCmd(c)) return true;
  if (!k.clients.includes(c.client) || !inRange(c.seq, 1, k.maxSeq)) return false;
  return !isReconfig(c) || k.replicas.includes(c.replica ?? '');
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
    case 'Audit':
      return k.replicas.includes(m.from) && inRange(m.slot, 1, k.numSlots);
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
  const ctx = modelContext(k);
  for (let slot = 0; slot < k.numSlots; slot++) {
    const ca = chosenAt(ctx, s.w, slot);
    if (ca.length > 1) return `slot ${slot}: ${ca.join(' and ')} are both chosen`;
  }
  for (const [i, v] of s.w.replicas.entries())
    for (const [slot, c] of entries(v.chosen))
      if (!chosenAt(ctx, s.w, slot).includes(c.key))
        return `${k.replicas[i]} learned ${c.key} in slot ${slot}, which no quorum voted for`;
  for (const [slot, cmds] of entries(s.w.decided))
    for (const c of cmds)
      if (!chosenAt(ctx, s.w, slot).includes(c.key))
        return `${c.key} was decided in slot ${slot}, which no quorum voted for`;
  return null;
}

/** Validity: only no-ops, checkpoints and requests (operations, JOIN, QUIT) clients issued are learned. */
export function Validity(k: Bounds, s: GhostState): string | null {
  for (const [i, v] of s.w.replicas.entries())
    for (const [slot, c] of entries(v.chosen)) {
      if (!isClientCmd(c)) continue;
      const client = s.w.clients[k.clients.indexOf(c.client)];
      if (client === undefined || c.seq > client.clientSeq)
        return `${k.replicas[i]} learned ${c.client}#${c.seq} in slot ${slot}, which its client never issued`;
    }
  return null;
}

/** PrefixConsistency: execution only of known slots; equal prefixes, equal states. */
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
  return sameSessions(k, v.sessions, w.sessions) && confText(v.conf) === confText(w.conf);
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
 * The chosen log as learned (Smr.tla's Log == decided, LogCmd) and what follows from it, computed
 * once per state: the configuration after each prefix (ConfAfter) and of each slot (ConfigOf).
 */
interface LogFacts {
  /** LogCmd(s), for the slots some replica decided or learned (the first command if several). */
  readonly cmds: ReadonlyMap<number, Cmd>;
  /** ConfAfter(k): the configuration history after executing slots below k. */
  confAfter(k: number): Conf;
  /** ConfigOf(s) == MembersAt(ConfAfter(s), s) */
  configOf(s: number): number;
}

const logCache = new WeakMap<World, LogFacts>();

function logOf(ctx: SpecContext, w: World): LogFacts {
  let facts = logCache.get(w);
  if (facts !== undefined) return facts;
  const cmds = new Map<number, Cmd>();
  for (const [slot, list] of entries(w.decided)) cmds.set(slot, list[0] as Cmd);
  const top = cmds.size === 0 ? 0 : Math.max(...cmds.keys()) + 1;
  // ConfAfter(k) for k = 0..top; beyond the log nothing changes (LogCmd is Noop).
  const after: Conf[] = [initConf(ctx)];
  for (let t = 0; t < top; t++) {
    const conf = after[t] as Conf;
    const cmd = cmds.get(t);
    after.push(
      cmd !== undefined && isReconfig(cmd) && !dupAt(cmds, t, cmd) && applies(ctx, conf, cmd)
        ? reconfigured(ctx, conf, t, cmd)
        : conf,
    );
  }
  const confAfter = (k: number): Conf => after[Math.min(Math.max(k, 0), top)] as Conf;
  facts = { cmds, confAfter, configOf: (s) => membersAt(confAfter(s), s) };
  logCache.set(w, facts);
  return facts;
}

/*
DupAt(t, cmd) ==
  \E u \in 0..(t - 1) : /\ LogCmd(u).kind \notin {"noop", "checkpoint"}
                       /\ LogCmd(u).client = cmd.client
                       /\ LogCmd(u).seq >= cmd.seq
*/
function dupAt(cmds: ReadonlyMap<number, Cmd>, t: number, cmd: Cmd): boolean {
  for (const [u, c] of cmds)
    if (u < t && isClientCmd(c) && c.client === cmd.client && c.seq >= cmd.seq) return true;
  return false;
}

const requestKeyOf = (c: Cmd): string => `${c.client}#${c.seq}`;

/** RequestsBelow(k): the distinct operations in the log below slot k. */
function requestsBelow(log: LogFacts, below: number): Set<string> {
  const out = new Set<string>();
  for (const [slot, c] of log.cmds) if (slot < below && c.kind === 'op') out.add(requestKeyOf(c));
  return out;
}

/** FirstSlot(cmd): the first slot of the request in the log, or undefined if it is in none. */
function firstSlot(log: LogFacts, key: string): number | undefined {
  let first: number | undefined;
  for (const [slot, c] of log.cmds)
    if (isClientCmd(c) && requestKeyOf(c) === key && (first === undefined || slot < first))
      first = slot;
  return first;
}

/** Position(cmd): the counter's output for the operation (1 + the distinct ones before it). */
function position(log: LogFacts, key: string, first: number): number {
  const before = requestsBelow(log, first);
  before.delete(key);
  return before.size + 1;
}

/** Expected(cmd): the output a sequential execution in log order gives the request. */
function expected(ctx: SpecContext, log: LogFacts, key: string): Json | undefined {
  const first = firstSlot(log, key);
  if (first === undefined) return undefined;
  const cmd = log.cmds.get(first) as Cmd;
  return isReconfig(cmd)
    ? reconfigOutput(ctx, log.confAfter(first), first, cmd)
    : position(log, key, first);
}

/** StateAfter(k): the app (operations applied), sessions and configuration after slots below k. */
function stateAfter(
  ctx: SpecContext,
  log: LogFacts,
  below: number,
): { app: number; sessions: Map<string, Session>; conf: Conf } {
  const sessions = new Map<string, Session>();
  for (const c of ctx.clients) {
    let top = 0;
    for (const [slot, x] of log.cmds)
      if (slot < below && isClientCmd(x) && x.client === c) top = Math.max(top, x.seq);
    if (top === 0) continue;
    const output = expected(ctx, log, `${c}#${top}`) as Json;
    sessions.set(c, { seq: top, output, outKey: jsonKey(output) });
  }
  return { app: requestsBelow(log, below).size, sessions, conf: log.confAfter(below) };
}

/** ExactlyOnce: the app (a counter of unit increments) applied each distinct operation once. */
export function ExactlyOnce(k: Bounds, s: GhostState): string | null {
  const log = logOf(modelContext(k), s.w);
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
  const ctx = modelContext(k);
  const log = logOf(ctx, s.w);
  for (const c of [...s.w.snapshots, ...s.w.replicas.map((v) => v.ckpt)]) {
    for (let slot = 0; slot < c.slot; slot++)
      if (!log.cmds.has(slot)) return `a checkpoint at ${c.slot} covers slot ${slot}, never chosen`;
    const after = stateAfter(ctx, log, c.slot);
    if (
      c.app !== after.app ||
      !sameSessions(k, c.sessions, after.sessions) ||
      confText(c.conf) !== confText(after.conf)
    )
      return `the checkpoint at ${c.slot} is not the state after executing slots below it`;
  }
  return null;
}

/** Linearizability: every accepted output is the one a sequential execution in log order gives. */
export function Linearizability(k: Bounds, s: GhostState): string | null {
  const ctx = modelContext(k);
  const log = logOf(ctx, s.w);
  for (const d of s.done) {
    const key = `${d.client}#${d.seq}`;
    if (d.output === FAIL_KEY) return `${key} completed with FAIL`;
    const output = expected(ctx, log, key);
    if (output === undefined) return `${key} completed with ${d.output} but is in no learned slot`;
    if (d.output !== jsonKey(output))
      return `${key} completed with ${d.output}, in log order it gives ${jsonKey(output)}`;
  }
  return null;
}

/**
 * ConfigSafety: every replica's configuration is the chosen log's, for every slot it knows the
 * configuration of; what is chosen was voted by a quorum of the slot's configuration; successive
 * configurations differ in one replica and keep F+1 members.
 */
export function ConfigSafety(k: Bounds, s: GhostState): string | null {
  const ctx = modelContext(k);
  const log = logOf(ctx, s.w);
  const ids = (bits: number): string => `{${memberIds(ctx, bits).join(', ')}}`;
  for (const [i, v] of s.w.replicas.entries()) {
    const r = k.replicas[i] as string;
    if (confText(v.conf) !== confText(log.confAfter(v.executed)))
      return `${r}'s configuration after ${v.executed} slots is not the chosen log's`;
    for (let slot = 0, end = windowEnd(ctx, v); slot < end; slot++) {
      const mine = slotMembers(ctx, v, slot);
      if (mine !== log.configOf(slot))
        return `${r} takes slot ${slot}'s configuration to be ${ids(mine)}, the chosen log's is ${ids(log.configOf(slot))}`;
    }
  }
  for (const [slot, cmds] of entries(s.w.decided))
    for (const c of cmds)
      if (!chosenAt(ctx, s.w, slot).includes(c.key))
        return `${c.key} was decided in slot ${slot} without a quorum of its configuration ${ids(log.configOf(slot))}`;
  for (let n = 0; n <= k.numSlots; n++) {
    const now = latest(log.confAfter(n));
    if (2 * popcount(now) <= k.replicas.length)
      return `after ${n} slots the configuration ${ids(now)} has fewer than F+1 members`;
    if (n > 0 && popcount(now ^ latest(log.confAfter(n - 1))) > 1)
      return `slot ${n - 1} changed the configuration by more than one replica`;
  }
  return null;
}

/** AuditAgreement: an audit's digest is the state after its slot, sent by a member of that slot. */
export function AuditAgreement(k: Bounds, s: GhostState): string | null {
  const ctx = modelContext(k);
  let log: LogFacts | undefined;
  for (const record of s.w.net.select('Audit')) {
    const m = record.msg;
    if (m.type !== 'Audit') continue;
    log ??= logOf(ctx, s.w);
    const after = stateAfter(ctx, log, m.slot);
    const digest = digestOfState(ctx, m.slot, after.app, after.sessions, after.conf);
    if (m.digest !== digest)
      return `${m.from}'s audit of slot ${m.slot} carries digest ${m.digest}, the state after it is ${String(digest)}`;
    if ((log.configOf(m.slot - 1) & (1 << (ctx.replicaIndex.get(m.from) ?? 31))) === 0)
      return `${m.from} audited slot ${m.slot} but is not a member of slot ${m.slot - 1}'s configuration`;
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
  const ctx = modelContext(k);
  for (let slot = 0; slot < k.numSlots; slot++) {
    const a = chosenAt(ctx, before.w, slot);
    const b = chosenAt(ctx, after.w, slot);
    if (a.join() === b.join()) continue;
    if (a.length === 0 && b.length === 1) continue;
    return `slot ${slot}: chosen went from {${a.join(', ')}} to {${b.join(', ')}}`;
  }
  return null;
}

const STATE_CHECKS: {
  readonly [N in (typeof STATE_INVARIANTS)[number]]: (k: Bounds, s: GhostState) => string | null;
} = {
  TypeOK,
  Agreement,
  Validity,
  ExactlyOnce,
  PrefixConsistency,
  Linearizability,
  CheckpointSafety,
  ConfigSafety,
  AuditAgreement,
};

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
