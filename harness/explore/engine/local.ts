/**
 * Breadth-first search in this thread, with progress, `--max-states`, `--shard`, and
 * `--memory-limit` checkpoints that `--resume` continues from.
 */
import { performance } from 'node:perf_hooks';
import { ExactSet, FingerprintSet } from '../fingerprints.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import {
  commitCheckpoint,
  CheckpointWriter,
  partialCheckpointPath,
  remapFor,
  type Checkpoint,
} from './checkpoint.js';
import { toJson } from './codec.js';
import { ParentTable } from './parents.js';
import {
  inShard,
  ProgressClock,
  rssMb,
  shardSplitSize,
  type BfsConfig,
  type SearchCounts,
  type SearchOutcome,
} from './search.js';
import { SearchShard } from './shard.js';

/** Spill the next level to disk past this share of --memory-limit… */
const SPILL_FRACTION = 0.5;
/** …once it holds this many states. */
const MIN_SPILL = 1024;
/** Memory checks (about 1,000 states apart) over the limit in a row that stop the search. */
const STOP_AFTER_POLLS = 4;

export function runLocalBfs<W, A>(
  protocol: Protocol<W, A>,
  config: BfsConfig,
  resume?: Checkpoint,
): SearchOutcome {
  const started = performance.now();
  const prior = resume?.header.stats;
  const visited = config.exact ? new ExactSet() : new FingerprintSet(1 << 20);
  let stop: 'memory' | 'max-states' | null = null;
  let polls = 0;
  let overLimit = 0;
  const clock = new ProgressClock(started, config.onProgress);
  const counts = (): SearchCounts => ({
    distinct: visited.size,
    transitions: (prior?.transitions ?? 0) + shard.transitions,
    depth: Math.max(prior?.depth ?? 0, shard.depth),
    elapsedMs: (prior?.elapsedMs ?? 0) + performance.now() - started,
  });
  const shard: SearchShard<W, A> = new SearchShard(protocol, visited, {
    exact: config.exact,
    determinism: config.determinism,
    ...(config.maxDepth !== undefined ? { maxDepth: config.maxDepth } : {}),
    ...(config.spillDir !== undefined ? { spillDir: config.spillDir } : {}),
    shouldPause: () => {
      if (config.maxStates !== undefined && visited.size >= config.maxStates) stop = 'max-states';
      if (config.spillAtFrontier !== undefined && shard.next.length >= config.spillAtFrontier)
        shard.spillNext();
      if (config.memoryLimitMb !== undefined && (polls++ & 15) === 0) {
        // Past half the limit, the next level goes to disk as it grows (TLC's disk queue);
        // only what must stay in memory (fingerprints, parents, a chunk of states) passing
        // the limit, poll after poll, stops the search with a checkpoint. The polls give the
        // collector time to take back what a spill let go.
        const rss = rssMb();
        if (rss > config.memoryLimitMb * SPILL_FRACTION && shard.next.length >= MIN_SPILL)
          shard.spillNext();
        overLimit = rss > config.memoryLimitMb ? overLimit + 1 : 0;
        if (overLimit >= STOP_AFTER_POLLS) stop = 'memory';
      }
      if (
        config.checkpointAfterStates !== undefined &&
        visited.size >= config.checkpointAfterStates
      )
        stop = 'memory';
      clock.tick(performance.now(), () => ({
        ...counts(),
        queue: shard.remaining + shard.nextSize,
      }));
      return stop !== null;
    },
  });
  const tables: ParentTable[] = [shard.parents];
  let sharded = resume?.header.sharded ?? false;

  // Whatever way the search ends, the spilled levels go (a checkpoint holds its own copy).
  try {
    return search();
  } finally {
    shard.dispose();
  }

  function search(): SearchOutcome {
    if (resume !== undefined) {
      if (visited instanceof FingerprintSet)
        for (const words of resume.visited)
          for (let i = 0; i < words.length; i += 2)
            visited.add(words[i] as number, words[i + 1] as number);
      for (const words of resume.parents) tables.push(new ParentTable(words));
      shard.adoptFrontier(
        resume.current.finish(),
        resume.next.finish(),
        remapFor(protocol, resume),
      );
    } else {
      if (shard.seed() === 'violation') return violation();
      shard.advance();
    }

    for (;;) {
      if (
        config.shard !== undefined &&
        !sharded &&
        shard.remaining >= shardSplitSize(config.shard.count)
      ) {
        const { index, count } = config.shard;
        shard.filterCurrent((it) => inShard(it, { index, count }));
        sharded = true;
      }
      const outcome = shard.runLevel();
      if (outcome === 'violation') return violation();
      if (outcome === 'paused') {
        if (stop === 'max-states') return { kind: 'max-states', ...counts() };
        return {
          kind: 'checkpoint',
          ...counts(),
          checkpoint: writeCheckpoint(config, visited, tables, shard, counts(), sharded),
        };
      }
      shard.advance();
      if (shard.remaining === 0) return { kind: shard.cut ? 'max-depth' : 'complete', ...counts() };
    }
  }

  function violation(): SearchOutcome {
    return { kind: 'violation', ...counts(), found: shard.found!, tables };
  }
}

function writeCheckpoint<W, A>(
  config: BfsConfig,
  visited: ExactSet | FingerprintSet,
  tables: readonly ParentTable[],
  shard: SearchShard<W, A>,
  stats: SearchCounts,
  sharded: boolean,
): string {
  if (!(visited instanceof FingerprintSet))
    throw new Error('exact mode does not write checkpoints');
  const out = new CheckpointWriter(partialCheckpointPath(config.checkpointPath));
  const parts = shard.sharedParts();
  out.header({
    ...config.identity,
    stats,
    sharded,
    compact: parts !== null,
  });
  out.fingerprints(visited.entries());
  for (const t of tables) out.words('parents', t.view());
  out.lines('current', shard.pendingLines('current', parts));
  out.lines('next', shard.pendingLines('next', parts));
  if (parts !== null)
    out.lines(
      'part',
      parts.export().map((part) => toJson(part)),
    );
  out.close();
  commitCheckpoint(config.checkpointPath);
  return config.checkpointPath;
}
