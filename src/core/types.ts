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
 * What a log slot holds. `noop` fills gaps found by a new leader (Paxos Made Simple §3);
 * `checkpoint` makes every replica that executes it keep a copy of its state and truncate the
 * log below (seed: checkpoints); `join`/`quit` change the configuration from α slots later
 * (membership.ts). A reconfiguration carries the client (an operator, or the replica itself when
 * it declared itself faulty) and sequence number of its request, so it is executed exactly once
 * and answered like an op.
 */
export type Command =
  | { readonly kind: 'noop' }
  | { readonly kind: 'checkpoint' }
  | {
      readonly kind: 'op';
      readonly client: ClientId;
      readonly seq: number;
      readonly op: Json;
    }
  | ReconfigCommand;

export interface ReconfigCommand {
  readonly kind: 'join' | 'quit';
  readonly replica: ReplicaId;
  readonly client: ClientId;
  readonly seq: number;
}

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
/**
 * Phase 1b: the acceptor's promise, with everything it accepted from `fromSlot` on, and where
 * its log starts: the slots below `checkpoint` are truncated (covered by its checkpoint), so it
 * reports nothing for them — a candidate must know them chosen before it leads.
 */
export interface PromiseMsg {
  readonly type: 'Promise';
  readonly from: ReplicaId;
  readonly ballot: Ballot;
  readonly accepted: readonly AcceptedEntry[];
  readonly checkpoint: Slot;
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
/**
 * A lagging replica asks a peer for chosen entries from `fromSlot` on (seed: input log). If the
 * peer truncated them, it answers with its checkpoint (state transfer), sending only the app
 * parts whose version differs from `versions`, the asker's own (seed: send only the state
 * components that differ); without `versions`, every part.
 */
export interface CatchUpRequestMsg {
  readonly type: 'CatchUpRequest';
  readonly from: ReplicaId;
  readonly fromSlot: Slot;
  readonly versions?: { readonly [part: string]: number };
}
export interface CatchUpReplyMsg {
  readonly type: 'CatchUpReply';
  readonly from: ReplicaId;
  readonly entries: readonly ChosenEntry[];
}
/**
 * A replica took (or installed) the checkpoint at `slot` with `digest` (PBFT's checkpoint
 * message). A checkpoint is stable once F+1 replicas vouch for the same digest: only then is the
 * log below it truncated and the checkpoint served to lagging peers, so a replica whose state was
 * corrupted (non-maliciously) can neither spread its checkpoint nor make the others lose the log
 * a lagging peer still needs.
 */
export interface CheckpointVoteMsg {
  readonly type: 'CheckpointVote';
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly digest: string;
}

/**
 * Audit (seed step 6: "monitor replicas for differences in State or Output"): the digest of the
 * sender's state (app, sessions — its recent outputs — and configuration) after executing
 * `slot` slots. A replica answers an audit whose digest differs from its own with its own
 * (`echo`), so a replica that executed the slot after its peers still hears from them.
 */
export interface AuditMsg {
  readonly type: 'Audit';
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly digest: string;
  readonly echo: boolean;
}

/** One named part of an app state, with a version that changes whenever the part does. */
export interface SnapshotPart {
  readonly name: string;
  readonly version: number;
  readonly value: Json;
}

/** A session table entry as state transfer carries it. */
export interface SessionEntry {
  readonly client: ClientId;
  readonly seq: number;
  readonly output: Json;
}

/**
 * State transfer (DESIGN.md): chunk `index` of `count` of the sender's checkpoint at `slot` (it
 * covers the slots below), as a real host sends a large state. Chunk 0 also names every part of
 * the checkpoint's app state (the receiver keeps its own copy of a part not sent) and carries
 * the session table. The receiver installs the checkpoint only if what it assembled has
 * `digest`.
 */
export interface SnapshotChunkMsg {
  readonly type: 'SnapshotChunk';
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly digest: string;
  readonly index: number;
  readonly count: number;
  readonly parts: readonly SnapshotPart[];
  readonly names?: readonly string[];
  readonly sessions?: readonly SessionEntry[];
  /** Chunk 0: the checkpoint's configuration (membership.ts), when it differs from the start. */
  readonly membership?: Json;
}

/**
 * A client's request; clients send it to every replica of the deployment. A replica sends one
 * too, as its own client, to QUIT or JOIN itself (audit.ts).
 */
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
  | CatchUpReplyMsg
  | CheckpointVoteMsg
  | SnapshotChunkMsg
  | AuditMsg;

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
export type ModelledActionName =
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
  | 'ClientReceive'
  | 'Reconfigure'
  | 'Audit'
  | 'ReceiveAudit';

/**
 * The one action spec/Smr.tla does not model: a replica outvoted by the audit declares itself
 * faulty (audit.ts). Only a replica whose state was corrupted does, and the spec's replicas only
 * crash: a run that takes it is not checked for refinement, and a trace that holds it is refused
 * by the trace checker with that reason.
 */
export type UnmodelledActionName = 'DeclareFaulty';

export const UNMODELLED_ACTIONS: ReadonlySet<string> = new Set(['DeclareFaulty']);

export type ActionName = ModelledActionName | UnmodelledActionName;

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
  /** Write the whole durable state (promise, accepted values, chosen log, checkpoint) to disk. */
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
  /**
   * The input was malformed or not allowed and nothing it carried was taken: the state did not
   * change, except that a state transfer whose digest does not match is dropped (and the next one
   * asked for whole).
   */
  | { readonly kind: 'Rejected'; readonly reason: string };

/** The checkpoint a Checkpoint or InstallCheckpoint event is about: its slot, taker, digest. */
export interface SnapshotRef {
  readonly type: 'Snapshot';
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly digest: string;
}

/** One spec action performed by a node, with the message it consumed or produced. */
export interface TraceEvent {
  readonly action: ActionName;
  readonly slot?: Slot;
  readonly msg?: Message | SnapshotRef;
  /** Execute only: false when the session table skipped a duplicate (exactly-once). */
  readonly applied?: boolean;
}

/** Exactly-once table (seed: client sessions): a client's last executed request and its output. */
export interface Session {
  readonly seq: number;
  readonly output: Json;
}

/**
 * A copy of a replica's state after executing slots 0..slot-1 (seed: checkpoints): the app
 * state, the session table, the configuration, and a digest of them that a state transfer is checked against.
 */
export interface Checkpoint {
  readonly slot: Slot;
  readonly app: unknown;
  readonly sessions: ReadonlyMap<ClientId, Session>;
  /** The configurations of the slots from `slot` on (membership.ts, normal form at `slot`). */
  readonly membership: Membership;
  readonly digest: string;
}

/** The part of a replica that survives `Restart` (Paxos Made Simple §2.3: stable storage). */
export interface DurableState {
  /** The highest ballot promised; `ZERO_BALLOT` before any promise. */
  readonly promised: Ballot;
  /** Accepted values, for the slots the checkpoint does not cover. */
  readonly accepted: ReadonlyMap<Slot, AcceptedValue>;
  /** Chosen commands this replica has learned, for the slots the checkpoint does not cover. */
  readonly chosen: ReadonlyMap<Slot, Command>;
  /** The latest checkpoint, or null before the first one (the initial state at slot 0). */
  readonly checkpoint: Checkpoint | null;
}

/** One configuration and the first slot it governs (membership.ts). */
export interface Epoch {
  readonly from: Slot;
  readonly members: readonly ReplicaId[];
}

/** The configurations of the slots from the current one on, oldest first (membership.ts). */
export interface Membership {
  /** Ascending `from`; the first governs every slot before the second's `from`. */
  readonly epochs: readonly Epoch[];
  /** Replicas that quit after declaring themselves faulty: they rejoin once repaired. */
  readonly rejoin: readonly ReplicaId[];
}

export interface StepResult<S> {
  readonly state: S;
  readonly effects: readonly Effect[];
}
