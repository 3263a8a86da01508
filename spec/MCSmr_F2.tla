------------------------------ MODULE MCSmr_F2 ------------------------------
(***************************************************************************)
(* F = 2: five replicas, so every quorum has three; r1 leads the one       *)
(* ballot; one client with one request; a log of one slot; r1 and r2 (F of *)
(* them) may crash and restart any number of times.  Competing leaders     *)
(* are checked by MCSmr_F1: with five replicas they do not fit in a model  *)
(* that TLC checks in a minute.  The model checks AtomicSpec (the core's   *)
(* atomicity, see Smr.tla) on the VIEW that drops dead messages.  Run      *)
(* `smr tlc F2`; spec/README.md records the distinct-state count, which    *)
(* the TypeScript twin (src/spec, SPEC_MODELS 'F2') reproduces.            *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3", "r4", "r5">>
MCClients == {"c1"}
MCMembers0 == {MCReplicaSeq[i] : i \in 1..Len(MCReplicaSeq)}
MCScript == [c \in MCClients |-> [q \in 1..1 |-> [kind |-> "op"]]]
MCCrashable == {"r1", "r2"}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
