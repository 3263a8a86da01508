import type { ReplicaId } from './types.js';

/** The size of a majority of `n` replicas: any two majorities intersect (Paxos Made Simple §2.2). */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** True when the voters (counted once each) that belong to `config` form a majority of it. */
export function isMajority(voters: Iterable<ReplicaId>, config: readonly ReplicaId[]): boolean {
  const members = new Set(config);
  let count = 0;
  for (const v of new Set(voters)) if (members.has(v)) count++;
  return count >= majority(config.length);
}
