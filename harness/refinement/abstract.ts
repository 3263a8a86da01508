/**
 * The abstraction function from the core's world (harness/model) to a state of spec/Smr.tla's
 * TS twin (src/spec): per replica, per client, the ghost `done`, and the spec-visible messages.
 *
 * Fields that mean nothing in the replica's role are mapped to their initial values, as the spec
 * keeps them. The spec's app is a counter of `inc` operations whose output is the new value:
 * with the counter app and unit increments ("exact" mode) app states and outputs are compared;
 * with any other app they are opaque (mapped to 0, FAIL stays FAIL) and everything else is.
 */
import { compareBallots } from '../../src/core/ballot.js';
import type { ClientState } from '../../src/core/client.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import type { Ballot, Command, Json, Message, ReplicaId } from '../../src/core/types.js';
import { addMsg, EMPTY_MSGS } from '../../src/spec/state.js';
import {
  FAIL,
  NO_BALLOT,
  NO_SESSION,
  NOOP,
  type ClientVars,
  type Cmd,
  type Entry,
  type Msg,
  type MsgSet,
  type Outcome,
  type ReplicaVars,
  type SpecConstants,
  type SpecState,
} from '../../src/spec/types.js';
import type { ClusterConfig, World } from '../model/world.js';

/** How values of the core map onto the twin for one cluster configuration. */
export interface Abstraction {
  readonly constants: SpecConstants;
  /** Counter app with unit increments: app states and outputs are compared. */
  readonly exact: boolean;
  ballot(b: Ballot): number;
  cmd(c: Command): Cmd;
  output(o: Json | undefined): number;
  /** The spec message for a core message, or null for liveness-only traffic. */
  message(m: Message): Msg | null;
}

const UNBOUNDED = 2 ** 30;

/** True when every submitted operation is a unit increment of the counter app. */
export function isExact(cfg: ClusterConfig, world: World): boolean {
  if (cfg.app.name !== 'counter') return false;
  for (const op of world.ghost.submitted.values()) {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) return false;
    const rec = op as { readonly [k: string]: Json };
    if (rec['type'] !== 'inc' || !(rec['by'] === undefined || rec['by'] === 1)) return false;
  }
  return true;
}

/**
 * `outputs` overrides how outputs map to the twin's numbers: the per-step check
 * (local.ts) numbers distinct outputs so that a client's vote counting is compared for real
 * with any app.
 */
