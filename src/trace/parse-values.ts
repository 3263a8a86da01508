/**
 * Parsers for the values inside events (ballots, commands, accepted entries, messages), shared by
 * the event and state parsers. Each throws `BadLine` naming the field's path.
 */
import type { Json, NodeId } from '../core/types.js';
import type { SpecContext } from '../spec/state.js';
import { show } from './parse-header.js';
import {
  CKPT_CMD,
  NOOP_CMD,
  acceptKey,
  auditKey,
  acceptedKey,
  decisionKey,
  jsonKey,
  opCmd,
  prepareKey,
  promiseKey,
  reconfigCmd,
  replyKey,
  requestKey,
  snapshotKey,
  type AcceptedEntry,
  type Cmd,
  type Msg,
} from '../spec/values.js';

export class BadLine extends Error {
  override readonly name = 'BadLine';
}

export const MAX_SLOT = 2 ** 31 - 1;

export const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isCount = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
export const isSlot = (v: unknown): v is number => isCount(v) && v <= MAX_SLOT;

export function field(o: Record<string, unknown>, key: string, path: string): unknown {
  const v = o[key];
  if (v === undefined) throw new BadLine(`${path}.${key} is missing`);
  return v;
}

export function onlyKeys(o: Record<string, unknown>, keys: readonly string[], path: string): void {
  let n = 0;
  for (const _ in o) n++;
  // Fast path: as many fields as allowed, each of them present.
  if (n <= keys.length) {
    let present = 0;
    for (const k of keys) if (o[k] !== undefined) present++;
    if (present === n) return;
  }
  for (const key in o)
    if (!keys.includes(key))
      throw new BadLine(`${path} has an unknown field ${JSON.stringify(key)}`);
}

export function replicaId(v: unknown, ctx: SpecContext, path: string): NodeId {
  if (typeof v !== 'string') throw new BadLine(`${path} must be a replica id, got ${show(v)}`);
  if (!ctx.replicaIndex.has(v))
    throw new BadLine(`${path} names unknown replica ${JSON.stringify(v)}`);
  return v;
}

export function clientId(v: unknown, ctx: SpecContext, path: string): NodeId {
  if (typeof v !== 'string') throw new BadLine(`${path} must be a client id, got ${show(v)}`);
  if (!ctx.clientIndex.has(v))
    throw new BadLine(`${path} names unknown client ${JSON.stringify(v)}`);
  return v;
}

export function slotOf(v: unknown, path: string): number {
  if (!isSlot(v)) throw new BadLine(`${path} must be a slot (an integer ≥ 0), got ${show(v)}`);
  return v;
}

export function seqOf(v: unknown, path: string): number {
  if (!isCount(v) || v < 1)
    throw new BadLine(`${path} must be a sequence number (an integer ≥ 1), got ${show(v)}`);
  return v;
}

/** A ballot `{round, leader}` as its number; `null` only where the spec allows "none". */
export function ballotOf(v: unknown, ctx: SpecContext, path: string): number {
  if (!isObj(v)) throw new BadLine(`${path} must be a ballot {"round", "leader"}, got ${show(v)}`);
  const round = v['round'];
  if (!isCount(round) || round < 1)
    throw new BadLine(`${path}.round must be an integer ≥ 1, got ${show(round)}`);
  const leader = replicaId(v['leader'], ctx, `${path}.leader`);
  if (Object.keys(v).length !== 2) onlyKeys(v, ['round', 'leader'], path);
  return ctx.ballots.encode(round, leader) as number;
}

