/**
 * A worker thread of the parallel search: a ShardHost serving engine/parallel.ts's commands. It
 * rebuilds the protocol from its ModelSpec, so nothing but plain data crosses the thread boundary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildProtocol } from '../model-spec.js';
import { ShardHost } from './shard-host.js';
import type { WorkerCommand, WorkerInit } from './worker-protocol.js';

const init = workerData as WorkerInit;
const port = parentPort;
if (port === null) throw new Error('engine/worker.ts must run in a worker thread');

const host = new ShardHost(await buildProtocol(init.spec), init);

port.on('message', (cmd: WorkerCommand) => {
  const reply = host.handle(cmd);
  port.postMessage(reply.message, reply.transfer ?? []);
});
port.postMessage({ type: 'ready' });
