/**
 * What the explorer explores: any protocol given as a labelled transition system. The reference
 * Multi-Paxos cluster (harness/explore/cluster), the TS twin of the TLA+ spec (src/spec) and
 * later Raft or PBFT reducers all implement this one interface, so one search engine serves them
 * all.
 */
import type { Violation } from './violation.js';

export interface Successor<W> {
  readonly world: W;
  /** Violations the transition exposed (transition-level invariants such as Durability). */
  readonly violations: readonly Violation[];
  /**
   * Optional: what this step achieved that a search should report reaching (e.g. `checkpoint`,
   * `truncation`, `state transfer`), so a run can say how much of the protocol it covered.
   */
  readonly milestones?: readonly string[];
}

export interface Protocol<W, A> {
  readonly name: string;
  /** Every initial state (TLC: the states satisfying Init). */
  initialStates(): readonly W[];
  /**
   * The actions enabled in `world` within the protocol's bounds, in a deterministic order that
   * depends only on `world`: counterexamples are stored as indices into this list.
   */
  actions(world: W): readonly A[];
  /**
   * Optional, for random walks: a superset of `actions(world)` that is cheaper to list, with
   * `isEnabled` telling which of them `actions` holds. A walk then filters only the action it
   * picks. Actions must be comparable by identity with those of `actions`.
   */
  candidates?(world: W): readonly A[];
  isEnabled?(world: W, action: A): boolean;
  /** Take one action; must be a pure function of (world, action) — the explorer checks this. */
  step(world: W, action: A): Successor<W>;
  /** State invariants, checked on every distinct state reached (including initial ones). */
  check(world: W): readonly Violation[];
  /**
   * A canonical encoding: equal encodings ⇔ the states are the same for the protocol's future
   * (ghost history included). Used for fingerprints and the exact visited set.
   */
  encode(world: W): string;
  /** Optional symmetry reduction: the encoding of the orbit's representative. */
  encodeCanonical?(world: W): string;
  /**
   * Optional: the 64-bit fingerprint of `encodeCanonical ?? encode` (symmetry included), when
   * the protocol can compute it faster than hashing the text, e.g. from cached component
   * hashes. Equal states must get equal fingerprints.
   */
  fingerprint?(world: W): readonly [hi: number, lo: number];
  /**
   * Optional fingerprint-first successors: the fingerprint (as `fingerprint` would give it) of
   * the state `step(world, action)` reaches, computed without building that state, or undefined
   * when the protocol cannot tell cheaply. Only for steps that expose no violation: the engine
   * skips a step whose predicted state is already visited. `bfs(protocol, { verifyPredictions:
   * true })` builds every successor and checks each prediction against it.
   */
  predictFingerprint?(world: W, action: A): readonly [hi: number, lo: number] | undefined;
  /** Optional partial-order reduction: true when `a` and `b` commute and neither disables the other. */
  independent?(a: A, b: A): boolean;
  /**
   * Optional partial-order reduction with persistent sets (Godefroid): indices into `actions`
   * of a persistent set of `world` whose actions are invisible to the invariants and lie on no
   * cycle, or undefined to explore every action. The protocol owns the proof; the engine trusts it.
   */
  persistent?(world: W, actions: readonly A[]): readonly number[] | undefined;
  /**
   * Optional, for delay-bounded search (harness/explore/engine/delay.ts): the index into
   * `actions` that a fixed, fair scheduler takes in `world` (e.g. the oldest message first), or
   * -1 for none. Every other action is a departure from it, a delay.
   */
  scheduled?(world: W, actions: readonly A[]): number;
  /**
   * True when `step` checks its own determinism (e.g. per memoised node step); otherwise the
   * engine re-runs each step and compares encodings.
   */
  readonly checksDeterminism?: boolean;
  /**
   * Optional: the state as data that means the same in another thread or process (worker
   * rebalancing, checkpoints), for protocols whose states refer to per-instance tables; and
   * back. Without them states are carried as they are.
   */
  exportState?(world: W): unknown;
  importState?(data: unknown): W;
  /**
   * True when a state is plain JSON data (numbers, arrays) that this instance reads back as it
   * is: a search spills such states to disk without exporting them (packed states are a few
   * dozen ids; exported, kilobytes).
   */
  readonly plainStates?: boolean;
  /**
   * Optional, with plainStates: a compact checkpoint. States refer to parts held by this
   * instance (packed states: interned replica, client and packet states), so a checkpoint can
   * write each part once and the states as they are, instead of exporting every state whole.
   */
  sharedParts?(): SharedParts<W>;
  /** Intern written parts in this instance; how to read a state written against them. */
  importParts?(parts: readonly unknown[]): (world: W) => W;
  /** A short human-readable label (the spec action name first, STYLE.md §5). */
  describe(action: A): string;
}

/** Collects the parts states refer to (Protocol.sharedParts). */
export interface SharedParts<W> {
  /** Note the parts `world` refers to. */
  note(world: W): void;
  /** Every part noted so far, once each, as data. */
  export(): unknown[];
}
