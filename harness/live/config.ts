/**
 * The `smr live --config FILE` config (issue 18 part 4): how to start the user's servers, the
 * client adapter, the workload, the faults and where the results go. JSON; relative paths
 * resolve against the config file's directory, which is also the working directory of every
 * command. A malformed config is bad input: one line naming the file and the field, exit 2.
 *
 *   {
 *     "extends": "live.json",             optional: every key not set here comes from that file
 *     "nodes": 3,
 *     "start": ["etcd", "--name", "{id}", "--data-dir", "{data_dir}", …],   (or one shell string)
 *     "ready": ["…", "{client_port}"],     optional: exits 0 once the node serves (else: its
 *                                          client port accepts connections)
 *     "stop": "…",                        optional: a graceful stop, with {pid}
 *     "adapter": ["python3", "adapter.py", "--endpoints", "{endpoints}", "--node", "{node}"],
 *     "clients": 5, "rate": 200, "opTimeout": 2, "duration": 60, "seed": 1,
 *     "model": "etcd", "keys": 4, "mix": {"get": 2, "put": 1, "cas": 1},
 *     "faults": {"kinds": {"kill": 1, "pause": 1, "partition": 1}, "every": [2, 4], "hold": [1, 3],
 *                "partition": ["cut", "drop"], "delayMs": 200},
 *     "startTimeout": 30, "lincheckTimeout": 60, "out": "smr-live-out", "keepData": false
 *   }
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../src/errors.js';
import { describeIoError } from '../../src/files.js';

export const FAULT_KINDS = ['kill', 'pause', 'restart-all', 'partition', 'delay'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** How a partition treats the links it cuts (harness/live/proxy.ts). */
export const LINK_MODES = ['cut', 'drop'] as const;
export type LinkMode = (typeof LINK_MODES)[number];

export const OP_KINDS = ['get', 'put', 'cas', 'append'] as const;
export type OpKind = (typeof OP_KINDS)[number];

export const LIVE_MODELS = ['etcd', 'kv'] as const;
export type LiveModel = (typeof LIVE_MODELS)[number];

/** A command: an argument vector, or one string run by /bin/sh -c. Placeholders not yet filled. */
export type Command =
  | { readonly kind: 'argv'; readonly argv: readonly string[] }
  | { readonly kind: 'shell'; readonly script: string };

/** What a node command may name, filled per node (supervisor.ts). */
export const NODE_PLACEHOLDERS = [
  'id',
  'index',
  'host',
  'client_port',
  'peer_port',
  'proxy_port',
  'data_dir',
  'initial_cluster',
  'peers',
  'endpoints',
  'config_dir',
] as const;

/** What the adapter command may name, filled per client process. */
export const ADAPTER_PLACEHOLDERS = [
  'endpoints',
  'client',
  'client_index',
  'node',
  'timeout_ms',
  'config_dir',
] as const;

export interface FaultPlan {
  /** Relative weights; a kind with weight 0 never happens. All 0: no faults. */
  readonly kinds: Readonly<Record<FaultKind, number>>;
  /** Seconds of quiet before each fault, drawn uniformly from [min, max]. */
  readonly every: readonly [number, number];
  /** Seconds a fault lasts (a restart-all: the downtime), drawn uniformly from [min, max]. */
  readonly hold: readonly [number, number];
  /** The modes a partition picks from. */
  readonly partition: readonly LinkMode[];
  /** The latency a `delay` fault adds to every peer link of one node. */
  readonly delayMs: number;
}

export interface LiveConfig {
  /** The config file as given, and its directory (the commands' working directory). */
  readonly file: string;
  readonly dir: string;
  readonly nodes: number;
  readonly start: Command;
  /** Run until it exits 0 to learn that a node serves; absent: its client port accepts. */
  readonly ready?: Command;
  readonly stop?: Command;
  /** Seconds a node may take to open its client port. */
  readonly startTimeout: number;
  readonly adapter: Command;
  readonly clients: number;
  /** Operations per second over all clients; 0: each client as fast as it can. */
  readonly rate: number;
  /** Seconds an adapter has to answer an operation (it answers "info" when its own wait ends). */
  readonly opTimeout: number;
  readonly duration: number;
  readonly seed: number;
  readonly model: LiveModel;
  readonly keys: number;
  readonly mix: Readonly<Record<OpKind, number>>;
  readonly faults: FaultPlan;
  readonly lincheckTimeout: number;
  /** The output directory, resolved. */
  readonly out: string;
  readonly keepData: boolean;
}

