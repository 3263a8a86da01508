/**
 * The trace format (DESIGN.md "Trace format"): versioned NDJSON, a header line then one event
 * per line. Issue 5 formalises it with a JSON Schema and a streaming reader; every producer
 * goes through `TraceRecorder` so the format evolves in one place.
 */
import type {
  ActionName,
  ClientId,
  Json,
  Message,
  NodeId,
  ReplicaId,
  Slot,
} from '../core/types.js';

export const TRACE_FORMAT = 'smr-trace';
export const TRACE_VERSION = 1;

export interface TraceHeader {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly protocol: 'multipaxos';
  readonly replicas: readonly ReplicaId[];
  readonly clients: readonly ClientId[];
  readonly params: { readonly [k: string]: Json };
}

export type TraceClock =
  { readonly lamport: number } | { readonly vc: { readonly [node: string]: number } };

export interface TraceLine {
  readonly node: NodeId;
  readonly action: ActionName;
  readonly clock: TraceClock;
  readonly slot?: Slot;
  readonly msg?: Message;
  readonly applied?: boolean;
  readonly state?: { readonly [variable: string]: Json };
}

export function makeHeader(
  replicas: readonly ReplicaId[],
  clients: readonly ClientId[],
  params: { readonly [k: string]: Json },
): TraceHeader {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    protocol: 'multipaxos',
    replicas,
    clients,
    params,
  };
}
