/**
 * The TS twin of spec/Smr.tla: its constants, values and variables, as plain readonly data.
 *
 * The variables are those of Smr.tla's VARIABLES, grouped by the node that owns them so that a
 * trace checker can observe one node at a time (`state.replicas[i].promised` is `promised[r]`).
 * Sets of the spec are arrays kept in one canonical order (see the comments), so two equal spec
 * states have equal twin states field by field — the explorer's state count then equals TLC's.
 */

export type ReplicaId = string;
export type ClientId = string;

/** Smr.tla's CONSTANTS. `replicas` is ReplicaSeq: ballot b is owned by replicas[b % N]. */
export interface SpecConstants {
  readonly replicas: readonly ReplicaId[];
  readonly clients: readonly ClientId[];
  readonly maxSeq: number;
  readonly numSlots: number;
  readonly maxBallot: number;
}

/** A ballot is a number; `NO_BALLOT` (-1) is the core's ZERO_BALLOT, below every ballot. */
export type Ballot = number;
export const NO_BALLOT: Ballot = -1;

/** Client outcome for "every replica answered, no majority agrees" (seed: System Failure). */
export const FAIL = -1;

export type Cmd =
  | { readonly kind: 'noop' }
  | { readonly kind: 'op'; readonly client: ClientId; readonly seq: number };

export const NOOP: Cmd = Object.freeze({ kind: 'noop' });

/** An accepted value: Entries == [slot, bal, cmd]. Arrays of entries are sorted by slot. */
export interface Entry {
  readonly slot: number;
  readonly bal: Ballot;
  readonly cmd: Cmd;
}

/** A learned value: Chosen == [slot, cmd]. Sorted by slot. */
export interface ChosenEntry {
  readonly slot: number;
  readonly cmd: Cmd;
}

/** A candidate's record of one promise. Sorted by `from` (string order). */
export interface Report {
  readonly from: ReplicaId;
  readonly accepted: readonly Entry[];
}

/** A leader's proposal; `votes` sorted, empty while adopted but not yet proposed. By slot. */
export interface Proposal {
  readonly slot: number;
  readonly cmd: Cmd;
  readonly votes: readonly ReplicaId[];
}

export interface Session {
  readonly seq: number;
  readonly output: number;
}

export const NO_SESSION: Session = Object.freeze({ seq: 0, output: 0 });

export type Role = 'follower' | 'candidate' | 'leader';

/** The variables of one replica r: `promised[r]`, `accepted[r]`, … */
export interface ReplicaVars {
  readonly promised: Ballot;
  readonly accepted: readonly Entry[];
  readonly chosen: readonly ChosenEntry[];
  readonly role: Role;
  readonly ballot: Ballot;
  readonly prepareFrom: number;
  readonly promises: readonly Report[];
  readonly proposals: readonly Proposal[];
  readonly nextSlot: number;
  readonly executed: number;
  /** `sessions[r][c]`, in the order of `SpecConstants.clients`. */
  readonly sessions: readonly Session[];
  readonly app: number;
}

/** A client's vote record. Sorted by `from`. */
export interface Vote {
  readonly from: ReplicaId;
  readonly output: number;
}

/** The variables of one client c: `clientSeq[c]`, `pending[c]`, `replies[c]`. */
export interface ClientVars {
  readonly clientSeq: number;
  readonly pending: boolean;
  readonly replies: readonly Vote[];
}

export type Msg =
  | {
      readonly type: 'Prepare';
      readonly from: ReplicaId;
      readonly bal: Ballot;
      readonly fromSlot: number;
    }
  | {
      readonly type: 'Promise';
      readonly from: ReplicaId;
      readonly bal: Ballot;
      readonly accepted: readonly Entry[];
    }
  | {
      readonly type: 'Accept';
      readonly from: ReplicaId;
      readonly bal: Ballot;
      readonly slot: number;
      readonly cmd: Cmd;
    }
  | { readonly type: 'Accepted'; readonly from: ReplicaId; readonly bal: Ballot; readonly slot: number }
  | { readonly type: 'Request'; readonly from: ClientId; readonly seq: number }
  | {
      readonly type: 'Reply';
      readonly from: ReplicaId;
      readonly to: ClientId;
      readonly seq: number;
      readonly output: number;
    };

export type MsgType = Msg['type'];

/** `msgs`: a set of messages, as keys in sorted order and the messages by key. */
export interface MsgSet {
  readonly keys: readonly string[];
  readonly byKey: ReadonlyMap<string, Msg>;
}

/** A ghost record of `done`: an outcome a client accepted. Sorted by client, then seq. */
export interface Outcome {
  readonly client: ClientId;
  readonly seq: number;
  readonly output: number;
}

/** A state of Smr.tla. `replicas[i]` belongs to `constants.replicas[i]`, likewise clients. */
export interface SpecState {
  readonly replicas: readonly ReplicaVars[];
  readonly clients: readonly ClientVars[];
  readonly msgs: MsgSet;
  readonly done: readonly Outcome[];
}

/** The result of an action: the next state, or the guard conjunct that does not hold. */
export type Step =
  | { readonly ok: true; readonly state: SpecState }
  | { readonly ok: false; readonly guard: string };
