/**
 * The world of a cluster run: replicas, clients, the network and ghost state for invariants.
 * One world model serves the simulator (a random walk) and the explorer (a search), so a bug
 * found by either is replayable by both (DSLabs' design).
 */
import type { AnyApp } from '../../src/core/app.js';
import {
  initClient,
  type ClientParams,
  type ClientRules,
  type ClientState,
} from '../../src/core/client.js';
import type { ReplicaContext } from '../../src/core/replica/builder.js';
import { initReplica } from '../../src/core/replica/reducer.js';
import { REFERENCE_RULES, type ReplicaRules } from '../../src/core/replica/rules.js';
import {
  DEFAULT_REPLICA_PARAMS,
  startingMembers,
  type ReplicaParams,
  type ReplicaState,
} from '../../src/core/replica/state.js';
import { initialMembership, normalMembership, type Membership } from '../../src/core/membership.js';
import type {
  Ballot,
  ClientId,
  Command,
  DurableState,
  Input,
  Json,
  Message,
  NodeId,
  ReplicaId,
  Session,
  Slot,
  StepResult,
} from '../../src/core/types.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import type { Violation } from '../../src/spec/violation.js';

export interface ClusterConfig {
  readonly replicas: readonly ReplicaId[];
  readonly clients: readonly ClientId[];
  readonly app: AnyApp;
  readonly rules: ReplicaRules;
  /** The clients' decision table (core/client.ts); the reference one unless a mutant's. */
  readonly clientRules?: ClientRules;
  readonly replicaParams: ReplicaParams;
  readonly clientParams: ClientParams;
  /**
   * How a node step is computed; default `replicaStep` / `clientStep`. The explorer passes a
   * memoising (and determinism-checking) wrapper: it must return what the reducer returns.
   */
  readonly stepReplica?: (
    state: ReplicaState,
    input: Input,
    ctx: ReplicaContext,
  ) => StepResult<ReplicaState>;
  readonly stepClient?: (state: ClientState, input: Input) => StepResult<ClientState>;
  /**
   * How a node step changes the ghost; default step.ts's `ghostStep`. The explorer passes a
   * memoising wrapper (keyed by the ghost and the step result objects): it must return what
   * `ghostStep` returns.
   */
  readonly ghostStep?: GhostStep;
  /**
   * Checks of single node steps against the spec (harness/refinement/local.ts), run on every
   * step; the explorer and the simulator install them by default.
   */
  readonly stepChecks?: StepChecks;
}

/** Per-node-step checks: the violations a step shows by itself. */
export interface StepChecks {
  replica(
    before: ReplicaState,
    input: Input,
    result: StepResult<ReplicaState>,
  ): readonly Violation[];
  client(before: ClientState, input: Input, result: StepResult<ClientState>): readonly Violation[];
}

/** The ghost after one node step, and the event-level violations the step exposed. */
export interface GhostChange {
  readonly ghost: Ghost;
  readonly violations: readonly Violation[];
}

/**
 * `stepped` is the replica's node after its step (undefined for a client): the digest check
 * reads its app state. `before` is the replica's node before it: its accepted values are
 * compared with the stepped ones to record votes. Both are determined by the step result.
 */
export type GhostStep = (
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  input: Input,
  result: StepResult<unknown>,
  stepped: ReplicaNode | undefined,
  before: ReplicaNode | undefined,
) => GhostChange;

/** The replicas that accepted `cmd` in `slot` at `ballot` (a history variable, like Paxos.tla's 2b messages). */
export interface BallotVotes {
  readonly ballot: Ballot;
  readonly cmd: Command;
  readonly voters: ReadonlySet<ReplicaId>;
}

export interface ReplicaNode {
  /** While `up` is false the state is the one the replica had when it crashed. */
  readonly state: ReplicaState;
  readonly up: boolean;
  /** What the last `Persist` wrote: all a restart gets back. */
  readonly disk: DurableState;
}

/** A message in flight. `id` is unique per run; it never affects behaviour. */
export interface Packet {
  readonly id: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: Message;
}

