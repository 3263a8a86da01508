/**
 * Phase 1 of spec/Smr.tla (Paxos Made Simple §2.2–3): Phase1a, Phase1b, ReceivePromise,
 * BecomeLeader. Each function is the TLA+ action of the same name: it returns the next state, or
 * the first guard conjunct (as written in Smr.tla) that does not hold.
 */
import {
  acceptedFrom,
  addMsg,
  adopt,
  chosenPrefix,
  fail,
  hasMsg,
  isChosenSlot,
  isQuorum,
  ok,
  owner,
  replicaIndex,
  withReplica,
} from './state.js';
import type { Entry, Msg, Proposal, ReplicaId, ReplicaVars, SpecConstants, SpecState, Step } from './types.js';

/*
Phase1a(r, b) ==
  /\ role[r] # "leader"
  /\ Owner(b) = r
  /\ b > promised[r]
  /\ LET from == ChosenPrefix(r)
     IN  /\ promised' = [promised EXCEPT ![r] = b]
         /\ role' = [role EXCEPT ![r] = "candidate"]
         /\ ballot' = [ballot EXCEPT ![r] = b]
         /\ prepareFrom' = [prepareFrom EXCEPT ![r] = from]
         /\ promises' = [promises EXCEPT ![r] =
                           {[from |-> r, accepted |-> AcceptedFrom(r, from)]}]
         /\ proposals' = [proposals EXCEPT ![r] = {}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
         /\ Send([type |-> "Prepare", from |-> r, bal |-> b, fromSlot |-> from])
  /\ UNCHANGED <<accepted, chosen, execVars, clientVars, done>>
*/
export function Phase1a(k: SpecConstants, s: SpecState, r: ReplicaId, b: number): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role === 'leader') return fail('role[r] # "leader"');
  if (!(b >= 0 && b <= k.maxBallot) || owner(k, b) !== r) return fail('Owner(b) = r');
  if (!(b > v.promised)) return fail('b > promised[r]');
  const from = chosenPrefix(v);
  const next = withReplica(s, i, {
    promised: b,
    role: 'candidate',
    ballot: b,
    prepareFrom: from,
    promises: [{ from: r, accepted: acceptedFrom(v, from) }],
    proposals: [],
    nextSlot: 0,
  });
  return ok({ ...next, msgs: addMsg(s.msgs, { type: 'Prepare', from: r, bal: b, fromSlot: from }) });
}

/*
Phase1b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Prepare"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ Send([type |-> "Promise", from |-> r, bal |-> m.bal,
           accepted |-> AcceptedFrom(r, m.fromSlot)])
  /\ UNCHANGED <<accepted, chosen, leaderVars, execVars, clientVars, done>>
*/
export function Phase1b(k: SpecConstants, s: SpecState, r: ReplicaId, m: Msg): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Prepare') return fail('m.type = "Prepare"');
  if (m.from === r) return fail('m.from # r');
  if (!(m.bal >= v.promised)) return fail('m.bal >= promised[r]');
  const next = v.promised === m.bal ? s : withReplica(s, i, { promised: m.bal });
  const promise: Msg = { type: 'Promise', from: r, bal: m.bal, accepted: acceptedFrom(v, m.fromSlot) };
  return ok({ ...next, msgs: addMsg(s.msgs, promise) });
}

/*
ReceivePromise(r, m) ==
  /\ role[r] = "candidate"
  /\ m \in msgs
  /\ m.type = "Promise"
  /\ m.bal = ballot[r]
  /\ promises' = [promises EXCEPT ![r] =
                    {p \in @ : p.from # m.from}
                      \cup {[from |-> m.from, accepted |-> m.accepted]}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, proposals, nextSlot,
                 execVars, clientVars, msgs, done>>
*/
export function ReceivePromise(k: SpecConstants, s: SpecState, r: ReplicaId, m: Msg): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role !== 'candidate') return fail('role[r] = "candidate"');
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Promise') return fail('m.type = "Promise"');
  if (m.bal !== v.ballot) return fail('m.bal = ballot[r]');
  const promises = v.promises.filter((p) => p.from !== m.from);
  promises.push({ from: m.from, accepted: m.accepted });
  promises.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return ok(withReplica(s, i, { promises }));
}

/*
BecomeLeader(r) ==
  /\ role[r] = "candidate"
  /\ {p.from : p \in promises[r]} \in Quorums
  /\ LET reports == UNION {p.accepted : p \in promises[r]}
         top == Max({prepareFrom[r] - 1} \cup {e.slot : e \in reports}
                      \cup ChosenSlots(r))
         open == {s \in prepareFrom[r]..top : s \notin ChosenSlots(r)}
     IN  /\ role' = [role EXCEPT ![r] = "leader"]
         /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
         /\ promises' = [promises EXCEPT ![r] = {}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = top + 1]
         /\ proposals' = [proposals EXCEPT ![r] =
                            {[slot |-> s, cmd |-> Adopt(reports, s), votes |-> {}] :
                               s \in open}]
  /\ UNCHANGED <<durableVars, ballot, execVars, clientVars, msgs, done>>
*/
export function BecomeLeader(k: SpecConstants, s: SpecState, r: ReplicaId): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role !== 'candidate') return fail('role[r] = "candidate"');
  if (!isQuorum(k, v.promises.length)) return fail('{p.from : p \\in promises[r]} \\in Quorums');
  const reports: Entry[] = v.promises.flatMap((p) => p.accepted);
  let top = v.prepareFrom - 1;
  for (const e of reports) top = Math.max(top, e.slot);
  for (const e of v.chosen) top = Math.max(top, e.slot);
  const proposals: Proposal[] = [];
  for (let slot = v.prepareFrom; slot <= top; slot++) {
    if (!isChosenSlot(v, slot)) proposals.push({ slot, cmd: adopt(reports, slot), votes: [] });
  }
  return ok(
    withReplica(s, i, { role: 'leader', prepareFrom: 0, promises: [], nextSlot: top + 1, proposals }),
  );
}
