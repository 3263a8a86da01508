/**
 * The client library: one client session of a cluster, driven by the core's client reducer
 * (core/client.ts) — each request goes to every replica over TCP and an output is accepted once
 * a majority of the replicas returned it (seed: "sending outputs"); FAIL when every replica
 * answered without a majority. Unanswered replicas get the request again every
 * `retransmitTicks` ticks, so a request outlives crashes and pauses of replicas.
 *
 * A client is a node of the trace (its ClientRequest and ClientReceive events): it writes its
 * own trace file, and every event's `meta.client` holds the client's state after it (its last
 * sequence number, the pending request and the votes so far). A later process that takes the
 * same client id (sessions.ts) starts from there — a pending request is completed before a new
 * one is made (Smr.tla's ClientRequest needs ~pending[c]) — so one client id's requests are
 * numbered 1, 2, 3… across processes, as the replicas' sessions need for exactly-once.
 */
import { Socket } from 'node:net';
import { clientStep, initClient, type ClientState } from '../core/client.js';
import type { Effect, Input, Json, Outcome, ReplicaId } from '../core/types.js';
import type { ClockKind, ObserveLevel } from '../trace/format.js';
import { clientView } from '../trace/state-view.js';
import { clusterTraceHeader, type ClusterConfig, type ReplicaAddress } from './config.js';
import { encodeFrame, frameKey, FrameReader, type Envelope } from './frame.js';
import { NodeTrace, NodeTraceError } from './node-trace.js';

export interface ClientOptions {
  readonly config: ClusterConfig;
  readonly id: string;
  /**
   * The client's trace file, which is also where its session lives; null for none — then the
   * id must be new to the cluster: its sequence numbers start at 1 again, and the replicas'
   * sessions would answer a reused id's requests from their memory of the old ones.
   */
  readonly trace: string | null;
  readonly observe?: ObserveLevel;
  readonly clock?: ClockKind;
}

export class SmrClient {
  private state: ClientState;
  private readonly conns = new Map<ReplicaId, ReplicaConn>();
  private readonly ticker: NodeJS.Timeout;
  private waiting: ((outcome: Outcome) => void) | null = null;
  private readonly statusWaiters = new Map<ReplicaId, ((status: Json) => void)[]>();
  private closed = false;
  readonly key: Buffer;

  private constructor(
    readonly config: ClusterConfig,
    readonly id: string,
    private readonly trace: NodeTrace | null,
    recovered: ClientState | null,
  ) {
    this.key = frameKey(config.key);
    const params = {
      replicas: config.replicas.map((r) => r.id),
      policy: 'majority' as const,
      retransmitTicks: config.retransmitTicks,
    };
    this.state = recovered === null ? initClient(id, params) : { ...recovered, params };
    for (const r of config.replicas) this.conns.set(r.id, new ReplicaConn(r, this));
    this.ticker = setInterval(() => this.input({ kind: 'Tick' }), config.tickMs);
  }

  static open(o: ClientOptions): SmrClient {
    let trace: NodeTrace | null = null;
    let recovered: ClientState | null = null;
    if (o.trace !== null) {
      const header = clusterTraceHeader(
        o.config,
        o.id,
        o.observe ?? o.config.trace.observe,
        o.clock ?? o.config.trace.clock,
      );
      const opened = NodeTrace.open(o.trace, o.id, header);
      trace = opened.trace;
      const meta = opened.tail[opened.tail.length - 1]?.line.meta?.['client'];
      if (meta !== undefined) recovered = clientFromMeta(o.id, meta, o.config, o.trace);
    }
    return new SmrClient(o.config, o.id, trace, recovered);
  }

  /** A request of an earlier process with this id that has not completed yet. */
  get pendingRequest(): { readonly seq: number; readonly op: Json } | null {
    const p = this.state.pending;
    return p === null ? null : { seq: p.seq, op: p.op };
  }

  get seq(): number {
    return this.state.seq;
  }

  /** Waits for the pending request of an earlier process (sent again at once). */
  resume(): Promise<Outcome> | null {
    if (this.state.pending === null) return null;
    const pending = { ...this.state.pending, sinceSend: this.config.retransmitTicks };
    this.state = { ...this.state, pending };
    const done = this.completion();
    this.input({ kind: 'Tick' });
    return done;
  }

  /** Submits `op` and resolves with the outcome the replicas' votes decide. */
  submit(op: Json): Promise<Outcome> {
    if (this.closed) return Promise.reject(new Error(`client ${this.id} is closed`));
    if (this.state.pending !== null)
      return Promise.reject(
        new Error(`client ${this.id}: request ${this.state.pending.seq} is still pending`),
      );
    const done = this.completion();
    this.input({ kind: 'ClientRequest', op });
    return done;
  }

