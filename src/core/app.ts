import { reconfigRequestOf } from './membership.js';
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
 * (proposer.ts), whoever leads by then.
 *
 * The operator's JOIN and QUIT (membership.ts): `{"type":"join","replica":"r4"}` or
 * `{"type":"quit","replica":"r2"}`. The leader proposes them as JOIN/QUIT commands, which the
 * replicas execute (never the app); the client is told the new configuration or why it was
 * refused. Every app accepts both kinds through `withOperatorRequests`.
 */
export const CHECKPOINT_REQUEST: Json = { type: 'checkpoint' };
/** What a checkpoint request returns: it was ordered; the CHECKPOINT command follows it. */
export const CHECKPOINT_REQUESTED: Json = { checkpoint: 'requested' };
/** Operator requests touch no key: their own linearizability partition, trivially fine. */
const OPERATOR_PARTITION = '\u0000operator';

export function isCheckpointRequest(op: Json): boolean {
  return isRecord(op) && op['type'] === 'checkpoint' && Object.keys(op).length === 1;
}

/** A CHECKPOINT, JOIN or QUIT request: the system's, not the app's. */
export function isOperatorRequest(op: Json): boolean {
  return isCheckpointRequest(op) || reconfigRequestOf(op) !== null;
}

/** `app`, also answering operator requests (leaving its state alone). */
export function withOperatorRequests<S>(app: App<S>): App<S> {
  const { partition } = app;
  return {
    ...app,
    apply: (state, op) =>
      isCheckpointRequest(op)
        ? { state, output: CHECKPOINT_REQUESTED }
        : reconfigRequestOf(op) !== null
          ? {
              state,
              output: errorOutput('JOIN and QUIT are executed by the replicas, not the app'),
            }
          : app.apply(state, op),
    checkOp: (op) => (isOperatorRequest(op) ? null : app.checkOp(op)),
    ...(partition === undefined
      ? {}
      : {
          partition: (op: Json) => (isOperatorRequest(op) ? OPERATOR_PARTITION : partition(op)),
        }),
  };
}
