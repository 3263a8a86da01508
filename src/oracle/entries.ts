/**
 * The entry lists of the search (Lowe 2017 §3; Porcupine): calls and returns ordered by time,
 * as doubly linked lists from which a linearised operation is "lifted" and put back on
 * backtracking, in LIFO order (Knuth's dancing links).
 *
 * Two lists: the definite list holds calls and returns of operations with a known outcome, and
 * the cut sentinel; the optional list holds calls of operations with an unknown outcome (their
 * returns, at +∞, never block anything). Entry 2i is op i's call, 2i+1 its return, 2m the
 * sentinel, 2m+1 and 2m+2 the heads.
 */
import type { SearchOp } from './types.js';

export class EntryLists {
  readonly next: Int32Array;
  private readonly prev: Int32Array;
  readonly sentinel: number;
  readonly definiteHead: number;
  readonly optionalHead: number;
  private readonly cut: number;

  constructor(
    private readonly ops: readonly SearchOp[],
    cut: number | undefined,
  ) {
    const m = ops.length;
    this.sentinel = 2 * m;
    this.definiteHead = 2 * m + 1;
    this.optionalHead = 2 * m + 2;
    this.cut = cut ?? Number.POSITIVE_INFINITY;
    this.next = new Int32Array(2 * m + 3).fill(-1);
    this.prev = new Int32Array(2 * m + 3).fill(-1);
    const definite: number[] = [];
    const optional: number[] = [];
    ops.forEach((op, i) => {
      if (op.output === undefined) optional.push(2 * i);
      else definite.push(2 * i, 2 * i + 1);
    });
    if (cut !== undefined) definite.push(this.sentinel);
    definite.sort((a, b) => this.compare(a, b));
    optional.sort((a, b) => this.compare(a, b));
    this.chain(this.definiteHead, definite);
    this.chain(this.optionalHead, optional);
  }

  /** The first entry of the definite list that is not a call (-1: none left). */
  firstNonCall(): number {
    let entry = this.next[this.definiteHead] as number;
    while (entry !== -1 && entry !== this.sentinel && (entry & 1) === 0) {
      entry = this.next[entry] as number;
    }
    return entry;
  }

  /**
   * Entry order: time; at equal times the cut first, then calls, then returns (operations that
   * touch at one instant are concurrent, Porcupine's convention); then operation index.
   */
  private compare(a: number, b: number): number {
    return this.timeOf(a) - this.timeOf(b) || this.rankOf(a) - this.rankOf(b) || a - b;
  }

  /** Does optional call `entry` come before `boundary` (-1: the end) in entry order? */
  precedes(entry: number, boundary: number): boolean {
    return boundary === -1 || this.compare(entry, boundary) < 0;
  }

  private timeOf(entry: number): number {
    if (entry === this.sentinel) return this.cut;
    const op = this.ops[entry >> 1] as SearchOp;
    return (entry & 1) === 0 ? op.call : op.ret;
  }

  private rankOf(entry: number): number {
    return entry === this.sentinel ? 0 : (entry & 1) + 1;
  }

  private chain(head: number, entries: readonly number[]): void {
    let last = head;
    for (const e of entries) {
      this.next[last] = e;
      this.prev[e] = last;
      last = e;
    }
  }

  lift(op: number): void {
    this.unlink(2 * op);
    if (this.ops[op]?.output !== undefined) this.unlink(2 * op + 1);
  }

  unlift(op: number): void {
    if (this.ops[op]?.output !== undefined) this.relink(2 * op + 1);
    this.relink(2 * op);
  }

  private unlink(e: number): void {
    const p = this.prev[e] as number;
    const n = this.next[e] as number;
    this.next[p] = n;
    if (n !== -1) this.prev[n] = p;
  }

  private relink(e: number): void {
    const p = this.prev[e] as number;
    const n = this.next[e] as number;
    this.next[p] = e;
    if (n !== -1) this.prev[n] = e;
  }
}
