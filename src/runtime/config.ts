/**
 * The cluster config every `smr serve` process and client reads (issue 19). JSON; one file for
 * the whole cluster, so every node agrees on the deployment, the client ids (they are trace
 * nodes: every per-node file's header names them), the app and the timing:
 *
 *   {
 *     "replicas": [{ "id": "r1", "host": "127.0.0.1", "port": 7301 }, …],   odd count, ids unique
 *     "clients": ["c1", "c2", …],          the client ids clients may use (default c1…c8)
 *     "key": "64 hex digits",              the cluster key: every frame carries an HMAC with it
 *     "app": "kv",                         kv | counter
 *     "tickMs": 25,                        one Tick input every tickMs milliseconds
 *     "retransmitTicks": 20,               a client resends to silent replicas this often
 *     "params": { "electionTicks": 20, "heartbeatTicks": 2, "checkpointEvery": 64, … },
 *     "trace": { "observe": "messages", "clock": "lamport" }   what the trace files log
 *   }
 *
 * A bad config is bad input: one line naming the file and the field, exit 2 (InputError).
 */
import { readFileSync } from 'node:fs';
import { APPS } from '../core/apps/index.js';
import type { AnyApp } from '../core/app.js';
import { DEFAULT_REPLICA_PARAMS, type ReplicaParams } from '../core/replica/state.js';
import type { ClientId, Json, ReplicaId } from '../core/types.js';
import { InputError } from '../errors.js';
import {
  makeHeader,
  OBSERVE_LEVELS,
  type ClockKind,
  type ObserveLevel,
  type TraceHeader,
} from '../trace/format.js';
import { describeIoError } from '../files.js';

export interface ReplicaAddress {
  readonly id: ReplicaId;
  readonly host: string;
  readonly port: number;
}

export interface ClusterConfig {
  /** The file it was read from (messages name it). */
  readonly file: string;
  readonly replicas: readonly ReplicaAddress[];
  readonly clients: readonly ClientId[];
  /** The cluster key, or null when the config has none (only `--insecure` runs without). */
  readonly key: Buffer | null;
  readonly app: AnyApp;
  readonly tickMs: number;
  readonly retransmitTicks: number;
  readonly params: ReplicaParams;
  /** What the nodes' trace files log, unless `smr serve` is told otherwise. */
  readonly trace: { readonly observe: ObserveLevel; readonly clock: ClockKind };
}

export const LOOPBACK = '127.0.0.1';
/** At least 128 bits of key. */
const MIN_KEY_BYTES = 16;

/**
 * Defaults for real time: a leader is suspected after 20 silent ticks of 25 ms (0.5 s).
 *
 * The pipeline window α is 256, not the core's 8: a replica restarted while its peers went on
 * lags behind, and when it becomes leader (Ω trusts the first live replica) its phase 1 adopts
 * every value its peers accepted since — more than 8 slots under load. Values adopted past the
 * window wait in the core's `adopted`; if the replica learns one of those slots chosen before
 * the window reaches it, the core drops it without proposing it, which Smr.tla has no action
 * for (its proposals keep the entry with no votes, and Phase2a of a new request waits for it),
 * so such a run's trace is refused. A window wider than what acceptors hold above their
 * checkpoint (checkpointEvery + requests in flight) keeps every adopted value inside it.
 */
export const RUNTIME_DEFAULTS = {
  tickMs: 25,
  retransmitTicks: 20,
  params: {
    electionTicks: 20,
    heartbeatTicks: 2,
    window: 256,
    catchUpBatch: DEFAULT_REPLICA_PARAMS.catchUpBatch,
    checkpointEvery: DEFAULT_REPLICA_PARAMS.checkpointEvery,
    transferChunk: DEFAULT_REPLICA_PARAMS.transferChunk,
  } as Readonly<Record<string, number>>,
} as const;

const PARAM_KEYS = [
  'electionTicks',
  'heartbeatTicks',
  'window',
  'catchUpBatch',
  'checkpointEvery',
  'transferChunk',
  'auditEvery',
] as const;
/** Parameters 0 would break (the others take 0 for "never"). */
const AT_LEAST_ONE: ReadonlySet<string> = new Set([
  'electionTicks',
  'window',
  'catchUpBatch',
  'transferChunk',
]);

