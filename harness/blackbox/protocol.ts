/**
 * The node protocol of `smr test`, version 1 (docs/node-protocol.md, the JSON Schema in
 * schema/node-protocol.schema.json): the events the kit writes on a node's stdin and the one
 * answer line it reads back for each. This file only knows the shapes; what they mean for the
 * network and the clients is in cluster.ts.
 */
import type { Json } from '../../src/core/types.js';

export const NODE_PROTOCOL_VERSION = 1;

/** A key-value operation, as the `kv` model of `smr lincheck` reads it. */
export type KvOp =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put' | 'append'; readonly key: string; readonly value: string }
  | { readonly f: 'cas'; readonly key: string; readonly value: readonly [string | null, string] };

export type NodeEvent =
  | {
      readonly type: 'init';
      readonly protocol: typeof NODE_PROTOCOL_VERSION;
      readonly step: number;
      readonly time: number;
      readonly node: string;
      readonly nodes: readonly string[];
      readonly seed: number;
      readonly persisted: Json;
      readonly params: { readonly tick_ms: number };
    }
  | { readonly type: 'tick'; readonly step: number; readonly time: number }
  | {
      readonly type: 'message';
      readonly step: number;
      readonly time: number;
      readonly from: string;
      readonly body: Json;
    }
  | {
      readonly type: 'request';
      readonly step: number;
      readonly time: number;
      readonly client: string;
      readonly id: string;
      readonly op: KvOp;
    };

export interface OutgoingMessage {
  readonly to: string;
  readonly body: Json;
}

export type NodeReply =
  | { readonly id: string; readonly status: 'ok'; readonly value: Json }
  | { readonly id: string; readonly status: 'fail'; readonly leader?: string };

export interface NodeAnswer {
  readonly send: readonly OutgoingMessage[];
  readonly reply: readonly NodeReply[];
  /** Present when the node asked to persist (the value may be null). */
  readonly persist?: { readonly value: Json };
  readonly trace: readonly Json[];
}

const ANSWER_FIELDS = new Set(['step', 'send', 'reply', 'persist', 'trace']);

/** The answer in `text` to the event of `step`, or why it is not one (a broken node, exit 2). */
export function parseAnswer(
  text: string,
  step: number,
): { ok: true; answer: NodeAnswer } | { ok: false; reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(`printed a line that is not JSON: ${clip(text)}`);
  }
  if (!isObject(value)) return fail(`printed ${clip(text)}, expected an object`);
  if (value['step'] !== step)
    return fail(`answered step ${JSON.stringify(value['step'])}, expected ${step}`);
  const extra = Object.keys(value).find((k) => !ANSWER_FIELDS.has(k));
  if (extra !== undefined)
    return fail(
      `the answer has a field ${JSON.stringify(extra)} (expected ${[...ANSWER_FIELDS].join(', ')})`,
    );
  const send = value['send'] ?? [];
  if (!Array.isArray(send)) return fail('"send" is not a list');
  for (const [i, m] of send.entries()) {
    if (!isObject(m) || typeof m['to'] !== 'string' || !('body' in m))
      return fail(`send[${i}] is not {"to": NODE, "body": …}: ${clip(JSON.stringify(m))}`);
  }
  const reply = value['reply'] ?? [];
  if (!Array.isArray(reply)) return fail('"reply" is not a list');
  for (const [i, r] of reply.entries()) {
    const why = replyProblem(r);
    if (why !== null) return fail(`reply[${i}] ${why}: ${clip(JSON.stringify(r))}`);
  }
  const trace = value['trace'] ?? [];
  if (!Array.isArray(trace) || !trace.every(isObject))
    return fail('"trace" is not a list of objects');
  return {
    ok: true,
    answer: {
      send: send as OutgoingMessage[],
      reply: reply as NodeReply[],
      ...('persist' in value ? { persist: { value: value['persist'] as Json } } : {}),
      trace: trace as Json[],
    },
  };
}

function replyProblem(r: unknown): string | null {
  if (!isObject(r)) return 'is not an object';
  if (typeof r['id'] !== 'string') return 'has no string "id"';
  if (r['status'] === 'ok') return 'value' in r ? null : 'is "ok" without a "value"';
  if (r['status'] === 'fail')
    return r['leader'] === undefined || typeof r['leader'] === 'string'
      ? null
      : 'has a "leader" that is not a node id';
  return 'has a "status" that is neither "ok" nor "fail"';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clip(text: string): string {
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}