export function abstraction(
  cfg: ClusterConfig,
  exact: boolean,
  outputs?: (o: Json) => number,
): Abstraction {
  const replicas = [...cfg.replicas].sort((a, b) =>
    compareBallots({ round: 1, leader: a }, { round: 1, leader: b }),
  );
  const n = replicas.length;
  const constants: SpecConstants = {
    replicas,
    clients: cfg.clients,
    maxSeq: UNBOUNDED,
    numSlots: UNBOUNDED,
    maxBallot: UNBOUNDED,
  };
  const ballot = (b: Ballot): number =>
    b.round === 0 ? NO_BALLOT : (b.round - 1) * n + replicas.indexOf(b.leader);
  const cmd = (c: Command): Cmd =>
    c.kind === 'noop' ? NOOP : { kind: 'op', client: c.client, seq: c.seq };
  const output = (o: Json | undefined): number => {
    if (o === undefined) return FAIL;
    if (outputs !== undefined) return outputs(o);
    return exact && typeof o === 'number' ? o : 0;
  };
  const entries = (es: readonly { slot: number; ballot: Ballot; cmd: Command }[]): Entry[] =>
    es
      .map((e) => ({ slot: e.slot, bal: ballot(e.ballot), cmd: cmd(e.cmd) }))
      .sort((a, b) => a.slot - b.slot);
  const message = (m: Message): Msg | null => {
    switch (m.type) {
      case 'Prepare':
        return { type: 'Prepare', from: m.from, bal: ballot(m.ballot), fromSlot: m.fromSlot };
      case 'Promise':
        return {
          type: 'Promise',
          from: m.from,
          bal: ballot(m.ballot),
          accepted: entries(m.accepted),
        };
      case 'Accept':
        return {
          type: 'Accept',
          from: m.from,
          bal: ballot(m.ballot),
          slot: m.slot,
          cmd: cmd(m.cmd),
        };
      case 'Accepted':
        return { type: 'Accepted', from: m.from, bal: ballot(m.ballot), slot: m.slot };
      case 'Request':
        return { type: 'Request', from: m.from, seq: m.seq };
      case 'Reply':
        return { type: 'Reply', from: m.from, to: m.to, seq: m.seq, output: output(m.output) };
      default:
        return null;
    }
  };
  return { constants, exact, ballot, cmd, output, message };
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The variables of one replica (what a trace event's `state` reports for it). With `from` > 0
 * only slots from `from` on are kept, renumbered from 0 (the per-step check's window: every
 * slot below it is chosen and executed, and the spec's actions are the same on the rest).
 */
export function abstractReplica(a: Abstraction, r: ReplicaState, from = 0): ReplicaVars {
  const { durable: d, volatile: v } = r;
  const role = v.role;
  const accepted: Entry[] = [];
  for (const [slot, x] of d.accepted)
    if (slot >= from)
      accepted.push({ slot: slot - from, bal: a.ballot(x.ballot), cmd: a.cmd(x.cmd) });
  const chosen: { slot: number; cmd: Cmd }[] = [];
  for (const [slot, c] of d.chosen)
    if (slot >= from) chosen.push({ slot: slot - from, cmd: a.cmd(c) });
  return {
    promised: a.ballot(d.promised),
    accepted: accepted.sort((x, y) => x.slot - y.slot),
    chosen: chosen.sort((x, y) => x.slot - y.slot),
    role,
    ballot: role === 'follower' ? NO_BALLOT : a.ballot(v.ballot),
    prepareFrom: role === 'candidate' ? v.prepareFrom - from : 0,
    promises:
      role === 'candidate'
        ? [...v.promises]
            .map(([sender, es]) => ({
              from: sender,
              accepted: es
                .filter((e) => e.slot >= from)
                .map((e) => ({ slot: e.slot - from, bal: a.ballot(e.ballot), cmd: a.cmd(e.cmd) }))
                .sort((x, y) => x.slot - y.slot),
            }))
            .sort((x, y) => byString(x.from, y.from))
        : [],
    proposals:
      role === 'leader'
        ? [...v.proposals]
            .filter(([slot]) => slot >= from)
            .map(([slot, p]) => ({
              slot: slot - from,
              cmd: a.cmd(p.cmd),
              votes: [...p.votes].sort(byString),
            }))
            .sort((x, y) => x.slot - y.slot)
        : [],
    nextSlot: role === 'leader' ? v.nextSlot - from : 0,
    executed: v.executed - from,
    sessions: a.constants.clients.map((c) => {
      const s = v.sessions.get(c);
      return s === undefined ? NO_SESSION : { seq: s.seq, output: a.output(s.output) };
    }),
    app: a.exact && typeof v.app === 'number' ? v.app : 0,
  };
}

/** A spec message with its slots renumbered from `from` (see abstractReplica). */
export function shiftMessage(m: Msg, from: number): Msg {
  if (from === 0) return m;
  switch (m.type) {
    case 'Prepare':
      return { ...m, fromSlot: m.fromSlot - from };
    case 'Promise':
      return { ...m, accepted: m.accepted.map((e) => ({ ...e, slot: e.slot - from })) };
    case 'Accept':
    case 'Accepted':
      return { ...m, slot: m.slot - from };
    default:
      return m;
  }
}

/** The variables of one client. */
export function abstractClient(a: Abstraction, c: ClientState): ClientVars {
  const p = c.pending;
  return {
    clientSeq: c.seq,
    pending: p !== null,
    replies:
      p === null
        ? []
        : [...p.votes]
            .map(([from, o]) => ({ from, output: a.output(o) }))
            .sort((x, y) => byString(x.from, y.from)),
  };
}

/** The ghost `done`: each client's k-th operation is its request k. */
export function abstractDone(a: Abstraction, world: World): Outcome[] {
  const seqs = new Map<string, number>();
  const out: Outcome[] = [];
  for (const op of world.ghost.history) {
    const seq = (seqs.get(op.process) ?? 0) + 1;
    seqs.set(op.process, seq);
    if (op.ret !== null) out.push({ client: op.process, seq, output: a.output(op.output) });
  }
  return out.sort((x, y) => byString(x.client, y.client) || x.seq - y.seq);
}

/**
 * The spec-visible messages the world shows were sent: those in flight, every request ever
 * issued (the ghost's `submitted`), and what the replicas' states prove they sent — a
 * candidate's Prepare, a leader's Accept for each open proposal — so that a retransmission
 * (liveness-only traffic) is recognised as a message sent before.
 */
export function abstractMessages(a: Abstraction, world: World): MsgSet {
  let msgs = EMPTY_MSGS;
  for (const p of world.network) {
    const m = a.message(p.msg);
    if (m !== null) msgs = addMsg(msgs, m);
  }
  for (const key of world.ghost.submitted.keys()) {
    const at = key.lastIndexOf('#');
    msgs = addMsg(msgs, {
      type: 'Request',
      from: key.slice(0, at),
      seq: Number(key.slice(at + 1)),
    });
  }
  for (const n of world.replicas) {
    const { id, volatile: v } = n.state;
    const bal = a.ballot(v.ballot);
    if (v.role === 'candidate')
      msgs = addMsg(msgs, { type: 'Prepare', from: id, bal, fromSlot: v.prepareFrom });
    if (v.role === 'leader') {
      for (const [slot, p] of v.proposals)
        msgs = addMsg(msgs, { type: 'Accept', from: id, bal, slot, cmd: a.cmd(p.cmd) });
    }
  }
  return msgs;
}

/** The twin state of a world. */
export function abstractWorld(a: Abstraction, world: World): SpecState {
  const byId = new Map<ReplicaId, ReplicaState>(world.replicas.map((n) => [n.state.id, n.state]));
  return {
    replicas: a.constants.replicas.map((r) => abstractReplica(a, byId.get(r) as ReplicaState)),
    clients: a.constants.clients.map((c) =>
      abstractClient(a, world.clients.find((x) => x.id === c) as ClientState),
    ),
    msgs: abstractMessages(a, world),
    done: abstractDone(a, world),
  };
}
