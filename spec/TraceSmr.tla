------------------------------ MODULE TraceSmr ------------------------------
(***************************************************************************)
(* Trace validation of Smr.tla with TLC, in the style of etcd-io/raft's    *)
(* Traceetcdraft.tla and Microsoft CCF's Traceccfraft.tla (Cirstea, Kuppe, *)
(* Loillier, Merz 2024, "Validating traces of distributed programs         *)
(* against TLA+ specifications").  A line pointer `l` walks the trace; each *)
(* event must be matched by the Smr action of the same name (with the     *)
(* parameters the event logs, or any parameters when it does not), and the *)
(* trace is valid iff some behaviour of Smr consumes every line:           *)
(* TraceMatched (a property) and TraceAccepted (a postcondition) say so.  *)
(*                                                                         *)
(* Input: TLC's Json module cannot read JSON null, and Smr abstracts the  *)
(* app (a counter) and commands (client, seq): so TLC reads the spec-level *)
(* projection of a trace that `smr check-trace --tlc FILE` writes next to  *)
(* a generated config (src/trace/tlc-project.ts): the same events and     *)
(* message shapes, ops and outputs left out, `"none"` ballots as round 0, *)
(* per-node files already merged, and `src` = the original file:line.    *)
(* The header must list replicas in code-unit order, so that ballot       *)
(* numbers order as the core's (round, leader) ballots.                    *)
(*                                                                         *)
(* The native checker (src/trace/checker.ts) must give the same verdict   *)
(* on every trace under traces/ (test/trace/tlc-agreement.test.ts).       *)
(***************************************************************************)
EXTENDS Smr, Json, TLC, Sequences, Integers, FiniteSets

CONSTANT TraceFile  \* Absolute path of the projected NDJSON trace.

JsonLines == ndJsonDeserialize(TraceFile)
TraceHeader == JsonLines[Len(JsonLines)]   \* written last: it lists the JOIN/QUIT requests
TraceLog == SubSeq(JsonLines, 1, Len(JsonLines) - 1)

(***************************************************************************)
(* Constants of Smr taken from the trace.  The bounds only need to exceed *)
(* what the trace uses: Smr never enumerates them here.                    *)
(***************************************************************************)
TraceReplicaSeq == TraceHeader.replicas
TraceClients == {TraceHeader.clients[i] : i \in DOMAIN TraceHeader.clients}
TraceMaxSeq == Len(TraceLog) + 1
TraceNumSlots == Len(TraceLog) + 1
TraceMaxBallot == Len(TraceHeader.replicas) * (Len(TraceLog) + 2)
TraceMembers0 == {TraceHeader.members[i] : i \in DOMAIN TraceHeader.members}
TraceAlpha == TraceHeader.window
TraceAuditEvery == TraceHeader.auditEvery
\* What each request asks: the projection lists, per client, one entry per request number
\* (JOIN r, QUIT r, or the app's operation), TraceMaxSeq of them.
TraceScript == [c \in TraceClients |-> TraceHeader.script[c]]

VARIABLE l,        \* TraceLog[l] is the next event to match.
         auditTags \* The [slot, digest] of every Audit matched so far.
traceVars == <<vars, l, auditTags>>

E == TraceLog[l]
Has(f) == f \in DOMAIN E
Node == E.node
IsEvent(a) == l <= Len(TraceLog) /\ E.action = a

(***************************************************************************)
(* From the trace's values to Smr's: ballots (round, leader) to numbers   *)
(* (Smr's numbering), commands without their op, accepted lists to sets.  *)
(***************************************************************************)
IndexOf(r) == CHOOSE i \in 1..N : ReplicaSeq[i] = r
Bal(b) == IF b.round = 0 THEN NoBallot ELSE (b.round - 1) * N + IndexOf(b.leader) - 1
Cmd(c) == CASE c.kind = "noop" -> Noop
            [] c.kind = "checkpoint" -> Ckpt
            [] c.kind \in {"join", "quit"} ->
                 [kind |-> c.kind, client |-> c.client, seq |-> c.seq, replica |-> c.replica]
            [] OTHER -> [kind |-> "op", client |-> c.client, seq |-> c.seq]
EntrySet(es) ==
  {[slot |-> es[i].slot, bal |-> Bal(es[i].ballot), cmd |-> Cmd(es[i].cmd)] : i \in DOMAIN es}
Msg(m) ==
  CASE m.type = "Prepare" ->
         [type |-> "Prepare", from |-> m.from, bal |-> Bal(m.ballot), fromSlot |-> m.fromSlot]
    [] m.type = "Promise" ->
         [type |-> "Promise", from |-> m.from, bal |-> Bal(m.ballot),
          accepted |-> EntrySet(m.accepted),
          ckpt |-> IF "checkpoint" \in DOMAIN m THEN m.checkpoint ELSE 0]
    [] m.type = "Accept" ->
         [type |-> "Accept", from |-> m.from, bal |-> Bal(m.ballot), slot |-> m.slot, cmd |-> Cmd(m.cmd)]
    [] m.type = "Accepted" ->
         [type |-> "Accepted", from |-> m.from, bal |-> Bal(m.ballot), slot |-> m.slot]
    [] m.type = "Request" -> [type |-> "Request", from |-> m.from, seq |-> m.seq]

\* The event's optional `slot` names the slot the action is about.
SlotOK(s) == Has("slot") => E.slot = s

\* The messages an event may have consumed: the one it logs, or any of the type.
Consumed(type) == IF Has("msg") THEN {Msg(E.msg)} ELSE {m \in msgs : m.type = type}

(***************************************************************************)
(* Parameters an event may leave out, guessed as the native checker does  *)
(* (src/trace/model): the smallest ballot r owns above a ballot in sight; *)
(* requests r's session table does not show executed.                     *)
(***************************************************************************)
NextOwned(h, r) == CHOOSE b \in (h + 1)..(h + N) : Owner(b) = r
BallotGuesses(r) ==
  {NextOwned(h, r) : h \in {promised[r]} \cup
       {x \in {promised[q] : q \in Replicas} \cup {ballot[q] : q \in Replicas} : x >= promised[r]}}
RequestGuesses(r) ==
  {CmdOf(m.from, m.seq) :
     m \in {x \in msgs : x.type = "Request" /\ x.seq > sessions[r][x.from].seq}}

(***************************************************************************)
(* The reference core does not log Decide for a slot it already knows     *)
(* chosen (learned, or covered by its checkpoint: its log does not        *)
(* change), so the ReceiveAccepted that gives                              *)
(* such a proposal its quorum is followed at once by that Decide: one step *)
(* here, ReceiveAccepted's conjuncts and Decide's effect on `proposals`.   *)
(***************************************************************************)
QuorumAfter(r, m) ==
  \E p \in proposals[r] : /\ p.slot = m.slot
                         /\ IsQuorumOf(p.votes \cup {m.from}, SlotMembers(r, m.slot))
ReceiveAcceptedThenDecide(r, m) ==
  /\ role[r] = "leader"
  /\ m \in msgs
  /\ m.type = "Accepted"
  /\ m.bal = ballot[r]
  /\ \E p \in proposals[r] : p.slot = m.slot /\ p.votes # {}
  /\ proposals' = [proposals EXCEPT ![r] = {p \in @ : p.slot # m.slot}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promises, promisers, nextSlot,
                 execVars, clientVars, msgs, histVars, done>>

(***************************************************************************)
(* One disjunct per event type.                                            *)
(***************************************************************************)
TracePhase1a ==
  /\ IsEvent("Phase1a")
  /\ IF Has("msg")
     THEN /\ E.msg.from = Node
          /\ E.msg.fromSlot = ChosenPrefix(Node)
          /\ Phase1a(Node, Bal(E.msg.ballot))
     ELSE \E b \in BallotGuesses(Node) : Phase1a(Node, b)

TracePhase1b == IsEvent("Phase1b") /\ \E m \in Consumed("Prepare") : Phase1b(Node, m)

TraceReceivePromise ==
  IsEvent("ReceivePromise") /\ \E m \in Consumed("Promise") : ReceivePromise(Node, m)

TraceBecomeLeader == IsEvent("BecomeLeader") /\ BecomeLeader(Node)

TracePhase2a ==
  /\ IsEvent("Phase2a")
  /\ IF Has("msg")
     THEN /\ E.msg.from = Node
          /\ Bal(E.msg.ballot) = ballot[Node]
          /\ SlotOK(E.msg.slot)
          /\ Phase2a(Node, E.msg.slot, Cmd(E.msg.cmd))
     ELSE \E s \in (IF Has("slot") THEN {E.slot}
                    ELSE {p.slot : p \in proposals[Node]} \cup {NextFree(Node)}) :
            \E v \in {p.cmd : p \in {q \in proposals[Node] : q.slot = s /\ q.votes = {}}}
                       \cup RequestGuesses(Node) :
              Phase2a(Node, s, v)

TracePhase2b ==
  IsEvent("Phase2b") /\ \E m \in Consumed("Accept") : SlotOK(m.slot) /\ Phase2b(Node, m)

TraceReceiveAccepted ==
  /\ IsEvent("ReceiveAccepted")
  /\ \E m \in Consumed("Accepted") :
       /\ SlotOK(m.slot)
       /\ IF QuorumAfter(Node, m) /\ Known(Node, m.slot)
          THEN ReceiveAcceptedThenDecide(Node, m)
          ELSE ReceiveAccepted(Node, m)

TraceDecide ==
  /\ IsEvent("Decide")
  /\ \E s \in (IF Has("msg") THEN {E.msg.slot} ELSE {p.slot : p \in proposals[Node]}) :
       /\ SlotOK(s)
       /\ Has("msg") => /\ E.msg.from = Node
                        /\ \E p \in proposals[Node] : p.slot = s /\ p.cmd = Cmd(E.msg.cmd)
       /\ Decide(Node, s)

TraceLearn ==
  /\ IsEvent("Learn")
  /\ IF Has("msg")
     THEN SlotOK(E.msg.slot) /\ Learn(Node, E.msg.slot, Cmd(E.msg.cmd))
     ELSE \E e \in decided : SlotOK(e.slot) /\ Learn(Node, e.slot, e.cmd)

TraceExecute ==
  /\ IsEvent("Execute")
  /\ SlotOK(executed[Node])
  /\ Execute(Node)
  /\ Has("applied") => (E.applied = (app'[Node] = app[Node] + 1))
  /\ Has("msg") => /\ app'[Node] = app[Node] + 1
                   /\ E.msg.from = Node
                   /\ E.msg.to = ChosenCmd(Node, executed[Node]).client
                   /\ E.msg.seq = ChosenCmd(Node, executed[Node]).seq

TraceReconfigure ==
  /\ IsEvent("Reconfigure")
  /\ SlotOK(executed[Node])
  /\ Reconfigure(Node)
  /\ Has("applied") => (E.applied = Applies(conf[Node], ChosenCmd(Node, executed[Node])))
  /\ Has("msg") => /\ E.msg.from = Node
                   /\ E.msg.to = ChosenCmd(Node, executed[Node]).client
                   /\ E.msg.seq = ChosenCmd(Node, executed[Node]).seq

(***************************************************************************)
(* An Audit's digest is a hash in the trace and the state itself in Smr:   *)
(* TLC checks that the audit is Smr's (a member, at an audited slot, not   *)
(* sent before) and that every audit of one slot carries the same hash,   *)
(* which is what equal states give.  A lone forged digest needs the        *)
(* state's hash: the native checker computes it (src/spec/reconfig.ts).   *)
(***************************************************************************)
TraceAudit ==
  /\ IsEvent("Audit")
  /\ Has("msg") => /\ E.msg.from = Node
                   /\ E.msg.slot = executed[Node]
                   /\ \A t \in auditTags : t.slot = E.msg.slot => t.digest = E.msg.digest
  /\ Audit(Node)
  /\ auditTags' = IF Has("msg") THEN auditTags \cup {[slot |-> E.msg.slot, digest |-> E.msg.digest]}
                  ELSE auditTags

TraceReceiveAudit ==
  /\ IsEvent("ReceiveAudit")
  /\ \E m \in msgs :
       /\ m.type = "Audit"
       /\ Has("msg") => /\ m.from = E.msg.from
                        /\ m.slot = E.msg.slot
                        /\ [slot |-> E.msg.slot, digest |-> E.msg.digest] \in auditTags
       /\ ReceiveAudit(Node, m)

TraceCheckpoint ==
  /\ IsEvent("Checkpoint")
  /\ SlotOK(executed[Node])
  /\ Has("msg") => E.msg.from = Node /\ E.msg.slot = executed[Node] + 1
  /\ Checkpoint(Node)

TraceTruncate == IsEvent("Truncate") /\ Truncate(Node)

\* The checkpoint installed is one some replica took at the slot the event names.
TraceInstallCheckpoint ==
  /\ IsEvent("InstallCheckpoint")
  /\ \E c \in snapshots : (Has("msg") => c.slot = E.msg.slot) /\ InstallCheckpoint(Node, c)

TraceReplyFromSession ==
  /\ IsEvent("ReplyFromSession")
  /\ \E m \in (IF Has("msg") THEN {[type |-> "Request", from |-> E.msg.to, seq |-> E.msg.seq]}
               ELSE {x \in msgs : x.type = "Request"}) :
       ReplyFromSession(Node, m)
  /\ Has("msg") => E.msg.from = Node

TraceStepDown == IsEvent("StepDown") /\ StepDown(Node)

TraceRestart == IsEvent("Restart") /\ Restart(Node)

TraceClientRequest ==
  /\ IsEvent("ClientRequest")
  /\ Has("msg") => E.msg.from = Node /\ E.msg.seq = clientSeq[Node] + 1
  /\ ClientRequest(Node)

TraceClientReceive ==
  /\ IsEvent("ClientReceive")
  /\ \E m \in msgs :
       /\ m.type = "Reply"
       /\ Has("msg") => m.from = E.msg.from /\ m.seq = E.msg.seq
       /\ ClientReceive(Node, m)

(***************************************************************************)
(* The variables an event's `state` may show (the projection keeps the     *)
(* ones Smr has in the same form), checked after the step.                 *)
(***************************************************************************)
Shows(v) == Has("state") /\ v \in DOMAIN E.state
\* accepted and chosen are shown on some slots: an entry, or `none` for no entry;
\* sessions on some clients, by seq (0: no session).
AcceptedShown(o) ==
  IF o.none THEN \A e \in accepted'[Node] : e.slot # o.slot
  ELSE [slot |-> o.slot, bal |-> Bal(o.ballot), cmd |-> Cmd(o.cmd)] \in accepted'[Node]
ChosenShown(o) ==
  IF o.none THEN \A e \in chosen'[Node] : e.slot # o.slot
  ELSE [slot |-> o.slot, cmd |-> Cmd(o.cmd)] \in chosen'[Node]
StateOK ==
  /\ Shows("promised") => promised'[Node] = Bal(E.state.promised)
  /\ Shows("role") => role'[Node] = E.state.role
  /\ Shows("ballot") => ballot'[Node] = Bal(E.state.ballot)
  /\ Shows("prepareFrom") => prepareFrom'[Node] = E.state.prepareFrom
  /\ Shows("nextSlot") => nextSlot'[Node] = E.state.nextSlot
  /\ Shows("executed") => executed'[Node] = E.state.executed
  /\ Shows("ckpt") => ckpt'[Node].slot = E.state.ckpt
  /\ Shows("accepted") =>
       \A i \in DOMAIN E.state.accepted : AcceptedShown(E.state.accepted[i])
  /\ Shows("chosen") => \A i \in DOMAIN E.state.chosen : ChosenShown(E.state.chosen[i])
  /\ Shows("sessions") =>
       \A i \in DOMAIN E.state.sessions :
         sessions'[Node][E.state.sessions[i].client].seq = E.state.sessions[i].seq
  /\ Shows("clientSeq") => clientSeq'[Node] = E.state.clientSeq
  /\ Shows("pending") => pending'[Node] = E.state.pending

TraceInit == Init /\ l = 1 /\ auditTags = {}

TraceStep ==
  \/ /\ \/ TracePhase1a \/ TracePhase1b \/ TraceReceivePromise \/ TraceBecomeLeader
        \/ TracePhase2a \/ TracePhase2b \/ TraceReceiveAccepted \/ TraceDecide
        \/ TraceLearn \/ TraceExecute \/ TraceCheckpoint \/ TraceTruncate
        \/ TraceInstallCheckpoint \/ TraceReplyFromSession \/ TraceStepDown
        \/ TraceRestart \/ TraceClientRequest \/ TraceClientReceive
        \/ TraceReconfigure \/ TraceReceiveAudit
     /\ UNCHANGED auditTags
  \/ TraceAudit

TraceNext == TraceStep /\ StateOK /\ l' = l + 1

TraceSpec == TraceInit /\ [][TraceNext]_traceVars

(***************************************************************************)
(* Verdicts.  TraceMatched is etcd's: once TLC has no state left to        *)
(* explore, the line pointer must be past the end.  It assumes TLC follows *)
(* one behaviour (a single worker, every event logging its message); when *)
(* events leave messages out TLC explores several candidate behaviours,    *)
(* most of which die, and `smr check-trace --tlc` drops it from the        *)
(* config.  TraceAccepted is CCF's postcondition and holds in both cases:  *)
(* the longest behaviour consumed the whole trace — some behaviour of Smr  *)
(* matches it; otherwise it prints the first event none could match.       *)
(***************************************************************************)
ASSUME TLCGet("config").worker = 1

TraceMatched ==
  [](l <= Len(TraceLog) => [](TLCGet("queue") = 1 \/ l > Len(TraceLog)))

TraceAccepted ==
  LET d == TLCGet("stats").diameter
  IN  IF d - 1 = Len(TraceLog) THEN TRUE
      ELSE PrintT(<<"TraceSmr: no behaviour of Smr matches", TraceLog[d].src,
                    TraceLog[d].node, TraceLog[d].action>>) /\ FALSE
=============================================================================
