/**
 * Sets of operation indices as hash-consed binary tries (persistent, structurally shared).
 *
 * The WGL search memoises (set of linearised operations, model state) pairs (Lowe 2017 §3).
 * Porcupine keeps a bitset copy per cache entry, which costs O(n) words per step and O(n²)
 * memory on long histories. Here equal sets get equal numeric ids, adding one element costs
 * O(log n) table look-ups, and a cache key is a number: exact, with no hashing collisions.
 */

const LEAF_BITS = 5; // 32 operations per leaf word
/** Internal node keys are `left * ID_LIMIT + right`; both ids stay below 2^26 (exact in a double). */
const ID_LIMIT = 2 ** 26;

/** Thrown when a search creates more distinct sets than ids can name; callers report "unknown". */
export class OpSetLimitError extends Error {
  override readonly name = 'OpSetLimitError';
}

export class OpSetInterner {
  /** Levels of internal nodes above the leaves. */
  private readonly levels: number;
  private readonly leafIds = new Map<number, number>();
  private readonly nodeIds = new Map<number, number>();
  /** Per id: the leaf word, or -1 for an internal node. */
  private readonly words: number[] = [];
  private readonly lefts: number[] = [];
  private readonly rights: number[] = [];
  /** The empty set over `capacity` operations. */
  readonly empty: number;

  constructor(capacity: number) {
    let levels = 0;
    while (2 ** (levels + LEAF_BITS) < capacity) levels++;
    this.levels = levels;
    let id = this.leaf(0);
    for (let level = 0; level < levels; level++) id = this.node(id, id);
    this.empty = id;
  }

  /** The set `set ∪ {op}`. */
  add(set: number, op: number): number {
    const path: number[] = [];
    let id = set;
    for (let level = this.levels; level > 0; level--) {
      path.push(id);
      id = this.bit(op, level) === 0 ? this.at(this.lefts, id) : this.at(this.rights, id);
    }
    const word = this.at(this.words, id);
    const mask = 1 << (op & 31);
    if ((word & mask) !== 0) return set;
    id = this.leaf((word | mask) >>> 0);
    for (let level = 1; level <= this.levels; level++) {
      const parent = this.at(path, this.levels - level);
      id =
        this.bit(op, level) === 0
          ? this.node(id, this.at(this.rights, parent))
          : this.node(this.at(this.lefts, parent), id);
    }
    return id;
  }

  has(set: number, op: number): boolean {
    let id = set;
    for (let level = this.levels; level > 0; level--) {
      id = this.bit(op, level) === 0 ? this.at(this.lefts, id) : this.at(this.rights, id);
    }
    return (this.at(this.words, id) & (1 << (op & 31))) !== 0;
  }

  /** How many distinct trie nodes exist (memory use of the search). */
  get size(): number {
    return this.words.length;
  }

  private bit(op: number, level: number): number {
    return (op >>> (LEAF_BITS + level - 1)) & 1;
  }

  private leaf(word: number): number {
    const known = this.leafIds.get(word);
    if (known !== undefined) return known;
    return this.fresh(word, -1, -1, this.leafIds, word);
  }

  private node(left: number, right: number): number {
    const key = left * ID_LIMIT + right;
    const known = this.nodeIds.get(key);
    if (known !== undefined) return known;
    return this.fresh(-1, left, right, this.nodeIds, key);
  }

  private fresh(
    word: number,
    left: number,
    right: number,
    table: Map<number, number>,
    key: number,
  ): number {
    const id = this.words.length;
    if (id >= ID_LIMIT) throw new OpSetLimitError('too many distinct operation sets');
    this.words.push(word);
    this.lefts.push(left);
    this.rights.push(right);
    table.set(key, id);
    return id;
  }

  private at(array: readonly number[], index: number): number {
    // Ids only ever come from this interner, so the index is always in range.
    return array[index] as number;
  }
}
