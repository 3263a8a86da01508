------------------------- MODULE MCSmr_Reconfig_F1 -------------------------
(***************************************************************************)
(* Reconfiguration at F = 1: three replicas, all members at first, one     *)
(* ballot (r1 leads), an operator whose two requests are QUIT r3 and then  *)
(* JOIN r3, a log of two slots and Alpha = 1: the QUIT chosen in slot 0    *)
(* governs slot 1, which only a quorum of {r1, r2} can choose; members     *)
(* audit after every slot; r2 may crash and restart (from its checkpoint,  *)
(* with the configuration it holds).  Run `smr tlc Reconfig_F1`;           *)
(* spec/README.md records the distinct-state count, which the TypeScript   *)
(* twin (src/spec, SPEC_MODELS 'Reconfig_F1') reproduces.                  *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3">>
MCClients == {"op"}
MCMembers0 == {"r1", "r2", "r3"}
MCScript == [c \in MCClients |-> <<[kind |-> "quit", replica |-> "r3"],
                                   [kind |-> "join", replica |-> "r3"]>>]
MCCrashable == {"r2"}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
