/**
 * AtomicNext(Crashable) of spec/Smr.tla, the next-state relation the MC models check: the
 * core's follow-up steps (FollowUp) happen before anything else, as inside one reducer step of
 * the core, and only the replicas in Crashable restart.
 */
import { successors, type SpecAction } from './actions.js';
import type { ReplicaVars, SpecConstants, SpecState } from './types.js';

/** Outranked(r) == role[r] # "follower" /\ promised[r] > ballot[r] */
export const outranked = (v: ReplicaVars): boolean => v.role !== 'follower' && v.promised > v.ballot;

/*
FollowUp(r) ==
  \/ BecomeLeader(r)
  \/ \E p \in proposals[r] : p.votes = {} /\ Phase2a(r, p.slot, p.cmd)
  \/ \E s \in Slots : Decide(r, s)
  \/ Execute(r)
  \/ Outranked(r) /\ StepDown(r)
*/
export function isFollowUp(k: SpecConstants, s: SpecState, a: SpecAction): boolean {
  const i = k.replicas.indexOf(a.node);
  if (i < 0) return false;
  const v = s.replicas[i] as ReplicaVars;
  switch (a.action) {
    case 'BecomeLeader':
    case 'Decide':
    case 'Execute':
      return true;
    case 'Phase2a':
      return v.proposals.some((p) => p.slot === a.slot && p.votes.length === 0);
    case 'StepDown':
      return outranked(v);
    default:
      return false;
  }
}

/*
AtomicNext(Crashable) ==
  IF \E r \in Replicas : ENABLED FollowUp(r)
  THEN \E r \in Replicas : FollowUp(r)
  ELSE \/ \E r \in Replicas : ReplicaStep(r)
       \/ \E r \in Crashable : Restart(r)
       \/ \E c \in Clients : ClientStep(c)
*/
export function atomicSuccessors(
  k: SpecConstants,
  crashable: ReadonlySet<string>,
  s: SpecState,
): { action: SpecAction; state: SpecState }[] {
  const all = successors(k, s);
  const follow = all.filter((x) => isFollowUp(k, s, x.action));
  if (follow.length > 0) return follow;
  return all.filter((x) => x.action.action !== 'Restart' || crashable.has(x.action.node));
}
