/**
 * Time-driven behaviour, all triggered by `Tick` inputs: the Ω failure detector and leader
 * election (seed: Leader Election for Paxos — trust the first replica in configuration order that
 * is not suspected), heartbeats, and retransmission of unanswered phase-1 and phase-2 messages.
 * None of this affects safety; it is what makes a stable cluster make progress.
 */
import type { HeartbeatMsg, ReplicaId } from '../types.js';
import { noteBallot } from './acceptor.js';
import type { StepBuilder } from './builder.js';
import { isStable } from './checkpoint.js';
import { requestMissing } from './learner.js';
import { startCandidacy, stepDown, stepDownIfOutranked } from './proposer.js';
import { chosenPrefix } from './state.js';
import { currentMembers } from './config.js';
import { retransmitSelfRequest } from './audit.js';

export function onTick(b: StepBuilder): void {
  const { electionTicks, heartbeatTicks } = b.base.params;
  const silence = new Map<ReplicaId, number>();
  for (const peer of b.peers)
    silence.set(peer, Math.min((b.v.silence.get(peer) ?? 0) + 1, electionTicks));
  b.setVolatile({ silence });

  if (heartbeatTicks > 0) {
    const since = b.v.sinceHeartbeat + 1;
    b.setVolatile({ sinceHeartbeat: since >= heartbeatTicks ? 0 : since });
    if (since >= heartbeatTicks) heartbeatRound(b);
  }

  const trusted = trustedLeader(b);
  if (trusted === b.id) {
    if (b.v.role === 'follower') return startCandidacy(b);
    if (b.v.role === 'candidate') {
      const waited = b.v.sinceCandidacy + 1;
      if (waited >= electionTicks) return startCandidacy(b);
      b.setVolatile({ sinceCandidacy: waited });
    }
  } else if (b.v.role === 'candidate') {
    // Ω now trusts a peer that is alive and ranks first: leave the election to it.
    stepDown(b);
  }
}

/**
 * Ω: the first member of the current configuration that is this one or has been heard from
 * recently. An observer (not a member) trusts a member, never itself; with every member silent
 * it trusts the first one.
 */
export function trustedLeader(b: StepBuilder): ReplicaId {
  const limit = b.base.params.electionTicks;
  const members = currentMembers(b);
  for (const r of members) if (r === b.id || (b.v.silence.get(r) ?? 0) < limit) return r;
  return members.includes(b.id) ? b.id : (members[0] ?? b.id);
}

function heartbeatRound(b: StepBuilder): void {
  const heartbeat: HeartbeatMsg = {
    type: 'Heartbeat',
    from: b.id,
    ballot: b.v.role === 'follower' ? b.durable.promised : b.v.ballot,
    leading: b.v.role === 'leader',
    chosenPrefix: chosenPrefix(b.durable, b.v.executed),
  };
  b.broadcast(heartbeat);
  // A checkpoint not yet stable: its vote may have been lost, so vouch again.
  if (b.durable.checkpoint !== null && !isStable(b)) {
    const cp = b.durable.checkpoint;
    b.broadcast({ type: 'CheckpointVote', from: b.id, slot: cp.slot, digest: cp.digest });
  }
  // Retransmit what a lossy network may have eaten; duplicates are harmless to Paxos.
  if (b.v.role === 'candidate') {
    const prepare = {
      type: 'Prepare',
      from: b.id,
      ballot: b.v.ballot,
      fromSlot: b.v.prepareFrom,
    } as const;
    for (const peer of b.peers) if (!b.v.promises.has(peer)) b.send(peer, prepare);
  }
  retransmitSelfRequest(b);
  if (b.v.role === 'leader') {
    for (const [slot, p] of b.v.proposals) {
      const accept = { type: 'Accept', from: b.id, ballot: b.v.ballot, slot, cmd: p.cmd } as const;
      for (const peer of b.peers) if (!p.votes.has(peer)) b.send(peer, accept);
    }
  }
}

/** A peer's heartbeat: it is alive; it may lead a higher ballot; it may know more chosen slots. */
export function onHeartbeat(b: StepBuilder, msg: HeartbeatMsg): void {
  noteBallot(b, msg.ballot);
  if (msg.leading) stepDownIfOutranked(b, msg.ballot);
  if (msg.leading) requestMissing(b, msg.from, msg.chosenPrefix);
}
