/**
 * Node steps, memoised and checked for determinism. A replica's step depends only on its own
 * state and input, and the explorer meets the same (state, input) pair in many worlds, so each
 * pair is computed once. Replica states are hash-consed (one object per distinct state) so the
 * memo can be keyed by object identity.
 *
 * The first time a pair is met the reducer runs twice and the two results must encode equally
 * (DSLabs' determinism check): a reducer that reads a clock, a random source or hidden mutable
 * state is reported as `Nondeterminism` instead of silently corrupting the search.
 */
import { canonicalEncode } from '../../../src/core/canonical.js';
import { clientStep, type ClientRules, type ClientState } from '../../../src/core/client.js';
import type { ReplicaContext } from '../../../src/core/replica/builder.js';
import { replicaStep } from '../../../src/core/replica/reducer.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';
import type { Input, NodeId, StepResult } from '../../../src/core/types.js';
import type { Violation } from '../../../src/spec/violation.js';
import type { WorldEncoder } from './encode.js';
import { encodeValue, renameValue, type Renaming } from './text.js';

/**
 * Structural equality of plain data with Maps and Sets (what canonicalEncode compares, without
 * building strings): Maps by key, Sets by canonical member, records without undefined fields.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' ? a === b || (a === 0 && b === 0) : false;
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set) {
    if (!(b instanceof Set) || a.size !== b.size) return false;
    const bs = new Set([...b].map((x) => canonicalEncode(x)));
    for (const x of a) if (!bs.has(canonicalEncode(x))) return false;
    return true;
  }
  if (Array.isArray(b) || b instanceof Map || b instanceof Set) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}

/**
 * Client symmetry is a reduction that holds only for reducers that treat clients alike; it is
 * checked as it runs: the first time a node step is met it is also taken with the clients
 * renamed, and must give the renamed result. A reducer that singles a client out stops the
 * search with this error instead of having states it tells apart merged.
 */
export class UnsoundSymmetryError extends Error {
  override readonly name = 'UnsoundSymmetryError';
}

/** Past this many interned states or memoised steps the tables are dropped: memory stays bounded. */
const MAX_INTERNED = 200_000;
const MAX_MEMOISED = 2_000_000;

export class LocalSteps {
  private replicaMemo = new WeakMap<ReplicaState, Map<string, StepResult<ReplicaState>>>();
  private clientMemo = new WeakMap<ClientState, Map<string, StepResult<ClientState>>>();
  private interned = new Map<string, ReplicaState>();
  private isInterned = new WeakSet<ReplicaState>();
  /** Nondeterminism found by the last steps, drained by the protocol after each transition. */
  found: Violation[] = [];
  misses = 0;
  private memoised = 0;

  /** Forget every interned state and memoised step (they are rebuilt on demand). */
  private reset(): void {
    this.interned = new Map();
    this.isInterned = new WeakSet();
    this.replicaMemo = new WeakMap();
    this.clientMemo = new WeakMap();
    this.memoised = 0;
  }

  constructor(
    private readonly encoder: WorldEncoder,
    private readonly checkDeterminism: boolean,
    private readonly clientRules?: ClientRules,
  ) {}

  /** The one shared object equal to `state`. */
  intern(state: ReplicaState): ReplicaState {
    if (this.isInterned.has(state)) return state;
    const key = this.encoder.replicaKey(state);
    const known = this.interned.get(key);
    if (known !== undefined) return known;
    if (this.interned.size >= MAX_INTERNED || this.memoised >= MAX_MEMOISED) this.reset();
    this.interned.set(key, state);
    this.isInterned.add(state);
    return state;
  }

  private inputKey(input: Input): string {
    switch (input.kind) {
      case 'Receive':
        return this.encoder.message(input.msg);
      case 'ClientRequest':
        return `Q${canonicalEncode(input.op)}`;
      default:
        return input.kind;
    }
  }

  readonly stepReplica = (
    state: ReplicaState,
    input: Input,
    ctx: ReplicaContext,
  ): StepResult<ReplicaState> => {
    const own = this.intern(state);
    let memo = this.replicaMemo.get(own);
    if (memo === undefined) {
      memo = new Map();
      this.replicaMemo.set(own, memo);
    }
    const key = this.inputKey(input);
    const known = memo.get(key);
    if (known !== undefined) return known;
    this.misses++;
    const result = replicaStep(own, input, ctx);
    if (this.checkDeterminism) this.compare(state.id, input, result, replicaStep(own, input, ctx));
    this.checkSymmetry(own, input, result, (s, i) => replicaStep(s, i, ctx));
    const interned = { state: this.intern(result.state), effects: result.effects };
    memo.set(key, interned);
    this.memoised++;
    return interned;
  };

  readonly stepClient = (state: ClientState, input: Input): StepResult<ClientState> => {
    let memo = this.clientMemo.get(state);
    if (memo === undefined) {
      memo = new Map();
      this.clientMemo.set(state, memo);
    }
    const key = this.inputKey(input);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const result = clientStep(state, input, this.clientRules);
    if (this.checkDeterminism)
      this.compare(state.id, input, result, clientStep(state, input, this.clientRules));
    this.checkSymmetry(state, input, result, (s, i) => clientStep(s, i, this.clientRules));
    memo.set(key, result);
    return result;
  };

  /** Under every client renaming, the renamed step gives the renamed result. */
  private checkSymmetry<S extends { readonly id: string }>(
    state: S,
    input: Input,
    result: StepResult<S>,
    step: (state: S, input: Input) => StepResult<S>,
  ): void {
    const renamings = this.encoder.renamings;
    for (let r = 1; r < renamings.length; r++) {
      const rename = renamings[r] as Renaming;
      const renamed = step(renameValue(state, rename), renameValue(input, rename));
      const expected = encodeValue([result.state, result.effects], rename);
      const got = encodeValue([renamed.state, renamed.effects], new Map());
      if (expected !== got)
        throw new UnsoundSymmetryError(
          `client symmetry: ${state.id}'s step on ${input.kind === 'Receive' ? input.msg.type : input.kind} gives a different result when the clients are renamed, so the reducer tells clients apart — explore with --no-symmetry`,
        );
    }
  }

  private compare(
    node: NodeId,
    input: Input,
    a: StepResult<unknown>,
    b: StepResult<unknown>,
  ): void {
    if (sameValue(a.state, b.state) && sameValue(a.effects, b.effects)) return;
    this.found.push({
      invariant: 'Nondeterminism',
      node,
      message: `${node}'s reducer gave two different results for the same state and ${input.kind} input`,
    });
  }

  drain(): Violation[] {
    if (this.found.length === 0) return [];
    const out = this.found;
    this.found = [];
    return out;
  }
}
