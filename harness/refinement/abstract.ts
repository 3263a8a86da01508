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
import { initialMembership, type Membership } from '../../src/core/membership.js';
import type { AnyApp } from '../../src/core/app.js';
import type { ClientState } from '../../src/core/client.js';
import { checkpointDigest } from '../../src/core/replica/checkpoint.js';
import { startingMembers, type ReplicaState } from '../../src/core/replica/state.js';
import type { Conf } from '../../src/spec/config.js';
import type {
  Ballot,
  Checkpoint,
  Command,
  Json,
  Message,
  Session as CoreSession,
  SnapshotRef,
} from '../../src/core/types.js';
import { encodeReplica } from '../../src/spec/encode.js';
import { Net } from '../../src/spec/net.js';
import { SlotVector } from '../../src/spec/slot-vector.js';
import type {
  CheckpointVars,
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
  CKPT_CMD,
  decisionKey,
  jsonKey,
  NO_BALLOT,
  NOOP_CMD,
  opCmd,
  prepareKey,
  reconfigCmd,
  promiseKey,
  requestKey,
  snapshotKey,
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
      members0: bitsOf(cfg.replicas, startingMembers(cfg.replicaParams)),
      alpha: cfg.replicaParams.window,
      auditEvery: cfg.replicaParams.auditEvery ?? 0,
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

const bitsOf = (replicas: readonly string[], members: readonly string[]): number =>
  members.reduce((bits, r) => bits | (1 << replicas.indexOf(r)), 0);

/**
 * A core membership as Smr.tla's configuration history. The core prunes the epochs no slot
 * after its executed prefix can use and Smr.tla keeps them, so the two agree while the run stays
 * in its starting configuration: per-step refinement skips runs that change it (local.ts).
 */
export function specConf(ctx: SpecContext, m: Membership, from = 0): Conf {
  // Slots renumbered from `from` (the window local.ts compares): the epoch governing `from`
  // starts at 0, and the epochs before it are gone.
  const epochs: { from: number; members: number }[] = [];
  for (const e of m.epochs) {
    const members = bitsOf(ctx.replicas, e.members);
    const at = Math.max(0, e.from - from);
    if (epochs.length > 0 && (epochs[epochs.length - 1] as { from: number }).from === at)
      epochs.pop();
    epochs.push({ from: at, members });
  }
  if (epochs.length > 0) (epochs[0] as { from: number }).from = 0;
  // A checkpoint's normal form starts its one epoch at its slot: never changed, it is InitConf.
  if (epochs.every((e) => e.members === ctx.members0)) return [{ from: 0, members: ctx.members0 }];
  return epochs;
}

export function specCmd(c: Command): Cmd {
  if (c.kind === 'join' || c.kind === 'quit')
    return reconfigCmd(c.kind, c.client, c.seq, c.replica);
  return c.kind === 'op'
    ? opCmd(c.client, c.seq, c.op, jsonKey(c.op))
    : c.kind === 'noop'
      ? NOOP_CMD
      : CKPT_CMD;
}

/**
 * The spec message for a core message, or null for liveness-only traffic (heartbeats,
 * catch-up). A message the trace format cannot carry throws the trace parser's BadLine.
 */
export function specMessage(ctx: SpecContext, m: Message | SnapshotRef): Msg | null {
  if (
    m.type === 'Heartbeat' ||
    m.type === 'CatchUpRequest' ||
    m.type === 'CatchUpReply' ||
    m.type === 'CheckpointVote' ||
    m.type === 'SnapshotChunk'
  )
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
  const shift = (slot: number): number => Math.max(0, slot - from);
  const cp = d.checkpoint;
  const ckpt: CheckpointVars = {
    slot: shift(cp?.slot ?? 0),
    app: cp === null ? ctx.app?.init() : cp.app,
    sessions: cp === null ? new Map() : specSessions(cp.sessions),
    conf: cp === null ? [{ from: 0, members: ctx.members0 }] : specConf(ctx, cp.membership, from),
  };
  let prefix = ckpt.slot;
  while (chosen.has(prefix)) prefix++;
  const role = v.role;
  const promises = new Map<string, PromiseReport>();
  if (role === 'candidate')
    for (const [sender, report] of v.promises)
      promises.set(sender, {
        accepted: report.accepted
          .filter((e) => e.slot >= from)
          .map((e) => ({
            slot: e.slot - from,
            bal: ballotNumber(ctx, e.ballot),
            cmd: specCmd(e.cmd),
          }))
          .sort((a, b) => a.slot - b.slot),
        ckpt: shift(report.checkpoint),
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
  // Values adopted in phase 1 for slots past the window α wait in `adopted`: Smr.tla records
  // them as proposals without votes, which Phase2a proposes later.
  if (role === 'leader')
    for (const [slot, cmd] of v.adopted)
      if (slot >= from) proposals.set(slot - from, { cmd: specCmd(cmd), votes: 0 });
  return {
    promised: ballotNumber(ctx, d.promised),
    accepted,
    chosen,
    ckpt,
    chosenPrefix: prefix,
    role,
    ballot: role === 'follower' ? NO_BALLOT : ballotNumber(ctx, v.ballot),
    prepareFrom: role === 'candidate' ? v.prepareFrom - from : 0,
    promises,
    // The core keeps the configurations its phase-1 quorum covered, not who promised (so that
    // leaders alike for the future are one state); covering the slot's configuration implies a
    // quorum of it promised, which is Smr.tla's Phase2a guard. The abstraction says every replica
    // promised, and the comparison leaves promisers out (refinementText).
    promisers: role === 'leader' ? (1 << ctx.replicas.length) - 1 : 0,
    proposals,
    nextSlot: role === 'leader' ? v.nextSlot - from : 0,
    executed: v.executed - from,
    sessions: specSessions(v.sessions),
    app: v.app,
    conf: specConf(ctx, v.membership, from),
  };
}

/** A session table as the twin keeps it (outputs with their canonical keys). */
export function specSessions(table: ReadonlyMap<string, CoreSession>): Map<string, Session> {
  const sessions = new Map<string, Session>();
  for (const [client, s] of table)
    sessions.set(client, { seq: s.seq, output: s.output, outKey: jsonKey(s.output) });
  return sessions;
}

/** The checkpoints a correct replica takes executing the contiguous chosen log from slot 0. */
function chosenCheckpoints(
  app: AnyApp,
  chosen: ReadonlyMap<number, Command>,
  replicas: readonly string[],
): Checkpoint[] {
  const out: Checkpoint[] = [];
  let state = app.init();
  let sessions = new Map<string, CoreSession>();
  for (let slot = 0; ; slot++) {
    const cmd = chosen.get(slot);
    if (cmd === undefined) return out;
    if (cmd.kind === 'checkpoint')
      out.push({
        slot: slot + 1,
        app: state,
        sessions,
        // Refinement is checked only on runs without reconfiguration (the spec has none yet).
        membership: initialMembership(replicas),
        digest: checkpointDigest(app, slot + 1, state, sessions),
      });
    else if (cmd.kind === 'op' && (sessions.get(cmd.client)?.seq ?? 0) < cmd.seq) {
      const result = app.apply(state, cmd.op);
      state = result.state;
      sessions = new Map(sessions).set(cmd.client, { seq: cmd.seq, output: result.output });
    }
  }
}

/** A core checkpoint as a twin checkpoint, its slot renumbered from `from`. */
/**
 * A replica's variables as refinement compares them: without `promisers`, which the core does
 * not keep (abstractReplica).
 */
export function refinementText(ctx: SpecContext, v: ReplicaVars): string {
  return encodeReplica(ctx, v.promisers === 0 ? v : { ...v, promisers: 0 });
}

export function specCheckpoint(ctx: SpecContext, cp: Checkpoint, from = 0): CheckpointVars {
  return {
    slot: Math.max(0, cp.slot - from),
    app: cp.app,
    sessions: specSessions(cp.sessions),
    conf: specConf(ctx, cp.membership, from),
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
    case 'Snapshot': {
      const slot = Math.max(0, m.slot - from);
      return { ...m, slot, key: snapshotKey(m.from, slot) };
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
  // Smr.tla's snapshots: the checkpoints the replicas hold, and the one after every checkpoint
  // command of the chosen log (what a correct replica took there; a superseded one may still be
  // in flight, in chunks).
  const snapshots: CheckpointVars[] = [];
  const seen = new Set<string>();
  const offer = (cp: Checkpoint): void => {
    if (seen.has(cp.digest)) return;
    seen.add(cp.digest);
    snapshots.push(specCheckpoint(ctx, cp));
  };
  for (const n of world.replicas)
    if (n.state.durable.checkpoint !== null) offer(n.state.durable.checkpoint);
  if (ctx.app !== null)
    for (const cp of chosenCheckpoints(ctx.app, world.ghost.chosen, ctx.replicas)) offer(cp);
  return {
    replicas: ctx.replicas.map((r) => abstractReplica(ctx, byId.get(r) as ReplicaState)),
    clients: ctx.clients.map((c) =>
      abstractClient(world.clients.find((x) => x.id === c) as ClientState),
    ),
    net,
    sent: [],
    decided,
    snapshots,
    hidden: 0,
  };
}
