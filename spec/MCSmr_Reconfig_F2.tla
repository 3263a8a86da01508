------------------------- MODULE MCSmr_Reconfig_F2 -------------------------
(***************************************************************************)
(* Reconfiguration at F = 2: five replicas of which r1, r2, r3 are the     *)
(* configuration (F+1 = 3 members; r4 and r5 observe: they accept and      *)
(* learn, but their votes do not count), one ballot (r1 leads), one slot,  *)
(* and an operator whose request is QUIT r3, which would leave two         *)
(* members, fewer than F+1: it must be refused and reported as a system    *)
(* failure.  No crash and no audit, to keep five replicas checkable.       *)
(* Run `smr tlc Reconfig_F2`; spec/README.md records the count the         *)
(* TypeScript twin (SPEC_MODELS 'Reconfig_F2') reproduces.                 *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3", "r4", "r5">>
MCClients == {"op"}
MCMembers0 == {"r1", "r2", "r3"}
MCScript == [c \in MCClients |-> <<[kind |-> "quit", replica |-> "r3"]>>]
MCCrashable == {}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
