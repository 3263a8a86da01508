/**
 * One event line → a checked, model-ready event. Hand-written rather than a JSON Schema engine
 * because it runs on every line (≥ 500k/s): plain property reads and typeof tests, and the
 * canonical keys of commands and messages are computed here, once. Every problem is a
 * `BadLine` naming the field, which the caller turns into `file:line: reason` (exit 2).
 */
import { article } from '../spec/receive.js';
import { UNMODELLED_ACTIONS } from '../core/types.js';
import type { ModelledActionName as ActionName, NodeId } from '../core/types.js';
import { ACTIONS, CLIENT_ACTIONS } from './format.js';
import type { TraceContext } from './parse-header.js';
import { show } from './parse-header.js';
import type { Msg } from '../spec/values.js';
import { BadLine, isCount, isObj, isSlot, MAX_SLOT, parseMsg } from './parse-values.js';
import {
  parseClientState,
  parseReplicaState,
  type ObservedClientState,
  type ObservedReplicaState,
} from './parse-state.js';

export interface ParsedEvent {
  readonly node: NodeId;
  readonly isClient: boolean;
  readonly action: ActionName;
  /** The Lamport clock, or -1 with vector clocks. */
  readonly lamport: number;
  readonly vc: Readonly<Record<string, number>> | null;
  readonly slot: number | undefined;
  readonly applied: boolean | undefined;
  readonly msg: Msg | undefined;
  readonly replicaState: ObservedReplicaState | undefined;
  readonly clientState: ObservedClientState | undefined;
  readonly file: string;
  readonly line: number;
}

const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);
/** Actions version 1 of the format does not have. */
const CHECKPOINT_ACTIONS: ReadonlySet<string> = new Set([
  'Checkpoint',
  'Truncate',
  'InstallCheckpoint',
]);
const EVENT_KEYS: ReadonlySet<string> = new Set([
  'node',
  'action',
  'clock',
  'slot',
  'msg',
  'applied',
  'state',
  'meta',
]);

/** Which message type an action's `msg` must be (format.ts's table); absent = no msg. */
const MSG_OF: { readonly [A in ActionName]?: Msg['type'] } = {
  Phase1a: 'Prepare',
  Phase1b: 'Prepare',
  ReceivePromise: 'Promise',
  Phase2a: 'Accept',
  Phase2b: 'Accept',
  ReceiveAccepted: 'Accepted',
  Decide: 'Decision',
  Learn: 'Decision',
  Execute: 'Reply',
  Checkpoint: 'Snapshot',
  InstallCheckpoint: 'Snapshot',
  ReplyFromSession: 'Reply',
  ClientRequest: 'Request',
  ClientReceive: 'Reply',
  Reconfigure: 'Reply',
  Audit: 'Audit',
  ReceiveAudit: 'Audit',
};
const SLOT_ACTIONS: ReadonlySet<string> = new Set([
  'Phase2a',
  'Phase2b',
  'ReceiveAccepted',
  'Decide',
  'Learn',
  'Execute',
  'Checkpoint',
  'Reconfigure',
  'Audit',
  'ReceiveAudit',
]);

