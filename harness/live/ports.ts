/**
 * Loopback ports for the nodes and the proxies. They are chosen below the kernel's ephemeral
 * range: a node that is killed leaves its port free for seconds, and a port from the ephemeral
 * range could meanwhile become the source port of some outgoing connection — then the restart
 * fails with "address in use", a broken node that is the kit's fault, not the server's.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export const HOST = '127.0.0.1';

/** Ports that can be listened on now, each different, none in the ephemeral range. */
export async function freePorts(count: number): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralLow) - 1;
  const out: number[] = [];
  // A random start (not the seed: two runs side by side must not race for the same ports).
  let port = low + Math.floor(Math.random() * (high - low));
  for (let tries = 0; out.length < count && tries < high - low; tries++) {
    port = port >= high ? low : port + 1;
    if (await canListen(port)) out.push(port);
  }
  if (out.length < count) throw new Error(`found only ${out.length} free ports of ${count}`);
  return out;
}

function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (lo !== undefined && hi !== undefined && lo > 0 && hi >= lo) return [lo, hi];
  } catch {
    // Not Linux: assume the IANA range.
  }
  return [49152, 65535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Does something accept TCP connections on `port` now? */
export function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
