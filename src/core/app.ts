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

/**
 * The operator's CHECKPOINT through the client API (seed: checkpoints; DESIGN.md
 * "Checkpoints"): a client submits `{"type":"checkpoint"}` like any request. It is ordered,
 * executed exactly once and answered like one, and changes no app state; a leader that has
 * executed such a request since its last checkpoint proposes a CHECKPOINT command
 * (proposer.ts), whoever leads by then. Every app accepts it through `withCheckpointRequests`.
 */
export const CHECKPOINT_REQUEST: Json = { type: 'checkpoint' };
/** What a checkpoint request returns: it was ordered; the CHECKPOINT command follows it. */
export const CHECKPOINT_REQUESTED: Json = { checkpoint: 'requested' };
/** Checkpoint requests touch no key: their own linearizability partition, trivially fine. */
const CHECKPOINT_PARTITION = '\u0000checkpoint';

export function isCheckpointRequest(op: Json): boolean {
  return isRecord(op) && op['type'] === 'checkpoint' && Object.keys(op).length === 1;
}

/** `app`, also answering checkpoint requests (leaving its state alone). */
export function withCheckpointRequests<S>(app: App<S>): App<S> {
  const { partition } = app;
  return {
    ...app,
    apply: (state, op) =>
      isCheckpointRequest(op) ? { state, output: CHECKPOINT_REQUESTED } : app.apply(state, op),
    checkOp: (op) => (isCheckpointRequest(op) ? null : app.checkOp(op)),
    ...(partition === undefined
      ? {}
      : {
          partition: (op: Json) => (isCheckpointRequest(op) ? CHECKPOINT_PARTITION : partition(op)),
        }),
  };
}
