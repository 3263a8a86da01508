/**
 * The wire format between replicas, and between clients and replicas: length-prefixed frames,
 * each authenticated with an HMAC over the cluster key.
 *
 *   [u32 BE n][32 bytes HMAC-SHA256(key, payload)][payload: n − 32 bytes of UTF-8 JSON]
 *
 * The payload is an envelope: `{"from", "to", "clock"?, "msg"?, "status"?}` — a protocol message
 * (core/types.ts) with the sender's trace clock after the step that sent it (node-trace.ts), or
 * a status question or answer, which is not part of the protocol (`smr cluster up` waits on it).
 *
 * A frame whose HMAC does not match is dropped and counted: the connection may carry good ones
 * after it. A frame that cannot be read — a length beyond the limit, a payload that is not a JSON
 * envelope — means the stream is not ours any more: the reader says so and the caller closes that
 * connection (never the process).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Json, Message } from '../core/types.js';

export const MAC_BYTES = 32;
/** Larger frames are refused (a state-transfer chunk is far smaller). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export type WireClock =
  { readonly lamport: number } | { readonly vc: Readonly<Record<string, number>> };

export interface Envelope {
  readonly from: string;
  readonly to: string;
  readonly clock?: WireClock;
  readonly msg?: Message;
  /** `"ask"`: a status question; an object: the answer. */
  readonly status?: Json;
}

/** The key frames are signed with; an insecure cluster signs with the empty key. */
export function frameKey(key: Buffer | null): Buffer {
  return key ?? Buffer.alloc(0);
}

export function encodeFrame(envelope: Envelope, key: Buffer): Buffer {
  const payload = Buffer.from(JSON.stringify(envelope), 'utf8');
  const out = Buffer.allocUnsafe(4 + MAC_BYTES + payload.length);
  out.writeUInt32BE(MAC_BYTES + payload.length, 0);
  createHmac('sha256', key).update(payload).digest().copy(out, 4);
  payload.copy(out, 4 + MAC_BYTES);
  return out;
}

export type FrameEvent =
  | { readonly kind: 'envelope'; readonly envelope: Envelope }
  | { readonly kind: 'bad-mac' }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Splits a byte stream into frames. After a `malformed` event it yields nothing more. */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken = false;

  constructor(private readonly key: Buffer) {}

  push(chunk: Buffer): FrameEvent[] {
    if (this.broken) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const events: FrameEvent[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const head = this.peek(4);
      const length = head.readUInt32BE(0);
      if (length < MAC_BYTES || length > MAX_FRAME_BYTES) {
        this.broken = true;
        events.push({ kind: 'malformed', reason: `a frame length of ${length} bytes` });
        break;
      }
      if (this.buffered < 4 + length) break;
      const frame = this.take(4 + length);
      const event = this.read(frame.subarray(4 + MAC_BYTES), frame.subarray(4, 4 + MAC_BYTES));
      events.push(event);
      if (event.kind === 'malformed') {
        this.broken = true;
        break;
      }
    }
    return events;
  }

  private read(payload: Buffer, mac: Buffer): FrameEvent {
    const expected = createHmac('sha256', this.key).update(payload).digest();
    if (!timingSafeEqual(expected, mac)) return { kind: 'bad-mac' };
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      return { kind: 'malformed', reason: 'a payload that is not JSON' };
    }
    const problem = envelopeProblem(value);
    if (problem !== null) return { kind: 'malformed', reason: problem };
    return { kind: 'envelope', envelope: value as Envelope };
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first.subarray(0, n);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.buffered -= n;
    return out;
  }
}

/** Why `v` is not an envelope, or null. The message itself is checked by the reducer. */
export function envelopeProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return 'an envelope that is not an object';
  const e = v as Record<string, unknown>;
  if (typeof e['from'] !== 'string' || e['from'] === '') return 'an envelope without "from"';
  if (typeof e['to'] !== 'string' || e['to'] === '') return 'an envelope without "to"';
  const msg = e['msg'];
  if (msg !== undefined && (typeof msg !== 'object' || msg === null || Array.isArray(msg)))
    return 'an envelope whose "msg" is not an object';
  if (msg === undefined && e['status'] === undefined)
    return 'an envelope with neither "msg" nor "status"';
  const clock = e['clock'];
  if (clock !== undefined && clockProblem(clock) !== null) return `an envelope with a bad clock`;
  return null;
}

function clockProblem(c: unknown): string | null {
  if (typeof c !== 'object' || c === null) return 'not an object';
  const r = c as Record<string, unknown>;
  if ('lamport' in r)
    return Number.isSafeInteger(r['lamport']) && (r['lamport'] as number) >= 0 ? null : 'lamport';
  const vc = r['vc'];
  if (typeof vc !== 'object' || vc === null || Array.isArray(vc)) return 'vc';
  for (const n of Object.values(vc)) if (!Number.isSafeInteger(n) || (n as number) < 0) return 'vc';
  return null;
}
