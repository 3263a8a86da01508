/**
 * The data a sequence page is drawn from (src/view/sequence.ts): lanes, steps, messages, the
 * state of every node after every step, and the violation with the values that make it one.
 * Producers fill it in from a counterexample, a replay or a trace; nothing here knows which.
 */

/** A node's variables after a step, as display text (multi-line values use '\n'). */
export type NodeState = Readonly<Record<string, string>>;
/** Every node's state (and any extra column's, e.g. what the invariants know), by id. */
export type Snapshot = Readonly<Record<string, NodeState>>;

/** One message to one receiver; `id` ties its send to its delivery, drop or duplication. */
export interface SequenceMessage {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly text: string;
}

export type StepKind = 'act' | 'crash' | 'restart' | 'corrupt' | 'drop' | 'duplicate';

export interface SequenceStep {
  /** The whole label, as the text outputs print it (spec actions first). */
  readonly label: string;
  /** The lane: the node that acted; for a drop or duplication, the message's receiver. */
  readonly node: string;
  readonly kind: StepKind;
  /** The spec actions the node performed, one box line each (bold). */
  readonly actions: readonly string[];
  /** What made the node act when no message did: `Tick`, `Submit …`. */
  readonly cause?: string;
  /** The message consumed (act), or acted on by the network (drop, duplicate). */
  readonly receives?: {
    readonly id: string;
    readonly from: string;
    readonly text: string;
    /** Where it was sent when that is not a step of this diagram (a trace window). */
    readonly origin?: string;
  };
  /** Duplicate: the id of the new copy. */
  readonly copy?: string;
  readonly sends: readonly SequenceMessage[];
  /** Where the step comes from, e.g. `line 22` of a trace. */
  readonly where?: string;
  /** The state after the step. */
  readonly state: Snapshot;
  /** Messages in the network after the step, as text. */
  readonly inFlight?: readonly string[];
}

export interface Culprit {
  readonly node: string;
  readonly variable: string;
  /** For a variable with an entry per slot (or client): the entry at stake, e.g. `10`. */
  readonly entry?: string;
}

export interface SequenceViolation {
  /** e.g. `CheckpointSafety violated`, `invalid: no state of the spec can take this event`. */
  readonly heading: string;
  readonly message: string;
  readonly node?: string;
  /** Index of the step that exposed it; -1 for the initial state. */
  readonly step: number;
  /** The values that make it a violation, marked in the state panel and listed at the top. */
  readonly culprits: readonly Culprit[];
  /** Further facts, e.g. the conjunct, what the spec expected and what the trace shows. */
  readonly details?: readonly { readonly label: string; readonly value: string }[];
}

export interface SequenceDiagram {
  readonly title: string;
  readonly subtitle: string;
  /** The lanes, left to right. */
  readonly nodes: readonly string[];
  /** Which lanes are clients (drawn in another colour). */
  readonly clients?: readonly string[];
  /** State columns that are not lanes, e.g. `invariants` (ghost state), with a caption. */
  readonly columns?: readonly { readonly id: string; readonly caption: string }[];
  readonly initial: Snapshot;
  readonly steps: readonly SequenceStep[];
  readonly violation: SequenceViolation | null;
  /** Lines under the subtitle, e.g. which part of a long trace is shown. */
  readonly notes?: readonly string[];
}