export function parseEvent(
  value: unknown,
  ctx: TraceContext,
  file: string,
  line: number,
): ParsedEvent {
  if (!isObj(value)) throw new BadLine(`an event must be a JSON object, got ${show(value)}`);
  for (const key in value)
    if (!EVENT_KEYS.has(key)) throw new BadLine(`unknown event field ${JSON.stringify(key)}`);
  const node = value['node'];
  if (typeof node !== 'string') throw new BadLine(`"node" must be a string, got ${show(node)}`);
  const isReplica = ctx.replicaIndex.has(node);
  const isClient = !isReplica && ctx.clientIndex.has(node);
  if (!isReplica && !isClient)
    throw new BadLine(
      `unknown node ${JSON.stringify(node)} (the header names ${[...ctx.replicas, ...ctx.clients].join(', ')})`,
    );
  const action = value['action'];
  if (typeof action === 'string' && UNMODELLED_ACTIONS.has(action))
    throw new BadLine(
      `${action}: a replica outvoted by the audit, i.e. one whose state was corrupted; spec/Smr.tla models replicas that only crash, so this trace cannot be checked against the spec`,
    );
  if (typeof action !== 'string' || !ACTION_SET.has(action))
    throw new BadLine(`unknown action ${show(action)}`);
  if (ctx.header.version < 2 && CHECKPOINT_ACTIONS.has(action))
    throw new BadLine(
      `${action} needs trace version 2 (the header says version ${ctx.header.version})`,
    );
  const name = action as ActionName;
  if (CLIENT_ACTIONS.has(name) !== isClient)
    throw new BadLine(
      `${name} is a ${isClient ? 'replica' : 'client'} action but ${node} is a ${isClient ? 'client' : 'replica'}`,
    );
  const clock = value['clock'];
  let lamport = -1;
  let vc: Record<string, number> | null = null;
  if (!isObj(clock))
    throw new BadLine(`"clock" must be {"lamport": n} or {"vc": {...}}, got ${show(clock)}`);
  if (ctx.clock === 'lamport') {
    lamport = clock['lamport'] as number;
    if (!isCount(lamport) || Object.keys(clock).length !== 1)
      throw new BadLine(
        `"clock" must be {"lamport": n} with n an integer ≥ 0 (the header says lamport), got ${show(clock)}`,
      );
  } else {
    vc = parseVectorClock(clock, ctx);
  }
  const slot = value['slot'];
  if (slot !== undefined) {
    if (!isSlot(slot))
      throw new BadLine(`"slot" must be an integer from 0 to ${MAX_SLOT}, got ${show(slot)}`);
    if (!SLOT_ACTIONS.has(name)) throw new BadLine(`${name} takes no "slot"`);
  }
  const applied = value['applied'];
  if (applied !== undefined) {
    if (typeof applied !== 'boolean')
      throw new BadLine(`"applied" must be a boolean, got ${show(applied)}`);
    if (name !== 'Execute' && name !== 'Reconfigure')
      throw new BadLine(`only Execute and Reconfigure take "applied"`);
  }
  let msg: Msg | undefined;
  if (value['msg'] !== undefined) {
    const expected = MSG_OF[name];
    if (expected === undefined) throw new BadLine(`${name} takes no "msg"`);
    msg = parseMsg(value['msg'], ctx, 'msg');
    if (msg.type !== expected)
      throw new BadLine(`the msg of ${name} is ${article(expected)}, got ${article(msg.type)}`);
  }
  const meta = value['meta'];
  if (meta !== undefined && !isObj(meta)) throw new BadLine(`"meta" must be an object`);
  const state = value['state'];
  let replicaState: ObservedReplicaState | undefined;
  let clientState: ObservedClientState | undefined;
  if (state !== undefined) {
    if (!isObj(state)) throw new BadLine(`"state" must be an object, got ${show(state)}`);
    if (isClient) clientState = parseClientState(state, ctx);
    else replicaState = parseReplicaState(state, ctx);
  }
  return {
    node,
    isClient,
    action: name,
    lamport,
    vc,
    slot: slot as number | undefined,
    applied: applied as boolean | undefined,
    msg,
    replicaState,
    clientState,
    file,
    line,
  };
}

function parseVectorClock(
  clock: Record<string, unknown>,
  ctx: TraceContext,
): Record<string, number> {
  const vc = clock['vc'];
  if (!isObj(vc) || Object.keys(clock).length !== 1)
    throw new BadLine(
      `"clock" must be {"vc": {node: n, ...}} (the header says vc), got ${show(clock)}`,
    );
  for (const key in vc) {
    if (!ctx.replicaIndex.has(key) && !ctx.clientIndex.has(key))
      throw new BadLine(`the vector clock names unknown node ${JSON.stringify(key)}`);
    if (!isCount(vc[key]))
      throw new BadLine(`vector clock entry ${key} must be an integer ≥ 0, got ${show(vc[key])}`);
  }
  return vc as Record<string, number>;
}

/** "an Accept", "a Prepare". */