export function cmdOf(v: unknown, ctx: SpecContext, path: string): Cmd {
  if (!isObj(v)) throw new BadLine(`${path} must be a command, got ${show(v)}`);
  if (v['kind'] === 'noop') {
    onlyKeys(v, ['kind'], path);
    return NOOP_CMD;
  }
  if (v['kind'] === 'checkpoint') {
    onlyKeys(v, ['kind'], path);
    return CKPT_CMD;
  }
  if (v['kind'] === 'join' || v['kind'] === 'quit') {
    onlyKeys(v, ['kind', 'client', 'seq', 'replica'], path);
    return reconfigCmd(
      v['kind'],
      clientId(v['client'], ctx, `${path}.client`),
      seqOf(v['seq'], `${path}.seq`),
      replicaId(v['replica'], ctx, `${path}.replica`),
    );
  }
  if (v['kind'] !== 'op')
    throw new BadLine(
      `${path}.kind must be "noop", "checkpoint", "op", "join" or "quit", got ${show(v['kind'])}`,
    );
  onlyKeys(v, ['kind', 'client', 'seq', 'op'], path);
  const client = clientId(v['client'], ctx, `${path}.client`);
  const seq = seqOf(v['seq'], `${path}.seq`);
  const op = field(v, 'op', path) as Json;
  return opCmd(client, seq, op, jsonKey(op));
}

/** A command as logged in `state`, kept as its JSON value (compared structurally, no key). */
export interface CmdValue {
  readonly kind: 'noop' | 'op' | 'checkpoint' | 'join' | 'quit';
  readonly client?: string;
  readonly seq?: number;
  readonly op?: Json;
  readonly replica?: string;
}

export function cmdValueOf(v: unknown, ctx: SpecContext, path: string): CmdValue {
  if (!isObj(v)) throw new BadLine(`${path} must be a command, got ${show(v)}`);
  if (v['kind'] === 'noop' || v['kind'] === 'checkpoint') {
    onlyKeys(v, ['kind'], path);
    return { kind: v['kind'] };
  }
  if (v['kind'] === 'join' || v['kind'] === 'quit') {
    onlyKeys(v, ['kind', 'client', 'seq', 'replica'], path);
    return {
      kind: v['kind'],
      client: clientId(v['client'], ctx, `${path}.client`),
      seq: seqOf(v['seq'], `${path}.seq`),
      replica: replicaId(v['replica'], ctx, `${path}.replica`),
    };
  }
  if (v['kind'] !== 'op')
    throw new BadLine(
      `${path}.kind must be "noop", "checkpoint", "op", "join" or "quit", got ${show(v['kind'])}`,
    );
  onlyKeys(v, ['kind', 'client', 'seq', 'op'], path);
  return {
    kind: 'op',
    client: clientId(v['client'], ctx, `${path}.client`),
    seq: seqOf(v['seq'], `${path}.seq`),
    op: field(v, 'op', path) as Json,
  };
}

export function entriesOf(v: unknown, ctx: SpecContext, path: string): AcceptedEntry[] {
  if (!Array.isArray(v))
    throw new BadLine(`${path} must be a list of accepted entries, got ${show(v)}`);
  const out: AcceptedEntry[] = [];
  for (let i = 0; i < v.length; i++) {
    const e: unknown = v[i];
    const p = `${path}[${i}]`;
    if (!isObj(e)) throw new BadLine(`${p} must be {"slot", "ballot", "cmd"}, got ${show(e)}`);
    onlyKeys(e, ['slot', 'ballot', 'cmd'], p);
    out.push({
      slot: slotOf(e['slot'], `${p}.slot`),
      bal: ballotOf(e['ballot'], ctx, `${p}.ballot`),
      cmd: cmdOf(e['cmd'], ctx, `${p}.cmd`),
    });
  }
  return out;
}

