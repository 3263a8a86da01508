/**
 * Visited sets of 64-bit state fingerprints (TLC, Stateright): open addressing over two 32-bit
 * lanes, 8 bytes a state. Neither lane of a fingerprint is ever 0 (0 marks an empty or
 * half-written slot), so one normalisation serves the local table and the one workers share.
 */
import { hash64 } from '../../src/core/canonical.js';

export type Fingerprint = readonly [hi: number, lo: number];

/** The fingerprint of a canonical encoding. */
export function fingerprint(text: string): Fingerprint {
  const [hi, lo] = hash64(text);
  return [hi === 0 ? 1 : hi, lo === 0 ? 1 : lo];
}

const slotOf = (hi: number, lo: number, mask: number): number =>
  (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;

/** What a search needs of its visited set. `text` is only read by the exact set. */
export interface VisitedSet {
  /** Adds the state; true when it was not there before. */
  visit(text: string, hi: number, lo: number): boolean;
  /** True when the fingerprint is in the set (fingerprint sets only; never for the exact set). */
  has?(hi: number, lo: number): boolean;
  readonly size: number;
}

/** A growable single-thread table. */
export class FingerprintSet implements VisitedSet {
  private table: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacityPow2 = 1 << 16) {
    this.table = new Uint32Array(capacityPow2 * 2);
    this.mask = capacityPow2 - 1;
  }

  visit(_text: string, hi: number, lo: number): boolean {
    return this.add(hi, lo);
  }

  add(hi: number, lo: number): boolean {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const t = this.table;
    for (let i = slotOf(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
      const h = t[2 * i] as number;
      if (h === 0) {
        t[2 * i] = hi;
        t[2 * i + 1] = lo;
        this.size++;
        return true;
      }
      if (h === hi && t[2 * i + 1] === lo) return false;
    }
  }

  has(hi: number, lo: number): boolean {
    const t = this.table;
    for (let i = slotOf(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
      const h = t[2 * i] as number;
      if (h === 0) return false;
      if (h === hi && t[2 * i + 1] === lo) return true;
    }
  }

  /** Every fingerprint, as (hi, lo) pairs. */
  *entries(): Generator<Fingerprint> {
    const t = this.table;
    for (let i = 0; i < t.length; i += 2)
      if (t[i] !== 0) yield [t[i] as number, t[i + 1] as number];
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i] as number;
      if (h !== 0) this.add(h, old[i + 1] as number);
    }
  }
}

/** Full encodings instead of fingerprints: no hash collisions, far more memory (debugging). */
export class ExactSet implements VisitedSet {
  private readonly set = new Set<string>();
  visit(text: string): boolean {
    if (this.set.has(text)) return false;
    this.set.add(text);
    return true;
  }
  get size(): number {
    return this.set.size;
  }
}

/**
 * A lock-free table in a SharedArrayBuffer for worker threads. A writer claims an empty slot by
 * compare-and-swap on the high lane, then stores the low lane; a reader that finds its high lane
 * waits for the low lane to appear (the writer stores it right after the swap).
 * Layout: Int32 [0] = size, [1] = capacity; then capacity (hi, lo) pairs.
 */
export class SharedFingerprintSet implements VisitedSet {
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  private readonly mask: number;

  constructor(bufferOrCapacity: SharedArrayBuffer | number) {
    if (typeof bufferOrCapacity === 'number') {
      this.buffer = new SharedArrayBuffer(8 + bufferOrCapacity * 8);
      new Int32Array(this.buffer, 0, 2)[1] = bufferOrCapacity;
    } else {
      this.buffer = bufferOrCapacity;
    }
    this.cells = new Int32Array(this.buffer);
    this.mask = (this.cells[1] as number) - 1;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  get size(): number {
    return Atomics.load(this.cells, 0);
  }

  visit(_text: string, hi: number, lo: number): boolean {
    return this.add(hi, lo);
  }

  add(hi: number, lo: number): boolean {
    const c = this.cells;
    const h32 = hi | 0;
    const l32 = lo | 0;
    for (let i = slotOf(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
      const at = 2 + 2 * i;
      let h = Atomics.load(c, at);
      if (h === 0) {
        h = Atomics.compareExchange(c, at, 0, h32);
        if (h === 0) {
          Atomics.store(c, at + 1, l32);
          Atomics.add(c, 0, 1);
          return true;
        }
      }
      if (h === h32) {
        let l = Atomics.load(c, at + 1);
        while (l === 0) l = Atomics.load(c, at + 1);
        if (l === l32) return false;
      }
    }
  }

  /**
   * A lookup with plain reads (an atomic load per probe costs a tenth of a search's time): a
   * slot being written reads as empty or as a half-written pair, and both answer "not there",
   * which only makes the caller build the state and `add` it, atomically.
   */
  has(hi: number, lo: number): boolean {
    const c = this.cells;
    const h32 = hi | 0;
    const l32 = lo | 0;
    for (let i = slotOf(hi, lo, this.mask); ; i = (i + 1) & this.mask) {
      const at = 2 + 2 * i;
      const h = c[at] as number;
      if (h === 0) return false;
      if (h === h32 && c[at + 1] === l32) return true;
    }
  }

  /** Every fingerprint (call only while no worker writes). */
  *entries(): Generator<Fingerprint> {
    const c = this.cells;
    for (let at = 2; at < c.length; at += 2) {
      if (c[at] !== 0) yield [(c[at] as number) >>> 0, (c[at + 1] as number) >>> 0];
    }
  }

  /** A table with `capacity` slots holding the same fingerprints (call while no worker writes). */
  grownTo(capacity: number): SharedFingerprintSet {
    const bigger = new SharedFingerprintSet(capacity);
    const from = this.cells;
    const to = bigger.cells;
    const mask = bigger.mask;
    let size = 0;
    // Plain reads and writes: nobody else touches either table while it grows.
    for (let at = 2; at < from.length; at += 2) {
      const hi = from[at] as number;
      if (hi === 0) continue;
      const lo = from[at + 1] as number;
      let i = slotOf(hi, lo, mask);
      while (to[2 + 2 * i] !== 0) i = (i + 1) & mask;
      to[2 + 2 * i] = hi;
      to[3 + 2 * i] = lo;
      size++;
    }
    to[0] = size;
    return bigger;
  }
}
