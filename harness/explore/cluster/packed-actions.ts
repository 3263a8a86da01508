/**
 * The enabled actions of a packed cluster state, and its persistent sets: protocol.ts's
 * `actions` and por.ts's `persistentSet` read off the component tables, in the same order, so
 * that counterexample indices and state counts agree with the object protocol.
 */
import type { Input, Json, Message } from '../../../src/core/types.js';
import { canonicalEncode } from '../../../src/core/canonical.js';
import { mayCorrupt } from '../../model/world.js';
import {
  TICK,
  type ClientEntry,
  type StepRecord,
  type Components,
  type GhostEntry,
  type NodeEntry,
  type PacketEntry,
} from './components.js';
import {
  CORRUPTIONS,
  CRASHES,
  ELECTIONS,
  holds,
  NODES,
  type PackedLayout,
  type PackedState,
} from './packed-state.js';
import type { ClusterProtocol } from './protocol.js';
import type { ClusterAction } from './action.js';
import { workloadOp } from './scope.js';

const TICK_INPUT: Input = { kind: 'Tick' };
const OK = 0;
const LOOP = 1;
const OVER = 2;

/** Per replica index: the actions that name a replica, made once. */
interface ReplicaActions {
  readonly tick: ClusterAction;
  readonly crash: ClusterAction;
  readonly crashRestart: ClusterAction;
  readonly restart: ClusterAction;
  readonly corrupt: ClusterAction;
}

export class PackedActions {
  private readonly replicaActions: readonly ReplicaActions[];
  private readonly submits = new Map<string, ClusterAction>();

  constructor(
    private readonly objects: ClusterProtocol,
    private readonly components: Components,
    private readonly layout: PackedLayout,
  ) {
    this.replicaActions = objects.cfg.replicas.map((replica) => ({
      tick: { kind: 'Tick', node: replica },
      crash: { kind: 'Crash', replica },
      crashRestart: { kind: 'CrashRestart', replica },
      restart: { kind: 'Restart', replica },
      corrupt: { kind: 'Corrupt', replica },
    }));
  }

  /**
   * The enabled actions; with `lazy`, a superset in the same order that skips the costly part
   * of the filtering (whether a delivery or tick would change anything or leave the scope),
   * for random walks, which ask `enabled` of the one action they pick.
   */
  actions(state: PackedState, lazy = false): readonly ClusterAction[] {
    const { scope, parts } = this.objects;
    const out: ClusterAction[] = [];
    const end = state.length - 2;
    const loss = scope.faults.includes('loss');
    const dup = scope.faults.includes('dup');
    let last = -1;
    for (let k = this.layout.packetsAt; k < end; k++) {
      const id = state[k] as number;
      if (id === last) continue; // equal copies lead to equal states
      last = id;
      const p = this.components.packets[id] as PacketEntry;
      if (parts.setNetwork) {
        // A message to a crashed replica waits in the set until the restart.
        if (lazy || this.deliverable(state, p)) out.push(p.deliver);
        continue;
      }
      out.push(p.deliver);
      if (loss) out.push(p.drop);
      if (dup) {
        let copies = 0;
        for (let j = k; j < end && state[j] === id; j++) copies++;
        if (copies < scope.maxCopies) out.push(p.duplicate);
      }
    }
    const ghost = (this.components.ghosts[state[this.layout.ghostAt] as number] as GhostEntry)
      .ghost;
    let down = 0;
    for (let k = NODES; k < this.layout.clientsAt; k++)
      if (!(this.components.nodes[state[k] as number] as NodeEntry).node.up) down++;
    for (let i = 0; i < this.layout.clientsAt - NODES; i++) {
      const entry = this.components.nodes[state[NODES + i] as number] as NodeEntry;
      const actions = this.replicaActions[i] as ReplicaActions;
      if (!entry.node.up) {
        out.push(actions.restart);
        continue;
      }
      if (lazy || this.outcome(state, entry, TICK, TICK_INPUT) === OK) out.push(actions.tick);
      if ((state[CRASHES] as number) < parts.maxCrashes && down < parts.f)
        out.push(parts.fuseCrashes ? actions.crashRestart : actions.crash);
      if (
        (state[CORRUPTIONS] as number) < parts.maxCorruptions &&
        mayCorrupt(ghost, entry.node.state.id, parts.f)
      )
        out.push(actions.corrupt);
    }
    let submitted = 0;
    for (let k = this.layout.clientsAt; k < this.layout.ghostAt; k++)
      submitted += (this.components.clients[state[k] as number] as ClientEntry).client.seq;
    if (submitted < scope.requests)
      for (let k = this.layout.clientsAt; k < this.layout.ghostAt; k++) {
        const c = (this.components.clients[state[k] as number] as ClientEntry).client;
        if (c.pending === null) out.push(this.submit(c.id, c.seq + 1));
      }
    return out;
  }

  /** Is a candidate of `actions(state, true)` one of `actions(state)`? */
  enabled(state: PackedState, action: ClusterAction): boolean {
    if (action.kind === 'Deliver' && this.objects.parts.setNetwork) {
      const p = this.components.packets[action.packet];
      return p !== undefined && this.deliverable(state, p);
    }
    if (action.kind === 'Tick') {
      const i = this.components.replicaIndex.get(action.node);
      if (i === undefined) return false;
      const entry = this.components.nodes[state[NODES + i] as number] as NodeEntry;
      return this.outcome(state, entry, TICK, TICK_INPUT) === OK;
    }
    return true;
  }

