/**
 * The acceptor role (Paxos Made Simple §2.2–2.3). Its promise and accepted values are durable:
 * they are persisted before the reply leaves, which is what makes Paxos survive restarts.
 */
import { maxBallot } from '../ballot.js';
import type { AcceptMsg, Ballot, PrepareMsg } from '../types.js';
import { acceptedFrom, checkpointSlot } from './state.js';
import type { StepBuilder } from './builder.js';
import { stepDownIfOutranked } from './proposer.js';

/**
 * Phase1b: promise never to accept a ballot below `msg.ballot`, and report what was accepted and
 * where the log starts (the checkpoint covers the slots below).
 */
export function onPrepare(b: StepBuilder, msg: PrepareMsg): void {
  noteBallot(b, msg.ballot);
  const { rules } = b.ctx;
  if (!rules.admits(b.durable.promised, msg.ballot, rules.compareBallots)) return;
  b.setDurable({ promised: raisePromise(b, msg.ballot) });
  b.trace({ action: 'Phase1b', msg });
  stepDownIfOutranked(b);
  b.send(msg.from, {
    type: 'Promise',
    from: b.id,
    ballot: msg.ballot,
    accepted: acceptedFrom(b.durable, msg.fromSlot),
    checkpoint: checkpointSlot(b.durable),
  });
}

/**
 * Phase2b: accept `msg.cmd` in `msg.slot` unless a higher ballot was promised or the checkpoint
 * covers the slot (it is chosen and executed: an old leader's retransmission).
 */
export function onAccept(b: StepBuilder, msg: AcceptMsg): void {
  noteBallot(b, msg.ballot);
  const { rules } = b.ctx;
  if (!rules.admits(b.durable.promised, msg.ballot, rules.compareBallots)) return;
  if (msg.slot < checkpointSlot(b.durable)) return;
  const accepted = new Map(b.durable.accepted);
  accepted.set(msg.slot, { ballot: msg.ballot, cmd: msg.cmd });
  b.setDurable({ promised: raisePromise(b, msg.ballot), accepted });
  b.trace({ action: 'Phase2b', slot: msg.slot, msg });
  stepDownIfOutranked(b);
  b.send(msg.from, { type: 'Accepted', from: b.id, ballot: msg.ballot, slot: msg.slot });
}

/** A promise only ever rises (a mutant that admits stale ballots must not lower it either). */
function raisePromise(b: StepBuilder, ballot: Ballot): Ballot {
  const { promised } = b.durable;
  return b.ctx.rules.compareBallots(ballot, promised) > 0 ? ballot : promised;
}

/** Remember the highest ballot seen so a later candidacy starts above it. */
export function noteBallot(b: StepBuilder, ballot: Ballot): void {
  const highest = maxBallot(b.v.highestSeen, ballot);
  if (highest !== b.v.highestSeen) b.setVolatile({ highestSeen: highest });
}
