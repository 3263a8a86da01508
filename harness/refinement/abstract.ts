/**
 * The abstraction function from the core's world (harness/model) to the twin's states
 * (src/spec): per replica, per client, and the spec-visible messages. Values map one to one —
 * ballots `(round, leader)` to Smr.tla's numbers, commands and outputs by their canonical keys,
 * the app state as it is (the twin runs the same app) — through the trace parser's value
 * mapping, so a core message means here what it means in a trace.
 *
 * `from` > 0 keeps only the slots from `from` on, renumbered from 0: the per-step check compares
 * that window (every slot below it is chosen and executed, and the spec's actions are the same
 * on the rest), so its cost does not grow with the log.
 */
import type { ClientState } from '../../src/core/client.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import type { Ballot, Command, Json, Message } from '../../src/core/types.js';
import { Net } from '../../src/spec/net.js';
import { SlotVector } from '../../src/spec/slot-vector.js';
import type {
  ClientVars,
  Output,
  PromiseReport,
  Proposal,
  ReplicaVars,
  Session,
  SpecContext,
  World as SpecWorld,
} from '../../src/spec/state.js';
import {
  acceptedKey,
  acceptKey,
  Ballots,
  decisionKey,
  jsonKey,
  NO_BALLOT,
  NOOP_CMD,
  opCmd,
  prepareKey,
  promiseKey,
  requestKey,
  type Cmd,
  type Msg,
} from '../../src/spec/values.js';
import { parseMsg } from '../../src/trace/parse-values.js';
import type { ClusterConfig, World } from '../model/world.js';

const contexts = new WeakMap<ClusterConfig, SpecContext>();

/** The twin's configuration for a cluster: its replicas, clients, app and client policy. */
export function specContext(cfg: ClusterConfig): SpecContext {
  let ctx = contexts.get(cfg);
  if (ctx === undefined) {
    ctx = {
      replicas: cfg.replicas,
      clients: cfg.clients,
      replicaIndex: new Map(cfg.replicas.map((r, i) => [r, i])),
      clientIndex: new Map(cfg.clients.map((c, i) => [c, i])),
      ballots: new Ballots(cfg.replicas),
      app: cfg.app,
      policy: cfg.clientParams.policy,
    };
    contexts.set(cfg, ctx);
  }
  return ctx;
}

/** Smr.tla's number for a ballot; NO_BALLOT for the core's ZERO_BALLOT; NaN for a stranger. */
export function ballotNumber(ctx: SpecContext, b: Ballot): number {
  if (b.round === 0) return NO_BALLOT;
  return ctx.ballots.encode(b.round, b.leader) ?? Number.NaN;
}

export function specCmd(c: Command): Cmd {
  return c.kind === 'noop' ? NOOP_CMD : opCmd(c.client, c.seq, c.op, jsonKey(c.op));
}

/**
 * The spec message for a core message, or null for liveness-only traffic (heartbeats,
 * catch-up). A message the trace format cannot carry throws the trace parser's BadLine.
 */
export function specMessage(ctx: SpecContext, m: Message): Msg | null {
  if (m.type === 'Heartbeat' || m.type === 'CatchUpRequest' || m.type === 'CatchUpReply')
    return null;
  return parseMsg(m, ctx, 'msg');
}

/** The variables of one replica, slots from `from` on (renumbered from 0). */
export function abstractReplica(ctx: SpecContext, r: ReplicaState, from = 0): ReplicaVars {
  const { durable: d, volatile: v } = r;
  let accepted = SlotVector.empty<{ readonly bal: number; readonly cmd: Cmd }>();
  for (const [slot, x] of [...d.accepted].sort(([a], [b]) => a - b))
    if (slot >= from)
      accepted = accepted.set(slot - from, {
        bal: ballotNumber(ctx, x.ballot),
        cmd: specCmd(x.cmd),
      });
  let chosen = SlotVector.empty<Cmd>();
  for (const [slot, c] of [...d.chosen].sort(([a], [b]) => a - b))
    if (slot >= from) chosen = chosen.set(slot - from, specCmd(c));
  let prefix = 0;
  while (chosen.has(prefix)) prefix++;
  const role = v.role;
  const promises = new Map<string, PromiseReport>();
  if (role === 'candidate')
    for (const [sender, es] of v.promises)
      promises.set(sender, {
        accepted: es
          .filter((e) => e.slot >= from)
          .map((e) => ({
            slot: e.slot - from,
            bal: ballotNumber(ctx, e.ballot),
            cmd: specCmd(e.cmd),
          }))
          .sort((a, b) => a.slot - b.slot),
        ckpt: 0,
      });
  const proposals = new Map<number, Proposal>();
  if (role === 'leader')
    for (const [slot, p] of v.proposals) {
      if (slot < from) continue;
      let votes = 0;
      for (const voter of p.votes) {
        const i = ctx.replicaIndex.get(voter);
        if (i !== undefined) votes |= 1 << i;
      }
      proposals.set(slot - from, { cmd: specCmd(p.cmd), votes });
    }
  const sessions = new Map<string, Session>();
  for (const [client, s] of v.sessions)
    sessions.set(client, { seq: s.seq, output: s.output, outKey: jsonKey(s.output) });
  return {
    promised: ballotNumber(ctx, d.promised),
    accepted,
    chosen,
    ckpt: { slot: 0, app: ctx.app === null ? undefined : ctx.app.init(), sessions: new Map() },
    chosenPrefix: prefix,
    role,
    ballot: role === 'follower' ? NO_BALLOT : ballotNumber(ctx, v.ballot),
    prepareFrom: role === 'candidate' ? v.prepareFrom - from : 0,
    promises,
    proposals,
    nextSlot: role === 'leader' ? v.nextSlot - from : 0,
    executed: v.executed - from,
    sessions,
    app: v.app,
  };
}

