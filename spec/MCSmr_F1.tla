------------------------------ MODULE MCSmr_F1 ------------------------------
(***************************************************************************)
(* F = 1: three replicas; r1 and r2 may each lead one ballot (round 1), so *)
(* two leaders can compete; two clients with one request each; a log of   *)
(* one slot; r1 may crash and restart any number of times.  The model      *)
(* checks AtomicSpec (the core's atomicity, see Smr.tla) on the VIEW that  *)
(* drops dead messages.  Run `smr tlc F1`, or                              *)
(*   java -cp tla2tools.jar tlc2.TLC -workers 2 MCSmr_F1                   *)
(* spec/README.md records the distinct-state count, which the TypeScript   *)
(* twin (src/spec, SPEC_MODELS 'F1') reproduces.                           *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3">>
MCClients == {"c1", "c2"}
MCMembers0 == {MCReplicaSeq[i] : i \in 1..Len(MCReplicaSeq)}
MCScript == [c \in MCClients |-> [q \in 1..1 |-> [kind |-> "op"]]]
MCCrashable == {"r1"}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
