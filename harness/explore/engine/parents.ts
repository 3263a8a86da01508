/**
 * Parent pointers by fingerprint: for each distinct state, the fingerprint of the state it was
 * first reached from and the index of the action taken (TLC keeps the same on disk). A path is
 * rebuilt by walking back to an initial state, then replaying the choices forward; fingerprints
 * rather than local ids let tables from several workers and from a checkpoint be searched alike.
 */
import type { Fingerprint } from '../fingerprints.js';

/** Five 32-bit words a state: hi, lo, parentHi, parentLo, choice. Roots have parent (0, 0). */
export class ParentTable {
  private words: Uint32Array;
  length = 0;

  constructor(words?: Uint32Array) {
    this.words = words ?? new Uint32Array(5 * 1024);
    if (words !== undefined) this.length = words.length / 5;
  }

  add(hi: number, lo: number, parentHi: number, parentLo: number, choice: number): void {
    if ((this.length + 1) * 5 > this.words.length) {
      const bigger = new Uint32Array(this.words.length * 2);
      bigger.set(this.words);
      this.words = bigger;
    }
    const at = this.length * 5;
    this.words[at] = hi;
    this.words[at + 1] = lo;
    this.words[at + 2] = parentHi;
    this.words[at + 3] = parentLo;
    this.words[at + 4] = choice;
    this.length++;
  }

  /** The used words (a copy-free view). */
  view(): Uint32Array {
    return this.words.subarray(0, this.length * 5);
  }

  find(hi: number, lo: number): { parent: Fingerprint; choice: number } | undefined {
    const w = this.words;
    for (let at = 0; at < this.length * 5; at += 5) {
      if (w[at] === hi && w[at + 1] === lo) {
        return { parent: [w[at + 2] as number, w[at + 3] as number], choice: w[at + 4] as number };
      }
    }
    return undefined;
  }
}

/**
 * The choices from an initial state to the state `fp`: [initial index, action index, ...].
 * Throws when a link is missing (a corrupt checkpoint or a bug).
 */
export function choicesTo(tables: readonly ParentTable[], fp: Fingerprint): number[] {
  const choices: number[] = [];
  let [hi, lo] = fp;
  for (;;) {
    let entry: { parent: Fingerprint; choice: number } | undefined;
    for (const t of tables) {
      entry = t.find(hi, lo);
      if (entry !== undefined) break;
    }
    if (entry === undefined) throw new Error(`no parent recorded for state ${hi}:${lo}`);
    choices.push(entry.choice);
    [hi, lo] = entry.parent;
    if (hi === 0 && lo === 0) return choices.reverse();
  }
}
