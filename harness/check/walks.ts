/**
 * The main job's bug-hunting phase: seeded random walks (swarm testing, Groce et al. 2012: each
 * walk switches off a random subset of action kinds) over scopes wider than exhaustive search
 * can afford — two clients whose commands compete for slots, several elections in several
 * rounds, crash–restarts, corruption of up to F replicas, heartbeats with the failure detector
 * and catch-up, three and five replicas. Each walk is reproducible from (scope, seed, walk
 * index), and the counts are fixed, not timed, so every machine walks the same walks.
 */
import { DEFAULT_SCOPE, type ClusterScope } from '../explore/cluster/scope.js';

/**
 * A walk picks an action kind by weight (per enabled action), then one action of it: deliveries
 * and ticks move the protocol, drops and copies disturb it. Uniform choice spends two thirds
 * of a multiset walk's steps on drops and copies, and the runs rarely get far enough for a new
 * leader to hear two values for one slot.
 */
export const WALK_WEIGHTS: Readonly<Record<string, number>> = {
  Deliver: 6,
  Tick: 2,
  Drop: 1,
  Duplicate: 1,
};

export interface WalkScope {
  /** A short name for reports: what this scope adds to the exhaustive one. */
  readonly name: string;
  readonly scope: ClusterScope;
  readonly walks: number;
  readonly steps: number;
}

/**
 * Walks run on the multiset network (each copy delivered at most once; loss and duplication
 * are actions): on the set network most deliveries repeat one already made and change nothing,
 * and a walk would spend its time finding the few that do.
 */
const F1: ClusterScope = { ...DEFAULT_SCOPE, network: 'multiset', maxCopies: 2 };
const F2: ClusterScope = { ...F1, replicas: 5 };

/**
 * Checkpoints every slot (after each executed slot the leader proposes one): truncation, state
 * transfer and phase 1 across a truncation happen within a few dozen steps. Heartbeats drive
 * catch-up (the path to a state transfer) and re-send lost checkpoint votes.
 */
export const CHECKPOINT_WALK_SCOPE: ClusterScope = {
  ...F1,
  clients: 2,
  requests: 4,
  maxElections: 3,
  maxRound: 2,
  maxCrashes: 2,
  checkpointEvery: 1,
  electionTicks: 2,
  heartbeatTicks: 1,
};

export const WALK_SCOPES: readonly WalkScope[] = [
  {
    name: 'F=1, two clients, four elections over three rounds, two crashes',
    scope: { ...F1, clients: 2, requests: 4, maxElections: 4, maxRound: 3, maxCrashes: 2 },
    walks: 4000,
    steps: 80,
  },
  {
    name: 'F=1, two clients, corruption of one replica, three elections',
    scope: {
      ...F1,
      clients: 2,
      requests: 4,
      faults: ['loss', 'dup', 'crash', 'corrupt'],
      maxCorruptions: 2,
      maxElections: 3,
      maxRound: 2,
    },
    walks: 4000,
    steps: 80,
  },
  {
    name: 'F=1, heartbeats, failure detector and catch-up, window 3',
    scope: {
      ...F1,
      clients: 2,
      requests: 4,
      maxElections: 3,
      maxRound: 2,
      window: 3,
      electionTicks: 2,
      heartbeatTicks: 1,
    },
    walks: 4000,
    steps: 100,
  },
  {
    name: 'F=1, checkpoints every slot, truncation and state transfer, three elections, two crashes',
    scope: CHECKPOINT_WALK_SCOPE,
    walks: 4000,
    steps: 100,
  },
  {
    name: 'F=1, checkpoints every slot with corruption of one replica',
    scope: {
      ...CHECKPOINT_WALK_SCOPE,
      faults: ['loss', 'dup', 'crash', 'corrupt'],
      maxCorruptions: 1,
    },
    walks: 3000,
    steps: 100,
  },
  {
    name: 'F=2, two clients, four elections, two crashes',
    scope: { ...F2, clients: 2, requests: 3, maxElections: 4, maxRound: 2, maxCrashes: 2 },
    walks: 2000,
    steps: 120,
  },
  {
    name: 'F=2, checkpoints every two slots, two crashes',
    scope: { ...CHECKPOINT_WALK_SCOPE, replicas: 5, requests: 3, checkpointEvery: 2 },
    walks: 1500,
    steps: 120,
  },
  {
    name: 'F=2, two clients, corruption of two replicas',
    scope: {
      ...F2,
      clients: 2,
      requests: 3,
      faults: ['loss', 'dup', 'crash', 'corrupt'],
      maxCorruptions: 2,
      maxElections: 3,
    },
    walks: 2000,
    steps: 120,
  },
];
