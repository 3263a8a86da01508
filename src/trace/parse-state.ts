/**
 * An event's `state`: any subset of the node's spec variables (spec/Smr.tla) after the event.
 * Function-valued variables may be given on any subset of their domain (`null` = no entry), so a
 * producer can log "slot 7 is now accepted at 2.r1" without logging the whole log.
 */
import type { Json, NodeId } from '../core/types.js';
import type { Role } from '../core/replica/state.js';
import { CLIENT_VARIABLES, REPLICA_VARIABLES } from './format.js';
import {
  BadLine,
  ballotOf,
  clientId,
  cmdValueOf,
  entriesOf,
  isCount,
  isObj,
  isSlot,
  MAX_SLOT,
  replicaId,
  seqOf,
} from './parse-values.js';
import type { TraceContext } from './parse-header.js';
import { show } from './parse-header.js';
import { NO_BALLOT, type AcceptedEntry } from '../spec/values.js';
import type { CmdValue } from './parse-values.js';

export interface ObservedSession {
  readonly seq: number;
  readonly output: Json;
}
export interface ObservedProposal {
  readonly cmd: CmdValue;
  readonly votes: readonly NodeId[];
}
export interface ObservedOutput {
  readonly output: Json;
}
export interface ObservedAccepted {
  readonly bal: number;
  readonly cmd: CmdValue;
}

/** A function-valued variable on part of its domain: (argument, value or null = no entry). */
export type Entries<K, V> = readonly (readonly [K, V | null])[];

/** A checkpoint as logged: its slot, and optionally its app state (the app's view). */
export interface ObservedCheckpoint {
  readonly slot: number;
  readonly app?: Json;
}

export interface ObservedReplicaState {
  promised?: number;
  accepted?: Entries<number, ObservedAccepted>;
  chosen?: Entries<number, CmdValue>;
  ckpt?: ObservedCheckpoint;
  role?: Role;
  ballot?: number;
  prepareFrom?: number;
  promises?: Entries<NodeId, readonly AcceptedEntry[]>;
  proposals?: Entries<number, ObservedProposal>;
  nextSlot?: number;
  executed?: number;
  sessions?: Entries<NodeId, ObservedSession>;
  app?: Json;
}

export interface ObservedClientState {
  clientSeq?: number;
  pending?: boolean;
  replies?: Entries<NodeId, ObservedOutput>;
}

/**
 * The replica variables a trace's `state` may show: all but `promisers` and `conf`, which the
 * recorder does not log (a configuration is checked through Reconfigure's replies and the
 * Audit digests, which cover it).
 */
export const SHOWN_REPLICA_VARIABLES = REPLICA_VARIABLES.filter(
  (v) => v !== 'promisers' && v !== 'conf',
);
const REPLICA_VARS: ReadonlySet<string> = new Set(SHOWN_REPLICA_VARIABLES);
const CLIENT_VARS: ReadonlySet<string> = new Set(CLIENT_VARIABLES);
const ROLES: ReadonlySet<unknown> = new Set(['follower', 'candidate', 'leader']);

