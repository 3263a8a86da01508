import type { Ballot, ReplicaId } from './types.js';

/** Smaller than every ballot a replica can start (rounds start at 1). */
export const ZERO_BALLOT: Ballot = Object.freeze({ round: 0, leader: '' });

/** Lexicographic order on `(round, leader)`: a total order, as Paxos requires. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round < b.round ? -1 : 1;
  if (a.leader === b.leader) return 0;
  return a.leader < b.leader ? -1 : 1;
}

export function ballotEquals(a: Ballot, b: Ballot): boolean {
  return a.round === b.round && a.leader === b.leader;
}

export function maxBallot(a: Ballot, b: Ballot): Ballot {
  return compareBallots(a, b) >= 0 ? a : b;
}

/** The smallest ballot owned by `leader` that is greater than `above`. */
export function nextBallot(above: Ballot, leader: ReplicaId): Ballot {
  const round = leader > above.leader ? above.round : above.round + 1;
  return { round: Math.max(round, 1), leader };
}

export function formatBallot(b: Ballot): string {
  return `${b.round}.${b.leader}`;
}
