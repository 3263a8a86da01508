/**
 * The host of one replica: it feeds the pure reducer its inputs and performs the effects in the
 * order the reducer's contract demands (core/types.ts Effect; etcd raft's Ready):
 *
 *   for up to `batch` queued inputs:  step the reducer; stage each Persist (store.ts), queue the
 *                                     step's trace events and its Sends/Replies
 *   then, once per batch:             write the trace events; write and fsync the log records
 *                                     (one fsync for the batch: group commit)
 *   then:                             hand the Sends and Replies to the network
 *
 * so every message leaves after the durable state of every step before it is on disk. The trace
 * is written before the log: a crash in between leaves events of a step the log lacks, which
 * the trace's own repair cuts (node-trace.ts); nothing of that step was sent.
 *
 * The host knows nothing of sockets or files: the network and the store are interfaces, so a
 * test can record the order of fsyncs and sends.
 */
import type { ReplicaContext } from '../core/replica/builder.js';
import { initReplica, replicaStep } from '../core/replica/reducer.js';
import { chosenPrefix, type ReplicaState } from '../core/replica/state.js';
import type { AnyApp } from '../core/app.js';
import type { ReplicaParams } from '../core/replica/state.js';
import type {
  DurableState,
  Input,
  Json,
  Message,
  NodeId,
  ReplicaId,
  TraceEvent,
} from '../core/types.js';
import { formatBallot } from '../core/ballot.js';
import type { Envelope, WireClock } from './frame.js';
import type { NodeTrace } from './node-trace.js';
import { ReplicaViewer } from './views.js';

export interface HostStore {
  stage(step: number, durable: DurableState): void;
  readonly dirty: boolean;
  commit(step: number): void;
}

export interface HostNetwork {
  send(to: NodeId, envelope: Envelope): void;
}

export interface HostOptions {
  readonly id: ReplicaId;
  readonly params: ReplicaParams;
  readonly ctx: ReplicaContext;
  readonly store: HostStore;
  readonly network: HostNetwork;
  readonly trace: NodeTrace | null;
  /** Inputs stepped per fsync (1: an fsync after every step that persisted). */
  readonly batch: number;
  /** A line for the server's log (stderr). */
  readonly log?: (line: string) => void;
}

export interface HostCounters {
  steps: number;
  batches: number;
  fsyncs: number;
  sent: number;
  rejected: number;
}

interface Queued {
  readonly input: Input;
  readonly clock?: WireClock;
}

export class ReplicaHost {
  state: ReplicaState;
  /** The last step number used (continues across restarts: trace events and log records carry it). */
  step: number;
  readonly counters: HostCounters = { steps: 0, batches: 0, fsyncs: 0, sent: 0, rejected: 0 };
  private readonly queue: Queued[] = [];
  private readonly viewer: ReplicaViewer;

  /**
   * A replica from its recovered durable state. `restarted`: the process ran before (its log or
   * trace holds something), so the reducer gets a `Restart` first, as a crash's end.
   */
  constructor(
    private readonly o: HostOptions,
    durable: DurableState,
    lastStep: number,
    restarted: boolean,
  ) {
    this.state = initReplica(o.id, o.params, o.ctx.app, durable);
    this.step = lastStep;
    this.viewer = new ReplicaViewer(o.ctx.app as AnyApp);
    if (restarted) {
      this.viewer.recovered(this.state);
      this.enqueue({ kind: 'Restart' });
    }
  }

  enqueue(input: Input, clock?: WireClock): void {
    this.queue.push(clock === undefined ? { input } : { input, clock });
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Steps up to `batch` queued inputs and performs their effects (module comment). */
  pump(): void {
    if (this.queue.length === 0) return;
    const inputs = this.queue.splice(0, this.o.batch);
    const outbox: { to: NodeId; envelope: Envelope }[] = [];
    const trace = this.o.trace;
    for (const { input, clock } of inputs) {
      trace?.receive(clock);
      const { state, effects } = replicaStep(this.state, input, this.o.ctx);
      this.state = state;
      const step = ++this.step;
      this.counters.steps++;
      const events: TraceEvent[] = [];
      const sends: { to: NodeId; msg: Message }[] = [];
      let persisted = false;
      for (const e of effects) {
        switch (e.kind) {
          case 'Persist':
            this.o.store.stage(step, e.durable);
            persisted = true;
            break;
          case 'Send':
          case 'Reply':
            sends.push({ to: e.to, msg: e.msg });
            break;
          case 'Trace':
            events.push(e.event);
            break;
          case 'Rejected':
            this.counters.rejected++;
            if (this.counters.rejected <= 20 || this.counters.rejected % 1000 === 0)
              this.o.log?.(`rejected (${this.counters.rejected} so far): ${e.reason}`);
            break;
          case 'Complete':
            break; // a client's effect
        }
      }
      if (trace !== null && events.length > 0) {
        const meta: { [k: string]: Json } = persisted ? { step, persist: true } : { step };
        trace.events(events, () => this.viewer.view(state, events), meta);
      }
      const sendClock = trace?.sendClock();
      for (const { to, msg } of sends)
        outbox.push({
          to,
          envelope:
            sendClock === undefined
              ? { from: this.o.id, to, msg }
              : { from: this.o.id, to, clock: sendClock, msg },
        });
    }
    this.counters.batches++;
    trace?.flush();
    if (this.o.store.dirty) {
      this.o.store.commit(this.step);
      this.counters.fsyncs++;
    }
    for (const { to, envelope } of outbox) this.o.network.send(to, envelope);
    this.counters.sent += outbox.length;
  }

  /** What `smr cluster status` shows of this replica. */
  status(): { [k: string]: Json } {
    const v = this.state.volatile;
    return {
      id: this.o.id,
      role: v.role,
      ballot: v.role === 'follower' ? null : formatBallot(v.ballot),
      promised: formatBallot(this.state.durable.promised),
      executed: v.executed,
      chosen: chosenPrefix(this.state.durable, v.executed),
      checkpoint: this.state.durable.checkpoint?.slot ?? 0,
      queued: this.queue.length,
      ...this.counters,
    };
  }
}
