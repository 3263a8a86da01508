/**
 * The learner and executor roles: learn chosen commands (from the leader's decision or from a
 * peer's catch-up reply), then execute them strictly in slot order (seed: the state machine
 * approach), with the session table making execution exactly-once under retransmission.
 */
import type {
  CatchUpReplyMsg,
  CatchUpRequestMsg,
  ChosenEntry,
  Command,
  DecisionMsg,
  ReconfigCommand,
  ReplicaId,
  RequestMsg,
  Slot,
} from '../types.js';
import type { StepBuilder } from './builder.js';
import { auditExecuted } from './audit-digest.js';
import { partVersions, sendCheckpoint, takeCheckpoint } from './checkpoint.js';
import { isReconfig, quorumMembers, reconfigure } from './config.js';
import { checkpointSlot, chosenPrefix } from './state.js';

/**
 * Decide/Learn: record that `slot` is chosen with `cmd` (durable, so it survives restarts).
 * `source` is who knew it: this replica for Decide, the sender of a Decision or catch-up reply
 * for Learn; the trace names it as the Decision's sender.
 */
export function learn(
  b: StepBuilder,
  slot: Slot,
  cmd: Command,
  action: 'Decide' | 'Learn',
  source: ReplicaId = b.id,
): void {
  // Known already: learned, or covered by the checkpoint (so executed and truncated).
  if (b.durable.chosen.has(slot) || slot < checkpointSlot(b.durable)) return;
  const chosen = new Map(b.durable.chosen);
  chosen.set(slot, cmd);
  b.setDurable({ chosen });
  b.trace({ action, slot, msg: { type: 'Decision', from: source, slot, cmd } });
}

export function onDecision(b: StepBuilder, msg: DecisionMsg): void {
  learn(b, msg.slot, msg.cmd, 'Learn', msg.from);
  executeReady(b);
  requestMissing(b, msg.from);
}

/**
 * A peer lags behind: send what it asks for, in batches (seed: input log, catch-up). What the
 * checkpoint covers is gone from the log: the peer gets the checkpoint (state transfer), then
 * the entries after it.
 */
export function onCatchUpRequest(b: StepBuilder, msg: CatchUpRequestMsg): void {
  let from = msg.fromSlot;
  const covered = checkpointSlot(b.durable);
  if (from < covered && b.ctx.rules.catchUpEntry(b.durable, from) === undefined) {
    sendCheckpoint(b, msg.from, msg.versions);
    from = covered;
  }
  const entries: ChosenEntry[] = [];
  for (let slot = from; entries.length < b.base.params.catchUpBatch; slot++) {
    const cmd = b.ctx.rules.catchUpEntry(b.durable, slot);
    if (cmd === undefined) break;
    entries.push({ slot, cmd });
  }
  if (entries.length > 0) b.send(msg.from, { type: 'CatchUpReply', from: b.id, entries });
}

/**
 * Entries below this replica's checkpoint (a reply that crossed a state transfer) are known
 * already: refused, and the rest learned.
 */
export function onCatchUpReply(b: StepBuilder, msg: CatchUpReplyMsg): void {
  const covered = checkpointSlot(b.durable);
  const below = msg.entries.filter((e) => e.slot < covered).map((e) => e.slot);
  if (below.length > 0)
    b.rejected(
      `catch-up reply from ${msg.from}: slot${below.length > 1 ? 's' : ''} ${below.join(', ')} below this replica's checkpoint at slot ${covered}`,
    );
  for (const e of msg.entries) learn(b, e.slot, e.cmd, 'Learn', msg.from);
  executeReady(b);
  requestMissing(b, msg.from);
}

/** When this replica knows of chosen slots beyond a gap, ask `peer` for the gap. */
export function requestMissing(b: StepBuilder, peer: ReplicaId, knownUpTo: Slot = -1): void {
  const prefix = chosenPrefix(b.durable, b.v.executed);
  let beyond = knownUpTo > prefix;
  for (const slot of b.durable.chosen.keys()) if (slot > prefix) beyond = true;
  if (beyond && peer !== b.id) requestFrom(b, peer);
}

