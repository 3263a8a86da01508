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
import type { Json } from '../core/types.js';
import type { Budget, Exhaustion } from './budget.js';
import { EntryLists } from './entries.js';
import { OpSetInterner, OpSetLimitError } from './opset.js';
import { sameStates, stepStates, type StateSet } from './states.js';
import type { Growth, Model, SearchOp } from './types.js';

/** A search configuration: which operations are linearised, and the states they can lead to. */
export interface Configuration<S> {
  readonly linearized: readonly number[];
  readonly states: StateSet<S>;
}

/** V8 Sets and Maps hold at most 2^24 entries; stop a little before. */
const MEMO_LIMIT = 16_000_000;
/** States per operation set compared one by one before the memo hashes them instead. */
const BUCKET_LIMIT = 16;

/**
 * The scan of a configuration's candidates, in order: the deadline (the operation whose return
 * comes first; Lowe's "just-in-time" linearization only linearises an operation when its
 * return forces it, and trying it first approximates that); then the known-outcome candidates
 * after which the deadline would be accepted (a read needing a value tries that value's write
 * before every write in call order); then the other known-outcome candidates in call order;
 * then the optional ones.
 */
const DEADLINE = 0;
const ENABLING = 1;
const DEFINITE = 2;
const OPTIONAL = 3;
type Phase = typeof DEADLINE | typeof ENABLING | typeof DEFINITE | typeof OPTIONAL;
const BUDGET_GONE = -2;

/** Model.growth's effects, per operation. */
const KEEPS = 0;
const GROWS = 1;
const ANY = 2;
/** Entries the lookahead of reads walks at most per step (it stops much earlier as a rule). */
const LOOKAHEAD_LIMIT = 32;

/**
 * The depth-first search itself. Its whole position (the configuration, the scan of its
 * candidates, and the stack of what backtracking restores) lives in fields, so `run` can stop
 * when the budget runs out and a later `run` goes on from the same point.
 */
export class WglSearch<S> {
  readonly sets: OpSetInterner;
  readonly atCut = new Map<number, Map<string, S>>();
  found: number[] = [];
  foundStates!: StateSet<S>;
  budget!: Budget;
  /** The current start is exhausted (or not begun). */
  finished = true;
  private readonly lists: EntryLists;
  /** 1 where the operation is read-only (see forcedCandidate). */
  private readonly readOnly: Uint8Array;
  /** The lookahead of reads (see doomed): the model's growth and each operation's effect. */
  private readonly growth: Growth<S> | undefined;
  private readonly effects: Uint8Array;
  /** Per 'any' operation, the state it sets (Growth.setsTo); the lookahead's scratch list. */
  private readonly setsTo: ({ readonly state: S } | undefined)[] = [];
  private readonly resets: S[] = [];
  /**
   * Visited configurations of one state: per operation set, the keys of the states seen with
   * it (Porcupine's buckets). A look-up hashes the set's id and compares keys, which for a
   * string value are the string itself: no composite key is built and no state is hashed.
   */
  private readonly memo = new Map<number, string | string[] | Set<string>>();
  /** Visited configurations with several possible states (nondeterministic models). */
  private readonly memoMany = new Set<string>();
  private memoSize = 0;

  // The current configuration and the scan of its candidates (see Phase).
  private set = 0;
  private states!: StateSet<S>;
  private boundary = -1;
  private deadline = -1;
  private phase: Phase = DEADLINE;
  private entry = -1;
  /** The enabling candidates, computed when the deadline fails; null before. */
  private enablers: number[] | null = null;
  private enabler = 0;
  /** What to redo when a run resumes: an attempt cut short by the budget, or a whole `enter`. */
  private retryOp = -1;
  private retryEnter = false;

  // The stack, one array per field of a frame (no object per step): the operation linearised,
  // whether that step was forced (a read-only step taken without branching, so its
  // configuration has nothing else to try), and the configuration and scan it was taken from.
  private readonly stackOp: number[] = [];
  private readonly stackForced: boolean[] = [];
  private readonly stackStates: StateSet<S>[] = [];
  private readonly stackSet: number[] = [];
  private readonly stackBoundary: number[] = [];
  private readonly stackDeadline: number[] = [];
  private readonly stackPhase: Phase[] = [];
  private readonly stackEntry: number[] = [];
  private readonly stackEnablers: (number[] | null)[] = [];
  private readonly stackEnabler: number[] = [];
  private startOps: readonly number[] = [];

