import type { Json, SnapshotPart } from './types.js';

/**
 * A deterministic application state machine (seed: "the state machine approach"): every replica
 * holds one and applies the same commands in the same order. `apply` must be total and pure:
 * a malformed operation still yields a deterministic output (an error value), never a throw,
 * because the command has already been chosen and every replica must agree on its effect.
 */
export interface App<S = unknown> {
  readonly name: string;
  init(): S;
  apply(state: S, op: Json): { readonly state: S; readonly output: Json };
  /** A digest of the state, equal on every replica after the same commands (seed: audit). */
  digest(state: S): string;
  /** A JSON view of the state, for traces and counterexamples. */
  view(state: S): Json;
  /**
   * The state as named parts in name order, each with a version that changes whenever the part
   * does (state transfer sends only the parts whose version differs from the receiver's).
   */
  snapshot(state: S): readonly SnapshotPart[];
  /** The state made of these parts: `restore(snapshot(s))` equals `s`, digest for digest. */
  restore(parts: readonly SnapshotPart[]): S;
  /** Why `op` is not an operation of this app, or null; clients refuse such ops up front. */
  checkOp(op: Json): string | null;
  /** The key an operation touches, for P-compositional linearizability checking. */
  partition?(op: Json): string | undefined;
}

/** Type-erased app, as hosts and harnesses hold them. */
export type AnyApp = App<unknown>;

export function isRecord(value: Json): value is { readonly [k: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorOutput(message: string): Json {
  return { error: message };
}
