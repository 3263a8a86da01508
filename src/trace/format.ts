/**
 * The trace format (DESIGN.md "Trace format"): versioned NDJSON, a header line then one event
 * per line. schema/trace.schema.json is the published contract; `parse-header.ts` and
 * `parse-event.ts` are its hand-written, fast validators. Every producer goes through
 * `TraceRecorder` so the format evolves in one place.
 *
 * What `msg` means, per action (the spec action's message, sent or consumed):
 *
 * | action           | msg                                   | slot | notes                          |
 * |------------------|---------------------------------------|------|--------------------------------|
 * | Phase1a          | the Prepare sent                      |      |                                |
 * | Phase1b          | the Prepare consumed                  |      | sends a Promise (spec computes)|
 * | ReceivePromise   | the Promise consumed                  |      |                                |
 * | BecomeLeader     | —                                     |      |                                |
 * | Phase2a          | the Accept sent                       | yes  |                                |
 * | Phase2b          | the Accept consumed                   | yes  | sends an Accepted              |
 * | ReceiveAccepted  | the Accepted consumed                 | yes  |                                |
 * | Decide           | Decision{from: self}: what was chosen | yes  | not a spec message             |
 * | Learn            | Decision{from: q}: who knew it        | yes  | Decision or catch-up reply     |
 * | Execute          | the Reply sent (when `applied`)       | yes  | `applied` false: skipped       |
 * | Checkpoint       | Snapshot{from: self, slot, digest}    | yes  | the checkpoint taken (v2)      |
 * | Truncate         | —                                     |      | below the checkpoint (v2)      |
 * | InstallCheckpoint| Snapshot{from: q, slot, digest}       |      | state transfer from q (v2)     |
 * | ReplyFromSession | the Reply sent again                  |      | consumes Request(to, seq)      |
 * | StepDown/Restart | —                                     |      |                                |
 * | ClientRequest    | the Request sent                      |      |                                |
 * | ClientReceive    | the Reply consumed                    |      |                                |
 * | Reconfigure      | the Reply sent (JOIN/QUIT outcome)    | yes  | `applied` false: refused       |
 * | Audit            | Audit{from: self, slot, digest}       | yes  | digest of the state after slot |
 * | ReceiveAudit     | the Audit consumed                    | yes  | changes no spec variable       |
 *
 * Header `params` the checker reads besides `app` and `policy`: `members` (the starting
 * configuration), `window` (α) and `auditEvery`. DeclareFaulty (a corrupted replica outvoted by
 * the audit) is written by the recorder but refused by the checker: Smr.tla's replicas only crash.
 *
 * `state` holds any subset of the node's spec variables (spec/Smr.tla) after the event.
 * Function-valued variables (accepted, chosen, proposals, promises, sessions, replies) may be
 * given on any subset of their domain, `null` meaning "no entry".
 */
import type {
  UnmodelledActionName,
  ModelledActionName as ActionName,
  ClientId,
  Json,
  Message,
  NodeId,
  ReplicaId,
  Slot,
  SnapshotRef,
} from '../core/types.js';
import { ACTIONS as SPEC_ACTIONS } from '../spec/actions.js';
import { CLIENT_VARIABLES, REPLICA_VARIABLES } from '../spec/names.js';

export const TRACE_FORMAT = 'smr-trace';
/**
 * Version 2 added checkpoints: the actions Checkpoint, Truncate and InstallCheckpoint, the
 * `checkpoint` command kind, a Promise's `checkpoint` slot, the `Snapshot` payload and the `ckpt`
 * state variable. Version 1 traces (no checkpoints) are read as they are.
 */
export const TRACE_VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Every action name a trace event may carry: the TLA+ actions of spec/Smr.tla (the twin's list). */
export const ACTIONS: readonly ActionName[] = SPEC_ACTIONS;

export const CLIENT_ACTIONS: ReadonlySet<ActionName> = new Set(['ClientRequest', 'ClientReceive']);

/**
 * How much a producer logs (issue 5): `full` = messages and state, `messages` = messages but
 * no state, `actions` = action names (and the slot an action is about), nothing else.
 */
export const OBSERVE_LEVELS = ['full', 'messages', 'actions'] as const;
export type ObserveLevel = (typeof OBSERVE_LEVELS)[number];

export type ClockKind = 'lamport' | 'vc';

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly protocol: 'multipaxos';
  readonly replicas: readonly ReplicaId[];
  readonly clients: readonly ClientId[];
  readonly params: { readonly [k: string]: Json };
  /** What the producer logged; a checker hint, `full` when absent. */
  readonly observe?: ObserveLevel;
  /** The clock every event carries; `lamport` when absent. */
  readonly clock?: ClockKind;
  /** The nodes whose events this file holds (per-node files); all nodes when absent. */
  readonly nodes?: readonly NodeId[];
}

export type TraceClock =
  { readonly lamport: number } | { readonly vc: { readonly [node: string]: number } };

export interface TraceLine {
  readonly node: NodeId;
  /** A spec action; the recorder also writes DeclareFaulty, which the spec does not model. */
  readonly action: ActionName | UnmodelledActionName;
  readonly clock: TraceClock;
  readonly slot?: Slot;
  readonly msg?: Message | SnapshotRef;
  readonly applied?: boolean;
  readonly state?: { readonly [variable: string]: Json };
  /** Free-form producer data (wall-clock time, process id…); checkers ignore it. */
  readonly meta?: { readonly [k: string]: Json };
}

/**
 * The spec variables a replica (client) event's `state` may hold: spec/Smr.tla's VARIABLES, as
 * the twin declares them.
 */
export { CLIENT_VARIABLES, REPLICA_VARIABLES };

export interface HeaderExtras {
  readonly observe?: ObserveLevel;
  readonly clock?: ClockKind;
  readonly nodes?: readonly NodeId[];
}

export function makeHeader(
  replicas: readonly ReplicaId[],
  clients: readonly ClientId[],
  params: { readonly [k: string]: Json },
  extras: HeaderExtras = {},
): TraceHeader {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    protocol: 'multipaxos',
    replicas,
    clients,
    params,
    ...extras,
  };
}