  constructor(
    private readonly ops: readonly SearchOp[],
    private readonly model: Model<S>,
    cut: number | undefined,
    private readonly mode: 'find' | 'enumerate',
    /** The guided order (deadline, enablers, forced reads; see Phase), or plain call order. */
    private readonly guided = true,
  ) {
    this.sets = new OpSetInterner(Math.max(1, ops.length));
    this.lists = new EntryLists(ops, cut);
    const readOnly = model.readOnly?.bind(model);
    this.readOnly = new Uint8Array(ops.length);
    if (readOnly !== undefined) {
      ops.forEach((op, i) => {
        if (op.output !== undefined && readOnly(op.input, op.output)) this.readOnly[i] = 1;
      });
    }
    // Enumeration must record every configuration at the cut, viable or not: no lookahead.
    // Nor without a growing operation: then it only compares reads with the values written,
    // which the search finds out soon enough itself (on registers it halved the speed).
    this.effects = new Uint8Array(ops.length);
    const growth = mode === 'find' ? model.growth : undefined;
    if (growth !== undefined) {
      ops.forEach((op, i) => {
        const effect = growth.effect(op.input, op.output);
        this.effects[i] = effect === 'keeps' ? KEEPS : effect === 'grows' ? GROWS : ANY;
        this.setsTo[i] = effect === 'any' ? growth.setsTo(op.input, op.output) : undefined;
      });
    }
    this.growth = this.effects.includes(GROWS) ? growth : undefined;
  }

  /** Start exploring from `start` (the previous start, if any, is put back first). */
  begin(start: Configuration<S>): void {
    this.restoreLists();
    this.startOps = start.linearized;
    let set = this.sets.empty;
    for (const op of start.linearized) {
      set = this.sets.add(set, op);
      this.lists.lift(op);
    }
    this.set = set;
    this.states = start.states;
    this.retryOp = -1;
    this.finished = !this.remember(set, start.states);
    this.retryEnter = !this.finished;
  }

  /** Explore on: 'found' (find mode only), 'done' when this start is exhausted, or why it stopped. */
  run(): 'found' | 'done' | Exhaustion {
    try {
      return this.loop();
    } catch (error) {
      if (error instanceof OpSetLimitError) return this.stop('memory');
      throw error;
    }
  }

  private loop(): 'found' | 'done' | Exhaustion {
    if (this.finished) return 'done';
    if (this.retryEnter) {
      this.retryEnter = false;
      const outcome = this.enter();
      if (outcome !== undefined) return outcome;
    }
    if (this.retryOp >= 0) {
      const op = this.retryOp;
      this.retryOp = -1;
      const outcome = this.attempt(op);
      if (outcome !== undefined) return outcome;
    }
    const next = this.lists.next;
    for (;;) {
      if (this.memoSize > MEMO_LIMIT) return this.stop('memory');
      let outcome: 'found' | 'done' | Exhaustion | undefined;
      if (this.phase === DEADLINE) {
        this.phase = ENABLING;
        outcome = this.attempt(this.deadline);
      } else if (this.phase === ENABLING) {
        if (this.enablers === null) {
          this.enablers = this.enablersOf();
          if (this.enablers === null) return this.budgetGone();
        }
        const op = this.enablers[this.enabler];
        if (op === undefined) this.phase = DEFINITE;
        else {
          this.enabler++;
          outcome = this.attempt(op);
        }
      } else if (this.phase === DEFINITE) {
        if (this.entry === this.boundary) {
          this.phase = OPTIONAL;
          this.entry = next[this.lists.optionalHead] as number;
          continue;
        }
        const op = this.entry >> 1;
        this.entry = next[this.entry] as number;
        if (op !== this.deadline && !this.triedAlready(op)) outcome = this.attempt(op);
      } else {
        if (this.entry === -1 || !this.lists.precedes(this.entry, this.boundary)) {
          if (!this.backtrack()) return this.stop('done');
          continue;
        }
        const op = this.entry >> 1;
        this.entry = next[this.entry] as number;
        if (!this.triedAlready(op)) outcome = this.attempt(op);
      }
      if (outcome !== undefined) return outcome;
    }
  }