export interface LoadOptions {
  /** Accept a config without a key (frames are then authenticated with an empty key). */
  readonly insecure?: boolean;
}

export function loadClusterConfig(file: string, options: LoadOptions = {}): ClusterConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      file,
      undefined,
      `cannot read the cluster config: ${describeIoError(error)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(file, undefined, `not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  return parseClusterConfig(value, file, options);
}

export function parseClusterConfig(
  value: unknown,
  file: string,
  options: LoadOptions = {},
): ClusterConfig {
  const bad = (field: string, why: string): never => {
    throw new InputError(file, undefined, `"${field}" ${why}`);
  };
  if (!isRecord(value)) return bad('(top level)', 'must be an object');
  const known = new Set([
    'replicas',
    'clients',
    'key',
    'app',
    'tickMs',
    'retransmitTicks',
    'params',
    'trace',
  ]);
  for (const k of Object.keys(value)) if (!known.has(k)) bad(k, 'is not a config field');

  const replicas = parseReplicas(value['replicas'], bad);
  const clients = parseClients(value['clients'], replicas, bad);
  const key = parseKey(value['key'], options.insecure === true, bad);
  const appName = value['app'] ?? 'kv';
  const app = typeof appName === 'string' ? APPS.get(appName) : undefined;
  if (app === undefined) bad('app', `must be one of ${[...APPS.keys()].join(', ')}`);
  const tickMs = integer(value['tickMs'] ?? RUNTIME_DEFAULTS.tickMs, 'tickMs', bad, 1, 60_000);
  const retransmitTicks = integer(
    value['retransmitTicks'] ?? RUNTIME_DEFAULTS.retransmitTicks,
    'retransmitTicks',
    bad,
    1,
    1_000_000,
  );
  const params = parseParams(value['params'] ?? {}, replicas, bad);
  const trace = parseTrace(value['trace'] ?? {}, bad);
  return {
    file,
    replicas,
    clients,
    key,
    app: app as AnyApp,
    tickMs,
    retransmitTicks,
    params,
    trace,
  };
}

function parseTrace(value: unknown, bad: Bad): ClusterConfig['trace'] {
  if (!isRecord(value)) return bad('trace', 'must be an object {observe, clock}');
  for (const k of Object.keys(value))
    if (k !== 'observe' && k !== 'clock')
      bad(`trace.${k}`, 'is not a trace setting (observe, clock)');
  const observe = value['observe'] ?? 'messages';
  if (!(OBSERVE_LEVELS as readonly unknown[]).includes(observe))
    return bad('trace.observe', `must be one of ${OBSERVE_LEVELS.join(', ')}`);
  const clock = value['clock'] ?? 'lamport';
  if (clock !== 'lamport' && clock !== 'vc') return bad('trace.clock', 'must be lamport or vc');
  return { observe: observe as ObserveLevel, clock };
}

type Bad = (field: string, why: string) => never;

function parseReplicas(value: unknown, bad: Bad): ReplicaAddress[] {
  if (!Array.isArray(value) || value.length === 0)
    return bad('replicas', 'must be a non-empty list of {id, host, port}');
  const out: ReplicaAddress[] = [];
  for (const [i, r] of value.entries()) {
    const at = `replicas[${i}]`;
    if (!isRecord(r)) return bad(at, 'must be an object {id, host, port}');
    const id = r['id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id))
      return bad(`${at}.id`, 'must be a name of letters, digits, _ . - (at most 64)');
    if (out.some((o) => o.id === id))
      return bad(`${at}.id`, `duplicates the id ${JSON.stringify(id)}`);
    const host = r['host'] ?? LOOPBACK;
    if (typeof host !== 'string' || host === '') return bad(`${at}.host`, 'must be a host name');
    const port = integer(r['port'], `${at}.port`, bad, 1, 65_535);
    if (out.some((o) => o.host === host && o.port === port))
      return bad(`${at}.port`, `duplicates ${host}:${port}`);
    out.push({ id, host, port });
  }
  if (out.length % 2 === 0)
    return bad('replicas', `must be an odd number (2F+1) of replicas, got ${out.length}`);
  return out;
}

function parseClients(value: unknown, replicas: readonly ReplicaAddress[], bad: Bad): ClientId[] {
  if (value === undefined) return Array.from({ length: 8 }, (_, i) => `c${i + 1}`);
  if (!Array.isArray(value) || value.length === 0)
    return bad('clients', 'must be a non-empty list of client ids');
  const seen = new Set<string>();
  for (const c of value) {
    if (typeof c !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(c))
      return bad('clients', `holds ${JSON.stringify(c)}, not a name of letters, digits, _ . -`);
    if (seen.has(c)) return bad('clients', `names ${JSON.stringify(c)} twice`);
    if (replicas.some((r) => r.id === c)) return bad('clients', `names the replica ${c}`);
    seen.add(c);
  }
  return value as string[];
}

function parseKey(value: unknown, insecure: boolean, bad: Bad): Buffer | null {
  if (value === undefined || value === null) {
    if (insecure) return null;
    return bad(
      'key',
      'is missing: peers authenticate every frame with it (or start with --insecure)',
    );
  }
  if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(value))
    return bad('key', 'must be a hex string');
  const key = Buffer.from(value, 'hex');
  if (key.length < MIN_KEY_BYTES)
    return bad(
      'key',
      `must hold at least ${MIN_KEY_BYTES} bytes (${2 * MIN_KEY_BYTES} hex digits)`,
    );
  return key;
}

