/**
 * One share of a level-synchronous breadth-first search (TLC's model: a queue of states, a
 * visited set, parent pointers). The in-process search runs one shard; `--workers W` runs W
 * shards in worker threads over one shared visited set. Levels keep BFS exact: every state is
 * first reached at its least depth, so depth bounds mean the same with any number of workers
 * and the first violation found is on a shortest path.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Violation } from '../../../src/spec/violation.js';
import { fingerprint, type Fingerprint, type VisitedSet } from '../fingerprints.js';
import type { Protocol, SharedParts } from '../../../src/spec/transition-system.js';
import { ParentTable } from './parents.js';
import { CheckpointError } from './checkpoint-error.js';
import { fromJson, toJson } from './codec.js';
import { FrontierFile, type FrontierReader } from './frontier-file.js';

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
  /** Where `spillNext` writes levels that do not fit in memory (frontier-file.ts). */
  readonly spillDir?: string;
}

/** States read back from a spilled level at a time. */
const SPILL_CHUNK = 4096;

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
  /** The next level's states spilled to disk, and the current level's still on disk. */
  private nextFile: FrontierFile | null = null;
  private currentFile: FrontierReader | null = null;
  /** Applied to the current level's states as they come back from disk (the --shard split). */
  private currentFilter: ((item: FrontierItem<W>) => boolean) | null = null;
  /**
   * What the current level's file holds: spill lines of this instance, or a resumed
   * checkpoint's states — exported whole, or plain states to `remap` (a compact checkpoint).
   */
  private currentForm: 'spill' | 'exported' | 'remapped' = 'spill';
  private remap: ((world: W) => W) | null = null;
  private spills = 0;
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
    this.currentFile?.close();
    this.current = this.next;
    this.next = [];
    this.cursor = 0;
    this.currentFile = this.nextFile?.finish() ?? null;
    this.nextFile = null;
    this.currentFilter = null;
    this.currentForm = 'spill';
  }

  /** States of the current level not expanded yet (in memory and on disk). */
  get remaining(): number {
    return this.current.length - this.cursor + (this.currentFile?.unread ?? 0);
  }

  /** States found for the next level (in memory and on disk). */
  get nextSize(): number {
    return this.next.length + (this.nextFile?.count ?? 0);
  }

  /**
   * Write the next level's states held in memory to disk (options.spillDir) and let them go;
   * how many. They come back a chunk at a time when that level is expanded.
   */
  spillNext(): number {
    const dir = this.options.spillDir;
    if (dir === undefined || this.next.length === 0) return 0;
    this.nextFile ??= new FrontierFile(join(dir, `level-${this.spills++}.ndjson`));
    const count = this.next.length;
    this.nextFile.append(this.next.map((item) => this.spillLine(item)));
    this.next = [];
    return count;
  }

  /**
   * A spilled state as one line: plain states (Protocol.plainStates) as they are, which only
   * this instance can read back; others exported, as in a checkpoint.
   */
  private spillLine(item: FrontierItem<W>): string {
    if (this.protocol.plainStates === true) return JSON.stringify(item);
    return toJson(this.exportItems([item])[0]);
  }

  private fromSpillLine(line: string): FrontierItem<W> {
    if (this.protocol.plainStates === true) return JSON.parse(line) as FrontierItem<W>;
    return this.importItems([fromJson(line) as FrontierItem<unknown>])[0] as FrontierItem<W>;
  }

  /** A line of the current level's file. */
  private readLine(line: string): FrontierItem<W> {
    if (this.currentForm === 'spill') return this.fromSpillLine(line);
    if (this.currentForm === 'exported') return this.readExported(line);
    const item = this.parse(line, JSON.parse) as FrontierItem<W>;
    return { ...item, world: (this.remap as (world: W) => W)(item.world) };
  }

  private parse(line: string, parser: (text: string) => unknown): unknown {
    try {
      return parser(line);
    } catch {
      throw new CheckpointError(
        `--resume: a state of the checkpoint is not JSON: ${line.slice(0, 60)}`,
      );
    }
  }

  /** A checkpoint's state line, imported into this instance. */
  private readExported(line: string): FrontierItem<W> {
    const data = this.parse(line, fromJson) as FrontierItem<unknown>;
    return this.importItems([data])[0] as FrontierItem<W>;
  }

  /**
   * Start from a checkpoint's frontier (see readCheckpoint): exported states, or plain states
   * to `remap` when the checkpoint is compact. The current level is read back a chunk at a
   * time; the next level is loaded, and spilled again as it grows.
   */
  adoptFrontier(
    current: FrontierReader,
    next: FrontierReader,
    remap: ((world: W) => W) | null,
  ): void {
    this.current = [];
    this.cursor = 0;
    this.currentFile = current;
    this.currentForm = remap === null ? 'exported' : 'remapped';
    this.remap = remap;
    for (let lines = next.read(SPILL_CHUNK); lines.length > 0; lines = next.read(SPILL_CHUNK)) {
      this.next.push(...lines.map((line) => this.readLine(line)));
      if (this.options.spillDir !== undefined && this.next.length >= SPILL_CHUNK) this.spillNext();
    }
    next.close();
  }

  /** Keep only the current level's unexpanded states that `keep` accepts (--shard). */
  filterCurrent(keep: (item: FrontierItem<W>) => boolean): void {
    this.current = this.current.slice(this.cursor).filter(keep);
    this.cursor = 0;
    this.currentFilter = keep;
  }

  /** What a compact checkpoint of this shard's frontier collects, or null (states exported). */
  sharedParts(): SharedParts<W> | null {
    const p = this.protocol;
    return p.plainStates === true && p.sharedParts !== undefined ? p.sharedParts() : null;
  }

  /**
   * The unexpanded states of the current level and the next level's, as checkpoint lines:
   * plain states noted in `parts` (a compact checkpoint), or exported whole when it is null.
   */
  *pendingLines(kind: 'current' | 'next', parts: SharedParts<W> | null): Generator<string> {
    const plain = (item: FrontierItem<W>): string => {
      parts?.note(item.world);
      return JSON.stringify(item);
    };
    const line = (item: FrontierItem<W>): string =>
      parts === null ? toJson(this.exportItems([item])[0]) : plain(item);
    if (kind === 'current') {
      for (const item of this.current.slice(this.cursor)) yield line(item);
      if (this.currentFile !== null) {
        // Filtered as the search would have: a --shard split applies to these too.
        const keep = this.currentFilter;
        for (const text of this.currentFile.rest()) {
          if (this.currentForm === 'exported' && parts === null && keep === null) {
            yield text;
            continue;
          }
          const item = this.readLine(text);
          if (keep === null || keep(item)) yield line(item);
        }
      }
    } else {
      if (this.nextFile !== null) {
        const reader = this.nextFile.finish();
        for (const text of reader.rest()) yield line(this.fromSpillLine(text));
        reader.close();
        this.nextFile = null;
      }
      for (const item of this.next) yield line(item);
    }
  }

  /** Delete whatever this shard spilled (the search is over). */
  dispose(): void {
    this.currentFile?.close();
    this.currentFile = null;
    this.nextFile?.discard();
    this.nextFile = null;
    if (this.options.spillDir !== undefined)
      rmSync(this.options.spillDir, { recursive: true, force: true });
  }

  /** The next chunk of the current level from disk into memory; false when none is left. */
  private loadChunk(): boolean {
    if (this.currentFile === null) return false;
    const lines = this.currentFile.read(SPILL_CHUNK);
    if (lines.length === 0) {
      this.currentFile.close();
      this.currentFile = null;
      return false;
    }
    const items = lines.map((line) => this.readLine(line));
    this.current = this.currentFilter === null ? items : items.filter(this.currentFilter);
    this.cursor = 0;
    return true;
  }

  /** Expand the current level from the cursor. */
  runLevel(): LevelOutcome {
    for (;;) {
      const outcome = this.runInMemory();
      if (outcome !== 'done' || !this.loadChunk()) return outcome;
    }
  }

  /** Expand the current level's states in memory, from the cursor. */
  private runInMemory(): LevelOutcome {
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
