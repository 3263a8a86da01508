/**
 * Partitions between real servers without root: every node's peer traffic goes through TCP
 * proxies the kit runs (the Toxiproxy approach), and each directed link i→j has a state.
 *
 * - `cut`: connections between i and j are reset and new ones refused (a firewall's REJECT; the
 *   servers see "connection refused/reset" at once).
 * - `drop`: nothing flows from i to j — the proxy stops reading, so i's sends stall the way they
 *   do when packets are dropped and TCP retransmits (iptables DROP). Connections stay open
 *   unless an endpoint gives up; at heal what was held back flows, as after a real partition.
 * - `delayMs`: every chunk from i to j arrives that much later (in order).
 *
 * One proxy listens per destination node j (its advertised peer address) and forwards to j's
 * real peer port; which link a connection belongs to is found from the connecting process
 * (`identify`, whois.ts). A connection from an unidentified sender gets the union of the links
 * into j (cut if any is cut, …), so an unknown sender never leaks across a partition.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { HOST } from './ports.js';

export interface LinkState {
  readonly cut: boolean;
  readonly drop: boolean;
  readonly delayMs: number;
}

const OPEN: LinkState = { cut: false, drop: false, delayMs: 0 };

/** The state of every directed link between `n` nodes; -1 names an unidentified node. */
export class Links {
  private readonly state: LinkState[][];
  private readonly listeners = new Set<() => void>();

  constructor(readonly n: number) {
    this.state = Array.from({ length: n }, () => Array.from({ length: n }, () => OPEN));
  }

  get(from: number, to: number): LinkState {
    if (from === to) return OPEN;
    if (from >= 0 && to >= 0) return this.state[from]?.[to] ?? OPEN;
    // An unknown end: every link it might be, at once.
    const others = Array.from({ length: this.n }, (_, k) => k).filter(
      (k) => k !== (from < 0 ? to : from),
    );
    const all = others.map((k) => (from < 0 ? this.get(k, to) : this.get(from, k)));
    return {
      cut: all.some((s) => s.cut),
      drop: all.some((s) => s.drop),
      delayMs: Math.max(0, ...all.map((s) => s.delayMs)),
    };
  }

  set(from: number, to: number, patch: Partial<LinkState>): void {
    const row = this.state[from];
    if (row === undefined || from === to || row[to] === undefined) return;
    row[to] = { ...row[to], ...patch };
    this.changed();
  }

  /** Both directions between every node of `a` and every node of `b`. */
  between(a: readonly number[], b: readonly number[], patch: Partial<LinkState>): void {
    for (const i of a)
      for (const j of b) {
        const row = this.state[i];
        const back = this.state[j];
        if (row?.[j] !== undefined && i !== j) row[j] = { ...row[j], ...patch };
        if (back?.[i] !== undefined && i !== j) back[i] = { ...back[i], ...patch };
      }
    this.changed();
  }

  /** Every link open again. */
  healAll(): void {
    for (const row of this.state) row.fill(OPEN);
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

/** One direction of a proxied connection: chunks in order, each after the link's delay. */
class Direction {
  private last = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly links: Links,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get state(): LinkState {
    return this.links.get(this.from, this.to);
  }

  /** Run `action` after the link's delay, never before an earlier one. */
  send(action: () => void): void {
    const now = performance.now();
    const at = Math.max(now + this.state.delayMs, this.last);
    this.last = at;
    if (at <= now && this.timers.size === 0) return action();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, at - now);
    this.timers.add(timer);
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

interface Connection {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly out: Direction; // sender → this node
  readonly back: Direction; // this node → sender
  readonly from: number;
}

export interface PeerProxyOptions {
  /** The destination node's index. */
  readonly to: number;
  /** Where the proxy listens (the node's advertised peer port) and where it forwards. */
  readonly listenPort: number;
  readonly targetPort: number;
  readonly links: Links;
  /** Which node opened `socket`, or -1 when that cannot be told. */
  readonly identify: (socket: Socket) => number;
}

export class PeerProxy {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly unsubscribe: () => void;
  /** Connections accepted; of them, from a sender not identified; refused or reset by a cut. */
  accepted = 0;
  unidentified = 0;
  refused = 0;

  constructor(private readonly options: PeerProxyOptions) {
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) =>
      this.accept(socket),
    );
    this.unsubscribe = options.links.onChange(() => this.apply());
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: HOST, port: this.options.listenPort }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stop listening and reset every connection. */
  close(): Promise<void> {
    this.unsubscribe();
    for (const c of this.connections) this.drop(c);
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const { links, to, targetPort } = this.options;
    client.pause();
    const from = this.options.identify(client);
    if (from < 0) this.unidentified++;
    const out = new Direction(links, from, to);
    const back = new Direction(links, to, from);
    if (out.state.cut || back.state.cut) {
      this.refused++;
      reset(client);
      return;
    }
    this.accepted++;
    const upstream = connect({ host: HOST, port: targetPort, allowHalfOpen: true });
    upstream.pause();
    const c: Connection = { client, upstream, out, back, from };
    this.connections.add(c);
    // The destination is down: the sender sees the reset it would see without the proxy.
    const fail = () => this.drop(c);
    client.on('error', fail);
    upstream.on('error', fail);
    client.on('close', () => this.closed(c, client, upstream));
    upstream.on('close', () => this.closed(c, upstream, client));
    pipe(client, upstream, out);
    pipe(upstream, client, back);
    upstream.once('connect', () => this.flow(c));
  }

  /** Resume reading in each direction whose link does not drop. */
  private flow(c: Connection): void {
    if (c.upstream.connecting || c.client.destroyed || c.upstream.destroyed) return;
    if (c.out.state.drop) c.client.pause();
    else c.client.resume();
    if (c.back.state.drop) c.upstream.pause();
    else c.upstream.resume();
  }

  private apply(): void {
    for (const c of this.connections) {
      if (c.out.state.cut || c.back.state.cut) {
        this.refused++;
        this.drop(c);
      } else this.flow(c);
    }
  }

  /** Reset both ends (RST, as a cut link or a vanished destination would). */
  private drop(c: Connection): void {
    this.connections.delete(c);
    c.out.clear();
    c.back.clear();
    reset(c.client);
    reset(c.upstream);
  }

  private closed(c: Connection, _closed: Socket, other: Socket): void {
    if (!this.connections.has(c)) return;
    // One end is fully closed: once what the links still hold has flowed, close the other.
    const direction = other === c.upstream ? c.out : c.back;
    direction.send(() => {
      other.destroy();
      if (c.client.destroyed && c.upstream.destroyed) {
        this.connections.delete(c);
        c.out.clear();
        c.back.clear();
      }
    });
  }
}

/**
 * Close a socket with a reset (RST), as a refused or broken connection. Only a socket that has
 * not shut down its side can be reset (libuv refuses after a shutdown, and Node then leaves the
 * handle open — the process would spin at exit); such a socket, or one still connecting, is
 * closed plainly.
 */
function reset(s: Socket): void {
  s.on('error', () => undefined);
  if (s.destroyed) return;
  if (s.writableEnded || s.connecting) s.destroy();
  else s.resetAndDestroy();
}

/** Forward `src` to `dst` through a direction: data and the end of the stream, in order. */
function pipe(src: Socket, dst: Socket, direction: Direction): void {
  src.on('data', (chunk: Buffer) =>
    direction.send(() => {
      if (!dst.destroyed) dst.write(chunk);
    }),
  );
  src.on('end', () =>
    direction.send(() => {
      if (!dst.destroyed) dst.end();
    }),
  );
}
