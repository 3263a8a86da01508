/**
 * The `state` a replica's trace event logs at level `full` (src/trace/state-view.ts), chosen as
 * the simulator's recorder chooses it: the slots and clients the step touched, and on a Restart
 * also the slots logged last — the durable log survives a restart, so a recovery that lost part
 * of it shows there. After a real restart the recorder's memory is gone too: the slots shown are
 * then the last ones the recovered log holds.
 */
import type { AnyApp } from '../core/app.js';
import type { ReplicaState } from '../core/replica/state.js';
import type { Json, NodeId, Slot, TraceEvent } from '../core/types.js';
import { MAX_ENTRIES, replicaView } from '../trace/state-view.js';

export class ReplicaViewer {
  private logged: Slot[] = [];

  constructor(private readonly app: AnyApp) {}

  /** After a process restart: the slots the recovered log holds last stand for those logged. */
  recovered(state: ReplicaState): void {
    const slots = new Set<Slot>([...state.durable.accepted.keys(), ...state.durable.chosen.keys()]);
    this.logged = [...slots].sort((a, b) => a - b).slice(-MAX_ENTRIES);
  }

  view(state: ReplicaState, events: readonly TraceEvent[]): { [k: string]: Json } {
    const slots: Slot[] = [];
    const clients: NodeId[] = [];
    let restarted = false;
    for (const event of events) {
      if (event.action === 'Restart') restarted = true;
      const slot =
        event.slot ?? (event.msg !== undefined && 'slot' in event.msg ? event.msg.slot : undefined);
      if (slot !== undefined && !slots.includes(slot)) slots.push(slot);
      if (event.msg?.type === 'Reply' && !clients.includes(event.msg.to))
        clients.push(event.msg.to);
    }
    const logged = this.logged;
    const shown = restarted ? [...slots.filter((s) => !logged.includes(s)), ...logged] : slots;
    const known = [...logged.filter((s) => !shown.includes(s)), ...shown];
    this.logged = known.slice(-MAX_ENTRIES);
    return replicaView(state, this.app, { slots: shown, clients });
  }
}
