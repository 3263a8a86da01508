----------------------------- MODULE Consensus ------------------------------
(***************************************************************************)
(* What consensus means for one slot of the log: at most one value is ever *)
(* chosen, and once chosen it stays chosen.  This is Lamport's Consensus   *)
(* module, the top of his Consensus -> Voting -> Paxos refinement chain    *)
(* (tlaplus/Examples, specifications/Paxos/Consensus.tla), unchanged but   *)
(* for comments.  Smr.tla instantiates it once per slot and checks         *)
(*                                                                         *)
(*    Spec => \A s \in Slots : C(s)!Spec                                   *)
(*                                                                         *)
(* as the temporal property ConsensusRefinement.                           *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANT Value  \* The values that may be chosen (Smr: the commands).

VARIABLE chosen \* The set of values chosen so far: empty or a singleton.

TypeOK == /\ chosen \subseteq Value
          /\ IsFiniteSet(chosen)

Init == chosen = {}

(***************************************************************************)
(* Choose a value, if none has been chosen yet.  Nothing else ever         *)
(* happens: a chosen value is never un-chosen or replaced.                 *)
(***************************************************************************)
Next == /\ chosen = {}
        /\ \E v \in Value : chosen' = {v}

Spec == Init /\ [][Next]_chosen

(***************************************************************************)
(* The safety property of consensus: at most one value is chosen.          *)
(***************************************************************************)
Inv == /\ TypeOK
       /\ Cardinality(chosen) \leq 1

THEOREM Invariance == Spec => []Inv
=============================================================================