/** Ghost state: never read by the protocol, only by invariants (history variables). */
export interface Ghost {
  /** Every (slot, command) any replica ever decided or learned. */
  readonly chosen: ReadonlyMap<Slot, Command>;
  /**
   * Every vote ever cast, by slot: who accepted which command at which ballot, kept in
   * (ballot, command) order. A command is chosen when a majority voted for it in one ballot.
   */
  readonly votes: ReadonlyMap<Slot, readonly BallotVotes[]>;
  /** Every client request ever issued, by `client#seq`. */
  readonly submitted: ReadonlyMap<string, Json>;
  /**
   * The state a correct replica has after executing slots [0, k) of the chosen log, by k: its
   * digest as a checkpoint at k would have it (app and sessions). Computed here, from `chosen`.
   */
  readonly digests: ReadonlyMap<number, string>;
  /** That state for the longest chosen prefix (a function of `chosen`: not fingerprinted). */
  readonly reference: ReferenceState;
  /** Requests applied (not skipped) by each replica since its last restart. */
  readonly applied: ReadonlyMap<ReplicaId, ReadonlySet<string>>;
  /** Client operations as clients saw them; call/ret are positions in the history. */
  readonly history: readonly HistoryOp[];
  /** Index in `history` of each client's open operation. */
  readonly open: ReadonlyMap<ClientId, number>;
  /** Replicas whose app state was corrupted since their last restart (the Corrupt fault). */
  readonly corrupted: ReadonlySet<ReplicaId>;
  /**
   * Replicas that were corrupt at some time while the client operations open now were open: a
   * restart repairs a replica, but the replies it sent while corrupt may still be counted. The
   * fault model (seed: at most F faulty replicas) bounds this set, not only `corrupted`, so that
   * no client vote ever counts replies from more than F faulty replicas.
   */
  readonly faulty: ReadonlySet<ReplicaId>;
}

/** A correct replica's state after executing the first `executed` slots of the chosen log. */
export interface ReferenceState {
  readonly executed: Slot;
  readonly app: unknown;
  readonly sessions: ReadonlyMap<ClientId, Session>;
  /** Every configuration change so far, unpruned (reconfig.ts's reference rules). */
  readonly membership: Membership;
}

export interface World {
  readonly replicas: readonly ReplicaNode[];
  readonly clients: readonly ClientState[];
  readonly network: readonly Packet[];
  readonly nextPacketId: number;
  readonly ghost: Ghost;
}

export const requestKey = (client: ClientId, seq: number): string => `${client}#${seq}`;

export function makeConfig(options: {
  replicas: number;
  clients: number;
  app: AnyApp;
  rules?: ReplicaRules;
  clientRules?: ClientRules;
  replicaParams?: Partial<Omit<ReplicaParams, 'replicas'>>;
  clientParams?: Partial<Omit<ClientParams, 'replicas'>>;
}): ClusterConfig {
  const replicas = Array.from({ length: options.replicas }, (_, i) => `r${i + 1}`);
  const clients = Array.from({ length: options.clients }, (_, i) => `c${i + 1}`);
  return {
    replicas,
    clients,
    app: options.app,
    rules: options.rules ?? REFERENCE_RULES,
    ...(options.clientRules !== undefined ? { clientRules: options.clientRules } : {}),
    replicaParams: { ...DEFAULT_REPLICA_PARAMS, ...options.replicaParams, replicas },
    clientParams: { policy: 'majority', retransmitTicks: 6, ...options.clientParams, replicas },
  };
}

export function initialWorld(cfg: ClusterConfig): World {
  return {
    replicas: cfg.replicas.map((id) => {
      const state = initReplica(id, cfg.replicaParams, cfg.app);
      return { state, up: true, disk: state.durable };
    }),
    clients: cfg.clients.map((id) => initClient(id, cfg.clientParams)),
    network: [],
    nextPacketId: 0,
    ghost: {
      chosen: new Map(),
      votes: new Map(),
      submitted: new Map(),
      digests: new Map(),
      reference: {
        executed: 0,
        app: cfg.app.init(),
        sessions: new Map(),
        membership: initialMembership(startingMembers(cfg.replicaParams)),
      },
      applied: new Map(),
      history: [],
      open: new Map(),
      corrupted: new Set(),
      faulty: new Set(),
    },
  };
}

/**
 * The corruption fault's bound: `replica` may be corrupted now if it is not corrupt, fewer than
 * F replicas are, and corrupting it keeps at most F replicas faulty during the open operations
 * (the deployment tolerates F). And every configuration tolerates only a minority of faulty
 * members: after QUITs the configuration is smaller (down to F+1 members), so corrupting one of
 * its members must leave a majority of them correct — otherwise its faulty members could outvote
 * the correct ones in an audit, which no protocol can tell apart from the truth.
 */
export function mayCorrupt(ghost: Ghost, replica: ReplicaId, f: number): boolean {
  if (
    ghost.corrupted.has(replica) ||
    ghost.corrupted.size >= f ||
    (!ghost.faulty.has(replica) && ghost.faulty.size >= f)
  )
    return false;
  // Every configuration that governs a slot from the chosen log's end on (one chosen up to α
  // slots ago governs later ones).
  const { membership, executed } = ghost.reference;
  for (const { members } of normalMembership(membership, executed).epochs) {
    if (!members.includes(replica)) continue;
    let faulty = 1;
    for (const r of members)
      if (r !== replica && (ghost.corrupted.has(r) || ghost.faulty.has(r))) faulty++;
    if (2 * faulty >= members.length) return false;
  }
  return true;
}