  /** Was `op` tried in this configuration's enabling phase? */
  private triedAlready(op: number): boolean {
    return this.enablers !== null && this.enablers.includes(op);
  }

  /** Try one candidate; a result when the run must return (found, or out of budget). */
  private attempt(op: number): 'found' | 'done' | Exhaustion | undefined {
    if (!this.budget.spend()) {
      this.retryOp = op;
      return this.budgetGone();
    }
    const { input, output } = this.ops[op] as SearchOp;
    const after = stepStates(this.model, this.states, input, output);
    if (after === null) return undefined;
    // An optional operation that changes nothing is never worth linearising: leaving it out
    // keeps every option open (it may still take effect later).
    if (output === undefined && sameStates(after, this.states)) return undefined;
    if (
      this.growth !== undefined &&
      this.effects[op] !== KEEPS &&
      after.states.length === 1 &&
      this.doomed(op, after.states[0] as S)
    ) {
      return undefined;
    }
    return this.advance(op, false, after) ? this.enter() : undefined;
  }

  /**
   * The lookahead of reads (Model.growth): would linearising `op` into `state` leave a
   * remaining read that can no longer succeed? Take a remaining operation g with a known
   * outcome ('keeps'). An operation linearised before g is called no later than g returns
   * (real-time order; equal times are concurrent), so the state g sees is a growth of either
   * `state` or of what one of the remaining 'any' operations called by then sets (the last one
   * linearised before g). If g accepts no growth of any of them, no linearization extends
   * this configuration. Checking fewer reads (the walk stops early) only prunes less. This
   * refutes a wrong order of appends at the first read that shows it, not when that read's turn
   * comes.
   */
  private doomed(op: number, state: S): boolean {
    const growth = this.growth as Growth<S>;
    const { next, optionalHead, definiteHead, sentinel } = this.lists;
    const { ops, effects, setsTo } = this;
    const resets = this.resets;
    resets.length = 0;
    let optional = next[optionalHead] as number;
    let walked = 0;
    for (let e = next[definiteHead] as number; e !== -1 && e !== sentinel; e = next[e] as number) {
      if (++walked > LOOKAHEAD_LIMIT) return false;
      const o = e >> 1;
      if (o === op) continue;
      if ((e & 1) === 0) {
        if (effects[o] === ANY) {
          const to = setsTo[o];
          if (to === undefined) return false;
          resets.push(to.state);
        }
        continue;
      }
      if (effects[o] !== KEEPS) continue;
      const g = ops[o] as SearchOp;
      // Operations of unknown outcome that may set the state, called no later than g returns.
      while (optional !== -1 && (ops[optional >> 1] as SearchOp).call <= g.ret) {
        const u = optional >> 1;
        if (u !== op && effects[u] === ANY) {
          const to = setsTo[u];
          if (to === undefined) return false;
          resets.push(to.state);
        }
        optional = next[optional] as number;
      }
      const output = g.output as Json;
      if (growth.canGrowInto(state, g.input, output)) continue;
      if (!resets.some((reset) => growth.canGrowInto(reset, g.input, output))) return true;
    }
    return false;
  }

  /** Linearise `op` if the model allows and the result is new; true if it moved. */
  private advance(op: number, forced: boolean, after: StateSet<S>): boolean {
    const nextSet = this.sets.add(this.set, op);
    if (!this.remember(nextSet, after)) return false;
    this.stackOp.push(op);
    this.stackForced.push(forced);
    this.stackStates.push(this.states);
    this.stackSet.push(this.set);
    this.stackBoundary.push(this.boundary);
    this.stackDeadline.push(this.deadline);
    this.stackPhase.push(this.phase);
    this.stackEntry.push(this.entry);
    this.stackEnablers.push(this.enablers);
    this.stackEnabler.push(this.enabler);
    this.set = nextSet;
    this.states = after;
    this.lists.lift(op);
    return true;
  }

  /** Undo steps up to the last unforced one and resume that configuration's scan. */
  private backtrack(): boolean {
    for (;;) {
      const op = this.stackOp.pop();
      if (op === undefined) return false;
      this.lists.unlift(op);
      const forced = this.stackForced.pop() as boolean;
      this.states = this.stackStates.pop() as StateSet<S>;
      this.set = this.stackSet.pop() as number;
      this.boundary = this.stackBoundary.pop() as number;
      this.deadline = this.stackDeadline.pop() as number;
      this.phase = this.stackPhase.pop() as Phase;
      this.entry = this.stackEntry.pop() as number;
      this.enablers = this.stackEnablers.pop() as number[] | null;
      this.enabler = this.stackEnabler.pop() as number;
      if (!forced) return true;
    }
  }

