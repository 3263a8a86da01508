/**
 * What the breadth-first drivers (in this thread, or over worker threads) share: their
 * configuration, their outcome, progress reports, and the `--shard i/n` split.
 */
import type { ParentTable } from './parents.js';
import type { SearchIdentity } from './checkpoint.js';
import type { FoundViolation, FrontierItem } from './shard.js';

export interface Progress {
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queue: number;
  readonly elapsedMs: number;
}

export interface BfsConfig {
  readonly maxDepth?: number;
  readonly maxStates?: number;
  readonly exact: boolean;
  readonly determinism: boolean;
  /** Stop cleanly with a checkpoint when the process's resident memory passes this (MB). */
  readonly memoryLimitMb?: number;
  /** Stop cleanly with a checkpoint once this many distinct states are known (tests, CI slices). */
  readonly checkpointAfterStates?: number;
  readonly checkpointPath: string;
  /**
   * Where the search in this thread writes levels that do not fit under --memory-limit, and a
   * resumed checkpoint's frontier (removed when the search ends).
   */
  readonly spillDir?: string;
  /** Tests: spill the next level whenever it holds this many states, whatever the memory. */
  readonly spillAtFrontier?: number;
  readonly identity: SearchIdentity;
  /** Explore only this share of the state space (a CI matrix job). */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly onProgress?: (p: Progress) => void;
  /**
   * Parallel search: worker threads join once a level holds this many states
   * (engine/parallel.ts WORKER_JOIN_FRONTIER by default; 0 = as soon as they have loaded).
   */
  readonly workerJoinFrontier?: number;
}

export type SearchOutcome =
  | (SearchCounts & { readonly kind: 'complete' | 'max-states' | 'max-depth' })
  | (SearchCounts & { readonly kind: 'checkpoint'; readonly checkpoint: string })
  | (SearchCounts & {
      readonly kind: 'violation';
      readonly found: FoundViolation;
      readonly tables: readonly ParentTable[];
    });

export interface SearchCounts {
  /** Threads that searched (a parallel search's workers join once levels are large). */
  readonly participants?: number;
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  readonly elapsedMs: number;
}

/** The frontier is split for `--shard` at the first level this large (the same in every job). */
export const shardSplitSize = (count: number): number => 8 * count;

/** The shard's share of a level: by fingerprint, so every job agrees whatever the order. */
export function inShard(
  item: FrontierItem<unknown>,
  shard: { index: number; count: number },
): boolean {
  return item.hi % shard.count === shard.index;
}

/** Calls `report` at most once a second, and only once the search has run for a second. */
export class ProgressClock {
  private last: number;
  constructor(
    private readonly startedAt: number,
    private readonly report: ((p: Progress) => void) | undefined,
  ) {
    this.last = startedAt;
  }
  tick(now: number, progress: () => Progress): void {
    if (this.report === undefined || now - this.last < 1000) return;
    this.last = now;
    this.report(progress());
  }
}

export const rssMb = (): number => process.memoryUsage.rss() / (1024 * 1024);
