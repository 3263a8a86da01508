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
export function mix(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

export function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Two independent lanes of word-wise hashing: a 64-bit hash of a sequence of hashes. */
export const LANE_A_SEED = 0x3c6ef372;
export const LANE_B_SEED = 0x510e527f;
/** Lane b folds `lo ^ LANE_B_SALT` first; its length is finished as `n ^ LENGTH_SALT`. */
export const LANE_B_SALT = 0x9e3779b9;
export const LENGTH_SALT = 0x5bd1e995;

export class Hasher {
  private a = LANE_A_SEED;
  private b = LANE_B_SEED;
  private n = 0;
  add(hi: number, lo: number): this {
    this.a = mix(mix(this.a, hi), lo);
    this.b = mix(mix(this.b, lo ^ LANE_B_SALT), hi);
    this.n += 2;
    return this;
  }
  result(): [number, number] {
    return [finish(this.a, this.n), finish(this.b, this.n ^ LENGTH_SALT)];
  }
}
