/**
 * Phase 2 of spec/Smr.tla (Paxos Made Simple §2.2–3): Phase2a, Phase2b, ReceiveAccepted, Decide.
 * Each function is the TLA+ action of the same name: the next state, or the failed conjunct.
 */
import {
  addMsg,
  fail,
  hasMsg,
  insertSorted,
  isChosenSlot,
  isQuorum,
  nextFree,
  ok,
  putSlot,
  replicaIndex,
  sameCmd,
  withReplica,
} from './state.js';
import type { Cmd, Msg, ReplicaId, ReplicaVars, SpecConstants, SpecState, Step } from './types.js';

/*
Phase2a(r, s, v) ==
  /\ role[r] = "leader"
  /\ promised[r] = ballot[r]
  /\ \/ [slot |-> s, cmd |-> v, votes |-> {}] \in proposals[r]
     \/ /\ \A p \in proposals[r] : p.votes # {}
        /\ s = NextFree(r)
        /\ v \in Requests
        /\ [type |-> "Request", from |-> v.client, seq |-> v.seq] \in msgs
        /\ \A p \in proposals[r] : p.cmd # v
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> s, bal |-> ballot[r], cmd |-> v])]
  /\ proposals' = [proposals EXCEPT ![r] =
                     PutSlot(@, [slot |-> s, cmd |-> v, votes |-> {r}])]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = IF s + 1 > @ THEN s + 1 ELSE @]
  /\ Send([type |-> "Accept", from |-> r, bal |-> ballot[r], slot |-> s, cmd |-> v])
  /\ UNCHANGED <<promised, chosen, role, ballot, prepareFrom, promises,
                 execVars, clientVars, done>>
*/
export function Phase2a(k: SpecConstants, s: SpecState, r: ReplicaId, slot: number, cmd: Cmd): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role !== 'leader') return fail('role[r] = "leader"');
  if (v.promised !== v.ballot) return fail('promised[r] = ballot[r]');
  const planned = v.proposals.some((p) => p.slot === slot && p.votes.length === 0 && sameCmd(p.cmd, cmd));
  if (!planned) {
    if (v.proposals.some((p) => p.votes.length === 0)) return fail('\\A p \\in proposals[r] : p.votes # {}');
    if (slot !== nextFree(v) || slot >= k.numSlots) return fail('s = NextFree(r)');
    if (cmd.kind !== 'op') return fail('v \\in Requests');
    if (!hasMsg(s.msgs, { type: 'Request', from: cmd.client, seq: cmd.seq })) {
      return fail('[type |-> "Request", from |-> v.client, seq |-> v.seq] \\in msgs');
    }
    if (v.proposals.some((p) => sameCmd(p.cmd, cmd))) return fail('\\A p \\in proposals[r] : p.cmd # v');
  }
  const next = withReplica(s, i, {
    accepted: putSlot(v.accepted, { slot, bal: v.ballot, cmd }),
    proposals: putSlot(v.proposals, { slot, cmd, votes: [r] }),
    nextSlot: Math.max(v.nextSlot, slot + 1),
  });
  return ok({ ...next, msgs: addMsg(s.msgs, { type: 'Accept', from: r, bal: v.ballot, slot, cmd }) });
}

/*
Phase2b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Accept"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> m.slot, bal |-> m.bal, cmd |-> m.cmd])]
  /\ Send([type |-> "Accepted", from |-> r, bal |-> m.bal, slot |-> m.slot])
  /\ UNCHANGED <<chosen, leaderVars, execVars, clientVars, done>>
*/
export function Phase2b(k: SpecConstants, s: SpecState, r: ReplicaId, m: Msg): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Accept') return fail('m.type = "Accept"');
  if (m.from === r) return fail('m.from # r');
  if (!(m.bal >= v.promised)) return fail('m.bal >= promised[r]');
  const next = withReplica(s, i, {
    promised: m.bal,
    accepted: putSlot(v.accepted, { slot: m.slot, bal: m.bal, cmd: m.cmd }),
  });
  return ok({ ...next, msgs: addMsg(s.msgs, { type: 'Accepted', from: r, bal: m.bal, slot: m.slot }) });
}

/*
ReceiveAccepted(r, m) ==
  /\ role[r] = "leader"
  /\ m \in msgs
  /\ m.type = "Accepted"
  /\ m.bal = ballot[r]
  /\ \E p \in proposals[r] : p.slot = m.slot /\ p.votes # {}
  /\ proposals' = [proposals EXCEPT ![r] =
                     {IF p.slot = m.slot THEN [p EXCEPT !.votes = @ \cup {m.from}]
                                         ELSE p : p \in @}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promises, nextSlot,
                 execVars, clientVars, msgs, done>>
*/
export function ReceiveAccepted(k: SpecConstants, s: SpecState, r: ReplicaId, m: Msg): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role !== 'leader') return fail('role[r] = "leader"');
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Accepted') return fail('m.type = "Accepted"');
  if (m.bal !== v.ballot) return fail('m.bal = ballot[r]');
  const p = v.proposals.find((x) => x.slot === m.slot && x.votes.length > 0);
  if (p === undefined) return fail('\\E p \\in proposals[r] : p.slot = m.slot /\\ p.votes # {}');
  const votes = insertSorted(p.votes, m.from);
  if (votes === p.votes) return ok(s);
  return ok(withReplica(s, i, { proposals: putSlot(v.proposals, { ...p, votes }) }));
}

/*
Decide(r, s) ==
  /\ role[r] = "leader"
  /\ \E p \in proposals[r] : p.slot = s /\ p.votes \in Quorums
  /\ LET p == CHOOSE p \in proposals[r] : p.slot = s
     IN  /\ proposals' = [proposals EXCEPT ![r] = @ \ {p}]
         /\ chosen' = IF s \in ChosenSlots(r) THEN chosen
                      ELSE [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> p.cmd]}]
  /\ UNCHANGED <<promised, accepted, role, ballot, prepareFrom, promises,
                 nextSlot, execVars, clientVars, msgs, done>>
*/
export function Decide(k: SpecConstants, s: SpecState, r: ReplicaId, slot: number): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role !== 'leader') return fail('role[r] = "leader"');
  const p = v.proposals.find((x) => x.slot === slot);
  if (p === undefined || !isQuorum(k, p.votes.length)) {
    return fail('\\E p \\in proposals[r] : p.slot = s /\\ p.votes \\in Quorums');
  }
  const proposals = v.proposals.filter((x) => x !== p);
  const chosen = isChosenSlot(v, slot) ? v.chosen : putSlot(v.chosen, { slot, cmd: p.cmd });
  return ok(withReplica(s, i, { proposals, chosen }));
}
