/**
 * The linearizability oracle's vocabulary: histories of client operations and sequential
 * models to judge them against (Herlihy & Wing 1990; Wing & Gong 1993; Lowe 2017).
 */
import type { Json } from '../core/types.js';

/** One operation of a concurrent history, as a client saw it. */
export interface HistoryOp {
  /** The process (client) that issued it; a process has at most one operation open at a time. */
  readonly process: string;
  /** The operation, as the model understands it. */
  readonly input: Json;
  /**
   * The output the client accepted, or `undefined` when the outcome is unknown (timed out,
   * Jepsen `:info`, a client FAIL, still pending): such an operation may or may not have taken
   * effect, at any point after its call.
   */
  readonly output: Json | undefined;
  /** Invocation time; any totally ordered numbers (steps, nanoseconds, line numbers). */
  readonly call: number;
  /** Completion time, or null when the operation never completed. */
  readonly ret: number | null;
}

/**
 * A sequential specification. `step` returns every state the model may be in after applying
 * `input` with the observed `output` (`undefined` = any output); an empty list means the
 * observation is impossible from `state`.
 */
export interface Model<S = unknown> {
  readonly name: string;
  init(): S;
  step(state: S, input: Json, output: Json | undefined): readonly S[];
  /** A canonical key for memoisation: equal keys mean equal states. */
  key(state: S): string;
  /** Split a history into independent sub-histories (P-compositionality), e.g. by key. */
  partition?(input: Json): string | undefined;
  /** Human-readable rendering of an operation, for explanations. */
  describe?(input: Json, output: Json | undefined): string;
  /**
   * Why `input` (with `output`, when known) is not an operation of this model, or null. Readers
   * call it so that an unknown operation is bad input (exit 2), not a linearizability violation.
   */
  validate?(input: Json, output: Json | undefined): string | null;
  /**
   * True when the operation, with this known output, never changes any state (a read, a cas
   * that failed). Optional, a speed hint: the search then linearises such an operation as soon
   * as it matches, without branching. Claiming it for an operation that can change the state
   * makes the checker unsound.
   */
  readOnly?(input: Json, output: Json): boolean;
  /**
   * Optional, a speed-up: the model to search one partition with (`partition` returned `key` for
   * every operation in it), e.g. a single register instead of a map of them. It must accept the
   * same behaviours of those operations as this model does.
   */
  forPartition?(key: string): Model;
  /**
   * Optional, a speed-up with a proof obligation: indices of operations with an unknown outcome
   * that can be left out of this partition without changing its verdict (each is linearizable
   * somewhere iff the partition is linearizable with it never having happened). The checker
   * drops them before searching; a wrong claim makes it unsound.
   */
  neverNeeded?(
    ops: readonly { readonly input: Json; readonly output: Json | undefined }[],
  ): readonly number[];
  /**
   * Optional, a prune with a proof obligation: the lookahead of reads (see WglSearch.doomed).
   * A wrong claim makes the checker unsound.
   */
  growth?: Growth<S>;
}

/**
 * How operations can change a state, for models whose states only grow between resets (a
 * string under appends, a set under adds).
 */
export interface Growth<S> {
  /**
   * 'keeps': never changes any state (a read, a failed cas); 'grows': only ever makes the state
   * grow (an append); 'any': anything else (a write, a cas), and whatever is unsure.
   */
  effect(input: Json, output: Json | undefined): 'keeps' | 'grows' | 'any';
  /**
   * False only when no sequence of 'grows' operations (none included) can take `state` to one
   * that accepts `input` with `output`; true when unsure.
   */
  canGrowInto(state: S, input: Json, output: Json): boolean;
  /**
   * The state an 'any' operation leaves when it changes the state, whatever the state before
   * (a write: its value); undefined when that depends on the state before.
   */
  setsTo(input: Json, output: Json | undefined): { readonly state: S } | undefined;
}

export type Verdict = 'linearizable' | 'not-linearizable' | 'unknown';

/** An operation as the search sees it: real-time bounds as numbers. */
export interface SearchOp {
  readonly input: Json;
  readonly output: Json | undefined;
  readonly call: number;
  /** +Infinity for optional operations. */
  readonly ret: number;
}
