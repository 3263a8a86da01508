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
  type Checkpoint,
} from './checkpoint.js';
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
    shouldPause: () => {
      if (config.maxStates !== undefined && visited.size >= config.maxStates) stop = 'max-states';
      if (
        config.memoryLimitMb !== undefined &&
        (polls++ & 15) === 0 &&
        rssMb() > config.memoryLimitMb
      )
        stop = 'memory';
      if (
        config.checkpointAfterStates !== undefined &&
        visited.size >= config.checkpointAfterStates
      )
        stop = 'memory';
      clock.tick(performance.now(), () => ({
        ...counts(),
        queue: shard.remaining + shard.next.length,
      }));
      return stop !== null;
    },
  });
  const tables: ParentTable[] = [shard.parents];
  let sharded = resume?.header.sharded ?? false;

  if (resume !== undefined) {
    if (visited instanceof FingerprintSet)
      for (const words of resume.visited)
        for (let i = 0; i < words.length; i += 2)
          visited.add(words[i] as number, words[i + 1] as number);
    for (const words of resume.parents) tables.push(new ParentTable(words));
    shard.current = shard.importItems(resume.current);
    shard.next = shard.importItems(resume.next);
  } else {
    if (shard.seed() === 'violation') return violation();
    shard.advance();
  }

  function violation(): SearchOutcome {
    return { kind: 'violation', ...counts(), found: shard.found!, tables };
  }

  for (;;) {
    if (
      config.shard !== undefined &&
      !sharded &&
      shard.remaining >= shardSplitSize(config.shard.count)
    ) {
      const { index, count } = config.shard;
      shard.current = shard.current
        .slice(shard.cursor)
        .filter((it) => inShard(it, { index, count }));
      shard.cursor = 0;
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
  out.header({
    ...config.identity,
    stats,
    sharded,
  });
  out.fingerprints(visited.entries());
  for (const t of tables) out.words('parents', t.view());
  out.items('current', shard.exportItems(shard.current.slice(shard.cursor)));
  out.items('next', shard.exportItems(shard.next));
  out.close();
  commitCheckpoint(config.checkpointPath);
  return config.checkpointPath;
}
