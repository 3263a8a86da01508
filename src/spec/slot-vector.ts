/**
 * A persistent map from slots (dense non-negative integers) to values: a 32-way trie with path
 * copying (Bagwell's array-mapped tries, as in Clojure's vectors). Candidate states share their
 * replicated logs and only copy the O(log₃₂ n) path they change, so branching on an ambiguous
 * event costs a few small arrays, not a copy of the log.
 */
const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Trie = readonly unknown[];

export class SlotVector<T> {
  static empty<T>(): SlotVector<T> {
    return EMPTY as SlotVector<T>;
  }

  private constructor(
    private readonly root: Trie,
    /** The depth of the trie in bits: capacity is 2^(shift + BITS). */
    private readonly shift: number,
    /** How many slots hold a value. */
    readonly size: number,
    /** The highest slot holding a value, -1 when empty. */
    readonly maxSlot: number,
  ) {}

  get(slot: number): T | undefined {
    if (slot > this.maxSlot || slot < 0) return undefined;
    let node: Trie | undefined = this.root;
    for (let level = this.shift; level > 0; level -= BITS) {
      node = node[(slot >>> level) & MASK] as Trie | undefined;
      if (node === undefined) return undefined;
    }
    return node[slot & MASK] as T | undefined;
  }

  has(slot: number): boolean {
    return this.get(slot) !== undefined;
  }

  set(slot: number, value: T): SlotVector<T> {
    let root = this.root;
    let shift = this.shift;
    // Grow upward until the slot fits: the old root becomes child 0 of a new one.
    while (slot >= 2 ** (shift + BITS)) {
      root = [root];
      shift += BITS;
    }
    const had = this.get(slot) !== undefined;
    const next = setIn(root, shift, slot, value);
    return new SlotVector<T>(
      next,
      shift,
      had ? this.size : this.size + 1,
      Math.max(this.maxSlot, slot),
    );
  }

  /**
   * The same update without copying the path, for a vector nobody else will read again (the
   * checker's lone candidate); returns a new handle on the mutated trie. Never on the shared
   * empty vector.
   */
  setInPlace(slot: number, value: T): SlotVector<T> {
    if (slot >= 2 ** (this.shift + BITS) || this.size === 0) return this.set(slot, value);
    const had = this.get(slot) !== undefined;
    let node = this.root as unknown[];
    for (let level = this.shift; level > 0; level -= BITS) {
      const index = (slot >>> level) & MASK;
      let child = node[index] as unknown[] | undefined;
      if (child === undefined) node[index] = child = [];
      node = child;
    }
    node[slot & MASK] = value;
    return new SlotVector<T>(
      this.root,
      this.shift,
      had ? this.size : this.size + 1,
      Math.max(this.maxSlot, slot),
    );
  }

  /**
   * The entries with slot ≥ `from` only (log truncation). Subtrees wholly at or above `from` are
   * shared; only the path through `from` is copied, so the cost is O(log₃₂ n), not the log's size.
   */
  dropBelow(from: number): SlotVector<T> {
    if (from <= 0 || this.size === 0) return this;
    if (from > this.maxSlot) return SlotVector.empty<T>();
    let removed = 0;
    for (const _ of walkBelow(this.root, this.shift, 0, from)) removed++;
    if (removed === 0) return this;
    return new SlotVector<T>(
      cutBelow(this.root, this.shift, 0, from),
      this.shift,
      this.size - removed,
      this.maxSlot,
    );
  }

  /** Entries with slot ≥ from, in slot order. */
  *from(from: number): IterableIterator<[number, T]> {
    if (from > this.maxSlot) return;
    yield* walk<T>(this.root, this.shift, 0, Math.max(0, from));
  }

  /** Structural equality; shared subtrees are equal without being walked. */
  equals(other: SlotVector<T>, same: (a: T, b: T) => boolean): boolean {
    if (this === other) return true;
    if (this.size !== other.size || this.maxSlot !== other.maxSlot) return false;
    if (this.shift !== other.shift) return sameEntries(this, other, same);
    return sameTrie(this.root, other.root, this.shift, same);
  }
}

const EMPTY = Reflect.construct(SlotVector, [[], 0, 0, -1]) as SlotVector<unknown>;

function setIn(node: Trie, shift: number, slot: number, value: unknown): Trie {
  const copy = node.slice();
  const index = (slot >>> shift) & MASK;
  if (shift === 0) copy[index] = value;
  else copy[index] = setIn((node[index] as Trie | undefined) ?? [], shift - BITS, slot, value);
  return copy;
}

/** The trie without the entries below `from` (copying only the nodes that straddle it). */
function cutBelow(node: Trie, shift: number, base: number, from: number): Trie {
  const copy = node.slice();
  for (let i = 0; i < node.length; i++) {
    const start = base + i * 2 ** shift;
    if (start >= from) break;
    if (start + 2 ** shift <= from) copy[i] = undefined;
    else if (shift > 0 && node[i] !== undefined)
      copy[i] = cutBelow(node[i] as Trie, shift - BITS, start, from);
    else copy[i] = undefined;
  }
  return copy;
}

/** Entries below `from` (to count what a cut removes). */
function* walkBelow(node: Trie, shift: number, base: number, from: number): IterableIterator<number> {
  for (let i = 0; i < node.length; i++) {
    const start = base + i * 2 ** shift;
    if (start >= from) return;
    const child = node[i];
    if (child === undefined) continue;
    if (shift === 0) yield start;
    else yield* walkBelow(child as Trie, shift - BITS, start, from);
  }
}

function* walk<T>(
  node: Trie,
  shift: number,
  base: number,
  from: number,
): IterableIterator<[number, T]> {
  for (let i = 0; i < node.length; i++) {
    const start = base + i * 2 ** shift;
    if (start + 2 ** shift <= from) continue;
    const child = node[i];
    if (child === undefined) continue;
    if (shift === 0) yield [start, child as T];
    else yield* walk<T>(child as Trie, shift - BITS, start, from);
  }
}

function sameTrie<T>(a: Trie, b: Trie, shift: number, same: (x: T, y: T) => boolean): boolean {
  if (a === b) return true;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined || y === undefined) return false;
    if (shift === 0) {
      if (!same(x as T, y as T)) return false;
    } else if (!sameTrie(x as Trie, y as Trie, shift - BITS, same)) return false;
  }
  return true;
}

function sameEntries<T>(
  a: SlotVector<T>,
  b: SlotVector<T>,
  same: (x: T, y: T) => boolean,
): boolean {
  for (const [slot, value] of a.from(0)) {
    const other = b.get(slot);
    if (other === undefined || !same(value, other)) return false;
  }
  return true;
}
