/**
 * Generates large traces of the reference core for bench/trace.ts, fast: the reducers are
 * driven directly with a tiny in-memory network (no ghost history, no invariant checks — the
 * simulator's world model keeps both, which costs too much at a million events), and every
 * step is written through the one TraceRecorder. Run on its own:
 *   npx tsx bench/trace-generate.ts OUT.ndjson EVENTS [full|messages|actions] [SEED]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { kvApp } from '../src/core/apps/kv.js';
import { clientStep, initClient, type ClientState } from '../src/core/client.js';
import { initReplica, replicaContext, replicaStep } from '../src/core/replica/reducer.js';
import { DEFAULT_REPLICA_PARAMS, type ReplicaState } from '../src/core/replica/state.js';
import type { Effect, Input, Message, NodeId } from '../src/core/types.js';
import { makeHeader, type ObserveLevel } from '../src/trace/format.js';
import { TraceRecorder } from '../src/trace/recorder.js';
import { Random } from '../harness/random.js';
import { randomOp } from '../harness/sim/workload.js';

interface Packet {
  readonly id: number;
  readonly to: NodeId;
  readonly msg: Message;
}

export interface GenerateOptions {
  readonly events: number;
  readonly observe: ObserveLevel;
  readonly seed?: number;
  readonly replicas?: number;
  readonly clients?: number;
}

/** Writes a trace of at least `events` events to `file`; returns the number written. */
export function generateTrace(file: string, options: GenerateOptions): number {
  const rng = new Random(options.seed ?? 1);
  const replicaIds = Array.from({ length: options.replicas ?? 3 }, (_, i) => `r${i + 1}`);
  const clientIds = Array.from({ length: options.clients ?? 3 }, (_, i) => `c${i + 1}`);
  const params = { ...DEFAULT_REPLICA_PARAMS, replicas: replicaIds };
  const ctx = replicaContext(kvApp);
  const replicas = new Map<NodeId, ReplicaState>(
    replicaIds.map((id) => [id, initReplica(id, params, kvApp)]),
  );
  const clients = new Map<NodeId, ClientState>(
    clientIds.map((id) => [
      id,
      initClient(id, { replicas: replicaIds, policy: 'majority', retransmitTicks: 6 }),
    ]),
  );
  const fd = openSync(file, 'w');
  let buffer: string[] = [];
  const flush = (): void => {
    writeSync(fd, buffer.join('\n') + '\n');
    buffer = [];
  };
  const header = makeHeader(replicaIds, clientIds, {
    app: 'kv',
    policy: 'majority',
    generator: 'bench/trace-generate.ts',
  });
  const recorder = new TraceRecorder(
    header,
    (line) => {
      buffer.push(line);
      if (buffer.length >= 4096) flush();
    },
    { observe: options.observe, app: kvApp },
  );
  let network: Packet[] = [];
  let nextId = 0;
  const view = () => ({
    replicas: [...replicas.values()].map((state) => ({ state })),
    clients: [...clients.values()],
  });
  const step = (node: NodeId, input: Input, consumed?: Packet): void => {
    const replica = replicas.get(node);
    let effects: readonly Effect[];
    if (replica !== undefined) {
      const r = replicaStep(replica, input, ctx);
      replicas.set(node, r.state);
      effects = r.effects;
    } else {
      const c = clientStep(clients.get(node) as ClientState, input);
      clients.set(node, c.state);
      effects = c.effects;
    }
    const sent: Packet[] = [];
    const events = [];
    for (const e of effects) {
      if (e.kind === 'Send' || e.kind === 'Reply')
        sent.push({ id: nextId++, to: e.to, msg: e.msg });
      else if (e.kind === 'Trace') events.push({ node, event: e.event });
    }
    network.push(...sent);
    recorder.record({
      node,
      ...(consumed ? { consumed } : {}),
      sent,
      events,
      ...(options.observe === 'full' ? { world: view() } : {}),
    });
  };
  while (recorder.lines < options.events) {
    const roll = rng.next();
    if (network.length > 0 && roll < 0.8) {
      // Mostly oldest-first, sometimes any: reordering without loss.
      const index = rng.chance(0.7) ? 0 : rng.int(network.length);
      const packet = network[index] as Packet;
      network = network.filter((_, i) => i !== index);
      step(packet.to, { kind: 'Receive', msg: packet.msg }, packet);
    } else if (roll < 0.95) {
      step(rng.pick([...replicaIds, ...clientIds]), { kind: 'Tick' });
    } else {
      const idle = clientIds.filter((c) => (clients.get(c) as ClientState).pending === null);
      if (idle.length > 0)
        step(rng.pick(idle), { kind: 'ClientRequest', op: randomOp(kvApp, rng) });
    }
  }
  flush();
  closeSync(fd);
  return recorder.lines;
}

if (process.argv[1]?.endsWith('trace-generate.ts')) {
  const [file, events, observe, seed] = process.argv.slice(2);
  if (file === undefined)
    throw new Error('usage: trace-generate.ts OUT.ndjson EVENTS [LEVEL] [SEED]');
  const n = generateTrace(file, {
    events: Number(events ?? 100_000),
    observe: (observe ?? 'full') as ObserveLevel,
    seed: Number(seed ?? 1),
  });
  console.log(`${file}: ${n} events`);
}
