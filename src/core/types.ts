/**
 * The vocabulary of the reference protocol: identifiers, commands, messages, inputs, effects.
 *
 * Everything here is plain readonly data (STYLE.md §10, h11's frozen events) so that states and
 * messages can be compared, hashed, written to traces and replayed.
 */

export type ReplicaId = string;
export type ClientId = string;
export type NodeId = ReplicaId | ClientId;
/** A position in the replicated log, counted from 0. */
export type Slot = number;

/** Operations, outputs and app states are JSON so that any host and any trace can carry them. */
export type Json =
  null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/**
 * A Paxos ballot `(round, leader)`, totally ordered by round, then leader id
 * (Paxos Made Simple §2.2: proposal numbers drawn from disjoint sets per proposer).
 */
export interface Ballot {
  readonly round: number;
  readonly leader: ReplicaId;
}

/**
 * What a log slot holds. `noop` fills gaps found by a new leader (Paxos Made Simple §3).
 * Reconfiguration (`join`/`quit`) and `checkpoint` commands join this union in a later issue.
 */
export type Command =
  | { readonly kind: 'noop' }
  | {
      readonly kind: 'op';
      readonly client: ClientId;
      readonly seq: number;
      readonly op: Json;
    };

export interface AcceptedValue {
  readonly ballot: Ballot;
  readonly cmd: Command;
}

export interface AcceptedEntry extends AcceptedValue {
  readonly slot: Slot;
}

export interface ChosenEntry {
  readonly slot: Slot;
  readonly cmd: Command;
}

// ---------------------------------------------------------------------------------------------
// Messages. `from` is always the sender; the reducer rejects senders outside the configuration.

/** Phase 1a: a candidate asks for promises on every slot from `fromSlot` on, at once. */
export interface PrepareMsg {
  readonly type: 'Prepare';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly fromSlot: Slot;
}
/** Phase 1b: the acceptor's promise, with everything it accepted from `fromSlot` on. */
export interface PromiseMsg {
  readonly type: 'Promise';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly accepted: readonly AcceptedEntry[];
}
/** Phase 2a: the leader asks acceptors to accept `cmd` in `slot` at `ballot`. */
export interface AcceptMsg {
  readonly type: 'Accept';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly slot: Slot;
  readonly cmd: Command;
}
/** Phase 2b: the acceptor accepted `slot` at `ballot`. */
export interface AcceptedMsg {
  readonly type: 'Accepted';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly slot: Slot;
}
/** The leader tells learners that `slot` is chosen. */
export interface DecisionMsg {
  readonly type: 'Decision';
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly cmd: Command;
}
/** Liveness only: feeds the failure detector and tells peers how far the log is chosen. */
export interface HeartbeatMsg {
  readonly type: 'Heartbeat';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly leading: boolean;
  readonly chosenPrefix: Slot;
}
/** A lagging replica asks a peer for chosen entries from `fromSlot` on (seed: input log). */
export interface CatchUpRequestMsg {
  readonly type: 'CatchUpRequest';
  readonly from: ReplicaId;
  readonly fromSlot: Slot;
}
export interface CatchUpReplyMsg {
  readonly type: 'CatchUpReply';
  readonly from: ReplicaId;
  readonly entries: readonly ChosenEntry[];
}
/** A client's request; clients send it to every replica of the configuration. */
export interface RequestMsg {
  readonly type: 'Request';
  readonly from: ClientId;
  readonly seq: number;
  readonly op: Json;
}
/** A replica's output for the client's request `seq` (seed: every replica replies). */
export interface ReplyMsg {
  readonly type: 'Reply';
  readonly from: ReplicaId;
  readonly to: ClientId;
  readonly seq: number;
  readonly output: Json;
}

export type ReplicaMessage =
  | PrepareMsg
  | PromiseMsg
  | AcceptMsg
  | AcceptedMsg
  | DecisionMsg
  | HeartbeatMsg
  | CatchUpRequestMsg
  | CatchUpReplyMsg;

