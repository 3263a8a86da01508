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
(* Checkpoints (seed: "the state machine approach", checkpoints): a      *)
(* CHECKPOINT command is ordered like any request; executing it stores a  *)
(* copy of the state, after which the replica forgets the log entries it  *)
(* covers (Truncate), and a replica that lags behind a truncation is       *)
(* brought up to date by state transfer (InstallCheckpoint).               *)
(*                                                                         *)
(* Reconfiguration (seed: "Reconfiguration"; Lamport's alpha approach):   *)
(* JOIN r and QUIT r are commands in the log, issued by a client (an       *)
(* operator).  The configuration chosen at slot i governs the slots from   *)
(* i + Alpha on, so a leader, which proposes only within Alpha slots of    *)
(* what it knows chosen, always knows the configuration of the slot it     *)
(* proposes in; quorums are majorities of that configuration.  Audit (seed *)
(* step 6): after every AuditEvery slots a member sends the digest of its  *)
(* state; replicas that only crash always agree (AuditAgreement).  A       *)
(* replica that is faulty but keeps running is the explorer's fault model  *)
(* (harness/model, AuditDetects), not this spec's.                         *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets

CONSTANTS
  ReplicaSeq,  \* The replicas, in ballot order, e.g. <<"r1", "r2", "r3">>.
  Clients,     \* The clients.
  MaxSeq,      \* Each client issues requests 1..MaxSeq, one at a time.
  NumSlots,    \* The log has slots 0..NumSlots-1.
  MaxBallot,   \* Ballots are the numbers 0..MaxBallot.
  Script,      \* Script[c][q]: what client c's request q asks, a record
               \* [kind |-> "op"] (the app's operation) or
               \* [kind |-> "join" or "quit", replica |-> r].
  Members0,    \* The starting configuration; the other replicas observe.
  Alpha,       \* A configuration chosen at slot i governs from i + Alpha.
  AuditEvery   \* Members audit after every AuditEvery slots (0: never).

N == Len(ReplicaSeq)
Replicas == {ReplicaSeq[i] : i \in 1..N}

ASSUME /\ N \in Nat \ {0}
       /\ \A i, j \in 1..N : i # j => ReplicaSeq[i] # ReplicaSeq[j]
       /\ Clients \cap Replicas = {}
       /\ MaxSeq \in Nat /\ NumSlots \in Nat /\ MaxBallot \in Nat
       /\ Members0 \subseteq Replicas /\ 2 * Cardinality(Members0) > N
       /\ Alpha \in Nat \ {0} /\ AuditEvery \in Nat
       /\ \A c \in Clients, q \in 1..MaxSeq :
            \/ Script[c][q].kind = "op"
            \/ Script[c][q].kind \in {"join", "quit"} /\ Script[c][q].replica \in Replicas

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
(* Any two majorities of one configuration intersect (Paxos Made Simple    *)
(* 2.2).  Only the votes of the slot's configuration count.                *)
(***************************************************************************)
IsQuorumOf(Q, M) == 2 * Cardinality(Q \cap M) > Cardinality(M)

(***************************************************************************)
(* Commands, as in the core's Command type.  Every operation of the        *)
(* replicated app is an increment of a counter whose output is the new     *)
(* value (the core's counter app with `inc` ops), so an output is the      *)
(* position of the request among the requests applied so far.  Ckpt is    *)
(* the CHECKPOINT command a leader proposes (the core: when its log since  *)
(* the last checkpoint reaches `checkpointEvery` slots).  A JOIN or QUIT  *)
(* request names its replica; its output is the first slot the new        *)
(* configuration governs, or Refused.                                      *)
(***************************************************************************)
Noop == [kind |-> "noop"]
Ckpt == [kind |-> "checkpoint"]
CmdOf(c, q) ==
  IF Script[c][q].kind = "op" THEN [kind |-> "op", client |-> c, seq |-> q]
  ELSE [kind |-> Script[c][q].kind, client |-> c, seq |-> q, replica |-> Script[c][q].replica]
Requests == {CmdOf(c, q) : c \in Clients, q \in 1..MaxSeq}
Cmds == Requests \cup {Noop, Ckpt}
IsReconfig(cmd) == cmd.kind \in {"join", "quit"}

Refused == -3   \* The output of a JOIN or QUIT that was refused.
Outputs == 0..(NumSlots + Alpha) \cup {Refused}
Fail == -1      \* A client's outcome when every replica answered and no
                \* majority agrees (seed: System Failure).
Undecided == -2 \* Not an outcome yet.

Entries == [slot : Slots, bal : Ballots, cmd : Cmds]   \* accepted values
Chosen == [slot : Slots, cmd : Cmds]                   \* learned values
Session == [seq : 0..MaxSeq, output : Outputs]
NoSession == [seq |-> 0, output |-> 0]
NoSessions == [c \in Clients |-> NoSession]

(***************************************************************************)
(* A configuration history: the epochs [from, members], each governing the *)
(* slots from `from` until the next epoch.  It is a function of the        *)
(* executed log, part of the replicated state (checkpoints carry it).     *)
(***************************************************************************)
Epochs == [from : 0..(NumSlots + Alpha), members : SUBSET Replicas]
InitConf == {[from |-> 0, members |-> Members0]}

\* The members governing slot s.
MembersAt(E, s) ==
  (CHOOSE e \in E : e.from <= s /\ \A f \in E : f.from <= s => f.from <= e.from).members

\* The newest configuration, the one the next change modifies.
Latest(E) == (CHOOSE e \in E : \A f \in E : f.from <= e.from).members

(***************************************************************************)
(* A JOIN of a non-member or a QUIT of a member is applied, unless the     *)
(* QUIT would leave fewer than F+1 members (a majority of the deployment): *)
(* such a configuration could no longer outvote F faulty replicas at the   *)
(* client (seed: Quitting, "System Failure").  Anything else is refused.  *)
(***************************************************************************)
Applies(E, cmd) ==
  IF cmd.kind = "join" THEN cmd.replica \notin Latest(E)
  ELSE /\ cmd.replica \in Latest(E)
       /\ 2 * (Cardinality(Latest(E)) - 1) > N

Reconfigured(E, s, cmd) ==
  E \cup {[from |-> s + Alpha,
           members |-> IF cmd.kind = "join" THEN Latest(E) \cup {cmd.replica}
                       ELSE Latest(E) \ {cmd.replica}]}

\* A checkpoint: the state after executing slots 0..slot-1 (app, sessions, configuration).
Checkpoints == [slot : 0..NumSlots, app : Outputs, sessions : [Clients -> Session],
                conf : SUBSET Epochs]
NoCheckpoint == [slot |-> 0, app |-> 0, sessions |-> NoSessions, conf |-> InitConf]

(***************************************************************************)
(* Messages, as in the core's message types.  Promise and Accepted go to   *)
(* the ballot's owner; Prepare and Accept to every other replica; Request  *)
(* from a client to every replica; Reply from a replica to `to`.  A       *)
(* Promise also says where the acceptor's log starts (`ckpt`: the slots    *)
(* below it are truncated).  The core's Decision and CatchUpReply messages *)
(* are abstracted by Learn, its state-transfer chunks by InstallCheckpoint. *)
(* An Audit carries the digest of its sender's state after `slot` slots:   *)
(* the state itself here, a hash of it in the core.                       *)
(***************************************************************************)
Messages ==
       [type : {"Prepare"}, from : Replicas, bal : Ballots, fromSlot : 0..NumSlots]
  \cup [type : {"Promise"}, from : Replicas, bal : Ballots, accepted : SUBSET Entries,
        ckpt : 0..NumSlots]
  \cup [type : {"Accept"}, from : Replicas, bal : Ballots, slot : Slots, cmd : Cmds]
  \cup [type : {"Accepted"}, from : Replicas, bal : Ballots, slot : Slots]
  \cup [type : {"Request"}, from : Clients, seq : 1..MaxSeq]
  \cup [type : {"Reply"}, from : Replicas, to : Clients, seq : 1..MaxSeq, output : Outputs]
  \cup [type : {"Audit"}, from : Replicas, slot : 1..NumSlots,
        digest : [app : Outputs, sessions : [Clients -> Session], conf : SUBSET Epochs]]

-----------------------------------------------------------------------------
VARIABLES
  (*************************************************************************)
  (* Durable: persisted before any message leaves, kept by Restart         *)
  (* (Paxos Made Simple 2.3).                                              *)
  (*************************************************************************)
  promised,    \* promised[r]: the highest ballot r promised, or NoBallot.
  accepted,    \* accepted[r]: at most one Entries record per slot.
  chosen,      \* chosen[r]: the Chosen records r learned (and did not truncate).
  ckpt,        \* ckpt[r]: r's latest checkpoint; slots below ckpt[r].slot are
               \* executed and may be truncated.
  (*************************************************************************)
  (* Volatile: lost by Restart.  Fields that mean nothing in the current   *)
  (* role are kept at their initial values, so that a state is determined  *)
  (* by what matters.                                                      *)
  (*************************************************************************)
  role,        \* role[r] \in {"follower", "candidate", "leader"}.
  ballot,      \* ballot[r]: the ballot r seeks or leads, NoBallot if follower.
  prepareFrom, \* prepareFrom[r]: first slot a candidate's phase 1 covers.
  promises,    \* promises[r]: a candidate's [from, accepted, ckpt] reports.
  promisers,   \* promisers[r]: the replicas whose promises made r leader.
  proposals,   \* proposals[r]: a leader's [slot, cmd, votes]; votes = {}
               \* marks a value adopted by BecomeLeader not yet proposed.
  nextSlot,    \* nextSlot[r]: a leader's next slot for a new request.
  executed,    \* executed[r]: slots 0..executed[r]-1 are executed.
  sessions,    \* sessions[r][c]: the last request of c applied, and its output.
  app,         \* app[r]: the counter, i.e. the number of requests applied.
  conf,        \* conf[r]: the configuration history after executed[r] slots.
  (*************************************************************************)
  (* Clients (the core's client reducer, majority voting).                 *)
  (*************************************************************************)
  clientSeq,   \* clientSeq[c]: the last sequence number c used.
  pending,     \* pending[c]: is request clientSeq[c] waiting for its outcome?
  replies,     \* replies[c]: the [from, output] votes for the pending request.
  (*************************************************************************)
  (* The network and history variables.  `decided` and `snapshots` are     *)
  (* what the core's Decision, CatchUpReply and state-transfer messages    *)
  (* may carry: like msgs they only grow, so a value stays learnable after  *)
  (* the replicas that knew it truncated it.                               *)
  (*************************************************************************)
  msgs,        \* Every message ever sent.
  decided,     \* Every Chosen record some replica decided or learned.
  snapshots,   \* Every checkpoint some replica took.
  done         \* Ghost: the [client, seq, output] outcomes clients accepted.

durableVars == <<promised, accepted, chosen, ckpt>>
leaderVars == <<role, ballot, prepareFrom, promises, promisers, proposals, nextSlot>>
execVars == <<executed, sessions, app, conf>>
clientVars == <<clientSeq, pending, replies>>
histVars == <<decided, snapshots>>
vars == <<durableVars, leaderVars, execVars, clientVars, msgs, histVars, done>>

TypeOK ==
  /\ promised \in [Replicas -> Ballots \cup {NoBallot}]
  /\ accepted \in [Replicas -> SUBSET Entries]
  /\ chosen \in [Replicas -> SUBSET Chosen]
  /\ ckpt \in [Replicas -> Checkpoints]
  /\ role \in [Replicas -> {"follower", "candidate", "leader"}]
  /\ ballot \in [Replicas -> Ballots \cup {NoBallot}]
  /\ prepareFrom \in [Replicas -> 0..NumSlots]
  /\ promises \in [Replicas -> SUBSET [from : Replicas, accepted : SUBSET Entries,
                                        ckpt : 0..NumSlots]]
  /\ promisers \in [Replicas -> SUBSET Replicas]
  /\ proposals \in [Replicas -> SUBSET [slot : Slots, cmd : Cmds, votes : SUBSET Replicas]]
  /\ nextSlot \in [Replicas -> 0..NumSlots]
  /\ executed \in [Replicas -> 0..NumSlots]
  /\ sessions \in [Replicas -> [Clients -> Session]]
  /\ app \in [Replicas -> Outputs]
  /\ conf \in [Replicas -> SUBSET Epochs]
  /\ clientSeq \in [Clients -> 0..MaxSeq]
  /\ pending \in [Clients -> BOOLEAN]
  /\ replies \in [Clients -> SUBSET [from : Replicas, output : Outputs]]
  /\ msgs \subseteq Messages
  /\ decided \subseteq Chosen
  /\ snapshots \subseteq Checkpoints
  /\ done \subseteq [client : Clients, seq : 1..MaxSeq, output : Outputs \cup {Fail}]
  /\ \A r \in Replicas : \E e \in conf[r] : e.from = 0

-----------------------------------------------------------------------------
(***************************************************************************)
(* Helpers.                                                                *)
(***************************************************************************)
Max(S) == CHOOSE x \in S : \A y \in S : y \leq x
Min(S) == CHOOSE x \in S : \A y \in S : x \leq y

Send(m) == msgs' = msgs \cup {m}

ChosenSlots(r) == {e.slot : e \in chosen[r]}
ChosenCmd(r, s) == (CHOOSE e \in chosen[r] : e.slot = s).cmd

\* r knows slot s is chosen: it learned it, or its checkpoint covers it.
Known(r, s) == s < ckpt[r].slot \/ s \in ChosenSlots(r)

\* The slots r knows chosen (Known), as one set: TLC then tests membership, not Known.
KnownSlots(r) == ChosenSlots(r) \cup 0..(ckpt[r].slot - 1)

\* The first slot r does not know to be chosen (the core's chosenPrefix).
ChosenPrefix(r) ==
  LET K == KnownSlots(r)
  IN  CHOOSE s \in 0..NumSlots : s \notin K /\ 0..(s - 1) \subseteq K

\* The first slot at or after nextSlot[r] that r does not know chosen.
NextFree(r) ==
  LET K == KnownSlots(r)
  IN  CHOOSE s \in nextSlot[r]..NumSlots : s \notin K /\ nextSlot[r]..(s - 1) \subseteq K

AcceptedFrom(r, s) == {e \in accepted[r] : e.slot >= s}

\* Replace the record for slot e.slot in a set of per-slot records.
PutSlot(S, e) == {x \in S : x.slot # e.slot} \cup {e}

(***************************************************************************)
(* The configuration of a slot as r knows it: its executed configuration,  *)
(* changed by the JOIN and QUIT commands it knows chosen but has not      *)
(* executed (a request already applied, per the session table or earlier  *)
(* in the log, is skipped).  r knows the configuration of every slot       *)
(* below WindowEnd(r): a change chosen at or after ChosenPrefix(r) governs *)
(* only from ChosenPrefix(r) + Alpha on.                                   *)
(***************************************************************************)
Dup(r, t, cmd) ==
  \/ sessions[r][cmd.client].seq >= cmd.seq
  \/ \E u \in executed[r]..(t - 1) :
       /\ ChosenCmd(r, u).kind \notin {"noop", "checkpoint"}
       /\ ChosenCmd(r, u).client = cmd.client
       /\ ChosenCmd(r, u).seq >= cmd.seq

\* E changed by r's chosen commands in slots t..k-1.
RECURSIVE KnownFrom(_, _, _, _)
KnownFrom(r, E, t, k) ==
  IF t >= k THEN E
  ELSE LET cmd == ChosenCmd(r, t)
       IN  KnownFrom(r, IF IsReconfig(cmd) /\ ~Dup(r, t, cmd) /\ Applies(E, cmd)
                        THEN Reconfigured(E, t, cmd) ELSE E, t + 1, k)

KnownConf(r) == KnownFrom(r, conf[r], executed[r], ChosenPrefix(r))
WindowEnd(r) == ChosenPrefix(r) + Alpha
SlotMembers(r, s) == MembersAt(KnownConf(r), s)

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
  /\ ckpt = [r \in Replicas |-> NoCheckpoint]
  /\ role = [r \in Replicas |-> "follower"]
  /\ ballot = [r \in Replicas |-> NoBallot]
  /\ prepareFrom = [r \in Replicas |-> 0]
  /\ promises = [r \in Replicas |-> {}]
  /\ promisers = [r \in Replicas |-> {}]
  /\ proposals = [r \in Replicas |-> {}]
  /\ nextSlot = [r \in Replicas |-> 0]
  /\ executed = [r \in Replicas |-> 0]
  /\ sessions = [r \in Replicas |-> [c \in Clients |-> NoSession]]
  /\ app = [r \in Replicas |-> 0]
  /\ conf = [r \in Replicas |-> InitConf]
  /\ clientSeq = [c \in Clients |-> 0]
  /\ pending = [c \in Clients |-> FALSE]
  /\ replies = [c \in Clients |-> {}]
  /\ msgs = {}
  /\ decided = {}
  /\ snapshots = {}
  /\ done = {}

-----------------------------------------------------------------------------
(***************************************************************************)
(* Phase1a(r, b): r, not leading, starts a candidacy with a ballot b it    *)
(* owns above its promise, for every slot from its chosen prefix on at     *)
(* once (Multi-Paxos: one phase 1 for all open slots, Paxos Made Simple    *)
(* 3).  It promises b to itself, durably, and counts its own accepted      *)
(* values (and where its log starts) as its own report.  The core picks   *)
(* the smallest such ballot above the highest it has seen; the spec       *)
(* allows any.                                                             *)
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
                           {[from |-> r, accepted |-> AcceptedFrom(r, from),
                             ckpt |-> ckpt[r].slot]}]
         /\ proposals' = [proposals EXCEPT ![r] = {}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
         /\ Send([type |-> "Prepare", from |-> r, bal |-> b, fromSlot |-> from])
  /\ UNCHANGED <<accepted, chosen, ckpt, promisers, execVars, clientVars, histVars, done>>

(***************************************************************************)
(* Phase1b(r, m): replica r receives another replica's Prepare m with a    *)
(* ballot at least its promise.  It promises never to take part in a lower *)
(* ballot (durably) and reports every value it accepted from m.fromSlot    *)
(* on, and the first slot it did not truncate: a candidate that does not  *)
(* know every slot below it chosen must not lead (see BecomeLeader).  A    *)
(* leader or candidate so outranked steps down next (StepDown).           *)
(***************************************************************************)
Phase1b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Prepare"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ Send([type |-> "Promise", from |-> r, bal |-> m.bal,
           accepted |-> AcceptedFrom(r, m.fromSlot), ckpt |-> ckpt[r].slot])
  /\ UNCHANGED <<accepted, chosen, ckpt, leaderVars, execVars, clientVars, histVars, done>>

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
                      \cup {[from |-> m.from, accepted |-> m.accepted, ckpt |-> m.ckpt]}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promisers, proposals, nextSlot,
                 execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* BecomeLeader(r): with promises from a quorum, the candidate leads.  In  *)
(* every slot from prepareFrom up to the highest slot reported (or known   *)
(* chosen) that r does not know chosen, it must propose the adopted value  *)
(* (Adopt: P2c), or a no-op to fill a gap; it records those as proposals   *)
(* with no votes yet, and Phase2a proposes them.  New requests go to the   *)
(* slots after them.  An acceptor reports nothing for the slots it         *)
(* truncated, so r may lead only if it knows every such slot chosen (it    *)
(* learns them, or installs a checkpoint, first): otherwise it could fill  *)
(* a truncated, chosen slot with a no-op.  The promisers must be a quorum *)
(* of the configuration of every slot from prepareFrom to the end of the  *)
(* window (the configurations r knows); Phase2a checks each later slot    *)
(* again, as the window moves.                                             *)
(***************************************************************************)
BecomeLeader(r) ==
  /\ role[r] = "candidate"
  /\ LET known == KnownConf(r)
     IN  \A s \in prepareFrom[r]..(WindowEnd(r) - 1) :
           IsQuorumOf({p.from : p \in promises[r]}, MembersAt(known, s))
  /\ \A p \in promises[r] : p.ckpt <= ChosenPrefix(r)
  /\ LET reports == UNION {p.accepted : p \in promises[r]}
         top == Max({prepareFrom[r] - 1} \cup {e.slot : e \in reports}
                      \cup ChosenSlots(r))
         open == {s \in prepareFrom[r]..top : ~Known(r, s)}
     IN  /\ role' = [role EXCEPT ![r] = "leader"]
         /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
         /\ promises' = [promises EXCEPT ![r] = {}]
         /\ promisers' = [promisers EXCEPT ![r] = {p.from : p \in promises[r]}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = top + 1]
         /\ proposals' = [proposals EXCEPT ![r] =
                            {[slot |-> s, cmd |-> Adopt(reports, s), votes |-> {}] :
                               s \in open}]
  /\ UNCHANGED <<durableVars, ballot, execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* Phase2a(r, s, v): leader r proposes v in slot s at its ballot, accepts  *)
(* it itself (durably) and asks the others to accept it.  Either v is the  *)
(* value BecomeLeader adopted for s, or, once all of those are proposed, v *)
(* is a client request r received and has not executed (its session      *)
(* table says), or a checkpoint, not in flight, and s is the next free    *)
(* slot.  A request chosen in another leader's slot but not yet executed  *)
(* here may be proposed again: the session table makes the second copy a  *)
(* no-op (ExactlyOnce).  Once every checkpoint shows a request executed,  *)
(* no replica can propose it, and a trace checker may forget it.  r       *)
(* proposes only in its window, where it knows the slot's configuration,  *)
(* and only where its promisers are a quorum of that configuration (after *)
(* a JOIN or QUIT took effect the core runs phase 1 again: StepDown, then  *)
(* Phase1a).                                                               *)
(***************************************************************************)
Phase2a(r, s, v) ==
  /\ role[r] = "leader"
  /\ promised[r] = ballot[r]
  /\ s < WindowEnd(r)
  /\ IsQuorumOf(promisers[r], SlotMembers(r, s))
  /\ \/ [slot |-> s, cmd |-> v, votes |-> {}] \in proposals[r]
     \/ /\ \A p \in proposals[r] : p.votes # {}
        /\ s = NextFree(r)
        /\ \/ v = Ckpt
           \/ /\ v \in Requests
              /\ [type |-> "Request", from |-> v.client, seq |-> v.seq] \in msgs
              /\ sessions[r][v.client].seq < v.seq
        /\ \A p \in proposals[r] : p.cmd # v
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> s, bal |-> ballot[r], cmd |-> v])]
  /\ proposals' = [proposals EXCEPT ![r] =
                     PutSlot(@, [slot |-> s, cmd |-> v, votes |-> {r}])]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = IF s + 1 > @ THEN s + 1 ELSE @]
  /\ Send([type |-> "Accept", from |-> r, bal |-> ballot[r], slot |-> s, cmd |-> v])
  /\ UNCHANGED <<promised, chosen, ckpt, role, ballot, prepareFrom, promises, promisers,
                 execVars, clientVars, histVars, done>>

(***************************************************************************)
(* Phase2b(r, m): replica r receives another replica's Accept m with a     *)
(* ballot at least its promise, for a slot it did not truncate: it        *)
(* accepts the value (durably, raising its promise to m.bal) and tells the *)
(* ballot's leader.                                                        *)
(***************************************************************************)
Phase2b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Accept"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ m.slot >= ckpt[r].slot
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> m.slot, bal |-> m.bal, cmd |-> m.cmd])]
  /\ Send([type |-> "Accepted", from |-> r, bal |-> m.bal, slot |-> m.slot])
  /\ UNCHANGED <<chosen, ckpt, leaderVars, execVars, clientVars, histVars, done>>

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
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promises, promisers, nextSlot,
                 execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* Decide(r, s): a quorum of the slot's configuration accepted the        *)
(* leader's proposal in slot s in one ballot, so it is chosen: the leader  *)
(* retires the proposal and learns the command (durably) unless it        *)
(* already knew it, and tells the learners.                                *)
(***************************************************************************)
Decide(r, s) ==
  /\ role[r] = "leader"
  /\ \E p \in proposals[r] : p.slot = s /\ IsQuorumOf(p.votes, SlotMembers(r, s))
  /\ LET p == CHOOSE p \in proposals[r] : p.slot = s
     IN  /\ proposals' = [proposals EXCEPT ![r] = @ \ {p}]
         /\ chosen' = IF Known(r, s) THEN chosen
                      ELSE [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> p.cmd]}]
         /\ decided' = decided \cup {[slot |-> s, cmd |-> p.cmd]}
  /\ UNCHANGED <<promised, accepted, ckpt, role, ballot, prepareFrom, promises, promisers,
                 nextSlot, execVars, clientVars, msgs, snapshots, done>>

(***************************************************************************)
(* Learn(r, s, v): r learns (durably) that v is chosen in slot s from a    *)
(* replica that decided or learned it: the leader's Decision or a peer's  *)
(* catch-up reply in the core, which may arrive after its sender truncated *)
(* the slot, hence `decided` rather than the senders' current logs.        *)
(***************************************************************************)
Learn(r, s, v) ==
  /\ ~Known(r, s)
  /\ [slot |-> s, cmd |-> v] \in decided
  /\ chosen' = [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> v]}]
  /\ UNCHANGED <<promised, accepted, ckpt, leaderVars, execVars, clientVars, msgs,
                 histVars, done>>

(***************************************************************************)
(* Execute(r): r executes the next slot in order (seed: the state machine  *)
(* approach).  A no-op, or a request its session table shows was already  *)
(* applied, is skipped (exactly-once); otherwise the counter is applied,   *)
(* the output is cached in the session and sent to the client.  A         *)
(* checkpoint command is executed by Checkpoint, a JOIN or QUIT not yet   *)
(* applied by Reconfigure.                                                 *)
(***************************************************************************)
Execute(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ ChosenCmd(r, executed[r]).kind # "checkpoint"
  /\ LET cmd == ChosenCmd(r, executed[r])
     IN  /\ IsReconfig(cmd) => sessions[r][cmd.client].seq >= cmd.seq
         /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ IF cmd.kind = "noop" \/ sessions[r][cmd.client].seq >= cmd.seq
            THEN UNCHANGED <<sessions, app, msgs>>
            ELSE /\ app' = [app EXCEPT ![r] = @ + 1]
                 /\ sessions' = [sessions EXCEPT ![r][cmd.client] =
                                   [seq |-> cmd.seq, output |-> app[r] + 1]]
                 /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client,
                          seq |-> cmd.seq, output |-> app[r] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, conf, clientVars, histVars, done>>

(***************************************************************************)
(* Reconfigure(r): the next slot in order holds a JOIN or QUIT that r has  *)
(* not applied: the new configuration governs from Alpha slots on, or the *)
(* change is refused (Applies); either way the session records the outcome *)
(* and the client is told.                                                 *)
(***************************************************************************)
Reconfigure(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ IsReconfig(ChosenCmd(r, executed[r]))
  /\ LET s == executed[r]
         cmd == ChosenCmd(r, s)
         out == IF Applies(conf[r], cmd) THEN s + Alpha ELSE Refused
     IN  /\ sessions[r][cmd.client].seq < cmd.seq
         /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ conf' = [conf EXCEPT ![r] = IF Applies(@, cmd) THEN Reconfigured(@, s, cmd) ELSE @]
         /\ sessions' = [sessions EXCEPT ![r][cmd.client] = [seq |-> cmd.seq, output |-> out]]
         /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client, seq |-> cmd.seq,
                  output |-> out])
  /\ UNCHANGED <<durableVars, leaderVars, app, clientVars, histVars, done>>

(***************************************************************************)
(* Checkpoint(r): the next slot in order holds a checkpoint command: r     *)
(* executes it by keeping a copy of its state after the slot (durably, the *)
(* core's Persist), which a lagging replica may later install.            *)
(***************************************************************************)
Checkpoint(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ ChosenCmd(r, executed[r]).kind = "checkpoint"
  /\ LET c == [slot |-> executed[r] + 1, app |-> app[r], sessions |-> sessions[r],
               conf |-> conf[r]]
     IN  /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ ckpt' = [ckpt EXCEPT ![r] = c]
         /\ snapshots' = snapshots \cup {c}
  /\ UNCHANGED <<promised, accepted, chosen, leaderVars, sessions, app, conf, clientVars,
                 msgs, decided, done>>

(***************************************************************************)
(* Truncate(r): r forgets the accepted and learned entries its checkpoint  *)
(* covers.  They are executed, so chosen: a candidate that is told where   *)
(* r's log starts (Phase1b) must know them before it leads.  The core      *)
(* truncates once the checkpoint is stable (F+1 replicas hold the same     *)
(* digest), which this spec, without corruption, need not model.          *)
(***************************************************************************)
Truncate(r) ==
  /\ \/ \E e \in chosen[r] : e.slot < ckpt[r].slot
     \/ \E e \in accepted[r] : e.slot < ckpt[r].slot
  /\ chosen' = [chosen EXCEPT ![r] = {e \in @ : e.slot >= ckpt[r].slot}]
  /\ accepted' = [accepted EXCEPT ![r] = {e \in @ : e.slot >= ckpt[r].slot}]
  /\ UNCHANGED <<promised, ckpt, leaderVars, execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* InstallCheckpoint(r, c): state transfer.  r, which has not executed up  *)
(* to checkpoint c of some replica, installs it (durably): its state is    *)
(* c's and it goes on executing from c.slot with what it learned after.   *)
(* The core fetches c in chunks, checks its digest, then installs.         *)
(***************************************************************************)
InstallCheckpoint(r, c) ==
  /\ c \in snapshots
  /\ c.slot > executed[r]
  /\ ckpt' = [ckpt EXCEPT ![r] = c]
  /\ executed' = [executed EXCEPT ![r] = c.slot]
  /\ app' = [app EXCEPT ![r] = c.app]
  /\ sessions' = [sessions EXCEPT ![r] = c.sessions]
  /\ conf' = [conf EXCEPT ![r] = c.conf]
  /\ UNCHANGED <<promised, accepted, chosen, leaderVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* Audit(r): r, a member of the configuration of the slot it just         *)
(* executed, has executed a multiple of AuditEvery slots: it sends every   *)
(* replica the digest of its state (seed step 6: monitor the replicas for  *)
(* differences in state).  The core does so in the step that executed the *)
(* slot, and not again when it replays its log after a restart.            *)
(***************************************************************************)
Audit(r) ==
  /\ AuditEvery > 0
  /\ executed[r] > 0
  /\ executed[r] % AuditEvery = 0
  /\ r \in MembersAt(conf[r], executed[r] - 1)
  /\ LET m == [type |-> "Audit", from |-> r, slot |-> executed[r],
               digest |-> [app |-> app[r], sessions |-> sessions[r], conf |-> conf[r]]]
     IN  /\ m \notin msgs
         /\ Send(m)
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, histVars, done>>

(***************************************************************************)
(* ReceiveAudit(r, m): r compares a peer's digest with its own.  Replicas *)
(* that only crash always agree (AuditAgreement), so this step changes     *)
(* nothing here; in the core a replica outvoted by a majority of the       *)
(* slot's configuration declares itself faulty, QUITs and rejoins, which  *)
(* only a replica whose state was corrupted ever does.                    *)
(***************************************************************************)
ReceiveAudit(r, m) ==
  /\ m \in msgs
  /\ m.type = "Audit"
  /\ m.from # r
  /\ UNCHANGED vars

(***************************************************************************)
(* ReplyFromSession(r, m): a request that r already executed arrives       *)
(* again (a retransmission): r answers with the cached output, so the      *)
(* client can still collect a majority.  Usually the reply was already    *)
(* sent when r executed the request and the step stutters; a replica that *)
(* installed a checkpoint holding the session never executed it, and this *)
(* is how its reply reaches the client.                                    *)
(***************************************************************************)
ReplyFromSession(r, m) ==
  /\ m \in msgs
  /\ m.type = "Request"
  /\ sessions[r][m.from].seq = m.seq
  /\ Send([type |-> "Reply", from |-> r, to |-> m.from, seq |-> m.seq,
           output |-> sessions[r][m.from].output])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, histVars, done>>

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
  /\ promisers' = [promisers EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* Restart(r): r crashed and restarts.  Its durable state (promise,        *)
(* accepted values, learned log, checkpoint) is what it persisted;         *)
(* everything else starts over from the checkpoint, and Execute replays    *)
(* the log after it.  A crashed replica simply takes no steps, and         *)
(* messages to it are never received.                                     *)
(***************************************************************************)
Restart(r) ==
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ promisers' = [promisers EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ executed' = [executed EXCEPT ![r] = ckpt[r].slot]
  /\ sessions' = [sessions EXCEPT ![r] = ckpt[r].sessions]
  /\ app' = [app EXCEPT ![r] = ckpt[r].app]
  /\ conf' = [conf EXCEPT ![r] = ckpt[r].conf]
  /\ UNCHANGED <<durableVars, clientVars, msgs, histVars, done>>

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
  /\ UNCHANGED <<durableVars, leaderVars, execVars, histVars, done>>

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
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientSeq, msgs, histVars>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The steps of replica r other than Restart, and the steps of client c.   *)
(***************************************************************************)
ReplicaStep(r) ==
  \/ \E b \in Ballots : Phase1a(r, b)
  \/ BecomeLeader(r)
  \/ Execute(r)
  \/ Reconfigure(r)
  \/ Checkpoint(r)
  \/ Audit(r)
  \/ Truncate(r)
  \/ \E c \in snapshots : InstallCheckpoint(r, c)
  \/ StepDown(r)
  \/ \E s \in Slots : Decide(r, s)
  \/ \E s \in Slots, v \in Cmds : Phase2a(r, s, v) \/ Learn(r, s, v)
  \/ \E m \in msgs : \/ Phase1b(r, m)
                     \/ ReceivePromise(r, m)
                     \/ Phase2b(r, m)
                     \/ ReceiveAccepted(r, m)
                     \/ ReceiveAudit(r, m)
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
(* Spec => V!Spec`).  A command is chosen in slot s when a quorum of the   *)
(* configuration governing s (ConfigOf, from the chosen log) voted for it  *)
(* in one ballot.  A leader's vote is its own Accept message (it    *)
(* accepts what it proposes), an acceptor's vote is its Accepted message   *)
(* for the Accept's ballot and slot (a leader proposes one value per slot  *)
(* in its ballot, so the Accepted names the value).                        *)
(***************************************************************************)
\* The replicas that voted for the value of Accept message a: its sender,
\* and every acceptor that answered it.
Voters(a) ==
  {a.from} \cup {q \in Replicas : [type |-> "Accepted", from |-> q, bal |-> a.bal,
                                   slot |-> a.slot] \in msgs}

(***************************************************************************)
(* The chosen log, as learned (replicas forget what they truncate; the     *)
(* history `decided` does not), and the configuration after a prefix of    *)
(* it.  A slot nobody decided counts as a no-op: a leader proposes in slot *)
(* s only once it knows slots 0..s-Alpha chosen, so they are decided       *)
(* before anything in s is.                                                *)
(***************************************************************************)
Log == decided
LogCmd(s) == IF \E e \in Log : e.slot = s THEN (CHOOSE e \in Log : e.slot = s).cmd ELSE Noop

\* Was cmd's request (or a later one of its client) in the log below slot t?
DupAt(t, cmd) ==
  \E u \in 0..(t - 1) : /\ LogCmd(u).kind \notin {"noop", "checkpoint"}
                       /\ LogCmd(u).client = cmd.client
                       /\ LogCmd(u).seq >= cmd.seq

RECURSIVE ConfAfter(_)
ConfAfter(k) ==
  IF k = 0 THEN InitConf
  ELSE LET E == ConfAfter(k - 1)
           cmd == LogCmd(k - 1)
       IN  IF IsReconfig(cmd) /\ ~DupAt(k - 1, cmd) /\ Applies(E, cmd)
           THEN Reconfigured(E, k - 1, cmd) ELSE E

\* The configuration governing slot s.
ConfigOf(s) == MembersAt(ConfAfter(s), s)

ChosenAt(s) ==
  {a.cmd : a \in {a \in msgs : /\ a.type = "Accept"
                               /\ a.slot = s
                               /\ IsQuorumOf(Voters(a), ConfigOf(s))}}

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

LiveView == <<durableVars, leaderVars, execVars, clientVars, {m \in msgs : Live(m)},
              histVars, done>>

-----------------------------------------------------------------------------
(***************************************************************************)
(* The core's atomicity.  The core performs some actions inside the        *)
(* reducer step that enabled them: BecomeLeader as soon as a quorum        *)
(* promised, Phase2a of every adopted value right after BecomeLeader,      *)
(* Decide as soon as a quorum voted, Execute and Checkpoint as soon as a   *)
(* slot is next in order, StepDown as soon as the replica is outranked    *)
(* (not Truncate: the core truncates in a later step, once F+1 replicas    *)
(* vouched for the checkpoint), Reconfigure likewise, and Audit right     *)
(* after the slot that made it due.  Spec allows any interleaving (a trace of  *)
(* another implementation may show one); the MC                           *)
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
  \/ Reconfigure(r)
  \/ Checkpoint(r)
  \/ Audit(r)
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
\* learns (or ever learned) the chosen one.
Agreement ==
  LET chosenAt == [s \in Slots |-> ChosenAt(s)]
  IN  /\ \A s \in Slots : Cardinality(chosenAt[s]) \leq 1
      /\ \A r \in Replicas : \A e \in chosen[r] : e.cmd \in chosenAt[e.slot]
      /\ \A e \in decided : e.cmd \in chosenAt[e.slot]

\* Validity: only no-ops, checkpoints and requests (operations, JOIN, QUIT)
\* clients issued are learned.
Validity ==
  \A r \in Replicas : \A e \in chosen[r] :
    e.cmd.kind \in {"noop", "checkpoint"} \/ e.cmd.seq \leq clientSeq[e.cmd.client]

(***************************************************************************)
(* The state after executing a prefix of the chosen log: the operations    *)
(* applied, per client the last request with its output, and the          *)
(* configuration.                                                          *)
(***************************************************************************)
\* The distinct operations in the log below slot k.
RequestsBelow(k) == {e.cmd : e \in {x \in Log : x.slot < k /\ x.cmd.kind = "op"}}

\* The distinct requests of clients (operations, JOIN, QUIT) below slot k.
ClientCmdsBelow(k) ==
  {e.cmd : e \in {x \in Log : x.slot < k /\ x.cmd.kind \notin {"noop", "checkpoint"}}}

FirstSlot(cmd) == Min({e.slot : e \in {x \in Log : x.cmd = cmd}})

\* Position(cmd): the output a counter gives cmd, the number of distinct
\* requests up to its first slot.
Position(cmd) ==
  LET first == Min({e.slot : e \in {x \in Log : x.cmd = cmd}})
  IN  1 + Cardinality({e.cmd : e \in {x \in Log : x.slot < first /\ x.cmd.kind = "op"}} \ {cmd})

\* The output of a JOIN or QUIT: where its configuration governs from, or Refused.
ReconfigOutput(cmd) ==
  IF Applies(ConfAfter(FirstSlot(cmd)), cmd) THEN FirstSlot(cmd) + Alpha ELSE Refused

Expected(cmd) == IF IsReconfig(cmd) THEN ReconfigOutput(cmd) ELSE Position(cmd)

SessionsAfter(k) ==
  [c \in Clients |->
     LET seqs == {x.seq : x \in {y \in ClientCmdsBelow(k) : y.client = c}}
     IN  IF seqs = {} THEN NoSession
         ELSE [seq |-> Max(seqs), output |-> Expected(CmdOf(c, Max(seqs)))]]

StateAfter(k) == [slot |-> k, app |-> Cardinality(RequestsBelow(k)), sessions |-> SessionsAfter(k),
                  conf |-> ConfAfter(k)]

\* ExactlyOnce: the app applied each request in the executed prefix once.
ExactlyOnce ==
  \A r \in Replicas : app[r] = Cardinality(RequestsBelow(executed[r]))

\* PrefixConsistency: a replica executes only slots it knows chosen, in
\* order, and two replicas that executed the same prefix have the same app
\* state, sessions and configuration.
PrefixConsistency ==
  /\ \A r \in Replicas : \A s \in 0..(executed[r] - 1) : Known(r, s)
  /\ \A r, q \in Replicas :
       executed[r] = executed[q] => /\ app[r] = app[q]
                                    /\ sessions[r] = sessions[q]
                                    /\ conf[r] = conf[q]

(***************************************************************************)
(* CheckpointSafety: a replica truncates only what it executed (its        *)
(* checkpoint is at most its executed prefix, and covers only chosen       *)
(* slots), and every checkpoint taken or installed is the state after      *)
(* executing its prefix of the chosen log.                                 *)
(***************************************************************************)
CheckpointSafety ==
  /\ \A r \in Replicas : ckpt[r].slot <= executed[r]
  /\ \A c \in snapshots \cup {ckpt[r] : r \in Replicas} :
       /\ \A s \in 0..(c.slot - 1) : \E e \in Log : e.slot = s
       /\ c = StateAfter(c.slot)

(***************************************************************************)
(* Linearizability, client-observed (as in MultiPaxos-SMR): the chosen log *)
(* is the linearization.  An accepted output must be the position of the   *)
(* request among the distinct requests of the log, i.e. the counter value  *)
(* a sequential execution in log order returns (for a JOIN or QUIT, its   *)
(* outcome in log order); real-time order follows, since a request        *)
(* completes only after every slot before it is chosen.  With replicas    *)
(* that only crash, no client ever gets Fail.                              *)
(***************************************************************************)
Linearizability ==
  \A d \in done :
    LET cmd == CmdOf(d.client, d.seq)
    IN  /\ d.output # Fail
        /\ \E e \in Log : e.cmd = cmd
        /\ d.output = Expected(cmd)

(***************************************************************************)
(* ConfigSafety: every slot has exactly one configuration (every replica   *)
(* that knows the configuration of a slot knows the chosen log's, and its  *)
(* executed configuration is the log's); what is chosen in a slot was     *)
(* voted by a quorum of the configuration governing it; and successive     *)
(* configurations overlap as the protocol requires: each differs from the *)
(* one before in one replica, and keeps F+1 members (a majority of the     *)
(* deployment), so F faulty replicas are outvoted.                         *)
(***************************************************************************)
ConfigSafety ==
  /\ \A r \in Replicas : conf[r] = ConfAfter(executed[r])
  /\ \A r \in Replicas : \A s \in 0..(WindowEnd(r) - 1) : SlotMembers(r, s) = ConfigOf(s)
  /\ \A e \in Log : \E a \in msgs : /\ a.type = "Accept"
                                /\ a.slot = e.slot
                                /\ a.cmd = e.cmd
                                /\ IsQuorumOf(Voters(a), ConfigOf(e.slot))
  /\ \A k \in 1..NumSlots :
       Cardinality((Latest(ConfAfter(k)) \ Latest(ConfAfter(k - 1)))
                   \cup (Latest(ConfAfter(k - 1)) \ Latest(ConfAfter(k)))) <= 1
  /\ \A k \in 0..NumSlots : 2 * Cardinality(Latest(ConfAfter(k))) > N

(***************************************************************************)
(* AuditAgreement: an audit tells the truth: its digest is the state after *)
(* its slot in the chosen log, and it comes from a member of the           *)
(* configuration of the audited slot.  So replicas that only crash never   *)
(* outvote one another, and a replica that is outvoted in the core        *)
(* (DeclareFaulty) is one whose state was corrupted.                       *)
(***************************************************************************)
AuditAgreement ==
  \A m \in msgs :
    m.type = "Audit" =>
      /\ m.digest = [app |-> StateAfter(m.slot).app, sessions |-> StateAfter(m.slot).sessions,
                     conf |-> ConfAfter(m.slot)]
      /\ m.from \in ConfigOf(m.slot - 1)

(***************************************************************************)
(* Durability: what a replica persisted is never lost or rolled back: its  *)
(* promise never falls, its checkpoint never moves back, a learned slot    *)
(* stays learned and an accepted slot never goes back to a lower ballot,   *)
(* unless its checkpoint covers it (checked as an action property).        *)
(***************************************************************************)
DurableStep ==
  \A r \in Replicas :
    /\ promised'[r] >= promised[r]
    /\ ckpt'[r].slot >= ckpt[r].slot
    /\ \A e \in chosen[r] : e \in chosen'[r] \/ e.slot < ckpt'[r].slot
    /\ \A e \in accepted[r] :
         \/ \E f \in accepted'[r] : f.slot = e.slot /\ f.bal >= e.bal
         \/ e.slot < ckpt'[r].slot

Durability == [][DurableStep]_vars
=============================================================================