/** The variables of one client. */
export function abstractClient(c: ClientState): ClientVars {
  const replies = new Map<string, Output>();
  if (c.pending !== null)
    for (const [from, output] of c.pending.votes)
      replies.set(from, { output, outKey: jsonKey(output) });
  return { clientSeq: c.seq, pending: c.pending !== null, replies };
}

/** A spec message with its slots renumbered from `from` (the window of abstractReplica). */
export function shiftMessage(m: Msg, from: number): Msg {
  if (from === 0) return m;
  switch (m.type) {
    case 'Prepare': {
      const fromSlot = m.fromSlot - from;
      return { ...m, fromSlot, key: prepareKey(m.from, m.bal, fromSlot) };
    }
    case 'Promise': {
      const accepted = m.accepted.map((e) => ({ ...e, slot: e.slot - from }));
      const ckpt = Math.max(0, m.ckpt - from);
      return { ...m, accepted, ckpt, key: promiseKey(m.from, m.bal, accepted, ckpt) };
    }
    case 'Accept': {
      const slot = m.slot - from;
      return { ...m, slot, key: acceptKey(m.from, m.bal, slot, m.cmd) };
    }
    case 'Accepted': {
      const slot = m.slot - from;
      return { ...m, slot, key: acceptedKey(m.from, m.bal, slot) };
    }
    case 'Decision': {
      const slot = m.slot - from;
      return { ...m, slot, key: decisionKey(m.from, slot, m.cmd) };
    }
    default:
      return m;
  }
}

/** A Request message as the twin keys it. */
export function requestMessage(client: string, seq: number, op: Json): Msg {
  const opKey = jsonKey(op);
  return { type: 'Request', from: client, seq, op, opKey, key: requestKey(client, seq, opKey) };
}

/**
 * The twin state of a world: every replica and client, and `msgs` — the spec-visible messages
 * in flight, every request ever issued (the ghost's `submitted`), and what the replicas' states
 * prove they sent (a candidate's Prepare, a leader's Accept for each open proposal), so that a
 * retransmission is recognised as a message sent before.
 */
export function abstractWorld(ctx: SpecContext, world: World): SpecWorld {
  const net = new Net();
  // Decisions are how the core hands out chosen values; Smr.tla's Learn reads chosen[q].
  const add = (msg: Msg | null): void => {
    if (msg !== null && msg.type !== 'Decision')
      net.add({ msg, lamport: -1, vcOwn: -1, node: '', file: '', line: 0 });
  };
  for (const p of world.network) add(specMessage(ctx, p.msg));
  for (const [key, op] of world.ghost.submitted) {
    const at = key.lastIndexOf('#');
    add(requestMessage(key.slice(0, at), Number(key.slice(at + 1)), op));
  }
  for (const n of world.replicas) {
    const { id, volatile: v } = n.state;
    const bal = ballotNumber(ctx, v.ballot);
    if (v.role === 'candidate')
      add({
        type: 'Prepare',
        from: id,
        bal,
        fromSlot: v.prepareFrom,
        key: prepareKey(id, bal, v.prepareFrom),
      });
    if (v.role === 'leader')
      for (const [slot, p] of v.proposals) {
        const cmd = specCmd(p.cmd);
        add({ type: 'Accept', from: id, bal, slot, cmd, key: acceptKey(id, bal, slot, cmd) });
      }
  }
  const byId = new Map(world.replicas.map((n) => [n.state.id, n.state]));
  let decided = SlotVector.empty<readonly Cmd[]>();
  for (const [slot, c] of [...world.ghost.chosen].sort(([a], [b]) => a - b))
    decided = decided.set(slot, [specCmd(c)]);
  return {
    replicas: ctx.replicas.map((r) => abstractReplica(ctx, byId.get(r) as ReplicaState)),
    clients: ctx.clients.map((c) =>
      abstractClient(world.clients.find((x) => x.id === c) as ClientState),
    ),
    net,
    sent: [],
    decided,
    snapshots: [],
    hidden: 0,
  };
}