  /** One replica's status (not a protocol message), or null after `timeoutMs`. */
  status(replica: ReplicaId, timeoutMs: number): Promise<Json | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      const waiters = this.statusWaiters.get(replica) ?? [];
      waiters.push((s) => {
        clearTimeout(timer);
        resolve(s);
      });
      this.statusWaiters.set(replica, waiters);
      this.conns.get(replica)?.send({ from: this.id, to: replica, status: 'ask' });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    for (const c of this.conns.values()) c.close();
    this.trace?.close();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** A frame from a replica. */
  receive(envelope: Envelope): void {
    if (envelope.to !== this.id) return;
    if (envelope.msg !== undefined) {
      this.trace?.receive(envelope.clock);
      this.input({ kind: 'Receive', msg: envelope.msg });
    } else if (envelope.status !== undefined && envelope.status !== 'ask') {
      const waiters = this.statusWaiters.get(envelope.from) ?? [];
      this.statusWaiters.delete(envelope.from);
      for (const w of waiters) w(envelope.status);
    }
  }

  private completion(): Promise<Outcome> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** One reducer step: trace first, then the sends, then the user's outcome. */
  private input(input: Input): void {
    if (this.closed) return;
    const { state, effects } = clientStep(this.state, input);
    this.state = state;
    const events = effects.flatMap((e) => (e.kind === 'Trace' ? [e.event] : []));
    if (this.trace !== null && events.length > 0) {
      const repliedBy = events.flatMap((e) => (e.msg?.type === 'Reply' ? [e.msg.from] : []));
      this.trace.events(events, () => clientView(state, repliedBy), { client: clientMeta(state) });
      this.trace.flush();
    }
    const clock = this.trace?.sendClock();
    for (const e of effects) this.perform(e, clock);
  }

  private perform(e: Effect, clock: Envelope['clock']): void {
    if (e.kind === 'Send') {
      const envelope: Envelope =
        clock === undefined
          ? { from: this.id, to: e.to, msg: e.msg }
          : { from: this.id, to: e.to, clock, msg: e.msg };
      this.conns.get(e.to)?.send(envelope);
    } else if (e.kind === 'Complete') {
      const resolve = this.waiting;
      this.waiting = null;
      resolve?.(e.outcome);
    }
  }
}

/** The client's state as the trace keeps it (module comment). */
function clientMeta(s: ClientState): Json {
  const p = s.pending;
  return {
    seq: s.seq,
    pending:
      p === null ? null : { seq: p.seq, op: p.op, votes: [...p.votes].map(([r, out]) => [r, out]) },
  };
}

function clientFromMeta(id: string, meta: Json, config: ClusterConfig, file: string): ClientState {
  const m = meta as { seq?: unknown; pending?: unknown };
  const p = m.pending as { seq?: unknown; op?: Json; votes?: unknown } | null | undefined;
  const wellFormed =
    Number.isSafeInteger(m.seq) &&
    (p === null ||
      (typeof p === 'object' &&
        Number.isSafeInteger(p.seq) &&
        'op' in p &&
        Array.isArray(p.votes)));
  if (!wellFormed)
    throw new NodeTraceError(`${file}: the last event's meta.client is not a client state`);
  const params = {
    replicas: config.replicas.map((r) => r.id),
    policy: 'majority' as const,
    retransmitTicks: config.retransmitTicks,
  };
  const pending =
    p === null || p === undefined
      ? null
      : {
          seq: p.seq as number,
          op: p.op as Json,
          votes: new Map(p.votes as [string, Json][]),
          sinceSend: 0,
        };
  return { id, params, seq: m.seq as number, pending };
}

/** The connection to one replica, reconnected while the client is open. */
class ReplicaConn {
  private socket: Socket | null = null;
  private connected = false;
  private timer: NodeJS.Timeout | null = null;
  private backoff = 25;
  private waiting: Buffer[] = [];

  constructor(
    private readonly replica: ReplicaAddress,
    private readonly client: SmrClient,
  ) {
    this.connect();
  }

  /** Sends a frame; while (re)connecting, up to 64 frames wait for the connection. */
  send(envelope: Envelope): void {
    const frame = encodeFrame(envelope, this.client.key);
    if (this.socket === null || !this.connected) {
      if (this.waiting.length < 64) this.waiting.push(frame);
      return;
    }
    if (this.socket.writableLength <= 4 * 1024 * 1024) this.socket.write(frame);
  }

  close(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
  }

  private connect(): void {
    if (this.client.isClosed) return;
    const socket = new Socket();
    this.socket = socket;
    const reader = new FrameReader(this.client.key);
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.connected = true;
      this.backoff = 25;
      for (const frame of this.waiting) socket.write(frame);
      this.waiting = [];
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of reader.push(chunk)) {
        if (event.kind === 'envelope') this.client.receive(event.envelope);
        else if (event.kind === 'malformed') socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      if (this.client.isClosed) return;
      this.timer = setTimeout(() => {
        this.timer = null;
        this.connect();
      }, this.backoff);
      this.backoff = Math.min(500, this.backoff * 2);
    });
    socket.connect(this.replica.port, this.replica.host);
  }
}