/** Ask `peer` for every chosen entry from this replica's chosen prefix on. */
export function requestFrom(b: StepBuilder, peer: ReplicaId): void {
  const fromSlot = chosenPrefix(b.durable, b.v.executed);
  const versions = partVersions(b);
  b.send(peer, {
    type: 'CatchUpRequest',
    from: b.id,
    fromSlot,
    ...(versions === undefined ? {} : { versions }),
  });
}

/**
 * Execute: apply every chosen command that is next in slot order. A replica that declared itself
 * faulty re-executes without answering clients (it stopped serving), and waits while it has no
 * state to rebuild from (audit.ts).
 */
export function executeReady(b: StepBuilder, { silent = false } = {}): void {
  const { app, rules } = b.ctx;
  for (;;) {
    if (b.v.repair?.awaitingTransfer === true) return;
    const slot = b.v.executed;
    const cmd = rules.executable(b.durable, slot);
    if (cmd === undefined) return;
    const quiet = silent || b.v.repair !== null;
    // The audit of slot + 1 judges by the configuration of `slot`, which a checkpoint prunes;
    // worked out only when slot + 1 is audited.
    const every = b.base.params.auditEvery ?? 0;
    const members = every > 0 && (slot + 1) % every === 0 ? quorumMembers(b, slot) : [];
    if (cmd.kind === 'checkpoint') takeCheckpoint(b, slot);
    else if (cmd.kind === 'noop' || rules.isDuplicate(b.v.sessions.get(cmd.client), cmd.seq)) {
      b.setVolatile({ executed: slot + 1 });
      b.trace({ action: 'Execute', slot, applied: false });
    } else if (isReconfig(cmd)) executeReconfig(b, slot, cmd, quiet);
    else {
      const { state, output } = app.apply(b.v.app, cmd.op);
      const sessions = new Map(b.v.sessions);
      sessions.set(cmd.client, { seq: cmd.seq, output });
      b.setVolatile({ app: state, sessions, executed: slot + 1 });
      const reply = { type: 'Reply', from: b.id, to: cmd.client, seq: cmd.seq, output } as const;
      b.trace({ action: 'Execute', slot, applied: true, msg: reply });
      // Replaying the log after a restart does not resend: those replies already left once.
      if (!quiet) b.reply(cmd.client, reply);
    }
    auditExecuted(b, quiet, members);
  }
}

/**
 * Reconfigure: a chosen JOIN or QUIT changes the configuration from α slots on, or is refused
 * (membership.ts); either way its client's session records the outcome and the client is told.
 * A replica that asked for its own change learns the outcome from its log, not from a reply.
 */
function executeReconfig(b: StepBuilder, slot: Slot, cmd: ReconfigCommand, quiet: boolean): void {
  const outcome = reconfigure(b, b.v.membership, slot, cmd);
  const sessions = new Map(b.v.sessions);
  sessions.set(cmd.client, { seq: cmd.seq, output: outcome.output });
  b.setVolatile({
    sessions,
    executed: slot + 1,
    ...(outcome.ok ? { membership: outcome.membership } : {}),
  });
  const reply = {
    type: 'Reply',
    from: b.id,
    to: cmd.client,
    seq: cmd.seq,
    output: outcome.output,
  } as const;
  b.trace({ action: 'Reconfigure', slot, applied: outcome.ok, msg: reply });
  if (!quiet && !b.base.params.replicas.includes(cmd.client)) b.reply(cmd.client, reply);
}

/**
 * ReplyFromSession: a retransmitted request that was already executed gets the cached output
 * again, from every replica, so the client can still collect a majority (seed: sessions).
 * Returns false when the request is new.
 */
export function replyFromSession(b: StepBuilder, msg: RequestMsg): boolean {
  const session = b.v.sessions.get(msg.from);
  if (!b.ctx.rules.isDuplicate(session, msg.seq)) return false;
  // A replica that declared itself faulty serves no client until it is repaired (audit.ts); a
  // replica's own JOIN/QUIT is answered by its log, not by a reply.
  const answer = b.v.repair === null && !b.base.params.replicas.includes(msg.from);
  if (session !== undefined && session.seq === msg.seq && answer) {
    const reply = {
      type: 'Reply',
      from: b.id,
      to: msg.from,
      seq: msg.seq,
      output: session.output,
    } as const;
    b.trace({ action: 'ReplyFromSession', msg: reply });
    b.reply(msg.from, reply);
  }
  return true;
}
