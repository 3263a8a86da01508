/**
 * The scheduler's queue of timed events: a binary heap by time, then by the order events were
 * scheduled, so that equal times always come out in the same order (deterministic runs).
 */
interface Timed<E> {
  readonly time: number;
  readonly seq: number;
  readonly event: E;
}

/** A binary heap of events by time, then by the order they were scheduled (deterministic). */
export class EventQueue<E> {
  private readonly heap: Timed<E>[] = [];
  private seq = 0;

  push(time: number, event: E): void {
    const heap = this.heap;
    heap.push({ time, seq: this.seq++, event });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Timed<E>, heap[parent] as Timed<E>)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timed<E>, heap[i] as Timed<E>];
      i = parent;
    }
  }

  pop(): Timed<E> | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[l] as Timed<E>, heap[m] as Timed<E>)) m = l;
      if (r < heap.length && before(heap[r] as Timed<E>, heap[m] as Timed<E>)) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m] as Timed<E>, heap[i] as Timed<E>];
      i = m;
    }
    return top;
  }
}

function before<E>(a: Timed<E>, b: Timed<E>): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
