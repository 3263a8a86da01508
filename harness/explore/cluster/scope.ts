/**
 * The explorer's scope for the reference cluster: what is bounded and how (TLC's CONSTANTS and
 * CONSTRAINT). A scope is plain data so that workers, checkpoints and replay files can carry it.
 */
import { APPS } from '../../../src/core/apps/index.js';
import type { ReplyPolicy } from '../../../src/core/client.js';
import type { Json } from '../../../src/core/types.js';
import { CORRUPTIBLE_APPS } from '../../model/corrupt.js';
import { MUTANTS } from '../../mutants/index.js';

export const EXPLORE_FAULTS = ['loss', 'dup', 'crash', 'corrupt'] as const;
export type ExploreFault = (typeof EXPLORE_FAULTS)[number];

/**
 * `set`: the network is the set of messages ever sent (DSLabs); any message may be delivered any
 * number of times or never, so loss, duplication and reordering are all in. `multiset`: each
 * copy is delivered at most once; loss and duplication come from `--faults`, bounded copies.
 */
export const NETWORKS = ['set', 'multiset'] as const;
export type NetworkSemantics = (typeof NETWORKS)[number];

export interface ClusterScope {
  readonly replicas: number;
  readonly clients: number;
  /** Client requests submitted in total (each client has one request open at a time). */
  readonly requests: number;
  readonly faults: readonly ExploreFault[];
  readonly network: NetworkSemantics;
  /** Crash actions in total; at most F replicas are down at once. */
  readonly maxCrashes: number;
  /** Corrupt actions in total; at most F replicas are corrupt at once. */
  readonly maxCorruptions: number;
  /** Multiset network: copies of one message in flight at once. */
  readonly maxCopies: number;
  /** Ballot rounds a candidate may start (a state constraint, like MaxBallot in Paxos.tla). */
  readonly maxRound: number;
  /** Candidacies (Phase1a) in total, across replicas and restarts. */
  readonly maxElections: number;
  /** The pipeline window α. */
  readonly window: number;
  /**
   * A leader proposes CHECKPOINT every this many executed slots (0 or absent: never; scopes
   * written before checkpoints have none).
   */
  readonly checkpointEvery?: number;
  /**
   * Replicas audit their state digests every this many executed slots (0 or absent: never;
   * src/core/replica/audit.ts). With the corrupt fault this reaches a replica declaring itself
   * faulty, its QUIT and its JOIN. Smr.tla does not model the audit yet: such a scope is not
   * checked against the spec twin step by step.
   */
  readonly auditEvery?: number;
  /**
   * Replica timing in Tick actions (default 1 and 0: a tick suspects every silent peer and no
   * heartbeats are sent, so time matters only through Ticks). With heartbeats on, the
   * failure detector, heartbeats, retransmission and heartbeat-driven catch-up are explored too.
   */
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  readonly app: string;
  readonly policy: ReplyPolicy;
  /** A seeded bug from harness/mutants, or undefined for the reference reducer. */
  readonly mutant?: string;
}

/**
 * F = 1: three replicas, one client request, two candidacies, a crash, and a network that loses,
 * duplicates and reorders anything. Small enough to finish in seconds (its distinct-state count
 * is pinned in the tests); a mutant widens it where its bug needs more (harness/mutants).
 */
export const DEFAULT_SCOPE: ClusterScope = {
  replicas: 3,
  clients: 1,
  requests: 1,
  faults: ['loss', 'dup', 'crash'],
  network: 'set',
  maxCrashes: 1,
  maxCorruptions: 1,
  maxCopies: 2,
  maxRound: 1,
  maxElections: 2,
  window: 2,
  app: 'kv',
  policy: 'majority',
};

/**
 * F = 2: five replicas, the same workload and a crash, one candidacy (1,015,122 states, pinned
 * in test/harness/explore/f2-scope.test.ts). A second candidacy is far bigger: stopped at
 * 3,000,000 states it had only reached depth 16 (`--max-elections 2 --max-states 3000000`,
 * 158 s on two workers, 4.6 GB; bench/README.md).
 */
export const DEFAULT_SCOPE_F2: ClusterScope = {
  ...DEFAULT_SCOPE,
  replicas: 5,
  maxElections: 1,
};

/**
 * The checkpoint scope: checkpoints every slot, two requests, and every fault including a
 * corrupt replica, on a multiset network where a message to a crashed replica is lost — so a
 * replica that restarts has missed the checkpoint and needs a state transfer. Breadth-first
 * search of every interleaving here passes 12 million states before depth 21 (bench/README.md),
 * so it is explored delay-bounded (engine/delay.ts): every run within `maxDelays` departures
 * from a fair scheduler, which reaches checkpoint, truncation, restart and state transfer.
 */
