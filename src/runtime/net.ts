/**
 * A replica's TCP: it listens for peers and clients, and keeps one outgoing connection to each
 * peer (reconnected with a back-off while the peer is down). Frames are frame.ts's. The network
 * may lose messages — Paxos does not care, and the reducer retransmits on its heartbeat ticks —
 * so a message for a peer that is not connected, or whose connection is backed up past a limit
 * (a paused process does not read), is dropped and counted rather than queued without bound.
 *
 * Replies go back on the connection the client's latest request came in on.
 */
import { createServer, Socket, type Server } from 'node:net';
import type { NodeId, ReplicaId } from '../core/types.js';
import type { ReplicaAddress } from './config.js';
import { encodeFrame, FrameReader, type Envelope } from './frame.js';

/** Past this many bytes waiting to be written on a connection, frames for it are dropped. */
const MAX_BACKLOG = 8 * 1024 * 1024;

export interface NetCounters {
  framesIn: number;
  framesOut: number;
  /** Frames whose HMAC did not match: dropped. */
  badMac: number;
  /** Connections closed because a frame could not be read. */
  malformed: number;
  /** Frames not addressed to this replica, or whose message names another sender. */
  misaddressed: number;
  /** Frames not sent: no connection, or one backed up. */
  dropped: number;
}

export interface NetOptions {
  readonly self: ReplicaAddress;
  readonly peers: readonly ReplicaAddress[];
  readonly key: Buffer;
  /** A frame for this replica arrived on `socket`. */
  readonly onEnvelope: (envelope: Envelope, socket: Socket) => void;
  readonly log?: (line: string) => void;
}

export class ReplicaNet {
  readonly counters: NetCounters = {
    framesIn: 0,
    framesOut: 0,
    badMac: 0,
    malformed: 0,
    misaddressed: 0,
    dropped: 0,
  };
  private readonly server: Server;
  private readonly links = new Map<ReplicaId, PeerLink>();
  private readonly clients = new Map<NodeId, Socket>();
  private readonly sockets = new Set<Socket>();
  private closed = false;

  constructor(private readonly o: NetOptions) {
    this.server = createServer((socket) => this.attach(socket));
    for (const peer of o.peers) this.links.set(peer.id, new PeerLink(peer, this));
  }

  /** Listens on the replica's address; resolves once it does, rejects if it cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.o.self.port, this.o.self.host, () => {
        this.server.off('error', reject);
        for (const link of this.links.values()) link.connect();
        resolve();
      });
    });
  }

  send(to: NodeId, envelope: Envelope): void {
    const socket = this.links.get(to)?.socket ?? this.clients.get(to) ?? null;
    this.write(socket, envelope);
  }

  /** Writes one frame on `socket`, or counts it dropped. */
  write(socket: Socket | null, envelope: Envelope): void {
    if (socket === null || socket.destroyed || socket.writableLength > MAX_BACKLOG) {
      this.counters.dropped++;
      return;
    }
    socket.write(encodeFrame(envelope, this.o.key));
    this.counters.framesOut++;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const link of this.links.values()) link.close();
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Reads frames from a connection, either direction. */
  attach(socket: Socket): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const reader = new FrameReader(this.o.key);
    socket.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (event.kind === 'bad-mac') {
          this.counters.badMac++;
          if (this.counters.badMac <= 5 || this.counters.badMac % 1000 === 0)
            this.o.log?.(`dropped a frame with a bad HMAC (${this.counters.badMac} so far)`);
        } else if (event.kind === 'malformed') {
          this.counters.malformed++;
          this.o.log?.(
            `closed a connection from ${socket.remoteAddress}:${socket.remotePort}: ${event.reason}`,
          );
          socket.destroy();
        } else this.receive(event.envelope, socket);
      }
    });
    socket.on('error', () => undefined); // a reset peer: 'close' follows
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const [client, s] of this.clients) if (s === socket) this.clients.delete(client);
    });
  }

  private receive(envelope: Envelope, socket: Socket): void {
    this.counters.framesIn++;
    const msg = envelope.msg;
    const spoofed = msg !== undefined && (msg as { from?: unknown }).from !== envelope.from;
    if (envelope.to !== this.o.self.id || spoofed) {
      this.counters.misaddressed++;
      return;
    }
    if (msg?.type === 'Request') this.clients.set(envelope.from, socket);
    this.o.onEnvelope(envelope, socket);
  }
}

/** The outgoing connection to one peer, reconnected while the replica runs. */
class PeerLink {
  socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private backoff = 50;

  constructor(
    private readonly peer: ReplicaAddress,
    private readonly net: ReplicaNet,
  ) {}

  connect(): void {
    if (this.net.isClosed) return;
    const socket = new Socket();
    socket.once('connect', () => {
      this.backoff = 50;
      this.socket = socket;
    });
    socket.once('close', () => {
      if (this.socket === socket) this.socket = null;
      this.retry();
    });
    this.net.attach(socket);
    socket.connect(this.peer.port, this.peer.host);
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
  }

  private retry(): void {
    if (this.net.isClosed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.connect();
    }, this.backoff);
    this.backoff = Math.min(1000, this.backoff * 2);
  }
}
