import { ZERO_BALLOT } from '../ballot.js';
import { initialMembership, type Membership } from '../membership.js';
import type {
  AcceptedEntry,
  Ballot,
  ClientId,
  Command,
  DurableState,
  Json,
  ReplicaId,
  RequestMsg,
  Session,
  SessionEntry,
  Slot,
  SnapshotPart,
} from '../types.js';

export type { Session } from '../types.js';

/** Fixed parameters of a replica. Time is counted in `Tick` inputs, never in clock time. */
export interface ReplicaParams {
  /** The deployment: every replica id, including this one. N = 2F+1 fixes F. */
  readonly replicas: readonly ReplicaId[];
  /**
   * The starting configuration (membership.ts), in `replicas` order; the rest start as
   * observers that a JOIN may add. Default: every replica.
   */
  readonly members?: readonly ReplicaId[];
  /** Failure detector (Ω): a peer silent for this many ticks is suspected. */
  readonly electionTicks: number;
  /** Send heartbeats and retransmit unanswered phase-1/phase-2 messages every this many ticks; 0 = never. */
  readonly heartbeatTicks: number;
  /** α, the pipeline window: a leader proposes at most this many slots beyond the chosen prefix. */
  readonly window: number;
  /** At most this many entries in one catch-up reply. */
  readonly catchUpBatch: number;
  /**
   * A leader proposes a CHECKPOINT once this many slots were executed since its last checkpoint
   * (seed: checkpoints; the log is truncated below it); 0: never.
   */
  readonly checkpointEvery: number;
  /** At most this many app parts in one state-transfer chunk. */
  readonly transferChunk: number;
  /**
   * Audit every this many executed slots (seed step 6; audit.ts): replicas exchange the digest
   * of their state, and one that differs from a majority declares itself faulty. 0: never.
   */
  readonly auditEvery?: number;
}

export const DEFAULT_REPLICA_PARAMS: Omit<ReplicaParams, 'replicas'> = {
  electionTicks: 5,
  heartbeatTicks: 2,
  window: 8,
  catchUpBatch: 64,
  checkpointEvery: 64,
  transferChunk: 64,
};

export type Role = 'follower' | 'candidate' | 'leader';

/** A leader's slot in phase 2: the command it proposed and who accepted it in its ballot. */
export interface Proposal {
  readonly cmd: Command;
  readonly votes: ReadonlySet<ReplicaId>;
}

/** What a candidate keeps of a promise: the values reported, and where the acceptor's log starts. */
export interface PromiseReport {
  readonly accepted: readonly AcceptedEntry[];
  readonly checkpoint: Slot;
}

/** A state transfer being received: the chunks so far of one checkpoint of one peer. */
export interface Transfer {
  readonly from: ReplicaId;
  readonly slot: Slot;
  readonly digest: string;
  readonly count: number;
  /** The next chunk expected. */
  readonly next: number;
  readonly names: readonly string[];
  readonly sessions: readonly SessionEntry[];
  /** The checkpoint's configuration as sent (null: the deployment's starting one). */
  readonly membership: Json | null;
  readonly parts: readonly SnapshotPart[];
}

/** What a replica loses on a crash. */
export interface VolatileState<S> {
  readonly role: Role;
  /** The ballot this replica leads or is trying to lead (meaningful unless follower). */
  readonly ballot: Ballot;
  /** Candidate: the first slot phase 1 covers, and the promises collected for `ballot`. */
  readonly prepareFrom: Slot;
  readonly promises: ReadonlyMap<ReplicaId, PromiseReport>;
  /** Leader: open phase-2 slots, the next free slot, and requests waiting for the window. */
  readonly proposals: ReadonlyMap<Slot, Proposal>;
  readonly nextSlot: Slot;
  readonly queue: readonly RequestMsg[];
  /** Ticks since each peer was last heard from (capped at electionTicks), for Ω. */
  readonly silence: ReadonlyMap<ReplicaId, number>;
  /** Ticks since the last heartbeat round, and since this candidacy started. */
  readonly sinceHeartbeat: number;
  readonly sinceCandidacy: number;
  /** The highest ballot seen anywhere: a new candidacy starts above it. */
  readonly highestSeen: Ballot;
  /** The application, the session table and how many slots have been executed. */
  readonly app: S;
  readonly sessions: ReadonlyMap<ClientId, Session>;
  readonly executed: Slot;
  /** State transfer in progress, and whether the last one failed its digest check. */
  readonly transfer: Transfer | null;
  readonly wholeTransfer: boolean;
  /** Each peer's latest checkpoint vote: the checkpoint it holds (stable at F+1 matching). */
  readonly votes: ReadonlyMap<ReplicaId, CheckpointVote>;
  /** The configurations from the executed slot on (replicated state, like `app`). */
  readonly membership: Membership;
  /**
   * Leader: the configurations a quorum of which promised its ballot (it proposes only in slots
   * they govern), and the values adopted in phase 1 for slots past the window α, proposed as
   * the window reaches them.
   */
  readonly covered: readonly (readonly ReplicaId[])[];
  readonly adopted: ReadonlyMap<Slot, Command>;
  /** The audit rounds kept: this replica's digest and its peers' for each audited slot. */
  readonly audits: ReadonlyMap<Slot, AuditRound>;
  /** Set once this replica declared itself faulty, until it is repaired and its QUIT executed. */
  readonly repair: Repair | null;
}

