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
import type { ClientState } from '../../../src/core/client.js';
import { REFERENCE_RULES, type ReplicaRules } from '../../../src/core/replica/rules.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Effect, Input, StepResult } from '../../../src/core/types.js';
import { QUIET_EVENTS } from '../../model/step.js';
import type { Packet, World } from '../../model/world.js';

/**
 * Pruning met a message whose delivery is not a self-loop: the proofs above do not hold for
 * this reducer (an edited core, or the user's own), so pruning would hide behaviour. The
 * search stops with this error instead of giving a verdict it cannot back.
 */
export class UnsoundPruningError extends Error {
  override readonly name = 'UnsoundPruningError';
}

/** How a receiver would step on a message (the explorer's memoised node steps). */
export interface DeliveryProbe {
  replica(state: ReplicaState, input: Input): StepResult<ReplicaState>;
  client(state: ClientState, input: Input): StepResult<ClientState>;
  /** The canonical representative of a replica state (equal states, one object). */
  intern(state: ReplicaState): ReplicaState;
}

const loud = (effects: readonly Effect[]): boolean =>
  effects.some(
    (e) =>
      e.kind === 'Send' ||
      e.kind === 'Reply' ||
      e.kind === 'Complete' ||
      e.kind === 'Persist' ||
      (e.kind === 'Trace' && !QUIET_EVENTS.has(e.event.action)),
  );

/**
 * Checked as it runs: a message about to be pruned must leave its receiver exactly as it is if
 * delivered now. Throws UnsoundPruningError otherwise.
 */
export function verifyDeadDelivery(
  probe: DeliveryProbe,
  receiver: { readonly replica?: ReplicaState; readonly client?: ClientState },
  p: Packet,
): void {
  const input: Input = { kind: 'Receive', msg: p.msg };
  let changed = false;
  if (receiver.replica !== undefined) {
    const own = probe.intern(receiver.replica);
    const r = probe.replica(own, input);
    changed = probe.intern(r.state) !== own || loud(r.effects);
  } else if (receiver.client !== undefined) {
    const r = probe.client(receiver.client, input);
    changed = r.state !== receiver.client || loud(r.effects);
  }
  if (changed)
    throw new UnsoundPruningError(
      `--prune-dead-messages: ${p.to} acts on ${p.msg.type} from ${p.from}, a message the pruning proofs say it must ignore (dead-messages.ts); pruning it would hide behaviour — explore without --prune-dead-messages`,
    );
}

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