/** A message in the core's JSON shape (src/core/types.ts) → the model's `Msg`. */
export function parseMsg(v: unknown, ctx: SpecContext, path: string): Msg {
  if (!isObj(v)) throw new BadLine(`${path} must be a message object, got ${show(v)}`);
  const type = v['type'];
  switch (type) {
    case 'Prepare': {
      onlyKeys(v, ['type', 'from', 'ballot', 'fromSlot'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const bal = ballotOf(v['ballot'], ctx, `${path}.ballot`);
      const fromSlot = slotOf(v['fromSlot'], `${path}.fromSlot`);
      return { type, from, bal, fromSlot, key: prepareKey(from, bal, fromSlot) };
    }
    case 'Promise': {
      onlyKeys(v, ['type', 'from', 'ballot', 'accepted', 'checkpoint'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const bal = ballotOf(v['ballot'], ctx, `${path}.ballot`);
      const accepted = entriesOf(v['accepted'], ctx, `${path}.accepted`);
      // Version 1 traces have no checkpoints: every log starts at slot 0.
      const ckpt =
        v['checkpoint'] === undefined ? 0 : slotOf(v['checkpoint'], `${path}.checkpoint`);
      return { type, from, bal, accepted, ckpt, key: promiseKey(from, bal, accepted, ckpt) };
    }
    case 'Accept': {
      onlyKeys(v, ['type', 'from', 'ballot', 'slot', 'cmd'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const bal = ballotOf(v['ballot'], ctx, `${path}.ballot`);
      const slot = slotOf(v['slot'], `${path}.slot`);
      const cmd = cmdOf(v['cmd'], ctx, `${path}.cmd`);
      return { type, from, bal, slot, cmd, key: acceptKey(from, bal, slot, cmd) };
    }
    case 'Accepted': {
      onlyKeys(v, ['type', 'from', 'ballot', 'slot'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const bal = ballotOf(v['ballot'], ctx, `${path}.ballot`);
      const slot = slotOf(v['slot'], `${path}.slot`);
      return { type, from, bal, slot, key: acceptedKey(from, bal, slot) };
    }
    case 'Decision': {
      onlyKeys(v, ['type', 'from', 'slot', 'cmd'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const slot = slotOf(v['slot'], `${path}.slot`);
      const cmd = cmdOf(v['cmd'], ctx, `${path}.cmd`);
      return { type, from, slot, cmd, key: decisionKey(from, slot, cmd) };
    }
    case 'Snapshot': {
      onlyKeys(v, ['type', 'from', 'slot', 'digest'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const slot = slotOf(v['slot'], `${path}.slot`);
      if (v['digest'] !== undefined && typeof v['digest'] !== 'string')
        throw new BadLine(`${path}.digest must be a string, got ${show(v['digest'])}`);
      return { type, from, slot, key: snapshotKey(from, slot) };
    }
    case 'Request': {
      onlyKeys(v, ['type', 'from', 'seq', 'op'], path);
      const from = clientId(v['from'], ctx, `${path}.from`);
      const seq = seqOf(v['seq'], `${path}.seq`);
      const op = field(v, 'op', path) as Json;
      const opKey = jsonKey(op);
      return { type, from, seq, op, opKey, key: requestKey(from, seq, opKey) };
    }
    case 'Reply': {
      onlyKeys(v, ['type', 'from', 'to', 'seq', 'output'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const to = clientId(v['to'], ctx, `${path}.to`);
      const seq = seqOf(v['seq'], `${path}.seq`);
      const output = field(v, 'output', path) as Json;
      const outKey = jsonKey(output);
      return { type, from, to, seq, output, outKey, key: replyKey(from, to, seq, outKey) };
    }
    case 'Audit': {
      onlyKeys(v, ['type', 'from', 'slot', 'digest', 'echo'], path);
      const from = replicaId(v['from'], ctx, `${path}.from`);
      const slot = slotOf(v['slot'], `${path}.slot`);
      const digest = v['digest'];
      if (typeof digest !== 'string')
        throw new BadLine(`${path}.digest must be a string, got ${show(digest)}`);
      if (v['echo'] !== undefined && typeof v['echo'] !== 'boolean')
        throw new BadLine(`${path}.echo must be a boolean, got ${show(v['echo'])}`);
      return { type, from, slot, digest, key: auditKey(from, slot, digest) };
    }
    default:
      throw new BadLine(
        `${path}.type ${show(type)} is not a message a trace event carries (Prepare, Promise, Accept, Accepted, Decision, Snapshot, Request, Reply, Audit)`,
      );
  }
}
