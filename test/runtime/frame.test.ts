/**
 * The wire (src/runtime/frame.ts, net.ts): frames survive any split of the byte stream; a frame
 * with a bad HMAC is dropped and counted and the connection carries on; a frame that cannot be
 * read closes that connection, never the process (issue 19, "Bad input").
 */
import { rmSync, writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configJson } from '../../src/runtime/config.js';
import { freePorts } from '../../src/runtime/cluster.js';
import {
  encodeFrame,
  FrameReader,
  type Envelope,
  type FrameEvent,
} from '../../src/runtime/frame.js';
import { serve, type RunningServer } from '../../src/runtime/server.js';
import { tempDir } from './helpers.js';

const KEY = Buffer.alloc(32, 7);
const OTHER = Buffer.alloc(32, 8);
const env = (i: number): Envelope => ({
  from: 'c1',
  to: 'r1',
  clock: { lamport: i },
  msg: { type: 'Request', from: 'c1', seq: i, op: { type: 'get', key: `k${i}` } },
});

describe('frames', () => {
  it('come back whole from any split of the stream', () => {
    const bytes = Buffer.concat([1, 2, 3].map((i) => encodeFrame(env(i), KEY)));
    for (const size of [1, 3, 7, 40, bytes.length]) {
      const reader = new FrameReader(KEY);
      const events: FrameEvent[] = [];
      for (let at = 0; at < bytes.length; at += size)
        events.push(...reader.push(bytes.subarray(at, at + size)));
      expect(events).toEqual([1, 2, 3].map((i) => ({ kind: 'envelope', envelope: env(i) })));
    }
  });

  it('with a bad HMAC are dropped, and the frames after them still read', () => {
    const reader = new FrameReader(KEY);
    const events = reader.push(
      Buffer.concat([encodeFrame(env(1), OTHER), encodeFrame(env(2), KEY)]),
    );
    expect(events.map((e) => e.kind)).toEqual(['bad-mac', 'envelope']);
  });

  it('that cannot be read end the stream: a huge length, a payload that is not an envelope', () => {
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(0x7fffffff, 0);
    const r1 = new FrameReader(KEY);
    expect(r1.push(Buffer.concat([huge, encodeFrame(env(1), KEY)])).map((e) => e.kind)).toEqual([
      'malformed',
    ]);
    expect(r1.push(encodeFrame(env(2), KEY))).toEqual([]);
    const r2 = new FrameReader(KEY);
    const notAnEnvelope = encodeFrame({ from: 'c1' } as Envelope, KEY);
    expect(r2.push(notAnEnvelope)).toEqual([
      { kind: 'malformed', reason: 'an envelope without "to"' },
    ]);
  });
});

describe('a replica process facing bad frames', () => {
  let dir: string;
  let server: RunningServer;
  let port: number;

  beforeAll(async () => {
    dir = tempDir('frames');
    const ports = await freePorts(3);
    port = ports[0] as number;
    const replicas = ports.map((p, i) => ({ id: `r${i + 1}`, host: '127.0.0.1', port: p }));
    const text = configJson({
      replicas,
      clients: ['c1'],
      key: KEY,
      app: 'kv',
      tickMs: 25,
      retransmitTicks: 20,
    });
    writeFileSync(join(dir, 'cluster.json'), text);
    server = await serve({ config: join(dir, 'cluster.json'), id: 'r1', log: () => undefined });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Connects, writes `bytes`, and collects what comes back until the connection closes or `ms` pass. */
  function exchange(bytes: Buffer, ms: number): Promise<{ closed: boolean; events: FrameEvent[] }> {
    return new Promise((resolve) => {
      const socket = new Socket();
      const reader = new FrameReader(KEY);
      const events: FrameEvent[] = [];
      let closed = false;
      socket.on('data', (chunk: Buffer) => events.push(...reader.push(chunk)));
      socket.on('error', () => undefined);
      socket.on('close', () => (closed = true));
      socket.connect(port, '127.0.0.1', () => socket.write(bytes));
      setTimeout(() => {
        socket.destroy();
        resolve({ closed, events });
      }, ms);
    });
  }

  it('drops and counts a frame with a bad HMAC; the connection stays and answers the next', async () => {
    const ask: Envelope = { from: 'c1', to: 'r1', status: 'ask' };
    const { closed, events } = await exchange(
      Buffer.concat([encodeFrame(ask, OTHER), encodeFrame(ask, KEY)]),
      500,
    );
    expect(closed).toBe(false);
    expect(events.map((e) => e.kind)).toEqual(['envelope']);
    expect(server.net.counters.badMac).toBe(1);
  });

  it('closes the connection of a malformed frame, and goes on serving others', async () => {
    const garbage = await exchange(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), 500);
    expect(garbage.closed).toBe(true);
    expect(server.net.counters.malformed).toBe(1);
    const ok = await exchange(encodeFrame({ from: 'c1', to: 'r1', status: 'ask' }, KEY), 500);
    expect(ok.events.map((e) => e.kind)).toEqual(['envelope']);
  });
});