const KEYS = [
  'extends',
  'nodes',
  'start',
  'ready',
  'stop',
  'startTimeout',
  'adapter',
  'clients',
  'rate',
  'opTimeout',
  'duration',
  'seed',
  'model',
  'keys',
  'mix',
  'faults',
  'lincheckTimeout',
  'out',
  'keepData',
] as const;

const NO_FAULTS: Record<FaultKind, number> = {
  kill: 0,
  pause: 0,
  'restart-all': 0,
  partition: 0,
  delay: 0,
};

type Bad = (where: string, what: string) => never;

/** Read and validate a config file; every path resolved. */
export function loadLiveConfig(file: string): LiveConfig {
  return parseLiveConfig(readJson(file), file);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot read: ${describeIoError(error)}`);
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(file, undefined, `not JSON: ${(error as Error).message}`);
  }
}

/**
 * Validate an already parsed config; `file` names it in errors and anchors relative paths.
 * `"extends": "base.json"` takes every key the config does not set from that file (resolved
 * against this one's directory; one level of keys, `faults` whole); errors in a key taken
 * from it name it.
 */
export function parseLiveConfig(raw: unknown, file: string): LiveConfig {
  let inherited: { file: string; keys: Set<string> } | null = null;
  const bad: Bad = (where, what) => {
    const top = /^[^.[]+/.exec(where.replace(/^"|"$/g, ''))?.[0] ?? '';
    const from = inherited?.keys.has(top) ? ` (from ${inherited.file})` : '';
    throw new InputError(file, undefined, `${where}${from}: ${what}`);
  };
  if (!isRecord(raw)) return bad('the config', 'must be a JSON object');
  if (raw['extends'] !== undefined) {
    const base = raw['extends'];
    if (typeof base !== 'string' || base === '')
      return bad('extends', 'must be a config file path');
    const parent = readJson(resolve(dirname(resolve(file)), base));
    if (!isRecord(parent)) return bad('extends', `${base} is not a JSON object`);
    if (parent['extends'] !== undefined)
      bad('extends', `${base} extends another config itself (one level only)`);
    const own = new Set(Object.keys(raw));
    const merged: Record<string, unknown> = { ...raw };
    delete merged['extends'];
    for (const [k, v] of Object.entries(parent)) if (!own.has(k)) merged[k] = v;
    inherited = { file: base, keys: new Set(Object.keys(parent).filter((k) => !own.has(k))) };
    raw = merged;
    if (!isRecord(raw)) return bad('the config', 'must be a JSON object');
  }
  const unknown = Object.keys(raw).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined)
    bad(JSON.stringify(unknown), `unknown key (the config has ${KEYS.join(', ')})`);
  const dir = dirname(resolve(file));

  const nodes = int(raw['nodes'], 'nodes', { min: 1, max: 9 }, bad);
  const start = command(raw['start'], 'start', NODE_PLACEHOLDERS, bad);
  const ready =
    raw['ready'] === undefined ? undefined : command(raw['ready'], 'ready', NODE_PLACEHOLDERS, bad);
  const stop =
    raw['stop'] === undefined
      ? undefined
      : command(raw['stop'], 'stop', [...NODE_PLACEHOLDERS, 'pid'], bad);
  const adapter = command(raw['adapter'], 'adapter', ADAPTER_PLACEHOLDERS, bad);
  const model = raw['model'] ?? 'etcd';
  if (typeof model !== 'string' || !(LIVE_MODELS as readonly string[]).includes(model))
    bad('model', `must be one of ${LIVE_MODELS.join(', ')} (the workload is a key-value store)`);
  const mix = weights(raw['mix'] ?? { get: 2, put: 1, cas: 1 }, 'mix', OP_KINDS, bad);
  if (OP_KINDS.every((k) => mix[k] === 0)) bad('mix', 'gives every operation weight 0');
  const faults = faultPlan(raw['faults'], nodes, bad);
  const out = raw['out'] ?? 'smr-live-out';
  if (typeof out !== 'string' || out === '') bad('out', 'must be a directory path');
  const keepData = raw['keepData'] ?? false;
  if (typeof keepData !== 'boolean') bad('keepData', 'must be true or false');
  return {
    file,
    dir,
    nodes,
    start,
    ...(ready === undefined ? {} : { ready }),
    ...(stop === undefined ? {} : { stop }),
    startTimeout: seconds(raw['startTimeout'] ?? 30, 'startTimeout', bad),
    adapter,
    clients: int(raw['clients'] ?? 5, 'clients', { min: 1, max: 64 }, bad),
    rate: num(raw['rate'] ?? 200, 'rate', { min: 0, max: 1_000_000 }, bad),
    opTimeout: seconds(raw['opTimeout'] ?? 2, 'opTimeout', bad),
    duration: seconds(raw['duration'] ?? 60, 'duration', bad),
    seed: int(raw['seed'] ?? 1, 'seed', { min: 0, max: 2 ** 32 - 1 }, bad),
    model: model as LiveModel,
    keys: int(raw['keys'] ?? 4, 'keys', { min: 1, max: 1000 }, bad),
    mix,
    faults,
    lincheckTimeout: num(raw['lincheckTimeout'] ?? 60, 'lincheckTimeout', { min: 0 }, bad),
    out: resolve(dir, out as string),
    keepData: keepData as boolean,
  };
}

function faultPlan(raw: unknown, nodes: number, bad: Bad): FaultPlan {
  const none: FaultPlan = {
    kinds: NO_FAULTS,
    every: [1, 1],
    hold: [1, 1],
    partition: ['cut'],
    delayMs: 200,
  };
  if (raw === undefined) return none;
  if (!isRecord(raw)) return bad('faults', 'must be an object with "kinds"');
  const allowed = ['kinds', 'every', 'hold', 'partition', 'delayMs'];
  const unknown = Object.keys(raw).find((k) => !allowed.includes(k));
  if (unknown !== undefined)
    bad(`faults.${unknown}`, `unknown key (faults has ${allowed.join(', ')})`);
  const kinds = weights(raw['kinds'] ?? {}, 'faults.kinds', FAULT_KINDS, bad);
  const needsTwo = (['partition', 'delay'] as const).find((k) => kinds[k] > 0);
  if (needsTwo !== undefined && nodes < 2)
    bad(`faults.kinds.${needsTwo}`, 'needs at least 2 nodes (it acts on the links between them)');
  const modes = raw['partition'] ?? ['cut', 'drop'];
  if (
    !Array.isArray(modes) ||
    modes.length === 0 ||
    !modes.every((m) => (LINK_MODES as readonly unknown[]).includes(m))
  )
    bad('faults.partition', `must be a non-empty list of ${LINK_MODES.join(', ')}`);
  return {
    kinds,
    every: range(raw['every'] ?? [2, 5], 'faults.every', bad),
    hold: range(raw['hold'] ?? [1, 4], 'faults.hold', bad),
    partition: [...new Set(modes as LinkMode[])],
    delayMs: int(raw['delayMs'] ?? 200, 'faults.delayMs', { min: 0, max: 600_000 }, bad),
  };
}

/** A command and the placeholders it uses, each of which must be known. */
function command(raw: unknown, where: string, known: readonly string[], bad: Bad): Command {
  if (raw === undefined)
    return bad(where, 'is missing (a command: ["prog", "arg", …] or one shell string)');
  let result: Command;
  if (typeof raw === 'string' && raw.trim() !== '') result = { kind: 'shell', script: raw };
  else if (
    Array.isArray(raw) &&
    raw.length > 0 &&
    raw.every((a) => typeof a === 'string') &&
    raw[0] !== ''
  )
    result = { kind: 'argv', argv: raw as string[] };
  else
    return bad(
      where,
      'must be a command: a list of arguments ["prog", "arg", …] or one shell string',
    );
  const parts = result.kind === 'argv' ? result.argv : [result.script];
  parts.forEach((part, i) => {
    for (const name of placeholders(part)) {
      if (!known.includes(name))
        bad(
          result.kind === 'argv' ? `${where}[${i}]` : where,
          `unknown placeholder {${name}} (known: ${known.map((k) => `{${k}}`).join(' ')})`,
        );
    }
  });
  return result;
}

/** The `{name}` placeholders of a template; `{{` and `}}` are literal braces. */
export function placeholders(template: string): string[] {
  return [...template.replace(/\{\{|\}\}/g, '').matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '');
}

/**
 * Fill a template. `quote` shell-quotes each value (for shell strings): values are paths and
 * addresses, and a data directory with a space must stay one word.
 */
export function fill(
  template: string,
  values: Readonly<Record<string, string>>,
  quote = false,
): string {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (all, name: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const value = values[name ?? ''];
    if (value === undefined) throw new Error(`unfilled placeholder ${all}`);
    return quote ? shellQuote(value) : value;
  });
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@+%-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The argument vector to spawn: an argv as it is, a shell string through /bin/sh -c. */
export function commandLine(
  cmd: Command,
  values: Readonly<Record<string, string>>,
): { readonly file: string; readonly args: readonly string[]; readonly text: string } {
  if (cmd.kind === 'shell') {
    const script = fill(cmd.script, values, true);
    return { file: '/bin/sh', args: ['-c', script], text: script };
  }
  const argv = cmd.argv.map((a) => fill(a, values));
  return { file: argv[0] ?? '', args: argv.slice(1), text: argv.join(' ') };
}

function weights<K extends string>(
  raw: unknown,
  where: string,
  names: readonly K[],
  bad: Bad,
): Record<K, number> {
  if (!isRecord(raw))
    return bad(where, `must be an object of weights, e.g. {"${names[0]}": 1, "${names[1]}": 1}`);
  const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<K, number>;
  for (const [k, v] of Object.entries(raw)) {
    if (!(names as readonly string[]).includes(k))
      bad(`${where}.${k}`, `unknown name (expected ${names.join(', ')})`);
    out[k as K] = num(v, `${where}.${k}`, { min: 0, max: 1e6 }, bad);
  }
  return out;
}

function range(raw: unknown, where: string, bad: Bad): [number, number] {
  if (typeof raw === 'number') {
    const s = num(raw, where, { min: 0, max: 86_400 }, bad);
    return [s, s];
  }
  if (!Array.isArray(raw) || raw.length !== 2)
    return bad(where, 'must be seconds, or [min, max] seconds');
  const lo = num(raw[0], `${where}[0]`, { min: 0, max: 86_400 }, bad);
  const hi = num(raw[1], `${where}[1]`, { min: 0, max: 86_400 }, bad);
  if (lo > hi) bad(where, `min ${lo} is above max ${hi}`);
  return [lo, hi];
}

function seconds(raw: unknown, where: string, bad: Bad): number {
  const s = num(raw, where, { min: 0, max: 86_400 }, bad);
  if (s === 0) bad(where, 'must be seconds, above 0');
  return s;
}

function num(
  raw: unknown,
  where: string,
  { min = -Infinity, max = Infinity }: { min?: number; max?: number },
  bad: Bad,
): number {
  if (raw === undefined) return bad(where, 'is missing (a number)');
  if (typeof raw !== 'number' || !Number.isFinite(raw))
    return bad(where, `must be a number, got ${JSON.stringify(raw)}`);
  if (raw < min || raw > max)
    bad(
      where,
      max === Infinity
        ? `must be at least ${min}, got ${raw}`
        : `must be between ${min} and ${max}, got ${raw}`,
    );
  return raw;
}

function int(
  raw: unknown,
  where: string,
  bounds: { min?: number; max?: number },
  bad: Bad,
): number {
  const n = num(raw, where, bounds, bad);
  if (!Number.isInteger(n)) bad(where, `must be an integer, got ${n}`);
  return n;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
