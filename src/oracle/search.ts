/**
 * The Wing–Gong / Lowe depth-first search for a linearization (Wing & Gong 1993; Lowe 2017,
 * "Testing for linearizability", §3), in the form Porcupine uses: a doubly linked list of call
 * and return entries ordered by time; an operation is a candidate while its call precedes the
 * first remaining return; linearising it "lifts" both entries out of the list, backtracking puts
 * them back (dancing links). Visited (linearised set, model states) pairs are memoised, so each
 * configuration is explored at most once.
 *
 * Nondeterministic models are searched over sets of states (Porcupine's powerset construction):
 * one path per order, the set of every state that order can reach.
 *
 * Optional operations (unknown outcome: output undefined, return at +∞) may be linearised
 * anywhere after their call or never. The search succeeds as soon as every operation with a
 * known outcome is linearised. Candidates with a known outcome are tried first, optional ones
 * after: committing early to an operation that may never have happened (Jepsen `:info`) is
 * rarely what makes a history linearizable, and trying it first sends the search down
 * long dead ends.
 */
import type { Budget, Exhaustion } from './budget.js';
import { EntryLists } from './entries.js';
import { OpSetInterner, OpSetLimitError } from './opset.js';
import { sameStates, stateSetOf, stepStates, type StateSet } from './states.js';
import type { Model, SearchOp } from './types.js';

/** One operation as the search sees it. `output === undefined` marks an optional operation. */

export { singleState, stateSetOf, stepStates, type StateSet } from './states.js';

/** A search configuration: which operations are linearised, and the states they can lead to. */
export interface Configuration<S> {
  readonly linearized: readonly number[];
  readonly states: StateSet<S>;
}

export interface SearchInput<S> {
  readonly ops: readonly SearchOp[];
  readonly model: Model<S>;
  readonly budget: Budget;
}

export type FindResult<S> =
  | {
      readonly kind: 'linearizable';
      /** Operations linearised by the search (after the start's), in linearization order. */
      readonly order: readonly number[];
      /** Index of the start configuration the linearization extends. */
      readonly start: number;
      readonly states: StateSet<S>;
    }
  | { readonly kind: 'not-linearizable' }
  | { readonly kind: 'unknown'; readonly reason: Exhaustion };

export type EnumerateResult<S> =
  | { readonly kind: 'ok'; readonly configurations: readonly Configuration<S>[] }
  | { readonly kind: 'unknown'; readonly reason: Exhaustion };

/** V8 Sets and Maps hold at most 2^24 entries; stop a little before. */
const MEMO_LIMIT = 16_000_000;

/** Find one linearization extending any of `starts` (Lowe's algorithm). */
export function findLinearization<S>(
  input: SearchInput<S>,
  starts: readonly Configuration<S>[],
): FindResult<S> {
  const search = new Search(input, undefined);
  for (let i = 0; i < starts.length; i++) {
    const outcome = search.run(starts[i] as Configuration<S>, 'find');
    if (outcome === 'found') {
      return { kind: 'linearizable', order: search.found, start: i, states: search.foundStates };
    }
    if (outcome !== 'done') return { kind: 'unknown', reason: outcome };
  }
  return { kind: 'not-linearizable' };
}

/**
 * Every configuration the operations can reach at time `cut`: all operations that returned
 * before the cut linearised, none called at or after it, and any subset of those spanning it.
 * Configurations are reported by the spanning operations they linearised, with the union of
 * their states. Used to settle a prefix of a growing history (see incremental.ts).
 */
export function enumerateAtCut<S>(
  input: SearchInput<S>,
  starts: readonly Configuration<S>[],
  cut: number,
): EnumerateResult<S> {
  const search = new Search(input, cut);
  for (const start of starts) {
    const outcome = search.run(start, 'enumerate');
    if (outcome !== 'done')
      return { kind: 'unknown', reason: outcome === 'found' ? 'memory' : outcome };
  }
  const spanning = input.ops.flatMap((op, i) => (op.call < cut && op.ret >= cut ? [i] : []));
  const configurations = [...search.atCut].map(([set, byKey]) => ({
    linearized: spanning.filter((op) => search.sets.has(set, op)),
    states: stateSetOf(byKey),
  }));
  return { kind: 'ok', configurations };
}

/**
 * The scan of a configuration's candidates, in order: the deadline (the operation whose return
 * comes first; Lowe's "just-in-time" linearization only linearises an operation when its
 * return forces it, and trying it first approximates that); then the known-outcome candidates
 * after which the deadline would be accepted (a read needing a value tries that value's write
 * before every write in call order); then the other known-outcome candidates in call order;
 * then the optional ones.
 */
type Phase = 'deadline' | 'enabling' | 'definite' | 'optional';
const BUDGET_GONE = -2;

