/**
 * One participant of the parallel search: a SearchShard over the shared visited set, driven by
 * engine/parallel.ts one command at a time. A worker thread serves commands from its port
 * (engine/worker.ts); the driving thread hosts one more participant itself, which starts
 * searching at once while the worker threads load.
 */
import { SharedFingerprintSet, type VisitedSet } from '../fingerprints.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { CheckpointWriter } from './checkpoint.js';
import { SearchShard, type FrontierItem } from './shard.js';
import { TABLE_LOAD_LIMIT, type HostSettings, type WorkerCommand } from './worker-protocol.js';

export interface HostReply {
  readonly message: unknown;
  /** Buffers to move rather than copy to the driver. */
  readonly transfer?: ArrayBuffer[];
}

/** The participant is its shard's visited set: the shared table, which the driver may replace. */
export class ShardHost<W, A> implements VisitedSet {
  readonly shard: SearchShard<W, A>;
  private table: SharedFingerprintSet;
  private readonly control: Int32Array;

  constructor(protocol: Protocol<W, A>, settings: HostSettings) {
    this.table = new SharedFingerprintSet(settings.table);
    const control = new Int32Array(settings.control);
    this.control = control;
    const stats = new Float64Array(settings.stats);
    const base = settings.index * 3;
    const shard: SearchShard<W, A> = new SearchShard(protocol, this, {
      determinism: settings.determinism,
      ...(settings.maxDepth !== undefined ? { maxDepth: settings.maxDepth } : {}),
      shouldPause: () => {
        stats[base] = shard.transitions;
        stats[base + 1] = shard.depth;
        stats[base + 2] = shard.remaining + shard.next.length;
        if (this.table.size > this.table.capacity * TABLE_LOAD_LIMIT) Atomics.store(control, 0, 1);
        settings.poll?.();
        return Atomics.load(control, 0) !== 0;
      },
    });
    this.shard = shard;
  }

  visit(_text: string, hi: number, lo: number): boolean {
    return this.table.add(hi, lo);
  }

  has(hi: number, lo: number): boolean {
    return this.table.has(hi, lo);
  }

  get size(): number {
    return this.table.size;
  }

  private report(outcome: string): HostReply {
    const { shard } = this;
    return {
      message: {
        type: 'report',
        outcome,
        transitions: shard.transitions,
        depth: shard.depth,
        remaining: shard.remaining,
        next: shard.next.length,
        cut: shard.cut,
        found: shard.found,
      },
    };
  }

  /** Serve one command (the driver sends the next only after this one's reply). */
  handle(cmd: WorkerCommand): HostReply {
    const { shard } = this;
    switch (cmd.type) {
      case 'seed':
        return this.report(shard.seed(cmd.indices));
      case 'run': {
        const outcome = shard.runLevel();
        // Tell the other participants to stop: the level cannot give a shorter counterexample.
        if (outcome === 'violation') Atomics.store(this.control, 0, 1);
        return this.report(outcome);
      }
      case 'advance':
        shard.advance();
        return this.report('done');
      case 'shard':
        shard.current = shard.current.filter((it) => it.hi % cmd.count === cmd.index);
        return this.report('done');
      case 'give':
        return {
          message: {
            type: 'items',
            items: shard.exportItems(shard.next.splice(shard.next.length - cmd.count)),
          },
        };
      case 'take':
        (cmd.into === 'next' ? shard.next : shard.current).push(
          ...shard.importItems(cmd.items as FrontierItem<unknown>[]),
        );
        return this.report('done');
      case 'table':
        this.table = new SharedFingerprintSet(cmd.table);
        return this.report('done');
      case 'parents': {
        const words = shard.parents.view().slice();
        return { message: { type: 'parents', words }, transfer: [words.buffer] };
      }
      case 'dump': {
        const out = new CheckpointWriter(cmd.path, true);
        out.words('parents', shard.parents.view());
        // Each thread interns its own parts, so its states go whole (no shared parts).
        out.lines('current', shard.pendingLines('current', null));
        out.lines('next', shard.pendingLines('next', null));
        out.close();
        return this.report('done');
      }
    }
  }
}
