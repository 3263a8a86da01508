/** Messages between engine/parallel.ts and its worker threads (engine/worker.ts). */
import type { ModelSpec } from '../model-spec.js';
import type { FrontierItem } from './shard.js';

export interface HostSettings {
  /** The participant's slot in the stats array. */
  readonly index: number;
  readonly maxDepth?: number;
  readonly determinism: boolean;
  readonly table: SharedArrayBuffer;
  /** Int32 [0] = pause flag. */
  readonly control: SharedArrayBuffer;
  /** Float64 per participant: [transitions, depth, queue]. */
  readonly stats: SharedArrayBuffer;
  /** Called between states before the pause flag is read (the driving thread's own checks). */
  readonly poll?: () => void;
}

export interface WorkerInit extends HostSettings {
  readonly spec: ModelSpec;
}

export type WorkerCommand =
  /** Visit the initial states with these indices (all of them by default). */
  | { readonly type: 'seed'; readonly indices?: readonly number[] }
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