  /** Set network: does delivering `p` now do anything (object protocol's `outcome`)? */
  private deliverable(state: PackedState, p: PacketEntry): boolean {
    if (p.replica >= 0) {
      const entry = this.components.nodes[state[NODES + p.replica] as number] as NodeEntry;
      return entry.node.up && this.outcome(state, entry, p.id, p.receive) === OK;
    }
    if (p.client < 0) return true;
    const entry = this.components.clients[
      state[this.layout.clientsAt + p.client] as number
    ] as ClientEntry;
    const record = this.components.clientStep(entry, p.id, p.receive);
    return !record.still || !record.conforms;
  }

  /**
   * What a replica step would do (protocol.ts `outcome`): OVER when it leaves the scope, LOOP
   * when the world would not change, else OK.
   */
  private outcome(state: PackedState, entry: NodeEntry, key: number, input: Input): number {
    const record = this.components.replicaStep(entry, key, input);
    if (!record.conforms) return OK;
    if (record.overRound) return OVER;
    if (record.phase1a > 0 && (state[ELECTIONS] as number) >= this.objects.scope.maxElections)
      return OVER;
    if (!record.still) return OK;
    const end = state.length - 2;
    for (const id of record.sends) if (!holds(state, this.layout.packetsAt, end, id)) return OK;
    return LOOP;
  }

  private submit(client: string, seq: number): ClusterAction {
    const key = `${client}#${seq}`;
    let action = this.submits.get(key);
    if (action === undefined) {
      action = { kind: 'Submit', client, op: workloadOp(this.objects.scope.app, seq) as Json };
      this.submits.set(key, action);
    }
    return action;
  }

  /** Partial-order reduction: por.ts's persistent sets, on packed states. */
  persistent(state: PackedState, actions: readonly ClusterAction[]): readonly number[] | undefined {
    if (this.objects.persistent === undefined) return undefined; // --no-por
    let idle = true;
    for (let k = this.layout.clientsAt; k < this.layout.ghostAt; k++)
      if ((this.components.clients[state[k] as number] as ClientEntry).client.pending !== null)
        idle = false;
    if (idle) {
      const submits: number[] = [];
      actions.forEach((a, i) => {
        if (a.kind === 'Submit') submits.push(i);
      });
      if (submits.length > 0) return submits;
    }
    if (this.objects.scope.policy !== 'majority') return undefined;
    for (const a of actions) {
      if (a.kind !== 'Deliver') continue;
      const p = this.components.packets[a.packet] as PacketEntry;
      if (p.client < 0 || !this.freshVote(state, p)) continue;
      if (!this.commutesWithOtherVotes(state, p, actions)) continue;
      const chosen: number[] = [];
      actions.forEach((b, i) => {
        if (
          (b.kind === 'Deliver' || b.kind === 'Drop' || b.kind === 'Duplicate') &&
          b.packet === a.packet
        )
          chosen.push(i);
      });
      return chosen;
    }
    return undefined;
  }

  /**
   * Rule 2's condition, checked as it runs (por.ts): the vote `p` commutes with every other
   * reply the client could take now — both orders reach the same client state and accept the
   * same outcome. True for the reference's majority voting; a client reducer whose outcome
   * depends on the order of its votes gets no reduction here.
   */
  private commutesWithOtherVotes(
    state: PackedState,
    p: PacketEntry,
    actions: readonly ClusterAction[],
  ): boolean {
    const entry = this.components.clients[
      state[this.layout.clientsAt + p.client] as number
    ] as ClientEntry;
    for (const b of actions) {
      if (b.kind !== 'Deliver' || b.packet === p.id) continue;
      const q = this.components.packets[b.packet] as PacketEntry;
      if (q.client !== p.client) continue;
      const key = p.id * 0x4000000 + q.id;
      let ok = entry.commutes.get(key);
      if (ok === undefined) {
        const after = (first: PacketEntry, second: PacketEntry) => {
          const one = this.components.clientStep(entry, first.id, first.receive);
          const mid = this.components.clients[one.next] as ClientEntry;
          const two = this.components.clientStep(mid, second.id, second.receive);
          return { next: two.next, outcomes: outcomesOf(one, two) };
        };
        const ab = after(p, q);
        const ba = after(q, p);
        ok = ab.next === ba.next && ab.outcomes === ba.outcomes;
        entry.commutes.set(key, ok);
      }
      if (!ok) return false;
    }
    return true;
  }

  /** A reply vote the client has not counted that does not complete its operation (por.ts). */
  private freshVote(state: PackedState, p: PacketEntry): boolean {
    const entry = this.components.clients[
      state[this.layout.clientsAt + p.client] as number
    ] as ClientEntry;
    let fresh = entry.votes.get(p.id);
    if (fresh === undefined) {
      const msg: Message = p.packet.msg;
      const pending = entry.client.pending;
      fresh =
        msg.type === 'Reply' &&
        pending !== null &&
        msg.seq === pending.seq &&
        !pending.votes.has(msg.from) &&
        !this.components.clientStep(entry, p.id, p.receive).completes;
      entry.votes.set(p.id, fresh);
    }
    return fresh;
  }
}

/** The outcomes two client steps accept, as text (order-free between the two steps). */
function outcomesOf(...records: readonly StepRecord[]): string {
  const out: string[] = [];
  for (const r of records)
    for (const e of r.result.effects)
      if (e.kind === 'Complete')
        out.push(canonicalEncode({ seq: e.seq, outcome: e.outcome } as never));
  return out.sort().join('|');
}
