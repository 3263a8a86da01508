/**
 * Canonical text of explorer values: canonicalEncode (src/core/canonical.ts) with client ids
 * renamed, for symmetry over clients (TLC's SYMMETRY, Ip & Dill's scalarsets), and the client
 * history reduced to what linearizability depends on.
 */
import type { HistoryOp } from '../../../src/oracle/types.js';

/** A renaming of client ids; index 0 is always the identity. */
export type Renaming = ReadonlyMap<string, string>;

/** Every renaming of `clients` (identity first), or just the identity. */
export function clientRenamings(clients: readonly string[], symmetry: boolean): Renaming[] {
  if (!symmetry || clients.length < 2) return [new Map()];
  const out: Renaming[] = [];
  const permute = (rest: string[], chosen: string[]): void => {
    if (rest.length === 0) {
      out.push(new Map(clients.map((c, i) => [c, chosen[i] as string])));
      return;
    }
    rest.forEach((c, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], [...chosen, c]));
  };
  permute([...clients], []);
  return out;
}

/**
 * canonicalEncode (src/core/canonical.ts) with client ids renamed, including in `c#seq` keys.
 * `memo` caches the text of objects by identity (explorer values are immutable and successor
 * states share most of their parts, so only what a step changed is encoded again); it must
 * belong to this one renaming.
 */
export function encodeValue(
  value: unknown,
  rename: Renaming,
  memo?: WeakMap<object, string>,
): string {
  if (value === null || value === undefined) return 'null';
  if (memo !== undefined && typeof value === 'object') {
    const known = memo.get(value);
    if (known !== undefined) return known;
    const text = encodeObject(value, rename, memo);
    memo.set(value, text);
    return text;
  }
  return typeof value === 'object'
    ? encodeObject(value, rename, memo)
    : encodeScalar(value, rename);
}

function encodeScalar(value: unknown, rename: Renaming): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(rename.size === 0 ? value : renameString(value as string, rename));
    default:
      throw new TypeError(`cannot encode a ${typeof value}`);
  }
}

function encodeObject(value: object, rename: Renaming, memo?: WeakMap<object, string>): string {
  if (Array.isArray(value)) {
    let s = '[';
    for (let i = 0; i < value.length; i++)
      s += (i > 0 ? ',' : '') + encodeValue(value[i], rename, memo);
    return s + ']';
  }
  if (value instanceof Map) {
    const entries: string[] = [];
    for (const [k, v] of value)
      entries.push(`${encodeValue(k, rename, memo)}:${encodeValue(v, rename, memo)}`);
    return `M{${entries.sort().join(',')}}`;
  }
  if (value instanceof Set) {
    const items: string[] = [];
    for (const v of value) items.push(encodeValue(v, rename, memo));
    return `S[${items.sort().join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let s = '{';
  let first = true;
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    s += `${first ? '' : ','}${k}:${encodeValue(v, rename, memo)}`;
    first = false;
  }
  return s + '}';
}

/** A deep copy of an explorer value with client ids renamed (as `encodeValue` renames them). */
export function renameValue<T>(value: T, rename: Renaming): T {
  if (typeof value === 'string') return renameString(value, rename) as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v: unknown) => renameValue(v, rename)) as T;
  if (value instanceof Map)
    return new Map(
      [...value].map(([k, v]: [unknown, unknown]) => [
        renameValue(k, rename),
        renameValue(v, rename),
      ]),
    ) as T;
  if (value instanceof Set)
    return new Set([...value].map((v: unknown) => renameValue(v, rename))) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = renameValue(v, rename);
  return out as T;
}

function renameString(s: string, rename: Renaming): string {
  const direct = rename.get(s);
  if (direct !== undefined) return direct;
  const hash = s.indexOf('#');
  if (hash > 0) {
    const id = rename.get(s.slice(0, hash));
    if (id !== undefined) return id + s.slice(hash);
  }
  return s;
}

/**
 * The client history up to real-time order (Herlihy & Wing): linearizability depends only on
 * which operation returned before which was called. Events are grouped into alternating blocks
 * of calls and returns; the order inside a block is irrelevant, so runs that differ only there
 * share one encoding.
 */
export function encodeHistory(history: readonly HistoryOp[], rename: Renaming): string {
  const events: { t: number; ret: boolean; i: number }[] = [];
  history.forEach((op, i) => {
    events.push({ t: op.call, ret: false, i });
    if (op.ret !== null) events.push({ t: op.ret, ret: true, i });
  });
  // Equal times: calls first (the oracle's convention: touching operations overlap).
  events.sort((a, b) => a.t - b.t || Number(a.ret) - Number(b.ret));
  const callBlock: number[] = [];
  const retBlock: number[] = [];
  let block = 0;
  let last: boolean | null = null;
  for (const e of events) {
    if (last !== null && e.ret !== last) block++;
    last = e.ret;
    (e.ret ? retBlock : callBlock)[e.i] = block;
  }
  const ops = history.map((op, i) => {
    const process = rename.get(op.process) ?? op.process;
    const output =
      op.ret === null ? '-' : op.output === undefined ? '?' : encodeValue(op.output, rename);
    return `${JSON.stringify(process)}${encodeValue(op.input, rename)}${callBlock[i]}:${retBlock[i] ?? '-'}=${output}`;
  });
  return ops.sort().join(';');
}
