/**
 * One share of a level-synchronous breadth-first search (TLC's model: a queue of states, a
 * visited set, parent pointers). The in-process search runs one shard; `--workers W` runs W
 * shards in worker threads over one shared visited set. Levels keep BFS exact: every state is
 * first reached at its least depth, so depth bounds mean the same with any number of workers
 * and the first violation found is on a shortest path.
 */
import type { Violation } from '../../../src/spec/violation.js';
import { fingerprint, type Fingerprint, type VisitedSet } from '../fingerprints.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import { ParentTable } from './parents.js';

export interface FrontierItem<W> {
  readonly world: W;
  readonly hi: number;
  readonly lo: number;
  readonly depth: number;
}

/** A violation and where it was found: the parent state and the action index taken from it. */
export interface FoundViolation {
  readonly violation: Violation;
  /** Null when an initial state violates a state invariant; `choice` is then its index. */
  readonly parent: Fingerprint | null;
  readonly choice: number;
  /** The length of the path to the violating state. */
  readonly depth: number;
}

export interface ShardOptions {
  /** The visited set holds full encodings: never trust a fingerprint. */
  readonly exact?: boolean;
  /** States at this depth are not expanded (initial states are at depth 0). */
  readonly maxDepth?: number;
  /** Re-run every step and compare encodings, unless the protocol checks itself. */
  readonly determinism?: boolean;
  /**
   * Build every successor even when its predicted fingerprint is visited, and check each
   * prediction against the built state (tests of Protocol.predictFingerprint).
   */
  readonly verifyPredictions?: boolean;
  /** Polled between states: true asks the shard to stop where it is (it can resume). */
  readonly shouldPause?: () => boolean;
}

export type LevelOutcome = 'done' | 'paused' | 'violation';

export class SearchShard<W, A> {
  /** The level being expanded, from `cursor` on, and the states found for the next level. */
  current: FrontierItem<W>[] = [];
  cursor = 0;
  next: FrontierItem<W>[] = [];
  readonly parents = new ParentTable();
  transitions = 0;
  /** A state at --max-depth still had actions: the search was cut short of the scope. */
  cut = false;
  /** Distinct states this shard added to the visited set. */
  added = 0;
  /** The greatest depth of a state this shard added. */
  depth = 0;
  found: FoundViolation | null = null;
  private readonly encode: (w: W) => string;
  /** The visited-set key of a state: its text (exact mode only) and fingerprint. */
  private readonly key: (w: W) => { text: string; hi: number; lo: number };
  /** Fingerprint-first successors, when the protocol and the visited set support them. */
  private readonly predict: ((w: W, a: A) => readonly [number, number] | undefined) | undefined;

  constructor(
    private readonly protocol: Protocol<W, A>,
    private readonly visited: VisitedSet,
    private readonly options: ShardOptions = {},
  ) {
    const p = protocol;
    this.encode = p.encodeCanonical ? (w) => p.encodeCanonical!(w) : (w) => p.encode(w);
    const fast = p.fingerprint;
    this.key =
      fast !== undefined && options.exact !== true
        ? (w) => {
            const [hi, lo] = fast.call(p, w);
            return { text: '', hi, lo };
          }
        : (w) => {
            const text = this.encode(w);
            const [hi, lo] = fingerprint(text);
            return { text, hi, lo };
          };
    const predict = p.predictFingerprint;
    this.predict =
      predict !== undefined && visited.has !== undefined && options.exact !== true
        ? (w, a) => predict.call(p, w, a)
        : undefined;
  }

  /** Visit the initial states with these indices (a worker takes its share). */
  seed(indices?: readonly number[]): LevelOutcome {
    const initial = this.protocol.initialStates();
    for (const i of indices ?? initial.map((_, k) => k)) {
      const world = initial[i] as W;
      const { text, hi, lo } = this.key(world);
      if (!this.visited.visit(text, hi, lo)) continue;
      this.parents.add(hi, lo, 0, 0, i);
      this.added++;
      const bad = this.protocol.check(world)[0];
      if (bad !== undefined) {
        this.found = { violation: bad, parent: null, choice: i, depth: 0 };
        return 'violation';
      }
      this.next.push({ world, hi, lo, depth: 0 });
    }
    return 'done';
  }

