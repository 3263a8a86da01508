/**
 * JSON for explorer states (checkpoints, replay files): Maps and Sets are tagged so they come
 * back as Maps and Sets. Everything else in a state is plain JSON already (STYLE.md §10).
 */

const MAP = '$map';
const SET = '$set';

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Map) return { [MAP]: [...v.entries()] };
    if (v instanceof Set) return { [SET]: [...v] };
    return v;
  });
}

export function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const record = v as Record<string, unknown>;
      if (Array.isArray(record[MAP])) return new Map(record[MAP] as [unknown, unknown][]);
      if (Array.isArray(record[SET])) return new Set(record[SET] as unknown[]);
    }
    return v;
  });
}

/** Base64 of a typed array's bytes, and back (for fingerprint and parent tables). */
export function wordsToBase64(words: Uint32Array): string {
  return Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('base64');
}

export function base64ToWords(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64');
  const words = new Uint32Array(bytes.byteLength / 4);
  new Uint8Array(words.buffer).set(bytes);
  return words;
}
