/**
 * The one trace writer: turns cluster transitions into trace lines (format.ts). Used by the
 * simulator, the explorer's counterexamples and, later, the runtime.
 *
 * Clocks: Lamport (1978) — a node's clock ticks once per event, a receive first jumps past the
 * clock its message was sent at — or vector clocks (Mattern 1989, Fidge 1988), which let
 * per-node files be merged into any order consistent with causality.
 * Observation levels: `full` logs messages and, on the last event of each step, the node's spec
 * variables (state-view.ts); `messages` drops the state; `actions` keeps action names, clocks
 * and slots only — so users can measure what their own logging level costs the checker.
 */
import type { AnyApp } from '../core/app.js';
import type { ClientState } from '../core/client.js';
import type { ReplicaState } from '../core/replica/state.js';
import type { NodeId, TraceEvent } from '../core/types.js';
import type { ClockKind, ObserveLevel, TraceHeader, TraceLine } from './format.js';
import { clientView, MAX_ENTRIES, replicaView } from './state-view.js';

/** The parts of a cluster transition the recorder needs (harness/model/step.ts's Transition). */
export interface RecordedStep {
  readonly node?: NodeId;
  readonly consumed?: { readonly id: number };
  readonly sent: readonly { readonly id: number }[];
  readonly events: readonly { readonly node: NodeId; readonly event: TraceEvent }[];
  /** The world after the step; needed only at observation level `full`. */
  readonly world?: {
    readonly replicas: readonly { readonly state: ReplicaState }[];
    readonly clients: readonly ClientState[];
  };
}

export interface RecorderOptions {
  /** Default `full`. */
  readonly observe?: ObserveLevel;
  /** Default `lamport`. */
  readonly clock?: ClockKind;
  /** The replicated app, for the `app` variable at level `full`. */
  readonly app?: AnyApp;
}

type Vector = Readonly<Record<NodeId, number>>;

export class TraceRecorder {
  private readonly clocks = new Map<NodeId, number>();
  private readonly vectors = new Map<NodeId, Vector>();
  private readonly packetClocks = new Map<number, number>();
  private readonly packetVectors = new Map<number, Vector>();
  /**
   * The slots each replica's events logged last (at most MAX_ENTRIES, oldest first). A Restart logs
   * them again: the durable log survives a restart, so a recovery that loses part of it shows as
   * a wrong value there (a Restart touches no slot of its own, and would otherwise hide it).
   */
  private readonly loggedSlots = new Map<NodeId, number[]>();
  private readonly observe: ObserveLevel;
  private readonly clock: ClockKind;
  lines = 0;

  constructor(
    header: TraceHeader,
    private readonly sink: (line: string) => void,
    private readonly options: RecorderOptions = {},
  ) {
    this.observe = options.observe ?? header.observe ?? 'full';
    this.clock = options.clock ?? header.clock ?? 'lamport';
    this.sink(JSON.stringify({ ...header, observe: this.observe, clock: this.clock }));
  }

  record(step: RecordedStep): void {
    if (step.node === undefined) return;
    if (this.clock === 'vc') return this.recordVector(step, step.node);
    let clock = this.clocks.get(step.node) ?? 0;
    if (step.consumed !== undefined) {
      clock = Math.max(clock, this.packetClocks.get(step.consumed.id) ?? 0);
      this.packetClocks.delete(step.consumed.id);
    }
    const last = lastIndexOf(step);
    step.events.forEach(({ node, event }, i) => {
      clock++;
      this.write(node, event, { lamport: clock }, i === last ? step : undefined);
    });
    this.clocks.set(step.node, clock);
    for (const p of step.sent) this.packetClocks.set(p.id, clock);
  }

  private recordVector(step: RecordedStep, self: NodeId): void {
    let vc: Record<NodeId, number> = { ...(this.vectors.get(self) ?? {}) };
    if (step.consumed !== undefined) {
      for (const [node, n] of Object.entries(this.packetVectors.get(step.consumed.id) ?? {}))
        vc[node] = Math.max(vc[node] ?? 0, n);
      this.packetVectors.delete(step.consumed.id);
    }
    const last = lastIndexOf(step);
    step.events.forEach(({ node, event }, i) => {
      vc = { ...vc, [self]: (vc[self] ?? 0) + 1 };
      this.write(node, event, { vc: sortedVector(vc) }, i === last ? step : undefined);
    });
    this.vectors.set(self, vc);
    for (const p of step.sent) this.packetVectors.set(p.id, vc);
  }

  /** A duplicated packet carries its original's send clock. */
  duplicated(originalId: number, copyId: number): void {
    const clock = this.packetClocks.get(originalId);
    if (clock !== undefined) this.packetClocks.set(copyId, clock);
    const vector = this.packetVectors.get(originalId);
    if (vector !== undefined) this.packetVectors.set(copyId, vector);
  }

  dropped(id: number): void {
    this.packetClocks.delete(id);
    this.packetVectors.delete(id);
  }

  private write(
    node: NodeId,
    event: TraceEvent,
    clock: TraceLine['clock'],
    endOfStep: RecordedStep | undefined,
  ): void {
    const { action, slot, msg, applied } = event;
    const line: { -readonly [K in keyof TraceLine]: TraceLine[K] } = { node, action, clock };
    if (slot !== undefined) line.slot = slot;
    if (this.observe !== 'actions') {
      if (msg !== undefined) line.msg = msg;
      if (applied !== undefined) line.applied = applied;
    }
    if (this.observe === 'full' && endOfStep?.world !== undefined) {
      const state = this.stateOf(node, endOfStep);
      if (state !== undefined) line.state = state;
    }
    this.sink(JSON.stringify(line));
    this.lines++;
  }

  private stateOf(node: NodeId, step: RecordedStep): TraceLine['state'] {
    const world = step.world;
    const replica = world?.replicas.find((r) => r.state.id === node);
    if (replica !== undefined) {
      const slots: number[] = [];
      const clients: NodeId[] = [];
      const logged = this.loggedSlots.get(node) ?? [];
      let restarted = false;
      for (const { event } of step.events) {
        if (event.action === 'Restart') restarted = true;
        const slot =
          event.slot ??
          (event.msg !== undefined && 'slot' in event.msg ? event.msg.slot : undefined);
        if (slot !== undefined && !slots.includes(slot)) slots.push(slot);
        if (event.msg?.type === 'Reply' && !clients.includes(event.msg.to))
          clients.push(event.msg.to);
      }
      // The logged slots go last: they are the ones shown when the step touched many itself.
      const shown = restarted ? [...slots.filter((s) => !logged.includes(s)), ...logged] : slots;
      const known = [...logged.filter((s) => !shown.includes(s)), ...shown];
      this.loggedSlots.set(node, known.slice(-MAX_ENTRIES));
      return replicaView(replica.state, this.options.app ?? null, { slots: shown, clients });
    }
    const client = world?.clients.find((c) => c.id === node);
    if (client === undefined) return undefined;
    const repliedBy = step.events.flatMap(({ event }) =>
      event.msg?.type === 'Reply' ? [event.msg.from] : [],
    );
    return clientView(client, repliedBy);
  }
}

function lastIndexOf(step: RecordedStep): number {
  return step.events.length - 1;
}

function sortedVector(vc: Vector): Vector {
  const out: Record<NodeId, number> = {};
  for (const node of Object.keys(vc).sort()) out[node] = vc[node] as number;
  return out;
}