  /** Set up the scan of a new configuration; a result when the run must return. */
  private enter(): 'found' | 'done' | Exhaustion | undefined {
    for (;;) {
      const boundary = this.lists.firstNonCall();
      this.boundary = boundary;
      if (boundary === -1 && this.mode === 'find') {
        this.found = [...this.stackOp];
        this.foundStates = this.states;
        return 'found';
      }
      if (boundary === -1 || boundary === this.lists.sentinel) this.record();
      const forced = this.guided ? this.forcedCandidate() : -1;
      if (forced === BUDGET_GONE) {
        this.retryEnter = true;
        return this.budgetGone();
      }
      if (forced < 0) break;
      if (!this.advance(forced, true, this.states)) {
        return this.backtrack() ? undefined : this.stop('done');
      }
    }
    const boundary = this.boundary;
    this.deadline = this.guided && (boundary & 1) === 1 ? boundary >> 1 : -1;
    this.phase = this.deadline >= 0 ? DEADLINE : DEFINITE;
    this.entry = this.lists.next[this.lists.definiteHead] as number;
    this.enablers = this.deadline >= 0 ? null : [];
    this.enabler = 0;
    return undefined;
  }

  private budgetGone(): Exhaustion {
    return this.budget.exhausted ?? 'max-steps';
  }

  /**
   * This start is over — exhausted, or out of memory for good — and `outcome` says why; the
   * next `begin` puts the lists back.
   */
  private stop<T extends 'done' | 'memory'>(outcome: T): T {
    this.finished = true;
    return outcome;
  }

  /** Undo every step of the current start, leaving the lists as built. */
  private restoreLists(): void {
    for (let i = this.stackOp.length - 1; i >= 0; i--) this.lists.unlift(this.stackOp[i] as number);
    for (let i = this.startOps.length - 1; i >= 0; i--) {
      this.lists.unlift(this.startOps[i] as number);
    }
    for (const stack of [
      this.stackOp,
      this.stackForced,
      this.stackStates,
      this.stackSet,
      this.stackBoundary,
      this.stackDeadline,
      this.stackPhase,
      this.stackEntry,
      this.stackEnablers,
      this.stackEnabler,
    ]) {
      stack.length = 0;
    }
    this.startOps = [];
  }

  /**
   * The candidates after which the deadline operation would be accepted: a read that needs
   * the value a pending write produces should try that write first, not every write in call
   * order. Null when the budget ran out.
   */
  private enablersOf(): number[] | null {
    const { states, boundary, deadline } = this;
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
  private forcedCandidate(): number {
    const { next } = this.lists;
    for (
      let e = next[this.lists.definiteHead] as number;
      e !== this.boundary;
      e = next[e] as number
    ) {
      if (this.readOnly[e >> 1] !== 1) continue;
      if (!this.budget.spend()) return BUDGET_GONE;
      const { input, output } = this.ops[e >> 1] as SearchOp;
      const after = stepStates(this.model, this.states, input, output);
      if (after !== null && sameStates(after, this.states)) return e >> 1;
    }
    return -1;
  }

  /** Mark a configuration visited; false if it already was. */
  private remember(set: number, states: StateSet<S>): boolean {
    if (states.states.length !== 1) {
      const key = `${set}|${states.states.length}|${states.key}`;
      if (this.memoMany.has(key)) return false;
      this.memoMany.add(key);
      this.memoSize++;
      return true;
    }
    const key = states.key;
    const seen = this.memo.get(set);
    if (seen === undefined) this.memo.set(set, key);
    else if (typeof seen === 'string') {
      if (seen === key) return false;
      this.memo.set(set, [seen, key]);
    } else if (Array.isArray(seen)) {
      if (seen.includes(key)) return false;
      if (seen.length < BUCKET_LIMIT) seen.push(key);
      else this.memo.set(set, new Set([...seen, key]));
    } else {
      if (seen.has(key)) return false;
      seen.add(key);
    }
    this.memoSize++;
    return true;
  }

  private record(): void {
    const { set, states } = this;
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
