/**
 * Structural checks on messages from the network. A reducer must not trust its inputs: a
 * malformed message, or one claiming to come from outside the configuration, is rejected with
 * a reason and changes nothing.
 */
import { checkMembershipJson, reconfigRequestOf } from './membership.js';
import type { Json, Message, ReplicaId } from './types.js';

type Check = (value: unknown, config: ReadonlySet<ReplicaId>) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isSlot = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;

const replica: Check = (v, config) =>
  typeof v !== 'string'
    ? 'is not a replica id'
    : config.has(v)
      ? null
      : `${JSON.stringify(v)} is not in the configuration`;
const client: Check = (v, config) =>
  typeof v !== 'string' || v === ''
    ? 'is not a client id'
    : config.has(v)
      ? 'is a replica, not a client'
      : null;
/** A session's client: a client, or a replica that asked to QUIT or JOIN itself. */
const anyClient: Check = (v) => (typeof v === 'string' && v !== '' ? null : 'is not a client id');
const slot: Check = (v) => (isSlot(v) ? null : 'is not a slot (an integer ≥ 0)');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'is not a boolean');
const seq: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 1 ? null : 'is not a sequence number (≥ 1)';
const json: Check = () => null;
const text: Check = (v) => (typeof v === 'string' ? null : 'is not a string');
const count: Check = (v) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : 'is not an integer ≥ 0';
const optional =
  (check: Check): Check =>
  (v, config) =>
    v === undefined ? null : check(v, config);
const versions: Check = (v) => {
  if (!isObject(v)) return 'is not an object of part versions';
  for (const [name, version] of Object.entries(v))
    if (!Number.isSafeInteger(version)) return `.${name} is not an integer version`;
  return null;
};
const strings: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'is not a list of strings';

const ballot: Check = (v, config) => {
  if (!isObject(v)) return 'is not a ballot';
  if (!Number.isSafeInteger(v['round']) || (v['round'] as number) < 1) return 'has a bad round';
  const leader = replica(v['leader'], config);
  return leader === null ? null : `has a leader that ${leader}`;
};
const command: Check = (v) => {
  if (!isObject(v)) return 'is not a command';
  if (v['kind'] === 'noop' || v['kind'] === 'checkpoint') return null;
  if (v['kind'] === 'join' || v['kind'] === 'quit') {
    // A replica outside the deployment is refused when the command executes (membership.ts),
    // so the operator who asked is told why.
    if (typeof v['replica'] !== 'string' || v['replica'] === '') return 'names no replica';
    if (typeof v['client'] !== 'string' || !Number.isSafeInteger(v['seq']))
      return 'is not a well-formed reconfiguration';
    return null;
  }
  if (v['kind'] !== 'op') return 'has an unknown kind';
  if (typeof v['client'] !== 'string' || !Number.isSafeInteger(v['seq']))
    return 'is not a well-formed op';
  return 'op' in v ? null : 'has no op';
};
const list =
  (fields: Record<string, Check>): Check =>
  (v, config) => {
    if (!Array.isArray(v)) return 'is not a list';
    for (const [i, item] of v.entries()) {
      const problem = record(fields)(item, config);
      if (problem !== null) return `[${i}] ${problem}`;
    }
    return null;
  };
const record =
  (fields: Record<string, Check>): Check =>
  (v, config) => {
    if (!isObject(v)) return 'is not an object';
    for (const [name, check] of Object.entries(fields)) {
      const problem = check(v[name], config);
      if (problem !== null) return `.${name} ${problem}`;
    }
    return null;
  };

const SHAPES: Record<Message['type'], Record<string, Check>> = {
  Prepare: { from: replica, ballot, fromSlot: slot },
  Promise: {
    from: replica,
    ballot,
    accepted: list({ slot, ballot, cmd: command }),
    checkpoint: slot,
  },
  Accept: { from: replica, ballot, slot, cmd: command },
  Accepted: { from: replica, ballot, slot },
  Decision: { from: replica, slot, cmd: command },
  Heartbeat: {
    from: replica,
    ballot: (v, c) => (isObject(v) && v['round'] === 0 ? null : ballot(v, c)),
    leading: bool,
    chosenPrefix: slot,
  },
  CatchUpRequest: { from: replica, fromSlot: slot, versions: optional(versions) },
  CatchUpReply: { from: replica, entries: list({ slot, cmd: command }) },
  CheckpointVote: { from: replica, slot, digest: text },
  Audit: { from: replica, slot, digest: text, echo: bool },
  SnapshotChunk: {
    from: replica,
    slot,
    digest: text,
    index: count,
    count: (v) => (Number.isSafeInteger(v) && (v as number) >= 1 ? null : 'is not an integer ≥ 1'),
    parts: list({
      name: text,
      version: (v) => (Number.isSafeInteger(v) ? null : 'is not an integer'),
      value: json,
    }),
    names: optional(strings),
    sessions: optional(list({ client: anyClient, seq, output: json })),
    membership: optional((v, config) => checkMembershipJson(v, [...config])),
  },
  Request: { from: client, seq, op: json },
  Reply: { from: replica, to: client, seq, output: json },
};

/** Why `msg` is not a well-formed message within `config`, or null when it is. */
export function checkMessage(msg: unknown, config: readonly ReplicaId[]): string | null {
  if (!isObject(msg)) return 'message is not an object';
  const type = msg['type'];
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) {
    return `unknown message type ${JSON.stringify(type)}`;
  }
  const members = new Set(config);
  if (type === 'Request' && members.has(msg['from'] as string)) {
    // A replica is its own client only to QUIT or JOIN itself (audit.ts).
    const own = reconfigRequestOf(msg['op'] as Json);
    if (own?.replica !== msg['from'])
      return 'Request.from is a replica, which may only ask to QUIT or JOIN itself';
    return seq(msg['seq'], members) === null ? null : 'Request.seq is not a sequence number (≥ 1)';
  }
  const problem = record(SHAPES[type as Message['type']])(msg, members);
  if (problem !== null) return `${type}${problem}`;
  if (type === 'SnapshotChunk') {
    if ((msg['index'] as number) >= (msg['count'] as number))
      return 'SnapshotChunk.index is not below .count';
    if (msg['index'] === 0 && (msg['names'] === undefined || msg['sessions'] === undefined))
      return 'SnapshotChunk chunk 0 must carry .names and .sessions';
  }
  return null;
}
