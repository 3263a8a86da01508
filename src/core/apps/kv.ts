import { digestOf } from '../canonical.js';
import { errorOutput, isRecord, withOperatorRequests, type App } from '../app.js';
import type { Json } from '../types.js';

/** One key's value with a per-key version, so state transfer can later send only what differs. */
export interface KvCell {
  readonly value: string;
  readonly version: number;
}
export type KvState = ReadonlyMap<string, KvCell>;

/**
 * Key-value store: `get`, `put`, `append`, `cas`.
 *   get(k)             → the value, or null
 *   put(k, v)          → "OK"
 *   append(k, v)       → the new value (absent keys start empty)
 *   cas(k, expected, v) → true when the value was `expected` (null = absent) and is now v
 */
export const kvApp: App<KvState> = withOperatorRequests<KvState>({
  name: 'kv',
  init: () => new Map(),
  apply(state, op) {
    const problem = checkKvOp(op);
    if (problem !== null || !isRecord(op)) {
      return { state, output: errorOutput(problem ?? 'not an object') };
    }
    const key = op['key'] as string;
    const current = state.get(key);
    switch (op['type']) {
      case 'get':
        return { state, output: current?.value ?? null };
      case 'put':
        return { state: write(state, key, op['value'] as string, current), output: 'OK' };
      case 'append': {
        const value = (current?.value ?? '') + (op['value'] as string);
        return { state: write(state, key, value, current), output: value };
      }
      default: {
        // cas: checkKvOp admitted only the four types.
        const expected = op['expected'] as string | null;
        if ((current?.value ?? null) !== expected) return { state, output: false };
        return { state: write(state, key, op['value'] as string, current), output: true };
      }
    }
  },
  digest: (state) => digestOf(state),
  view(state) {
    const out: Record<string, Json> = {};
    for (const key of [...state.keys()].sort()) out[key] = state.get(key)?.value ?? null;
    return out;
  },
  snapshot: (state) =>
    [...state.keys()].sort().map((name) => {
      const cell = state.get(name) as KvCell;
      return { name, version: cell.version, value: cell.value };
    }),
  restore: (parts) =>
    new Map(parts.map((p) => [p.name, { value: String(p.value), version: p.version }])),
  checkOp: checkKvOp,
  partition: (op) => (isRecord(op) && typeof op['key'] === 'string' ? op['key'] : undefined),
});

function write(state: KvState, key: string, value: string, current: KvCell | undefined): KvState {
  const next = new Map(state);
  next.set(key, { value, version: (current?.version ?? 0) + 1 });
  return next;
}

function checkKvOp(op: Json): string | null {
  if (!isRecord(op)) return 'a kv operation is an object';
  const type = op['type'];
  if (typeof op['key'] !== 'string') return 'a kv operation needs a string "key"';
  switch (type) {
    case 'get':
      return null;
    case 'put':
    case 'append':
      return typeof op['value'] === 'string' ? null : `${type} needs a string "value"`;
    case 'cas':
      if (typeof op['value'] !== 'string') return 'cas needs a string "value"';
      return typeof op['expected'] === 'string' || op['expected'] === null
        ? null
        : 'cas needs "expected": a string or null';
    default:
      return type === undefined
        ? 'a kv operation needs "type": get, put, append or cas'
        : `unknown kv operation ${JSON.stringify(type)} (expected get, put, append or cas)`;
  }
}