  /** Frontier items as data another thread or a checkpoint can carry (Protocol.exportState). */
  exportItems(items: readonly FrontierItem<W>[]): FrontierItem<unknown>[] {
    const out = this.protocol.exportState;
    if (out === undefined) return items as FrontierItem<unknown>[];
    return items.map((it) => ({ ...it, world: out.call(this.protocol, it.world) }));
  }

  /** The inverse of `exportItems`, in this shard's protocol instance. */
  importItems(items: readonly FrontierItem<unknown>[]): FrontierItem<W>[] {
    const back = this.protocol.importState;
    if (back === undefined) return items as FrontierItem<W>[];
    return items.map((it) => ({ ...it, world: back.call(this.protocol, it.world) }));
  }

  /** Move to the next level. */
  advance(): void {
    this.current = this.next;
    this.next = [];
    this.cursor = 0;
  }

  get remaining(): number {
    return this.current.length - this.cursor;
  }

  /** Expand the current level from the cursor. */
  runLevel(): LevelOutcome {
    const { maxDepth, shouldPause } = this.options;
    while (this.cursor < this.current.length) {
      if (shouldPause !== undefined && (this.cursor & 63) === 0 && shouldPause()) return 'paused';
      const node = this.current[this.cursor] as FrontierItem<W>;
      // Release expanded states as we go: a level can be most of the memory a search holds.
      (this.current as (FrontierItem<W> | undefined)[])[this.cursor++] = undefined;
      if (maxDepth !== undefined && node.depth >= maxDepth) {
        // Not expanded: if it had actions, the search did not cover the scope.
        if (!this.cut && this.protocol.actions(node.world).length > 0) this.cut = true;
        continue;
      }
      if (this.expand(node)) return 'violation';
    }
    return 'done';
  }

  /** Expand one state; true when a violation was found. */
  private expand(node: FrontierItem<W>): boolean {
    const p = this.protocol;
    const actions = p.actions(node.world);
    const chosen = p.persistent?.(node.world, actions);
    const count = chosen === undefined ? actions.length : chosen.length;
    const depth = node.depth + 1;
    for (let j = 0; j < count; j++) {
      const k = chosen === undefined ? j : (chosen[j] as number);
      const action = actions[k] as A;
      this.transitions++;
      const predicted = this.predict?.(node.world, action);
      if (
        predicted !== undefined &&
        this.options.verifyPredictions !== true &&
        this.visited.has!(predicted[0], predicted[1])
      )
        continue;
      const succ = p.step(node.world, action);
      const bad = succ.violations[0] ?? this.nondeterminism(node.world, action, succ.world);
      if (bad !== undefined) {
        if (predicted !== undefined) this.mispredicted(action, 'exposes a violation');
        this.found = { violation: bad, parent: [node.hi, node.lo], choice: k, depth };
        return true;
      }
      if (succ.world === node.world) {
        if (predicted !== undefined && (predicted[0] !== node.hi || predicted[1] !== node.lo))
          this.mispredicted(action, 'is a self-loop but was predicted to move');
        continue;
      }
      const { text, hi, lo } = this.key(succ.world);
      if (predicted !== undefined && (predicted[0] !== hi || predicted[1] !== lo))
        this.mispredicted(action, 'reaches a state with another fingerprint');
      if (!this.visited.visit(text, hi, lo)) continue;
      this.parents.add(hi, lo, node.hi, node.lo, k);
      this.added++;
      if (depth > this.depth) this.depth = depth;
      const stateBad = p.check(succ.world)[0];
      if (stateBad !== undefined) {
        this.found = { violation: stateBad, parent: [node.hi, node.lo], choice: k, depth };
        return true;
      }
      this.next.push({ world: succ.world, hi, lo, depth });
    }
    return false;
  }

  /** A broken Protocol.predictFingerprint would silently skip states: stop the search instead. */
  private mispredicted(action: A, what: string): never {
    throw new Error(
      `internal error: ${this.protocol.name}'s predicted successor of ${this.protocol.describe(action)} ${what}`,
    );
  }

  private nondeterminism(world: W, action: A, result: W): Violation | undefined {
    if (this.options.determinism === false || this.protocol.checksDeterminism === true) return;
    const again = this.protocol.step(world, action).world;
    if (this.protocol.encode(again) === this.protocol.encode(result)) return;
    return {
      invariant: 'Nondeterminism',
      message: `${this.protocol.describe(action)} gave two different states from the same state`,
    };
  }
}