export type Message = ReplicaMessage | RequestMsg | ReplyMsg;
export type MessageType = Message['type'];

// ---------------------------------------------------------------------------------------------
// Inputs. Time is an input (`Tick`), so is a crash's end (`Restart`): the core never reads a clock.

export type Input =
  | { readonly kind: 'Receive'; readonly msg: Message }
  | { readonly kind: 'Tick' }
  /** The host restarted the replica: volatile state is gone, the last `Persist` survives. */
  | { readonly kind: 'Restart' }
  /** The client's user invokes an operation (client reducer only). */
  | { readonly kind: 'ClientRequest'; readonly op: Json };

// ---------------------------------------------------------------------------------------------
// Effects.

/**
 * The names of the protocol's atomic actions. The same names are the TLA+ actions in
 * spec/Smr.tla, the functions of src/spec, trace events and counterexample step labels
 * (STYLE.md §5). A reducer step performs one or more of them, reported as `Trace` effects.
 */
export type ActionName =
  | 'Phase1a'
  | 'Phase1b'
  | 'ReceivePromise'
  | 'BecomeLeader'
  | 'Phase2a'
  | 'Phase2b'
  | 'ReceiveAccepted'
  | 'Decide'
  | 'Learn'
  | 'Execute'
  | 'Checkpoint'
  | 'Truncate'
  | 'InstallCheckpoint'
  | 'ReplyFromSession'
  | 'StepDown'
  | 'Restart'
  | 'ClientRequest'
  | 'ClientReceive';

/** The result a client reducer hands to its user: an output agreed by voting, or FAIL. */
export type Outcome =
  { readonly ok: true; readonly output: Json } | { readonly ok: false; readonly reason: 'FAIL' };

/**
 * Effects are returned in the order the host must perform them.
 *
 * ORDERING RULE (etcd raft's Ready): a `Persist` must be on stable storage BEFORE any `Send` or
 * `Reply` after it in the same list is handed to the network. A promise or an accepted value
 * that reaches the network before the disk can be forgotten by a crash, and Paxos is then unsafe.
 * The reference reducer emits at most one `Persist` per step, first.
 */
export type Effect =
  /** Write the whole durable state (promise, accepted values, chosen log) to stable storage. */
  | { readonly kind: 'Persist'; readonly durable: DurableState }
  /** Send over the network: replica to replica, or a client's `Request` to a replica. */
  | { readonly kind: 'Send'; readonly to: NodeId; readonly msg: Message }
  /** A replica's output for a client (seed: "sending outputs"). */
  | { readonly kind: 'Reply'; readonly to: ClientId; readonly msg: ReplyMsg }
  /** Client only: hand the voted outcome of request `seq` to the user. */
  | {
      readonly kind: 'Complete';
      readonly seq: number;
      readonly op: Json;
      readonly outcome: Outcome;
    }
  /** The spec action this step performed (for traces, refinement and counterexamples). */
  | { readonly kind: 'Trace'; readonly event: TraceEvent }
  /** The input was malformed or not allowed; the state did not change. */
  | { readonly kind: 'Rejected'; readonly reason: string };

/** One spec action performed by a node, with the message it consumed or produced. */
export interface TraceEvent {
  readonly action: ActionName;
  readonly slot?: Slot;
  readonly msg?: Message;
  /** Execute only: false when the session table skipped a duplicate (exactly-once). */
  readonly applied?: boolean;
}

/** The part of a replica that survives `Restart` (Paxos Made Simple §2.3: stable storage). */
export interface DurableState {
  /** The highest ballot promised; `ZERO_BALLOT` before any promise. */
  readonly promised: Ballot;
  readonly accepted: ReadonlyMap<Slot, AcceptedValue>;
  /** Chosen commands this replica has learned. */
  readonly chosen: ReadonlyMap<Slot, Command>;
}

export interface StepResult<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}
