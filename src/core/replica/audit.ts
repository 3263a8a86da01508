/**
 * Audit, self-declared faults, QUIT and JOIN (seed step 6 and "Reconfiguration"; DESIGN.md
 * "Audit"). Replicas exchange the digest of their state after every `auditEvery` executed slots
 * (audit-digest.ts). A replica whose digest differs from one that a majority of the slot's
 * configuration holds declares itself faulty: it asks to QUIT, stops serving clients, and
 * rebuilds its state — from its checkpoint if that is stable (F+1 replicas vouched for it), from
 * the start of its log if it was never truncated, else from a peer's stable checkpoint (state
 * transfer). Once repaired, and once its QUIT is executed, it asks to JOIN again.
 *
 * A faulty replica's acceptor state (promise, accepted values) is kept: Paxos's safety does not
 * depend on the app state, and forgetting a promise would break it.
 */
import { majority } from '../quorum.js';
import { latestMembers, reconfigOp } from '../membership.js';
import type { AuditMsg, Json, ReplicaId, RequestMsg, Slot } from '../types.js';
import { AUDIT_ROUNDS, keepRecent } from './audit-digest.js';
import type { StepBuilder } from './builder.js';
import { isStable } from './checkpoint.js';
import { quorumMembers, windowEnd } from './config.js';
import { executeReady } from './learner.js';
import { onLeaderRequest } from './proposer.js';
import { initialVolatile } from './state.js';

/**
 * ReceiveAudit: a peer's digest for an audited slot. One this replica has executed is compared at
 * once (and answered with this replica's own digest when they differ); one it has yet to reach
 * is kept for the comparison when it gets there, unless it is too far ahead; one older than the
 * rounds kept is of no use any more and is dropped.
 */
export function onAudit(b: StepBuilder, msg: AuditMsg): void {
  const what = `audit of slot ${msg.slot} from ${msg.from}`;
  const every = b.base.params.auditEvery ?? 0;
  if (msg.slot < 1 || every <= 0 || msg.slot % every !== 0)
    return b.rejected(`${what}: slot ${msg.slot} is not an audited slot (every ${every})`);
  if (msg.slot > b.v.executed + AUDIT_ROUNDS * every)
    return b.rejected(
      `${what}: this replica has executed ${b.v.executed} slots, and keeps digests at most ${AUDIT_ROUNDS} audits ahead`,
    );
  const round =
    b.v.audits.get(msg.slot) ??
    (msg.slot > b.v.executed
      ? { own: null, members: null, peers: new Map<string, string>() }
      : undefined);
  if (round === undefined) return; // a round no longer kept: nothing to compare it with
  // The configuration of a slot this replica does not know yet is checked when it compares.
  const members = round.members ?? quorumMembers(b, msg.slot - 1);
  if (msg.slot - 1 < windowEnd(b) && !members.includes(msg.from))
    return b.rejected(`${what}: ${msg.from} is not in the configuration of slot ${msg.slot - 1}`);
  const peers = new Map(round.peers).set(msg.from, msg.digest);
  b.setVolatile({ audits: keepRecent(new Map(b.v.audits).set(msg.slot, { ...round, peers })) });
  b.trace({ action: 'ReceiveAudit', slot: msg.slot, msg });
  if (b.v.repair !== null || round.own === null) return;
  if (!msg.echo && msg.digest !== round.own && members.includes(b.id))
    b.send(msg.from, { type: 'Audit', from: b.id, slot: msg.slot, digest: round.own, echo: true });
}

/** After every step: a replica that holds a majority's other digest for a round is faulty. */
function detect(b: StepBuilder): void {
  if (b.v.repair !== null) return;
  for (const [slot, round] of b.v.audits)
    if (round.own !== null && round.members !== null && outvoted(b, slot, round.own, round.members))
      return declareFaulty(b, slot);
}

/** Does a majority of the slot's configuration (this replica aside) hold another digest? */
function outvoted(b: StepBuilder, slot: Slot, own: string, members: readonly ReplicaId[]): boolean {
  const counts = new Map<string, number>();
  for (const [peer, digest] of b.ctx.rules.auditEvidence(b.v.audits, slot)) {
    if (peer === b.id || digest === own || !members.includes(peer)) continue;
    const n = (counts.get(digest) ?? 0) + 1;
    if (n >= majority(members.length)) return true;
    counts.set(digest, n);
  }
  return false;
}

/**
 * DeclareFaulty (detected at audit slot `slot`): ask to QUIT (a member only), stop serving, and
 * rebuild the state. The QUIT's sequence number follows this replica's own session, so a
 * retransmission is the same request.
 */
