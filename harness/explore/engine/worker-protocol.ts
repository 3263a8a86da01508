/** Messages between engine/parallel.ts and its worker threads (engine/worker.ts). */
import type { ModelSpec } from '../model-spec.js';
import type { FrontierItem } from './shard.js';

export interface WorkerInit {
  readonly index: number;
  readonly spec: ModelSpec;
  readonly maxDepth?: number;
  readonly determinism: boolean;
  readonly table: SharedArrayBuffer;
  /** Int32 [0] = pause flag. */
  readonly control: SharedArrayBuffer;
  /** Float64 per worker: [transitions, depth, queue]. */
  readonly stats: SharedArrayBuffer;
}

export type WorkerCommand =
  | { readonly type: 'seed'; readonly indices: readonly number[] }
  | { readonly type: 'run' }
  | { readonly type: 'advance' }
  | { readonly type: 'shard'; readonly index: number; readonly count: number }
  | { readonly type: 'give'; readonly count: number }
  | {
      readonly type: 'take';
      readonly into: 'current' | 'next';
      readonly items: FrontierItem<unknown>[];
    }
  | { readonly type: 'table'; readonly table: SharedArrayBuffer }
  | { readonly type: 'parents' }
  | { readonly type: 'dump'; readonly path: string };

/** Pause when the shared table is this full: the driver grows it between levels. */
export const TABLE_LOAD_LIMIT = 0.7;