export function parseReplicaState(
  s: Record<string, unknown>,
  ctx: TraceContext,
): ObservedReplicaState {
  const out: ObservedReplicaState = {};
  for (const key in s) {
    if (!REPLICA_VARS.has(key))
      throw new BadLine(
        `state.${key} is not a replica variable a trace shows (${SHOWN_REPLICA_VARIABLES.join(', ')})`,
      );
    const v = s[key];
    const path = `state.${key}`;
    switch (key) {
      case 'promised':
        out.promised = optionalBallot(v, ctx, path);
        break;
      case 'ballot':
        out.ballot = optionalBallot(v, ctx, path);
        break;
      case 'role':
        if (!ROLES.has(v))
          throw new BadLine(`${path} must be follower, candidate or leader, got ${show(v)}`);
        out.role = v as Role;
        break;
      case 'prepareFrom':
      case 'nextSlot':
      case 'executed':
        if (!isSlot(v))
          throw new BadLine(`${path} must be an integer from 0 to ${MAX_SLOT}, got ${show(v)}`);
        out[key] = v;
        break;
      case 'app':
        out.app = v as Json;
        break;
      case 'ckpt': {
        if (!isObj(v) || !isSlot(v['slot']))
          throw new BadLine(
            `${path} must be {"slot", "app"?} with an integer slot ≥ 0, got ${show(v)}`,
          );
        for (const k in v)
          if (k !== 'slot' && k !== 'app')
            throw new BadLine(`${path} has an unknown field ${JSON.stringify(k)}`);
        out.ckpt =
          v['app'] === undefined ? { slot: v['slot'] } : { slot: v['slot'], app: v['app'] as Json };
        break;
      }
      case 'accepted':
        out.accepted = bySlot(v, path, (e, p) => {
          if (!isObj(e))
            throw new BadLine(`${p} must be {"ballot", "cmd"} or null, got ${show(e)}`);
          return {
            bal: ballotOf(e['ballot'], ctx, `${p}.ballot`),
            cmd: cmdValueOf(e['cmd'], ctx, `${p}.cmd`),
          };
        });
        break;
      case 'chosen':
        out.chosen = bySlot(v, path, (e, p) => cmdValueOf(e, ctx, p));
        break;
      case 'proposals':
        out.proposals = bySlot(v, path, (e, p) => {
          if (!isObj(e) || !Array.isArray(e['votes']))
            throw new BadLine(`${p} must be {"cmd", "votes": [replica…]} or null, got ${show(e)}`);
          const votes = (e['votes'] as unknown[]).map((r, i) =>
            replicaId(r, ctx, `${p}.votes[${i}]`),
          );
          return { cmd: cmdValueOf(e['cmd'], ctx, `${p}.cmd`), votes };
        });
        break;
      case 'promises':
        out.promises = byNode(
          v,
          path,
          (id, p) => replicaId(id, ctx, p),
          (e, p) => entriesOf(e, ctx, p),
        );
        break;
      case 'sessions':
        out.sessions = byNode(
          v,
          path,
          (id, p) => clientId(id, ctx, p),
          (e, p) => {
            if (!isObj(e) || !('output' in e))
              throw new BadLine(`${p} must be {"seq", "output"} or null, got ${show(e)}`);
            return { seq: seqOf(e['seq'], `${p}.seq`), output: e['output'] as Json };
          },
        );
        break;
    }
  }
  return out;
}

export function parseClientState(
  s: Record<string, unknown>,
  ctx: TraceContext,
): ObservedClientState {
  const out: ObservedClientState = {};
  for (const key in s) {
    if (!CLIENT_VARS.has(key))
      throw new BadLine(`state.${key} is not a client variable (${CLIENT_VARIABLES.join(', ')})`);
    const v = s[key];
    const path = `state.${key}`;
    if (key === 'clientSeq') {
      if (!isCount(v)) throw new BadLine(`${path} must be an integer ≥ 0, got ${show(v)}`);
      out.clientSeq = v;
    } else if (key === 'pending') {
      if (typeof v !== 'boolean') throw new BadLine(`${path} must be a boolean, got ${show(v)}`);
      out.pending = v;
    } else {
      out.replies = byNode(
        v,
        path,
        (id, p) => replicaId(id, ctx, p),
        (e, p) => {
          // Wrapped, because an output may itself be null (a kv get of a missing key).
          if (!isObj(e) || !('output' in e))
            throw new BadLine(`${p} must be {"output": …} or null, got ${show(e)}`);
          return { output: e['output'] as Json };
        },
      );
    }
  }
  return out;
}

function optionalBallot(v: unknown, ctx: TraceContext, path: string): number {
  return v === null ? NO_BALLOT : ballotOf(v, ctx, path);
}

function bySlot<T>(
  v: unknown,
  path: string,
  parse: (e: unknown, path: string) => T,
): Entries<number, T> {
  if (!isObj(v)) throw new BadLine(`${path} must be an object keyed by slot, got ${show(v)}`);
  const out: [number, T | null][] = [];
  for (const key in v) {
    const slot = /^(0|[1-9]\d{0,9})$/.test(key) ? Number(key) : Number.NaN;
    if (!isSlot(slot))
      throw new BadLine(`${path} has key ${JSON.stringify(key)}, which is not a slot`);
    const e = v[key];
    out.push([slot, e === null ? null : parse(e, `${path}.${key}`)]);
  }
  return out;
}

function byNode<T>(
  v: unknown,
  path: string,
  id: (key: string, path: string) => NodeId,
  parse: (e: unknown, path: string) => T,
): Entries<NodeId, T> {
  if (!isObj(v)) throw new BadLine(`${path} must be an object keyed by node, got ${show(v)}`);
  const out: [NodeId, T | null][] = [];
  for (const key in v) {
    const e = v[key];
    out.push([id(key, `${path} key`), e === null ? null : parse(e, `${path}.${key}`)]);
  }
  return out;
}
