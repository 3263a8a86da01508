-------------------------------- MODULE Smr ---------------------------------
(***************************************************************************)
(* Multi-Paxos state machine replication, at the granularity of the        *)
(* reference core in src/core: every action below is one `Trace` event the *)
(* core reports, with the same name, and src/spec holds a TypeScript twin  *)
(* with one function per action.  spec/README.md has the table.            *)
(*                                                                         *)
(* Sources: Lamport, "Paxos Made Simple" (2001), sections 2 and 3; his     *)
(* Paxos.tla, whose section order this module follows; the practical      *)
(* tlaplus/Examples MultiPaxos-SMR spec (client-observed linearizability); *)
(* etcd-io/raft's tla/ folder (spec, model and trace modules side by       *)
(* side).                                                                  *)
(*                                                                         *)
(* The network is Lamport's: `msgs` is the set of every message ever sent. *)
(* A message is never removed, so loss is "never received", duplication   *)
(* is "received twice" and reordering is free.  Heartbeats, catch-up       *)
(* requests, failure-detector timers and retransmissions only serve        *)
(* liveness: they are not modelled (the core's steps that only do those    *)
(* are stuttering steps of this spec).                                     *)
(*                                                                         *)
(* Extensions planned as separate actions and modules (a later issue):     *)
(* checkpoints (a CHECKPOINT command and log truncation), reconfiguration  *)
(* (JOIN/QUIT commands, a configuration per epoch), state transfer and     *)
(* audit.  They add command kinds to Cmds and disjuncts to Next; nothing   *)
(* here assumes the configuration is fixed beyond `Quorums`.               *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
  ReplicaSeq,  \* The replicas, in ballot order, e.g. <<"r1", "r2", "r3">>.
  Clients,     \* The clients.
  MaxSeq,      \* Each client issues requests 1..MaxSeq, one at a time.
  NumSlots,    \* The log has slots 0..NumSlots-1.
  MaxBallot    \* Ballots are the numbers 0..MaxBallot.

N == Len(ReplicaSeq)
Replicas == {ReplicaSeq[i] : i \in 1..N}

ASSUME /\ N \in Nat \ {0}
       /\ \A i, j \in 1..N : i # j => ReplicaSeq[i] # ReplicaSeq[j]
       /\ Clients \cap Replicas = {}
       /\ MaxSeq \in Nat /\ NumSlots \in Nat /\ MaxBallot \in Nat

(***************************************************************************)
(* A ballot is a number.  Ballot b is owned by replica ReplicaSeq[b%N+1]   *)
(* and belongs to round b\div N + 1, so the core's ballot (round, leader), *)
(* ordered by round then leader, is the number (round-1)*N + index(leader) *)
(* (Paxos Made Simple 2.2: disjoint sets of proposal numbers per           *)
(* proposer).  NoBallot is the core's ZERO_BALLOT, below every ballot.     *)
(***************************************************************************)
Ballots == 0..MaxBallot
NoBallot == -1
Owner(b) == ReplicaSeq[(b % N) + 1]

Slots == 0..(NumSlots - 1)

(***************************************************************************)
(* Any two majorities intersect (Paxos Made Simple 2.2).                   *)
(***************************************************************************)
Quorums == {Q \in SUBSET Replicas : 2 * Cardinality(Q) > N}

(***************************************************************************)
(* Commands, as in the core's Command type.  Every operation of the        *)
(* replicated app is an increment of a counter whose output is the new     *)
(* value (the core's counter app with `inc` ops), so an output is the      *)
(* position of the request among the requests applied so far.             *)
(***************************************************************************)
Noop == [kind |-> "noop"]
Requests == [kind : {"op"}, client : Clients, seq : 1..MaxSeq]
Cmds == Requests \cup {Noop}

Outputs == 0..NumSlots
Fail == -1      \* A client's outcome when every replica answered and no
                \* majority agrees (seed: System Failure).
Undecided == -2 \* Not an outcome yet.

Entries == [slot : Slots, bal : Ballots, cmd : Cmds]   \* accepted values
Chosen == [slot : Slots, cmd : Cmds]                   \* learned values
Session == [seq : 0..MaxSeq, output : Outputs]
NoSession == [seq |-> 0, output |-> 0]

(***************************************************************************)
(* Messages, as in the core's message types.  Promise and Accepted go to   *)
(* the ballot's owner; Prepare and Accept to every other replica; Request  *)
(* from a client to every replica; Reply from a replica to `to`.  The      *)
(* core's Decision and CatchUpReply messages are abstracted by Learn.      *)
(***************************************************************************)
Messages ==
       [type : {"Prepare"}, from : Replicas, bal : Ballots, fromSlot : 0..NumSlots]
  \cup [type : {"Promise"}, from : Replicas, bal : Ballots, accepted : SUBSET Entries]
  \cup [type : {"Accept"}, from : Replicas, bal : Ballots, slot : Slots, cmd : Cmds]
  \cup [type : {"Accepted"}, from : Replicas, bal : Ballots, slot : Slots]
  \cup [type : {"Request"}, from : Clients, seq : 1..MaxSeq]
  \cup [type : {"Reply"}, from : Replicas, to : Clients, seq : 1..MaxSeq, output : Outputs]

-----------------------------------------------------------------------------
VARIABLES
  (*************************************************************************)
  (* Durable: persisted before any message leaves, kept by Restart         *)
  (* (Paxos Made Simple 2.3).                                              *)
  (*************************************************************************)
  promised,    \* promised[r]: the highest ballot r promised, or NoBallot.
  accepted,    \* accepted[r]: at most one Entries record per slot.
  chosen,      \* chosen[r]: the Chosen records r learned.
  (*************************************************************************)
  (* Volatile: lost by Restart.  Fields that mean nothing in the current   *)
  (* role are kept at their initial values, so that a state is determined  *)
  (* by what matters.                                                      *)
  (*************************************************************************)
  role,        \* role[r] \in {"follower", "candidate", "leader"}.
  ballot,      \* ballot[r]: the ballot r seeks or leads, NoBallot if follower.
  prepareFrom, \* prepareFrom[r]: first slot a candidate's phase 1 covers.
  promises,    \* promises[r]: a candidate's [from, accepted] reports.
  proposals,   \* proposals[r]: a leader's [slot, cmd, votes]; votes = {}
               \* marks a value adopted by BecomeLeader not yet proposed.
  nextSlot,    \* nextSlot[r]: a leader's next slot for a new request.
  executed,    \* executed[r]: slots 0..executed[r]-1 are executed.
  sessions,    \* sessions[r][c]: the last request of c applied, and its output.
  app,         \* app[r]: the counter, i.e. the number of requests applied.
  (*************************************************************************)
  (* Clients (the core's client reducer, majority voting).                 *)
  (*************************************************************************)
  clientSeq,   \* clientSeq[c]: the last sequence number c used.
  pending,     \* pending[c]: is request clientSeq[c] waiting for its outcome?
  replies,     \* replies[c]: the [from, output] votes for the pending request.
  (*************************************************************************)
  (* The network and a history variable.                                   *)
  (*************************************************************************)
  msgs,        \* Every message ever sent.
  done         \* Ghost: the [client, seq, output] outcomes clients accepted.

durableVars == <<promised, accepted, chosen>>
leaderVars == <<role, ballot, prepareFrom, promises, proposals, nextSlot>>
execVars == <<executed, sessions, app>>
clientVars == <<clientSeq, pending, replies>>
vars == <<durableVars, leaderVars, execVars, clientVars, msgs, done>>

TypeOK ==
  /\ promised \in [Replicas -> Ballots \cup {NoBallot}]
  /\ accepted \in [Replicas -> SUBSET Entries]
  /\ chosen \in [Replicas -> SUBSET Chosen]
  /\ role \in [Replicas -> {"follower", "candidate", "leader"}]
  /\ ballot \in [Replicas -> Ballots \cup {NoBallot}]
  /\ prepareFrom \in [Replicas -> 0..NumSlots]
  /\ promises \in [Replicas -> SUBSET [from : Replicas, accepted : SUBSET Entries]]
  /\ proposals \in [Replicas -> SUBSET [slot : Slots, cmd : Cmds, votes : SUBSET Replicas]]
  /\ nextSlot \in [Replicas -> 0..NumSlots]
  /\ executed \in [Replicas -> 0..NumSlots]
  /\ sessions \in [Replicas -> [Clients -> Session]]
  /\ app \in [Replicas -> Outputs]
  /\ clientSeq \in [Clients -> 0..MaxSeq]
  /\ pending \in [Clients -> BOOLEAN]
  /\ replies \in [Clients -> SUBSET [from : Replicas, output : Outputs]]
  /\ msgs \subseteq Messages
  /\ done \subseteq [client : Clients, seq : 1..MaxSeq, output : Outputs \cup {Fail}]

-----------------------------------------------------------------------------
(***************************************************************************)
(* Helpers.                                                                *)
(***************************************************************************)
Max(S) == CHOOSE x \in S : \A y \in S : y \leq x
Min(S) == CHOOSE x \in S : \A y \in S : x \leq y

Send(m) == msgs' = msgs \cup {m}

ChosenSlots(r) == {e.slot : e \in chosen[r]}
ChosenCmd(r, s) == (CHOOSE e \in chosen[r] : e.slot = s).cmd

\* The first slot r does not know to be chosen (the core's chosenPrefix).
ChosenPrefix(r) ==
  CHOOSE s \in 0..NumSlots : /\ s \notin ChosenSlots(r)
                             /\ \A t \in 0..(s - 1) : t \in ChosenSlots(r)

\* The first slot at or after nextSlot[r] that r does not know chosen.
NextFree(r) ==
  CHOOSE s \in nextSlot[r]..NumSlots :
    /\ s \notin ChosenSlots(r)
    /\ \A t \in nextSlot[r]..(s - 1) : t \in ChosenSlots(r)

AcceptedFrom(r, s) == {e \in accepted[r] : e.slot >= s}

\* Replace the record for slot e.slot in a set of per-slot records.
PutSlot(S, e) == {x \in S : x.slot # e.slot} \cup {e}

(***************************************************************************)
(* P2c (Paxos Made Simple 2.2): in slot s, a new leader proposes the value *)
(* of the highest-ballot report, or a no-op if no acceptor of the quorum   *)
(* reported one.  Two reports with the same ballot carry the same value.  *)
(***************************************************************************)
Adopt(reports, s) ==
  LET here == {e \in reports : e.slot = s}
  IN  IF here = {} THEN Noop
      ELSE (CHOOSE e \in here : \A f \in here : f.bal \leq e.bal).cmd

\* The outcome of a client's votes (the core's `decide`, majority policy).
Outcome(vs) ==
  LET agree(o) == {v \in vs : v.output = o}
  IN  IF \E v \in vs : 2 * Cardinality(agree(v.output)) > N
      THEN (CHOOSE v \in vs : 2 * Cardinality(agree(v.output)) > N).output
      ELSE IF Cardinality(vs) = N THEN Fail ELSE Undecided

-----------------------------------------------------------------------------
Init ==
  /\ promised = [r \in Replicas |-> NoBallot]
  /\ accepted = [r \in Replicas |-> {}]
  /\ chosen = [r \in Replicas |-> {}]
  /\ role = [r \in Replicas |-> "follower"]
  /\ ballot = [r \in Replicas |-> NoBallot]
  /\ prepareFrom = [r \in Replicas |-> 0]
  /\ promises = [r \in Replicas |-> {}]
  /\ proposals = [r \in Replicas |-> {}]
  /\ nextSlot = [r \in Replicas |-> 0]
  /\ executed = [r \in Replicas |-> 0]
  /\ sessions = [r \in Replicas |-> [c \in Clients |-> NoSession]]
  /\ app = [r \in Replicas |-> 0]
  /\ clientSeq = [c \in Clients |-> 0]
  /\ pending = [c \in Clients |-> FALSE]
  /\ replies = [c \in Clients |-> {}]
  /\ msgs = {}
  /\ done = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* Phase1a(r, b): r, not leading, starts a candidacy with a ballot b it    *)
(* owns above its promise, for every slot from its chosen prefix on at     *)
(* once (Multi-Paxos: one phase 1 for all open slots, Paxos Made Simple    *)
(* 3).  It promises b to itself, durably, and counts its own accepted      *)
(* values as its own report.  The core picks the smallest such ballot      *)
(* above the highest it has seen; the spec allows any.                     *)
(***************************************************************************)
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

(***************************************************************************)
(* Phase1b(r, m): replica r receives another replica's Prepare m with a    *)
(* ballot at least its promise.  It promises never to take part in a lower *)
(* ballot (durably) and reports every value it accepted from m.fromSlot    *)
(* on.  A leader or candidate so outranked steps down next (StepDown).     *)
(***************************************************************************)
Phase1b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Prepare"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ Send([type |-> "Promise", from |-> r, bal |-> m.bal,
           accepted |-> AcceptedFrom(r, m.fromSlot)])
  /\ UNCHANGED <<accepted, chosen, leaderVars, execVars, clientVars, done>>

(***************************************************************************)
(* ReceivePromise(r, m): a candidate records the promise m for its current *)
(* ballot (a duplicate replaces the earlier copy, which is identical).     *)
(***************************************************************************)
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

(***************************************************************************)
(* BecomeLeader(r): with promises from a quorum, the candidate leads.  In  *)
(* every slot from prepareFrom up to the highest slot reported (or known   *)
(* chosen) that r does not know chosen, it must propose the adopted value  *)
(* (Adopt: P2c), or a no-op to fill a gap; it records those as proposals   *)
(* with no votes yet, and Phase2a proposes them.  New requests go to the   *)
(* slots after them.                                                       *)
(***************************************************************************)
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

(***************************************************************************)
(* Phase2a(r, s, v): leader r proposes v in slot s at its ballot, accepts  *)
(* it itself (durably) and asks the others to accept it.  Either v is the  *)
(* value BecomeLeader adopted for s, or, once all of those are proposed, v *)
(* is a client request r received and has not in flight, and s is the     *)
(* next free slot.  The core may propose a request again when it comes    *)
(* back from its window queue; the spec allows that, and the session      *)
(* table makes the second copy a no-op (ExactlyOnce).                     *)
(***************************************************************************)
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

(***************************************************************************)
(* Phase2b(r, m): replica r receives another replica's Accept m with a     *)
(* ballot at least its promise: it accepts the value (durably, raising its *)
(* promise to m.bal) and tells the ballot's leader.                        *)
(***************************************************************************)
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

(***************************************************************************)
(* ReceiveAccepted(r, m): the leader counts the vote m for its proposal in *)
(* m.slot, only if m is in the leader's own ballot.                        *)
(***************************************************************************)
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

(***************************************************************************)
(* Decide(r, s): a quorum accepted the leader's proposal in slot s in one  *)
(* ballot, so it is chosen: the leader retires the proposal and learns the *)
(* command (durably) unless it already knew it.                            *)
(***************************************************************************)
Decide(r, s) ==
  /\ role[r] = "leader"
  /\ \E p \in proposals[r] : p.slot = s /\ p.votes \in Quorums
  /\ LET p == CHOOSE p \in proposals[r] : p.slot = s
     IN  /\ proposals' = [proposals EXCEPT ![r] = @ \ {p}]
         /\ chosen' = IF s \in ChosenSlots(r) THEN chosen
                      ELSE [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> p.cmd]}]
  /\ UNCHANGED <<promised, accepted, role, ballot, prepareFrom, promises,
                 nextSlot, execVars, clientVars, msgs, done>>

(***************************************************************************)
(* Learn(r, s, v): r learns (durably) that v is chosen in slot s from a    *)
(* replica that knows it: the leader's Decision or a peer's catch-up reply *)
(* in the core.  Learned values are durable, so "some replica has learned *)
(* it" is the same as "some message carrying it was sent".                *)
(***************************************************************************)
Learn(r, s, v) ==
  /\ s \notin ChosenSlots(r)
  /\ \E q \in Replicas \ {r} : [slot |-> s, cmd |-> v] \in chosen[q]
  /\ chosen' = [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> v]}]
  /\ UNCHANGED <<promised, accepted, leaderVars, execVars, clientVars, msgs, done>>

(***************************************************************************)
(* Execute(r): r executes the next slot in order (seed: the state machine  *)
(* approach).  A no-op, or a request its session table shows was already  *)
(* applied, is skipped (exactly-once); otherwise the counter is applied,   *)
(* the output is cached in the session and sent to the client.            *)
(***************************************************************************)
Execute(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ LET cmd == ChosenCmd(r, executed[r])
     IN  /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ IF cmd.kind = "noop" \/ sessions[r][cmd.client].seq >= cmd.seq
            THEN UNCHANGED <<sessions, app, msgs>>
            ELSE /\ app' = [app EXCEPT ![r] = @ + 1]
                 /\ sessions' = [sessions EXCEPT ![r][cmd.client] =
                                   [seq |-> cmd.seq, output |-> app[r] + 1]]
                 /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client,
                          seq |-> cmd.seq, output |-> app[r] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, clientVars, done>>

(***************************************************************************)
(* ReplyFromSession(r, m): a request that r already executed arrives       *)
(* again (a retransmission): r answers with the cached output, so the      *)
(* client can still collect a majority.  In this network the reply was     *)
(* already sent when r executed the request, so the step only stutters;   *)
(* it is here so that the core's event has its action.                    *)
(***************************************************************************)
ReplyFromSession(r, m) ==
  /\ m \in msgs
  /\ m.type = "Request"
  /\ sessions[r][m.from].seq = m.seq
  /\ Send([type |-> "Reply", from |-> r, to |-> m.from, seq |-> m.seq,
           output |-> sessions[r][m.from].output])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, done>>

(***************************************************************************)
(* StepDown(r): r abandons its candidacy or leadership, and with it its    *)
(* promises and proposals.  Always safe; the core does it when outranked   *)
(* or when its failure detector trusts another replica.                   *)
(***************************************************************************)
StepDown(r) ==
  /\ role[r] # "follower"
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, execVars, clientVars, msgs, done>>

(***************************************************************************)
(* Restart(r): r crashed and restarts.  Its durable state (promise,        *)
(* accepted values, learned log) is what it persisted; everything else     *)
(* starts over, and Execute replays the log into a fresh app.  A crashed   *)
(* replica simply takes no steps, and messages to it are never received.  *)
(***************************************************************************)
Restart(r) ==
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ executed' = [executed EXCEPT ![r] = 0]
  /\ sessions' = [sessions EXCEPT ![r] = [c \in Clients |-> NoSession]]
  /\ app' = [app EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, clientVars, msgs, done>>

(***************************************************************************)
(* ClientRequest(c): client c, with nothing pending, issues its next       *)
(* request to every replica.                                               *)
(***************************************************************************)
ClientRequest(c) ==
  /\ ~pending[c]
  /\ clientSeq[c] < MaxSeq
  /\ clientSeq' = [clientSeq EXCEPT ![c] = @ + 1]
  /\ pending' = [pending EXCEPT ![c] = TRUE]
  /\ replies' = [replies EXCEPT ![c] = {}]
  /\ Send([type |-> "Request", from |-> c, seq |-> clientSeq[c] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, done>>

(***************************************************************************)
(* ClientReceive(c, m): c takes the first reply of each replica to its     *)
(* pending request.  Once a majority returned the same output it accepts   *)
(* that output; once every replica answered without a majority it gives    *)
(* up with Fail (seed: sending outputs, System Failure).                   *)
(***************************************************************************)
ClientReceive(c, m) ==
  /\ pending[c]
  /\ m \in msgs
  /\ m.type = "Reply"
  /\ m.to = c
  /\ m.seq = clientSeq[c]
  /\ m.from \notin {v.from : v \in replies[c]}
  /\ LET vs == replies[c] \cup {[from |-> m.from, output |-> m.output]}
         out == Outcome(vs)
     IN  IF out = Undecided
         THEN /\ replies' = [replies EXCEPT ![c] = vs]
              /\ UNCHANGED <<pending, done>>
         ELSE /\ replies' = [replies EXCEPT ![c] = {}]
              /\ pending' = [pending EXCEPT ![c] = FALSE]
              /\ done' = done \cup {[client |-> c, seq |-> clientSeq[c], output |-> out]}
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientSeq, msgs>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The steps of replica r other than Restart, and the steps of client c.   *)
(***************************************************************************)
ReplicaStep(r) ==
  \/ \E b \in Ballots : Phase1a(r, b)
  \/ BecomeLeader(r)
  \/ Execute(r)
  \/ StepDown(r)
  \/ \E s \in Slots : Decide(r, s)
  \/ \E s \in Slots, v \in Cmds : Phase2a(r, s, v) \/ Learn(r, s, v)
  \/ \E m \in msgs : \/ Phase1b(r, m)
                     \/ ReceivePromise(r, m)
                     \/ Phase2b(r, m)
                     \/ ReceiveAccepted(r, m)
                     \/ ReplyFromSession(r, m)

ClientStep(c) ==
  \/ ClientRequest(c)
  \/ \E m \in msgs : ClientReceive(c, m)

Next ==
  \/ \E r \in Replicas : ReplicaStep(r) \/ Restart(r)
  \/ \E c \in Clients : ClientStep(c)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
(***************************************************************************)
(* Refinement of Consensus, slot by slot (Lamport's Paxos.tla: `THEOREM    *)
(* Spec => V!Spec`).  A command is chosen in slot s when a quorum voted    *)
(* for it in one ballot.  A leader's vote is its own Accept message (it    *)
(* accepts what it proposes), an acceptor's vote is its Accepted message   *)
(* for the Accept's ballot and slot (a leader proposes one value per slot  *)
(* in its ballot, so the Accepted names the value).                        *)
(***************************************************************************)
\* The replicas that voted for the value of Accept message a: its sender,
\* and every acceptor that answered it.
Voters(a) ==
  {a.from} \cup {q \in Replicas : [type |-> "Accepted", from |-> q, bal |-> a.bal,
                                   slot |-> a.slot] \in msgs}

ChosenAt(s) ==
  {a.cmd : a \in {a \in msgs : /\ a.type = "Accept"
                               /\ a.slot = s
                               /\ 2 * Cardinality(Voters(a)) > N}}

C(s) == INSTANCE Consensus WITH Value <- Cmds, chosen <- ChosenAt(s)

ConsensusRefinement == \A s \in Slots : C(s)!Spec

THEOREM Spec => ConsensusRefinement

-----------------------------------------------------------------------------
(***************************************************************************)
(* Dead messages.  Some sent messages can never again enable a step that   *)
(* changes the state: a Promise once its ballot's owner is no longer a     *)
(* candidate at that ballot (ballots are never reused), a Prepare once     *)
(* every other replica promised at least its ballot (a repeated promise    *)
(* only re-sends the same Promise), a Reply once its client stopped        *)
(* waiting for that request.  Once dead, a message stays dead.  The MC     *)
(* models check the VIEW of a state without its dead messages, which      *)
(* merges states that have the same future (the twin's tests check that    *)
(* a step on a dead message never changes the view).                      *)
(***************************************************************************)
Live(m) ==
  CASE m.type = "Promise" -> /\ role[Owner(m.bal)] = "candidate"
                             /\ ballot[Owner(m.bal)] = m.bal
    [] m.type = "Prepare" -> \E r \in Replicas \ {m.from} : promised[r] < m.bal
    [] m.type = "Reply"   -> pending[m.to] /\ clientSeq[m.to] = m.seq
    [] OTHER              -> TRUE

LiveView == <<durableVars, leaderVars, execVars, clientVars, {m \in msgs : Live(m)}, done>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The core's atomicity.  The core performs some actions inside the        *)
(* reducer step that enabled them: BecomeLeader as soon as a quorum        *)
(* promised, Phase2a of every adopted value right after BecomeLeader,      *)
(* Decide as soon as a quorum voted, Execute as soon as a slot is next in  *)
(* order, StepDown as soon as the replica is outranked.  Spec allows any   *)
(* interleaving (a trace of another implementation may show one); the MC   *)
(* models check AtomicSpec, in which such follow-up steps happen before    *)
(* anything else, and only the replicas in Crashable crash.  Every         *)
(* behaviour of AtomicSpec is one of Spec, and every behaviour of the core *)
(* is one of AtomicSpec.                                                   *)
(***************************************************************************)
Outranked(r) == role[r] # "follower" /\ promised[r] > ballot[r]

FollowUp(r) ==
  \/ BecomeLeader(r)
  \/ \E p \in proposals[r] : p.votes = {} /\ Phase2a(r, p.slot, p.cmd)
  \/ \E s \in Slots : Decide(r, s)
  \/ Execute(r)
  \/ Outranked(r) /\ StepDown(r)

AtomicNext(Crashable) ==
  IF \E r \in Replicas : ENABLED FollowUp(r)
  THEN \E r \in Replicas : FollowUp(r)
  ELSE \/ \E r \in Replicas : ReplicaStep(r)
       \/ \E r \in Crashable : Restart(r)
       \/ \E c \in Clients : ClientStep(c)

AtomicSpec(Crashable) == Init /\ [][AtomicNext(Crashable)]_vars

THEOREM \A X \in SUBSET Replicas : AtomicSpec(X) => Spec

-----------------------------------------------------------------------------
(***************************************************************************)
(* The invariants of DESIGN.md, split into named parts (TLC only says      *)
(* which invariant is violated, not which part).                           *)
(***************************************************************************)

\* Agreement: at most one command is chosen per slot, and a replica only
\* learns the chosen one.
Agreement ==
  LET chosenAt == [s \in Slots |-> ChosenAt(s)]
  IN  /\ \A s \in Slots : Cardinality(chosenAt[s]) \leq 1
      /\ \A r \in Replicas : \A e \in chosen[r] : e.cmd \in chosenAt[e.slot]

\* Validity: only no-ops and requests clients issued are learned.
Validity ==
  \A r \in Replicas : \A e \in chosen[r] :
    e.cmd.kind = "noop" \/ e.cmd.seq \leq clientSeq[e.cmd.client]

\* The distinct requests in r's log below slot k.
RequestsBelow(r, k) == {e.cmd : e \in {x \in chosen[r] : x.slot < k /\ x.cmd.kind = "op"}}

\* ExactlyOnce: the app applied each request in the executed prefix once.
ExactlyOnce ==
  \A r \in Replicas : app[r] = Cardinality(RequestsBelow(r, executed[r]))

\* PrefixConsistency: a replica executes only learned slots, in order, and
\* two replicas that executed the same prefix have the same app state.
PrefixConsistency ==
  /\ \A r \in Replicas : \A s \in 0..(executed[r] - 1) : s \in ChosenSlots(r)
  /\ \A r, q \in Replicas :
       executed[r] = executed[q] => /\ app[r] = app[q]
                                    /\ sessions[r] = sessions[q]

(***************************************************************************)
(* Linearizability, client-observed (as in MultiPaxos-SMR): the chosen log *)
(* is the linearization.  An accepted output must be the position of the   *)
(* request among the distinct requests of the log, i.e. the counter value  *)
(* a sequential execution in log order returns; real-time order follows,  *)
(* since a request completes only after every slot before it is chosen.   *)
(* With replicas that only crash, no client ever gets Fail.                *)
(***************************************************************************)
Log == UNION {chosen[r] : r \in Replicas}

Position(cmd) ==
  LET first == Min({e.slot : e \in {x \in Log : x.cmd = cmd}})
  IN  1 + Cardinality({e.cmd : e \in {x \in Log : x.slot < first /\ x.cmd.kind = "op"}} \ {cmd})

Linearizability ==
  \A d \in done :
    LET cmd == [kind |-> "op", client |-> d.client, seq |-> d.seq]
    IN  /\ d.output # Fail
        /\ \E e \in Log : e.cmd = cmd
        /\ d.output = Position(cmd)

(***************************************************************************)
(* Durability: what a replica persisted is never lost or rolled back: its  *)
(* promise never falls, a learned slot stays learned, an accepted slot     *)
(* never goes back to a lower ballot (checked as an action property).      *)
(***************************************************************************)
DurableStep ==
  \A r \in Replicas :
    /\ promised'[r] >= promised[r]
    /\ chosen[r] \subseteq chosen'[r]
    /\ \A e \in accepted[r] : \E f \in accepted'[r] : f.slot = e.slot /\ f.bal >= e.bal

Durability == [][DurableStep]_vars
=============================================================================
