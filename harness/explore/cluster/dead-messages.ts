/**
 * Dead messages: in-flight messages whose delivery is a self-loop now and in every future of
 * their receiver. Dropping them from the state merges states that differ only in such messages,
 * and merged states have the same futures (a bisimulation), so every verdict is kept. On the set
 * network (DSLabs), where nothing is ever removed, they are most of what makes states differ.
 *
 * The proofs, for the reference rules (src/core/replica/rules.ts) in runs without a violation:
 * - A replica's durable promise never falls (Durability, checked across restarts), and its
 *   highest-seen ballot is never below its promise (set together at candidacy, raised first on
 *   Prepare/Accept, restored from the promise on restart).
 * - Prepare(b) or Accept(b) with b below the receiver's promise: `admits` refuses it now and
 *   forever, and noting its ballot changes nothing.
 * - Promise(b) or Accepted(b) with b below the receiving proposer's promise: a replica leads or
 *   seeks only the ballot it promised last (a higher promise makes it step down), and it only
 *   starts candidacies above its promise, so it never again counts votes for b.
 * - Reply(seq) to a client that has moved past `seq`, or has already counted this replica's vote:
 *   clients never go back (the explorer never restarts a client).
 * The replica rules must be the reference ones for ballots, admission, vote counting and
 * recovery: a mutant there (say, one that accepts stale ballots) keeps every message.
 */
import { compareBallots } from '../../../src/core/ballot.js';
import { REFERENCE_RULES, type ReplicaRules } from '../../../src/core/replica/rules.js';
import type { Packet, World } from '../../model/world.js';

/** True when the proofs above hold for these rules. */
export function ballotRulesAreReference(rules: ReplicaRules): boolean {
  return (
    rules.compareBallots === REFERENCE_RULES.compareBallots &&
    rules.admits === REFERENCE_RULES.admits &&
    rules.countsVote === REFERENCE_RULES.countsVote &&
    rules.recover === REFERENCE_RULES.recover
  );
}

export function isDead(world: World, p: Packet, ballots: boolean): boolean {
  const msg = p.msg;
  if (msg.type === 'Reply') {
    const client = world.clients.find((c) => c.id === p.to);
    if (client === undefined) return false;
    const pending = client.pending;
    if (pending !== null && pending.seq === msg.seq) return pending.votes.has(msg.from);
    return client.seq > msg.seq || (pending === null && client.seq >= msg.seq);
  }
  if (!ballots) return false;
  switch (msg.type) {
    case 'Prepare':
    case 'Accept':
    case 'Promise':
    case 'Accepted': {
      const replica = world.replicas.find((n) => n.state.id === p.to);
      return (
        replica !== undefined && compareBallots(msg.ballot, replica.state.durable.promised) < 0
      );
    }
    default:
      return false;
  }
}
