/**
 * A worker thread of the parallel search: one SearchShard over the shared visited set, driven
 * level by level by engine/parallel.ts. It rebuilds the protocol from its ModelSpec, so nothing
 * but plain data crosses the thread boundary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedFingerprintSet, type VisitedSet } from '../fingerprints.js';
import { buildProtocol } from '../model-spec.js';
import { CheckpointWriter } from './checkpoint.js';
import { SearchShard, type FrontierItem } from './shard.js';
import { TABLE_LOAD_LIMIT, type WorkerCommand, type WorkerInit } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('engine/worker.ts must run in a worker thread');

let table = new SharedFingerprintSet(init.table);
const control = new Int32Array(init.control);
const stats = new Float64Array(init.stats);
const visited: VisitedSet = {
  visit: (_text, hi, lo) => table.add(hi, lo),
  has: (hi, lo) => table.has(hi, lo),
  get size() {
    return table.size;
  },
};

const protocol = await buildProtocol(init.spec);
const shard = new SearchShard(protocol, visited, {
  determinism: init.determinism,
  ...(init.maxDepth !== undefined ? { maxDepth: init.maxDepth } : {}),
  shouldPause: () => {
    const base = init.index * 3;
    stats[base] = shard.transitions;
    stats[base + 1] = shard.depth;
    stats[base + 2] = shard.remaining + shard.next.length;
    if (table.size > table.capacity * TABLE_LOAD_LIMIT) Atomics.store(control, 0, 1);
    return Atomics.load(control, 0) !== 0;
  },
});

const report = (outcome: string) => ({
  type: 'report',
  outcome,
  transitions: shard.transitions,
  depth: shard.depth,
  remaining: shard.remaining,
  next: shard.next.length,
  found: shard.found,
});

port.on('message', (cmd: WorkerCommand) => {
  switch (cmd.type) {
    case 'seed':
      port.postMessage(report(shard.seed(cmd.indices)));
      return;
    case 'run': {
      const outcome = shard.runLevel();
      // Tell the other workers to stop: the level cannot give a shorter counterexample.
      if (outcome === 'violation') Atomics.store(control, 0, 1);
      port.postMessage(report(outcome));
      return;
    }
    case 'advance':
      shard.advance();
      port.postMessage(report('done'));
      return;
    case 'shard':
      shard.current = shard.current.filter((it) => it.hi % cmd.count === cmd.index);
      port.postMessage(report('done'));
      return;
    case 'give':
      port.postMessage({ type: 'items', items: shard.next.splice(shard.next.length - cmd.count) });
      return;
    case 'take':
      (cmd.into === 'next' ? shard.next : shard.current).push(
        ...(cmd.items as FrontierItem<never>[]),
      );
      port.postMessage(report('done'));
      return;
    case 'table':
      table = new SharedFingerprintSet(cmd.table);
      port.postMessage(report('done'));
      return;
    case 'parents': {
      const words = shard.parents.view().slice();
      port.postMessage({ type: 'parents', words }, [words.buffer]);
      return;
    }
    case 'dump': {
      const out = new CheckpointWriter(cmd.path, true);
      out.words('parents', shard.parents.view());
      out.items('current', shard.current.slice(shard.cursor));
      out.items('next', shard.next);
      out.close();
      port.postMessage(report('done'));
      return;
    }
  }
});
port.postMessage({ type: 'ready' });