/** What backtracking restores: the configuration before `op`, and where its scan was. */
interface Frame<S> {
  readonly op: number;
  /** A read-only step taken without branching: its configuration has nothing else to try. */
  readonly forced: boolean;
  readonly states: StateSet<S>;
  readonly set: number;
  readonly boundary: number;
  readonly deadline: number;
  readonly phase: Phase;
  readonly entry: number;
  readonly enablers: number[] | null;
  readonly enabler: number;
}

class Search<S> {
  readonly sets: OpSetInterner;
  readonly atCut = new Map<number, Map<string, S>>();
  found: number[] = [];
  foundStates!: StateSet<S>;
  private readonly ops: readonly SearchOp[];
  private readonly model: Model<S>;
  private readonly budget: Budget;
  private readonly memo = new Set<string>();
  private readonly lists: EntryLists;
  /** 1 where the operation is read-only (see forcedCandidate). */
  private readonly readOnly: Uint8Array;

  constructor(input: SearchInput<S>, cut: number | undefined) {
    this.ops = input.ops;
    this.model = input.model;
    this.budget = input.budget;
    this.sets = new OpSetInterner(Math.max(1, this.ops.length));
    const m = this.ops.length;
    this.lists = new EntryLists(this.ops, cut);
    const readOnly = this.model.readOnly?.bind(this.model);
    this.readOnly = new Uint8Array(m);
    if (readOnly !== undefined) {
      this.ops.forEach((op, i) => {
        if (op.output !== undefined && readOnly(op.input, op.output)) this.readOnly[i] = 1;
      });
    }
  }

  /** Explore from `start`; 'found' (find mode only), 'done' when exhausted, or why it stopped. */
  run(start: Configuration<S>, mode: 'find' | 'enumerate'): 'found' | 'done' | Exhaustion {
    try {
      return this.explore(start, mode);
    } catch (error) {
      if (error instanceof OpSetLimitError) return 'memory';
      throw error;
    }
  }

  private explore(
    start: Configuration<S>,
    mode: 'find' | 'enumerate',
  ): 'found' | 'done' | Exhaustion {
    const { ops, budget } = this;
    const next = this.lists.next;
    let set = this.sets.empty;
    for (const op of start.linearized) {
      set = this.sets.add(set, op);
      this.lists.lift(op);
    }
    let states = start.states;
    let outcome: 'found' | 'done' | Exhaustion = 'done';
    const stack: Frame<S>[] = [];
    // The scan of the current configuration (see Phase).
    let boundary = -1;
    let deadline = -1;
    let phase: Phase = 'deadline';
    let entry = -1;
    let enablers: number[] | null = null; // computed when the deadline fails
    let enabler = 0;

    /** Linearise `op` if the model allows and the result is new; true if it moved. */
    const advance = (op: number, forced: boolean, after: StateSet<S>): boolean => {
      const nextSet = this.sets.add(set, op);
      if (!this.remember(nextSet, after)) return false;
      stack.push({ op, forced, states, set, boundary, deadline, phase, entry, enablers, enabler });
      set = nextSet;
      states = after;
      this.lists.lift(op);
      return true;
    };
    /** Undo steps up to the last unforced one and resume that configuration's scan. */
    const backtrack = (): boolean => {
      for (;;) {
        const frame = stack.pop();
        if (frame === undefined) return false;
        this.lists.unlift(frame.op);
        ({ states, set, boundary, deadline, phase, entry, enablers, enabler } = frame);
        if (!frame.forced) return true;
      }
    };
    /** Set up the scan of a new configuration; false when the search is over. */
    const enter = (): boolean => {
      for (;;) {
        boundary = this.lists.firstNonCall();
        if (boundary === -1 && mode === 'find') {
          this.found = stack.map((f) => f.op);
          this.foundStates = states;
          outcome = 'found';
          return false;
        }
        if (boundary === -1 || boundary === this.lists.sentinel) this.record(set, states);
        const forced = this.forcedCandidate(states, boundary);
        if (forced === BUDGET_GONE) {
          outcome = budget.exhausted ?? 'max-steps';
          return false;
        }
        if (forced < 0) break;
        if (!advance(forced, true, states)) return backtrack();
      }
      deadline = (boundary & 1) === 1 ? boundary >> 1 : -1;
      phase = deadline >= 0 ? 'deadline' : 'definite';
      entry = next[this.lists.definiteHead] as number;
      enablers = deadline >= 0 ? null : [];
      enabler = 0;
      return true;
    };
    /** Try one candidate: false when the search is over (found, or out of budget). */
    const attempt = (op: number): boolean => {
      if (!budget.spend()) {
        outcome = budget.exhausted ?? 'max-steps';
        return false;
      }
      const { input, output } = ops[op] as SearchOp;
      const after = stepStates(this.model, states, input, output);
      if (after === null) return true;
      // An optional operation that changes nothing is never worth linearising: leaving it out
      // keeps every option open (it may still take effect later).
      if (output === undefined && sameStates(after, states)) return true;
      return advance(op, false, after) ? enter() : true;
    };

    /** Was `op` tried in this configuration's enabling phase? */
    const triedAlready = (op: number): boolean => enablers !== null && enablers.includes(op);

    let running = this.remember(set, states) && enter();
    while (running) {
      if (this.memo.size > MEMO_LIMIT) {
        outcome = 'memory';
        break;
      }
      if (phase === 'deadline') {
        phase = 'enabling';
        running = attempt(deadline);
      } else if (phase === 'enabling') {
        if (enablers === null) {
          enablers = this.enablersOf(states, boundary, deadline);
          if (enablers === null) {
            outcome = budget.exhausted ?? 'max-steps';
            break;
          }
        }
        const op = enablers[enabler++];
        if (op === undefined) phase = 'definite';
        else running = attempt(op);
      } else if (phase === 'definite') {
        if (entry === boundary) {
          phase = 'optional';
          entry = next[this.lists.optionalHead] as number;
          continue;
        }
        const op = entry >> 1;
        entry = next[entry] as number;
        if (op !== deadline && !triedAlready(op)) running = attempt(op);
      } else {
        if (entry === -1 || !this.lists.precedes(entry, boundary)) {
          running = backtrack();
          continue;
        }
        const op = entry >> 1;
        entry = next[entry] as number;
        if (!triedAlready(op)) running = attempt(op);
      }
    }
    if ((outcome as string) === 'found') return 'found';
    // Restore the lists for the next start (enumerate mode, or a failed find).
    for (let i = stack.length - 1; i >= 0; i--) this.lists.unlift((stack[i] as Frame<S>).op);
    for (let i = start.linearized.length - 1; i >= 0; i--) {
      this.lists.unlift(start.linearized[i] as number);
    }
    return outcome;
  }

