/**
 * The peer proxies of `smr live` (harness/live/proxy.ts): per directed link, `cut` resets and
 * refuses, `drop` holds the bytes back until the link heals (a stalled TCP, as under packet
 * loss), `delayMs` delays each chunk; and a connection is assigned to its link by the process
 * that opened it (whois.ts), found in /proc.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePorts, HOST } from '../../../harness/live/ports.js';
import { Links, PeerProxy } from '../../../harness/live/proxy.js';
import { connectingGroup } from '../../../harness/live/whois.js';

/** An echo server: every byte comes back. */
async function echoServer(port: number): Promise<Server> {
  const server = createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  server.listen(port, HOST);
  await once(server, 'listening');
  return server;
}

/** A client that collects what comes back, and learns how its connection ended. */
function client(port: number) {
  const socket = connect(port, HOST);
  let received = '';
  let ended: 'reset' | 'closed' | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  socket.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNRESET') ended = 'reset';
  });
  socket.on('close', () => (ended ??= 'closed'));
  return {
    socket,
    received: () => received,
    ended: () => ended,
  };
}

const until = async (condition: () => boolean, ms = 3000): Promise<boolean> => {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
};

describe('the peer proxy of one destination (node 1), links from node 0', () => {
  let links: Links;
  let proxy: PeerProxy;
  let server: Server;
  let proxyPort: number;
  const sockets: Socket[] = [];

  beforeEach(async () => {
    const [listen, target] = await freePorts(2);
    proxyPort = listen as number;
    server = await echoServer(target as number);
    links = new Links(2);
    proxy = new PeerProxy({
      to: 1,
      listenPort: proxyPort,
      targetPort: target as number,
      links,
      identify: () => 0, // every connection comes from node 0
    });
    await proxy.listen();
  });

  afterEach(async () => {
    for (const s of sockets) s.destroy();
    await proxy.close();
    server.close();
  });

  const open = () => {
    const c = client(proxyPort);
    sockets.push(c.socket);
    return c;
  };

  it('forwards both ways while the link is open', async () => {
    const c = open();
    c.socket.write('hello');
    expect(await until(() => c.received() === 'hello')).toBe(true);
    expect(proxy.accepted).toBe(1);
  });

  it('cut: resets open connections and refuses new ones; heal lets them through again', async () => {
    const before = open();
    before.socket.write('a');
    await until(() => before.received() === 'a');
    links.between([0], [1], { cut: true });
    expect(await until(() => before.ended() !== null)).toBe(true);
    const during = open();
    during.socket.write('b');
    expect(await until(() => during.ended() !== null)).toBe(true);
    expect(during.received()).toBe('');
    expect(proxy.refused).toBeGreaterThanOrEqual(2);
    links.healAll();
    const after = open();
    after.socket.write('c');
    expect(await until(() => after.received() === 'c')).toBe(true);
  });

  it('a one-way cut (0→1 only) still cuts the connection: TCP needs both ways', async () => {
    links.set(0, 1, { cut: true });
    const c = open();
    c.socket.write('x');
    expect(await until(() => c.ended() !== null)).toBe(true);
    expect(c.received()).toBe('');
  });

  it('drop: nothing arrives while the link drops; what was held back arrives at heal', async () => {
    const c = open();
    c.socket.write('1');
    await until(() => c.received() === '1');
    links.between([0], [1], { drop: true });
    c.socket.write('2');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.received()).toBe('1');
    expect(c.ended()).toBeNull();
    links.healAll();
    expect(await until(() => c.received() === '12')).toBe(true);
  });

  it('delay: each chunk arrives that much later, in order', async () => {
    const c = open();
    c.socket.write('w');
    await until(() => c.received() === 'w');
    links.between([0], [1], { delayMs: 150 });
    const started = performance.now();
    c.socket.write('a');
    c.socket.write('b');
    expect(await until(() => c.received() === 'wab')).toBe(true);
    // 150 ms there and 150 ms back (both directions of the link are delayed).
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('an unidentified sender gets the union of the links into the destination', () => {
    links.set(0, 1, { drop: true });
    expect(links.get(-1, 1)).toEqual({ cut: false, drop: true, delayMs: 0 });
    expect(links.get(1, -1)).toEqual({ cut: false, drop: false, delayMs: 0 });
    expect(links.get(0, 0)).toEqual({ cut: false, drop: false, delayMs: 0 });
  });
});

describe('whois: the process group that opened a connection', () => {
  it.skipIf(process.platform !== 'linux')(
    'finds a child process (its own group) by its socket, and nobody else',
    async () => {
      const [port] = await freePorts(1);
      const server = createServer();
      server.listen(port, HOST);
      await once(server, 'listening');
      const accepted = once(server, 'connection') as Promise<[Socket]>;
      const child = spawn(
        'python3',
        [
          '-c',
          `import socket,sys,time; s=socket.create_connection(("${HOST}", ${port})); print("ok", flush=True); time.sleep(30)`,
        ],
        { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      try {
        const [socket] = await accepted;
        const pid = child.pid as number;
        expect(connectingGroup(socket.remotePort ?? 0, port as number, [pid])).toBe(pid);
        expect(connectingGroup(socket.remotePort ?? 0, port as number, [process.pid])).toBe(
          undefined,
        );
        socket.destroy();
      } finally {
        process.kill(-(child.pid as number), 'SIGKILL');
        server.close();
      }
    },
  );
});