function declareFaulty(b: StepBuilder, slot: Slot): void {
  const member = latestMembers(b.v.membership).includes(b.id);
  const quitSeq = member ? (b.v.sessions.get(b.id)?.seq ?? 0) + 1 : 0;
  rebuild(b, { slot, quitSeq, awaitingTransfer: false });
  if (quitSeq > 0) submit(b, selfRequest(b, 'quit', quitSeq));
}

/**
 * Forget the executed state and rebuild it from something a correct replica vouches for. The
 * execution-side state starts again; the acceptor's and the leader's are kept.
 */
function rebuild(
  b: StepBuilder,
  repair: { slot: Slot; quitSeq: number; awaitingTransfer: boolean },
): void {
  const cp = b.durable.checkpoint;
  let durable = b.durable;
  let awaitingTransfer = false;
  if (cp !== null && !isStable(b)) {
    if (logIntactBelow(b, cp.slot)) durable = { ...durable, checkpoint: null };
    else awaitingTransfer = true;
  }
  if (durable !== b.durable) b.setDurable(durable);
  // The event names the slot the state is rebuilt from (the replay starts there).
  b.trace({ action: 'DeclareFaulty', slot: durable.checkpoint?.slot ?? 0 });
  const fresh = initialVolatile(b.base.params, b.ctx.app.init(), durable);
  b.setVolatile({
    app: fresh.app,
    sessions: fresh.sessions,
    executed: fresh.executed,
    membership: fresh.membership,
    transfer: null,
    wholeTransfer: true,
    audits: new Map(),
    repair: { ...repair, awaitingTransfer },
  });
  if (awaitingTransfer) askForCheckpoint(b);
  else executeReady(b, { silent: true });
}

/** Does the log still hold every slot below `slot` (it was never truncated)? */
function logIntactBelow(b: StepBuilder, slot: Slot): boolean {
  for (let s = 0; s < slot; s++) if (!b.durable.chosen.has(s)) return false;
  return true;
}

/** Ask the members for their checkpoint: a request for the slot just below ours gets it. */
function askForCheckpoint(b: StepBuilder): void {
  const fromSlot = Math.max(0, (b.durable.checkpoint?.slot ?? 1) - 1);
  for (const peer of latestMembers(b.v.membership))
    if (peer !== b.id) b.send(peer, { type: 'CatchUpRequest', from: b.id, fromSlot });
}

/**
 * After every step: a replica outvoted in an audit round declares itself faulty; a repaired
 * replica whose QUIT is executed stops repairing; a replica that quit as faulty asks to JOIN.
 */
export function settleRepair(b: StepBuilder): void {
  if ((b.base.params.auditEvery ?? 0) > 0) detect(b);
  const repair = b.v.repair;
  if (repair === null || repair.awaitingTransfer) return;
  const ownSeq = b.v.sessions.get(b.id)?.seq ?? 0;
  if (b.v.executed <= repair.slot || ownSeq < repair.quitSeq) return;
  b.setVolatile({ repair: null });
  const join = pendingSelfRequest(b);
  if (join !== null) submit(b, join);
}

/** Heartbeat rounds resend this replica's own QUIT or JOIN, or its request for a checkpoint. */
export function retransmitSelfRequest(b: StepBuilder): void {
  if (b.v.repair?.awaitingTransfer === true) return askForCheckpoint(b);
  const request = pendingSelfRequest(b);
  if (request !== null) submit(b, request);
}

/** The QUIT or JOIN this replica still waits for, if any. */
function pendingSelfRequest(b: StepBuilder): RequestMsg | null {
  const ownSeq = b.v.sessions.get(b.id)?.seq ?? 0;
  const repair = b.v.repair;
  if (repair !== null)
    return repair.quitSeq > ownSeq ? selfRequest(b, 'quit', repair.quitSeq) : null;
  const m = b.v.membership;
  if (m.rejoin.includes(b.id) && !latestMembers(m).includes(b.id))
    return selfRequest(b, 'join', ownSeq + 1);
  return null;
}

function selfRequest(b: StepBuilder, change: 'join' | 'quit', seq: number): RequestMsg {
  const op: Json = reconfigOp(change, b.id);
  return { type: 'Request', from: b.id, seq, op };
}

/** Send this replica's own request to every peer, and propose it if this replica leads. */
function submit(b: StepBuilder, request: RequestMsg): void {
  b.broadcast(request);
  if (b.v.role === 'leader') onLeaderRequest(b, request);
}