export interface AuditRound {
  /** This replica's digest, once it executed the slot (null for a round kept ahead). */
  readonly own: string | null;
  /** The configuration of the audited slot, fixed when `own` is (null until then). */
  readonly members: readonly ReplicaId[] | null;
  readonly peers: ReadonlyMap<ReplicaId, string>;
}

/**
 * A replica that declared itself faulty at audit slot `slot`: it asked to QUIT with `quitSeq`,
 * stopped serving clients, and rebuilt its state; `awaitingTransfer` while it waits for a
 * peer's checkpoint to rebuild from.
 */
export interface Repair {
  readonly slot: Slot;
  readonly quitSeq: number;
  readonly awaitingTransfer: boolean;
}

export interface CheckpointVote {
  readonly slot: Slot;
  readonly digest: string;
}

export interface ReplicaState<S = unknown> {
  readonly id: ReplicaId;
  readonly params: ReplicaParams;
  readonly durable: DurableState;
  readonly volatile: VolatileState<S>;
}

export const EMPTY_DURABLE: DurableState = {
  promised: ZERO_BALLOT,
  accepted: new Map(),
  chosen: new Map(),
  checkpoint: null,
};

/**
 * The volatile state of a replica that starts (or restarts) with `durable`: a follower whose app
 * and sessions are its checkpoint's (`app` is the app's initial state, for no checkpoint).
 */
export function initialVolatile<S>(
  params: ReplicaParams,
  app: S,
  durable: DurableState,
): VolatileState<S> {
  const cp = durable.checkpoint;
  return {
    role: 'follower',
    ballot: ZERO_BALLOT,
    prepareFrom: 0,
    promises: new Map(),
    proposals: new Map(),
    nextSlot: 0,
    queue: [],
    silence: new Map(params.replicas.map((r) => [r, 0])),
    sinceHeartbeat: 0,
    sinceCandidacy: 0,
    highestSeen: durable.promised,
    app: cp === null ? app : (cp.app as S),
    sessions: cp === null ? new Map() : cp.sessions,
    executed: cp === null ? 0 : cp.slot,
    transfer: null,
    wholeTransfer: false,
    votes: new Map(),
    membership: cp === null ? initialMembership(startingMembers(params)) : cp.membership,
    covered: [],
    adopted: new Map(),
    audits: new Map(),
    repair: null,
  };
}

/** The starting configuration of the deployment. */
export function startingMembers(params: ReplicaParams): readonly ReplicaId[] {
  return params.members ?? params.replicas;
}

/** The first slot the log holds: the slots below are covered by the checkpoint. */
export const checkpointSlot = (durable: DurableState): Slot => durable.checkpoint?.slot ?? 0;

/**
 * The length of the contiguous chosen prefix: the first slot this replica does not know chosen.
 * `from` is a slot known to be inside the prefix (such as the executed count), to skip the walk.
 */
export function chosenPrefix(durable: DurableState, from: Slot = 0): Slot {
  let slot = Math.max(from, checkpointSlot(durable));
  while (durable.chosen.has(slot)) slot++;
  return slot;
}

/** The peers of `self` in the configuration. */
export function peersOf(state: ReplicaState<unknown>): readonly ReplicaId[] {
  return state.params.replicas.filter((r) => r !== state.id);
}

/** The accepted values for every slot from `fromSlot` on, in slot order (phase 1b's report). */
export function acceptedFrom(durable: DurableState, fromSlot: Slot): AcceptedEntry[] {
  const out: AcceptedEntry[] = [];
  for (const [slot, value] of durable.accepted) if (slot >= fromSlot) out.push({ slot, ...value });
  return out.sort((x, y) => x.slot - y.slot);
}
