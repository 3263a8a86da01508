/** 64-bit hashes of component encodings and of sequences of component hashes. */
import { hash64 } from '../../../src/core/canonical.js';

/** A component's encoding and its 64-bit hash. */
export interface Coded {
  readonly text: string;
  readonly hi: number;
  readonly lo: number;
}

export const coded = (text: string): Coded => {
  const [hi, lo] = hash64(text);
  return { text, hi, lo };
};

/** MurmurHash3's block step: folds one 32-bit word into a running hash. */
function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two independent lanes of word-wise hashing: a 64-bit hash of a sequence of hashes. */
export class Hasher {
  private a = 0x3c6ef372;
  private b = 0x510e527f;
  private n = 0;
  add(hi: number, lo: number): this {
    this.a = mix(mix(this.a, hi), lo);
    this.b = mix(mix(this.b, lo ^ 0x9e3779b9), hi);
    this.n += 2;
    return this;
  }
  result(): [number, number] {
    return [finish(this.a, this.n), finish(this.b, this.n ^ 0x5bd1e995)];
  }
}
