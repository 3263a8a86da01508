---------------------------- MODULE MCSmr_Join_F2 ----------------------------
(***************************************************************************)
(* A JOIN at F = 2: five replicas of which r1..r4 are the configuration    *)
(* (r5 observes: it accepts and learns, its votes do not count), one       *)
(* ballot (r1 leads), one slot, and an operator whose request is JOIN r5:  *)
(* applied, so the configuration of the five replicas governs from slot    *)
(* Alpha = 1 on.  No crash and no audit, to keep five replicas checkable.  *)
(* Run `smr tlc Join_F2`; spec/README.md records the count the TypeScript  *)
(* twin (SPEC_MODELS 'Join_F2') reproduces.                                *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3", "r4", "r5">>
MCClients == {"op"}
MCMembers0 == {"r1", "r2", "r3", "r4"}
MCScript == [c \in MCClients |-> <<[kind |-> "join", replica |-> "r5"]>>]
MCCrashable == {}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