export const CHECKPOINT_SCOPE: ClusterScope = {
  ...DEFAULT_SCOPE,
  requests: 2,
  faults: ['loss', 'dup', 'crash', 'corrupt'],
  network: 'multiset',
  checkpointEvery: 1,
};
export const CHECKPOINT_SCOPE_F2: ClusterScope = {
  ...CHECKPOINT_SCOPE,
  replicas: 5,
  maxElections: 1,
};
/** Delays allowed in the checkpoint scope: F = 1 283,739 states in 15 s; F = 2 at 3 takes 186 s. */
export const checkpointScopeDelays = (replicas: number): number => (replicas >= 5 ? 2 : 3);

/**
 * The audit scope: the checkpoint scope with an audit after every slot, so a corrupt replica
 * is detected, declares itself faulty, rebuilds its state (from a stable checkpoint or by
 * state transfer), QUITs and JOINs again. Two delays reach every one of those at F = 1 (24,281
 * states) and F = 2 (212,842 states; bench/README.md).
 */
export const AUDIT_SCOPE: ClusterScope = { ...CHECKPOINT_SCOPE, auditEvery: 1 };
export const AUDIT_SCOPE_F2: ClusterScope = { ...CHECKPOINT_SCOPE_F2, auditEvery: 1 };
export const AUDIT_SCOPE_DELAYS = 2;

export const faultTolerance = (replicas: number): number => Math.floor((replicas - 1) / 2);

/** Why the scope is impossible, or null. Messages are one line and name the flag. */
export function checkScope(scope: ClusterScope): string | null {
  const int = (v: number, lo: number, hi: number) => Number.isSafeInteger(v) && v >= lo && v <= hi;
  if (!int(scope.replicas, 1, 7) || scope.replicas % 2 === 0)
    return `--replicas must be odd (N = 2F+1) and at most 7, got ${scope.replicas}`;
  if (!int(scope.clients, 1, 4)) return `--clients must be between 1 and 4, got ${scope.clients}`;
  if (!int(scope.requests, 0, 8))
    return `--requests must be between 0 and 8, got ${scope.requests}`;
  if (!int(scope.maxCrashes, 0, 8))
    return `--max-crashes must be between 0 and 8, got ${scope.maxCrashes}`;
  if (!int(scope.maxCorruptions, 0, 8))
    return `--max-corruptions must be between 0 and 8, got ${scope.maxCorruptions}`;
  if (!int(scope.maxCopies, 1, 8))
    return `--max-copies must be between 1 and 8, got ${scope.maxCopies}`;
  if (!int(scope.maxRound, 1, 8))
    return `--max-round must be between 1 and 8, got ${scope.maxRound}`;
  if (!int(scope.maxElections, 1, 8))
    return `--max-elections must be between 1 and 8, got ${scope.maxElections}`;
  if (!int(scope.window, 1, 16)) return `--window must be between 1 and 16, got ${scope.window}`;
  if (!int(scope.checkpointEvery ?? 0, 0, 64))
    return `--checkpoint-every must be between 0 and 64, got ${scope.checkpointEvery}`;
  if (!int(scope.auditEvery ?? 0, 0, 64))
    return `--audit-every must be between 0 and 64, got ${scope.auditEvery}`;
  if (!int(scope.electionTicks ?? 1, 1, 8))
    return `--election-ticks must be between 1 and 8, got ${scope.electionTicks}`;
  if (!int(scope.heartbeatTicks ?? 0, 0, 8))
    return `--heartbeat-ticks must be between 0 and 8, got ${scope.heartbeatTicks}`;
  if (!APPS.has(scope.app)) return `--app: unknown app ${JSON.stringify(scope.app)}`;
  if (scope.faults.includes('crash') && faultTolerance(scope.replicas) === 0)
    return 'crash needs F ≥ 1 (at least 3 replicas)';
  if (scope.faults.includes('corrupt') && !CORRUPTIBLE_APPS.includes(scope.app))
    return `corrupt: the harness cannot corrupt app ${scope.app}`;
  if (scope.network === 'set' && !(scope.faults.includes('loss') && scope.faults.includes('dup')))
    return 'the set network always loses and duplicates messages: list loss,dup in --faults or use --network multiset';
  if (scope.mutant !== undefined && !MUTANTS.has(scope.mutant))
    return `--mutant: unknown mutant ${JSON.stringify(scope.mutant)} (see smr mutants)`;
  return null;
}

/** The operation of a client's `seq`-th request. The same for every client: clients are symmetric. */
export function workloadOp(app: string, seq: number): Json {
  if (app === 'counter') return { type: 'inc', by: seq };
  return { type: 'append', key: 'x', value: String(seq) };
}
