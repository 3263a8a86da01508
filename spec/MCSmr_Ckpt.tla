----------------------------- MODULE MCSmr_Ckpt -----------------------------
(***************************************************************************)
(* Checkpoints with content: three replicas, one ballot (r1 leads), one   *)
(* client with one request, a log of two slots, so the checkpoint can      *)
(* follow the request and carry its app state and session; r1 may crash    *)
(* and restart (from its checkpoint) any number of times.  MCSmr_F1 and    *)
(* MCSmr_F2 reach checkpoints too, in their one slot (empty ones), with    *)
(* competing leaders across a truncation in F1.  The model checks          *)
(* AtomicSpec on the VIEW that drops dead messages.  Run `smr tlc Ckpt`;  *)
(* spec/README.md records the distinct-state count, which the TypeScript   *)
(* twin (src/spec, SPEC_MODELS 'Ckpt') reproduces.                         *)
(***************************************************************************)
EXTENDS Smr

MCReplicaSeq == <<"r1", "r2", "r3">>
MCClients == {"c1"}
MCMembers0 == {MCReplicaSeq[i] : i \in 1..Len(MCReplicaSeq)}
MCScript == [c \in MCClients |-> [q \in 1..1 |-> [kind |-> "op"]]]
MCCrashable == {"r1"}

MCSpec == AtomicSpec(MCCrashable)
=============================================================================
