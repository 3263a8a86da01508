/**
 * The names of the invariants and properties (DESIGN.md), the same everywhere: TLA+, the twin,
 * the explorer, counterexample files. And what a violation is: which invariant, at which node,
 * why. Owned here, below every checker and driver that reports one.
 */
import type { NodeId } from '../core/types.js';

export const INVARIANTS = [
  'Agreement',
  'Validity',
  'PrefixConsistency',
  'ExactlyOnce',
  'Durability',
  'Linearizability',
  'OutputFilter',
  'CheckpointSafety',
  'ConfigSafety',
  // A replica whose state diverged declares itself faulty once it holds a majority's digests of
  // an audited slot, and a correct replica never does (src/core/replica/audit.ts).
  'AuditDetects',
  // Spec-level (Smr.tla): every audit tells the truth, so replicas that only crash never
  // outvote one another.
  'AuditAgreement',
  'Refinement',
  // Not a protocol invariant: the explorer's self-check that a step is a function of its input.
  'Nondeterminism',
  // Spec-level checks of Smr.tla and its TS twin (src/spec): the type invariant, and the
  // refinement of Consensus per slot (a transition property, like Durability).
  'TypeOK',
  'ConsensusRefinement',
] as const;
export type InvariantName = (typeof INVARIANTS)[number];

export interface Violation {
  readonly invariant: InvariantName;
  readonly node?: NodeId;
  readonly message: string;
}
