/**
 * The header line of a trace file, validated by hand (schema/trace.schema.json says the same
 * thing for other tools). Everything later in the file is judged against it: which nodes
 * exist, which are replicas, how ballots number, which app computes outputs.
 */
import { APPS } from '../core/apps/index.js';
import type { AnyApp } from '../core/app.js';
import type { ReplyPolicy } from '../core/client.js';
import type { Json, NodeId } from '../core/types.js';
import {
  OBSERVE_LEVELS,
  TRACE_FORMAT,
  READABLE_VERSIONS,
  type ClockKind,
  type ObserveLevel,
  type TraceHeader,
} from './format.js';
import { Ballots } from '../spec/values.js';

/** The core's default pipeline window (ReplicaParams.window), α for a trace that does not say. */
const DEFAULT_WINDOW = 8;

/** What the rest of a file is checked against. */
export interface TraceContext {
  readonly header: TraceHeader;
  readonly replicas: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly replicaIndex: ReadonlyMap<NodeId, number>;
  readonly clientIndex: ReadonlyMap<NodeId, number>;
  readonly ballots: Ballots;
  /** The app that computes outputs, or null when the header names none we know. */
  readonly app: AnyApp | null;
  readonly policy: ReplyPolicy;
  /** The starting configuration (params.members, default every replica), a bit set. */
  readonly members0: number;
  /** α (params.window, default the core's 8): a configuration chosen at i governs from i + α. */
  readonly alpha: number;
  /** params.auditEvery (default 0: no audits). */
  readonly auditEvery: number;
  readonly observe: ObserveLevel;
  readonly clock: ClockKind;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const HEADER_KEYS = new Set([
  'format',
  'version',
  'protocol',
  'replicas',
  'clients',
  'params',
  'observe',
  'clock',
  'nodes',
]);

/** Validates a parsed header; returns the reason it is not one, or the context. */
export function parseHeader(value: unknown): TraceContext | string {
  if (!isRecord(value)) return 'the first line must be a trace header object';
  if (value['format'] !== TRACE_FORMAT)
    return `not an ${TRACE_FORMAT} header: "format" is ${show(value['format'])}, expected "${TRACE_FORMAT}"`;
  if (!READABLE_VERSIONS.includes(value['version'] as number))
    return `unsupported trace version ${show(value['version'])} (this checker reads versions ${READABLE_VERSIONS.join(' and ')})`;
  if (value['protocol'] !== 'multipaxos')
    return `unsupported protocol ${show(value['protocol'])} (expected "multipaxos")`;
  for (const key of Object.keys(value))
    if (!HEADER_KEYS.has(key)) return `unknown header field ${JSON.stringify(key)}`;
  const replicas = idList(value['replicas'], 'replicas');
  if (typeof replicas === 'string') return replicas;
  if (replicas.length === 0) return '"replicas" must name at least one replica';
  const clients = idList(value['clients'], 'clients');
  if (typeof clients === 'string') return clients;
  const both = replicas.find((r) => clients.includes(r));
  if (both !== undefined) return `${JSON.stringify(both)} is both a replica and a client`;
  const params = value['params'];
  if (!isRecord(params)) return '"params" must be an object';
  const observe = value['observe'] ?? 'full';
  if (!(OBSERVE_LEVELS as readonly unknown[]).includes(observe))
    return `"observe" must be one of ${OBSERVE_LEVELS.join(', ')}, got ${show(observe)}`;
  const clock = value['clock'] ?? 'lamport';
  if (clock !== 'lamport' && clock !== 'vc')
    return `"clock" must be "lamport" or "vc", got ${show(clock)}`;
  if (value['nodes'] !== undefined) {
    const nodes = idList(value['nodes'], 'nodes');
    if (typeof nodes === 'string') return nodes;
    const stranger = nodes.find((n) => !replicas.includes(n) && !clients.includes(n));
    if (stranger !== undefined)
      return `"nodes" names ${JSON.stringify(stranger)}, which is neither a replica nor a client`;
  }
  const appName = params['app'];
  let app: AnyApp | null = null;
  if (appName !== undefined) {
    if (typeof appName !== 'string' || !APPS.has(appName))
      return `unknown app ${show(appName)} in "params" (known: ${[...APPS.keys()].join(', ')})`;
    app = APPS.get(appName) ?? null;
  }
  const policy = params['policy'] ?? 'majority';
  if (policy !== 'majority' && policy !== 'first-reply')
    return `"params.policy" must be "majority" or "first-reply", got ${show(policy)}`;
  const members = params['members'] ?? replicas;
  if (
    !Array.isArray(members) ||
    members.length === 0 ||
    members.some((m) => typeof m !== 'string' || !replicas.includes(m))
  )
    return `"params.members" must list replicas of "replicas", got ${show(members)}`;
  if (2 * new Set(members).size <= replicas.length)
    return `"params.members" must hold a majority of the replicas (F+1 of ${replicas.length}), got ${members.length}`;
  const alpha = params['window'] ?? DEFAULT_WINDOW;
  if (!Number.isSafeInteger(alpha) || (alpha as number) < 1)
    return `"params.window" must be a positive integer, got ${show(alpha)}`;
  const auditEvery = params['auditEvery'] ?? 0;
  if (!Number.isSafeInteger(auditEvery) || (auditEvery as number) < 0)
    return `"params.auditEvery" must be a non-negative integer, got ${show(auditEvery)}`;
  let members0 = 0;
  for (const m of members as string[]) members0 |= 1 << replicas.indexOf(m);
  return {
    header: value as unknown as TraceHeader,
    replicas,
    clients,
    replicaIndex: new Map(replicas.map((r, i) => [r, i])),
    clientIndex: new Map(clients.map((c, i) => [c, i])),
    ballots: new Ballots(replicas),
    app,
    policy,
    members0,
    alpha: alpha as number,
    auditEvery: auditEvery as number,
    observe: observe as ObserveLevel,
    clock,
  };
}

function idList(value: unknown, field: string): string[] | string {
  if (!Array.isArray(value)) return `"${field}" must be an array of node ids`;
  const seen = new Set<string>();
  for (const id of value) {
    if (typeof id !== 'string' || id === '')
      return `"${field}" must hold non-empty strings, got ${show(id)}`;
    if (seen.has(id)) return `"${field}" names ${JSON.stringify(id)} twice`;
    seen.add(id);
  }
  return value as string[];
}

/** Per-node files must describe the same system to be merged. */
export function sameSystem(a: TraceContext, b: TraceContext): string | null {
  const same = (x: readonly string[], y: readonly string[]): boolean =>
    x.length === y.length && x.every((v, i) => v === y[i]);
  if (!same(a.replicas, b.replicas)) return 'its "replicas" differ from the first file';
  if (!same(a.clients, b.clients)) return 'its "clients" differ from the first file';
  if (a.clock !== b.clock) return `it uses ${b.clock} clocks, the first file ${a.clock} clocks`;
  if (a.app?.name !== b.app?.name) return 'its "params.app" differs from the first file';
  if (a.policy !== b.policy) return 'its "params.policy" differs from the first file';
  if (a.members0 !== b.members0) return 'its "params.members" differ from the first file';
  if (a.alpha !== b.alpha) return 'its "params.window" differs from the first file';
  if (a.auditEvery !== b.auditEvery) return 'its "params.auditEvery" differs from the first file';
  return null;
}

export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value as Json);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
