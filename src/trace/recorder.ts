/**
 * Turns cluster transitions into trace lines with Lamport clocks: a node's clock ticks once per
 * event, a receive first jumps past the clock the message was sent at (Lamport 1978).
 */
import type { NodeId, TraceEvent } from '../core/types.js';
import type { TraceHeader, TraceLine } from './format.js';

/** The parts of a cluster transition the recorder needs (harness/model/step.ts's Transition). */
export interface RecordedStep {
  readonly node?: NodeId;
  readonly consumed?: { readonly id: number };
  readonly sent: readonly { readonly id: number }[];
  readonly events: readonly { readonly node: NodeId; readonly event: TraceEvent }[];
}

export class TraceRecorder {
  private readonly clocks = new Map<NodeId, number>();
  private readonly packetClocks = new Map<number, number>();
  lines = 0;

  constructor(
    header: TraceHeader,
    private readonly sink: (line: string) => void,
  ) {
    this.sink(JSON.stringify(header));
  }

  record(step: RecordedStep): void {
    if (step.node === undefined) return;
    let clock = this.clocks.get(step.node) ?? 0;
    if (step.consumed !== undefined) {
      clock = Math.max(clock, this.packetClocks.get(step.consumed.id) ?? 0);
      this.packetClocks.delete(step.consumed.id);
    }
    for (const { node, event } of step.events) {
      clock++;
      const { action, ...detail } = event;
      const line: TraceLine = { node, action, clock: { lamport: clock }, ...detail };
      this.sink(JSON.stringify(line));
      this.lines++;
    }
    this.clocks.set(step.node, clock);
    for (const p of step.sent) this.packetClocks.set(p.id, clock);
  }

  /** A duplicated packet carries its original's send clock. */
  duplicated(originalId: number, copyId: number): void {
    const clock = this.packetClocks.get(originalId);
    if (clock !== undefined) this.packetClocks.set(copyId, clock);
  }

  dropped(id: number): void {
    this.packetClocks.delete(id);
  }
}