  /**
   * The candidates after which the deadline operation would be accepted: a read that needs
   * the value a pending write produces should try that write first, not every write in call
   * order. Null when the budget ran out.
   */
  private enablersOf(states: StateSet<S>, boundary: number, deadline: number): number[] | null {
    const target = this.ops[deadline] as SearchOp;
    const found: number[] = [];
    // Known outcomes only: optional operations pile up (an :info write that never took effect
    // stays a candidate for good), and testing them all at every deadline costs more than it
    // saves; they still get their turn in the optional phase.
    const { next } = this.lists;
    for (let e = next[this.lists.definiteHead] as number; e !== boundary; e = next[e] as number) {
      const op = e >> 1;
      if (op === deadline) continue;
      if (!this.budget.spend()) return null;
      const { input, output } = this.ops[op] as SearchOp;
      const after = stepStates(this.model, states, input, output);
      if (after !== null && stepStates(this.model, after, target.input, target.output) !== null) {
        found.push(op);
      }
    }
    return found;
  }

  /**
   * A read-only candidate (`model.readOnly`: never changes any state) that every current
   * state accepts, or -1. Linearising it first loses nothing: a linearization that places it
   * later can move it to the front, because every operation that must precede it in real time
   * is already linearised, and, as it changes nothing, the operations it jumps over see the same
   * states. So the search commits to it without branching (a partial-order reduction).
   */
  private forcedCandidate(states: StateSet<S>, boundary: number): number {
    for (
      let e = this.lists.next[this.lists.definiteHead] as number;
      e !== boundary;
      e = this.lists.next[e] as number
    ) {
      if (this.readOnly[e >> 1] !== 1) continue;
      if (!this.budget.spend()) return BUDGET_GONE;
      const { input, output } = this.ops[e >> 1] as SearchOp;
      const after = stepStates(this.model, states, input, output);
      if (after !== null && sameStates(after, states)) return e >> 1;
    }
    return -1;
  }

  /** Mark a configuration visited; false if it already was. */
  private remember(set: number, states: StateSet<S>): boolean {
    const key = `${set}|${states.states.length}|${states.key}`;
    if (this.memo.has(key)) return false;
    this.memo.add(key);
    return true;
  }

  private record(set: number, states: StateSet<S>): void {
    let byKey = this.atCut.get(set);
    if (byKey === undefined) {
      byKey = new Map();
      this.atCut.set(set, byKey);
    }
    for (const state of states.states) {
      const key = states.states.length === 1 ? states.key : this.model.key(state);
      if (!byKey.has(key)) byKey.set(key, state);
    }
  }
}
