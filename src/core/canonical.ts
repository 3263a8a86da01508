/**
 * Canonical encoding and 64-bit digests. The encoding is a pure function of the value (keys
 * sorted, Maps and Sets in key order, -0 as 0), so a digest is stable across runs, Node versions
 * and machines: replicas compare digests in audits, the explorer fingerprints states with it.
 */

/** Encode any JSON-like value (plus Map, Set, undefined-as-absent) as one canonical string. */
export function canonicalEncode(value: unknown): string {
  return encode(value);
}

function encode(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot encode non-finite number ${value}`);
      return Object.is(value, -0) ? '0' : String(value);
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value.toString()}n`;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot encode a ${typeof value}`);
  }
  if (Array.isArray(value)) return `[${value.map(encode).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [encode(k), encode(v)] as const);
    entries.sort((a, b) => compareStrings(a[0], b[0]));
    return `M{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`;
  }
  if (value instanceof Set) {
    const items = [...value].map(encode).sort(compareStrings);
    return `S[${items.join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort(compareStrings);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(record[k])}`).join(',')}}`;
}

/** Code-unit order, independent of locale (localeCompare is not stable across machines). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A 64-bit hash of a string as two independent 32-bit MurmurHash3-style lanes.
 * Returns [hi, lo] as unsigned 32-bit integers.
 */
export function hash64(text: string): readonly [number, number] {
  return [murmur32(text, 0x9747b28c), murmur32(text, 0x5bd1e995)];
}

/** 16 lowercase hex digits. */
export function hash64Hex(text: string): string {
  const [hi, lo] = hash64(text);
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

/** The digest of any state: the hash of its canonical encoding. */
export function digestOf(value: unknown): string {
  return hash64Hex(canonicalEncode(value));
}

function murmur32(text: string, seed: number): number {
  let h = seed >>> 0;
  const n = text.length;
  let i = 0;
  // Two UTF-16 code units per 32-bit block.
  for (; i + 1 < n; i += 2) {
    let k = (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)) >>> 0;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
