/**
 * `smr test --schedule counterexample.replay.json`: drive a black-box node through the shape of
 * a schedule `smr explore` found against the reference protocol. The node's messages are its
 * own, so what carries over is the adversary's part: which node's timer fires, which link
 * delivers (or loses, or duplicates) its oldest message next, who crashes and restarts, which
 * client sends which operation where. Then the quiet period of a seeded run lets open
 * operations finish, and the history is judged as usual. Replicas r1…rN become n1…nN.
 */
import type { Json } from '../../src/core/types.js';
import type { StableStep } from '../explore/cluster/replay.js';
import type { Cluster } from './cluster.js';
import type { KvOp } from './protocol.js';
import { runScheduled, type NetworkStats, type SchedulerOptions } from './scheduler.js';

/** Simulated milliseconds a pattern Tick advances: past any sane election timeout. */
export const PATTERN_TICK_MS = 400;

export async function runPattern(
  cluster: Cluster,
  nodes: readonly string[],
  steps: readonly StableStep[],
  options: SchedulerOptions,
): Promise<NetworkStats> {
  let now = 0;
  const node = (id: string) => `n${id.replace(/^\D+/, '')}`;
  for (const n of nodes) await cluster.execute({ do: 'start', node: n, time: now });
  const open = new Map<string, { client: string; id: string; op: KvOp; node: string }>();
  const written = new Map<string, string>(); // the pattern's value → ours (values stay unique)
  let seq = 0;
  for (const step of steps) {
    now += 1;
    switch (step.kind) {
      case 'Tick':
        now += PATTERN_TICK_MS;
        await cluster.execute({ do: 'tick', node: node(step.node), time: now });
        break;
      case 'Crash':
        await cluster.execute({ do: 'crash', node: node(step.replica), time: now });
        break;
      case 'Restart':
        await cluster.execute({ do: 'start', node: node(step.replica), time: now });
        break;
      case 'Submit': {
        const id = `${step.client}:p${++seq}`;
        const op = kvOpOf(step.op, id, written);
        if (op !== null) open.set(step.client, { client: step.client, id, op, node: '' });
        break;
      }
      case 'Deliver':
      case 'Duplicate':
      case 'Drop': {
        const pending = open.get(step.from);
        if (pending !== undefined) {
          // A client's request reaching a replica: this node gets the open operation.
          if (step.kind === 'Drop') break;
          pending.node = node(step.to);
          await cluster.execute({
            do: 'request',
            node: pending.node,
            time: now,
            client: pending.client,
            id: pending.id,
            op: pending.op,
          });
          break;
        }
        if (!/^r\d+$/.test(step.from) || !/^r\d+$/.test(step.to)) break; // a reply to a client
        const [from, to] = [node(step.from), node(step.to)];
        const body = cluster.inFlightOn(from, to)[0];
        if (body === undefined) break;
        if (step.kind === 'Drop') cluster.discard(from, to, body);
        else
          await cluster.execute({
            do: 'deliver',
            node: to,
            time: now,
            from,
            body,
            ...(step.kind === 'Duplicate' ? { copy: true as const } : {}),
          });
        break;
      }
      case 'Corrupt':
        break; // refused when the file is read
    }
    if (cluster.violation !== null) break;
  }
  const unanswered = [...open.values()].filter(
    (o) => o.node !== '' && cluster.ops.get(o.id)?.ok === undefined,
  );
  return runScheduled(cluster, nodes, { ...options, resume: { at: now, open: unanswered } });
}

/** The reference kv app's operation as the node protocol's, with a value unique in the run. */
function kvOpOf(json: Json, id: string, written: Map<string, string>): KvOp | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const op = json as { readonly [k: string]: Json };
  const key = typeof op['key'] === 'string' ? op['key'] : null;
  if (key === null) return null;
  const value = typeof op['value'] === 'string' ? op['value'] : '';
  switch (op['type']) {
    case 'get':
      return { f: 'get', key };
    case 'put':
      written.set(`${key} ${value}`, id);
      return { f: 'put', key, value: id };
    case 'append':
      return { f: 'append', key, value: ` ${id}` };
    case 'cas': {
      const expected = typeof op['expected'] === 'string' ? op['expected'] : null;
      written.set(`${key} ${value}`, id);
      return {
        f: 'cas',
        key,
        value: [expected === null ? null : (written.get(`${key} ${expected}`) ?? expected), id],
      };
    }
    default:
      return null;
  }
}