function parseParams(value: unknown, replicas: readonly ReplicaAddress[], bad: Bad): ReplicaParams {
  if (!isRecord(value)) return bad('params', 'must be an object');
  const params: Record<string, number> = { ...RUNTIME_DEFAULTS.params };
  for (const [k, v] of Object.entries(value)) {
    if (!(PARAM_KEYS as readonly string[]).includes(k))
      return bad(`params.${k}`, `is not a replica parameter (${PARAM_KEYS.join(', ')})`);
    params[k] = integer(v, `params.${k}`, bad, AT_LEAST_ONE.has(k) ? 1 : 0, 1_000_000);
  }
  if ((params['electionTicks'] as number) <= (params['heartbeatTicks'] as number))
    return bad(
      'params.electionTicks',
      'must exceed params.heartbeatTicks (else leaders are suspected between heartbeats)',
    );
  return {
    ...(params as unknown as Omit<ReplicaParams, 'replicas'>),
    replicas: replicas.map((r) => r.id),
  };
}

function integer(v: unknown, field: string, bad: Bad, min: number, max: number): number {
  if (!Number.isSafeInteger(v) || (v as number) < min || (v as number) > max)
    return bad(
      field,
      `must be an integer from ${min} to ${max}, got ${JSON.stringify(v) ?? 'nothing'}`,
    );
  return v as number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The config as JSON (what `smr cluster up` writes). */
export function configJson(
  c: Omit<ClusterConfig, 'file' | 'app' | 'params' | 'trace'> & {
    readonly trace?: ClusterConfig['trace'];
    readonly app: string;
    readonly params?: Partial<Omit<ReplicaParams, 'replicas'>>;
  },
): string {
  const out = {
    replicas: c.replicas,
    clients: c.clients,
    ...(c.key === null ? {} : { key: c.key.toString('hex') }),
    app: c.app,
    tickMs: c.tickMs,
    retransmitTicks: c.retransmitTicks,
    params: c.params ?? {},
    ...(c.trace === undefined ? {} : { trace: c.trace }),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function addressOf(config: ClusterConfig, id: ReplicaId): ReplicaAddress {
  const found = config.replicas.find((r) => r.id === id);
  if (found === undefined)
    throw new InputError(
      config.file,
      undefined,
      `no replica ${JSON.stringify(id)} in "replicas" (${config.replicas.map((r) => r.id).join(', ')})`,
    );
  return found;
}

/** The trace header every node of a cluster writes (its `nodes` differs). */
export function clusterTraceHeader(
  config: ClusterConfig,
  node: string,
  observe: ObserveLevel,
  clock: ClockKind,
): TraceHeader {
  const p = config.params;
  const params: { [k: string]: Json } = {
    app: config.app.name,
    policy: 'majority',
    window: p.window,
    electionTicks: p.electionTicks,
    heartbeatTicks: p.heartbeatTicks,
    checkpointEvery: p.checkpointEvery,
    tickMs: config.tickMs,
  };
  if ((p.auditEvery ?? 0) > 0) params['auditEvery'] = p.auditEvery ?? 0;
  return makeHeader(
    config.replicas.map((r) => r.id),
    config.clients,
    params,
    { observe, clock, nodes: [node] },
  );
}
