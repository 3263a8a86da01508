/**
 * Counterexamples of the cluster as data that outlives one run: steps name packets by content
 * (sender, receiver, message), not by id, so a path stays replayable after steps are removed
 * from it. Minimisation is DSLabs' trace minimisation: drop steps while the same invariant still
 * fails, until no single step can go (1-minimal, Zeller's ddmin at granularity one).
 */
import { canonicalEncode } from '../../../src/core/canonical.js';
import type { ClientId, Json, Message, NodeId, ReplicaId } from '../../../src/core/types.js';
import type { Violation } from '../../../src/spec/violation.js';
import type { Action, Transition } from '../../model/step.js';
import { mayCorrupt } from '../../model/world.js';
import { renderPacket } from '../../scenario.js';
import type { ClusterProtocol, ClusterState } from './protocol.js';
import type { ClusterAction } from './action.js';

export type StableStep =
  | {
      readonly kind: 'Deliver' | 'Drop' | 'Duplicate';
      readonly from: NodeId;
      readonly to: NodeId;
      readonly msg: Message;
    }
  | { readonly kind: 'Tick'; readonly node: NodeId }
  | { readonly kind: 'Crash' | 'Restart' | 'Corrupt'; readonly replica: ReplicaId }
  | { readonly kind: 'Submit'; readonly client: ClientId; readonly op: Json };

/** The steps an explorer action stands for (a fused crash-restart is two). */
export function toStable(state: ClusterState, action: ClusterAction): StableStep[] {
  if (action.kind === 'Deliver' || action.kind === 'Drop' || action.kind === 'Duplicate') {
    const p = state.world.network.find((q) => q.id === action.packet);
    if (p === undefined) throw new Error(`no packet ${action.packet} in flight`);
    return [{ kind: action.kind, from: p.from, to: p.to, msg: p.msg }];
  }
  if (action.kind === 'CrashRestart')
    return [
      { kind: 'Crash', replica: action.replica },
      { kind: 'Restart', replica: action.replica },
    ];
  return [action];
}

/**
 * The action `step` stands for in `state`, or null when it is not possible there — including a
 * fault the fault model forbids at that point (more than F replicas down, or faulty, at once):
 * minimisation drops steps, and a dropped restart must not leave a path outside the model.
 */
export function resolve(state: ClusterState, step: StableStep): Action | null {
  const { world } = state;
  const replica = (id: string) => world.replicas.find((n) => n.state.id === id);
  const f = Math.floor((world.replicas.length - 1) / 2);
  switch (step.kind) {
    case 'Deliver':
    case 'Drop':
    case 'Duplicate': {
      const text = canonicalEncode(step.msg);
      const p = world.network.find(
        (q) => q.from === step.from && q.to === step.to && canonicalEncode(q.msg) === text,
      );
      return p === undefined ? null : { kind: step.kind, packet: p.id };
    }
    case 'Tick':
      return replica(step.node)?.up === false ? null : step;
    case 'Crash':
      return replica(step.replica)?.up === true && world.replicas.filter((n) => !n.up).length < f
        ? step
        : null;
    case 'Corrupt':
      return replica(step.replica)?.up === true && mayCorrupt(world.ghost, step.replica, f)
        ? step
        : null;
    case 'Restart':
      return replica(step.replica)?.up === false ? step : null;
    case 'Submit':
      return world.clients.find((c) => c.id === step.client)?.pending === null ? step : null;
  }
}

export interface ReplayedStep {
  readonly step: StableStep;
  readonly label: string;
  readonly before: ClusterState;
  readonly after: ClusterState;
  readonly t: Transition;
}

export interface Replay {
  readonly steps: readonly ReplayedStep[];
  /** The first violation and the index of the step that exposed it (-1: the initial state). */
  readonly violation: { readonly index: number; readonly violation: Violation } | null;
  /** The index of the first step that was not possible, if any. */
  readonly infeasible: number | null;
}

export function replay(protocol: ClusterProtocol, steps: readonly StableStep[]): Replay {
  let state = protocol.initialStates()[0] as ClusterState;
  const done: ReplayedStep[] = [];
  const initialBad = protocol.check(state)[0];
  if (initialBad !== undefined)
    return { steps: done, violation: { index: -1, violation: initialBad }, infeasible: null };
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as StableStep;
    const action = resolve(state, step);
    if (action === null) return { steps: done, violation: null, infeasible: i };
    const { state: after, t } = protocol.transition(state, action);
    done.push({ step, label: labelOf(state, action, t), before: state, after, t });
    const bad = t.violations[0] ?? protocol.check(after)[0];
    if (bad !== undefined)
      return { steps: done, violation: { index: i, violation: bad }, infeasible: null };
    state = after;
  }
  return { steps: done, violation: null, infeasible: null };
}

/** The spec actions first (STYLE.md §5), then what the explorer did to cause them. */
export function labelOf(state: ClusterState, action: Action, t: Transition): string {
  const events = t.events.map(
    (e) =>
      `${e.event.action}(${e.node}${e.event.slot === undefined ? '' : `, slot ${e.event.slot}`})`,
  );
  let cause: string;
  if (action.kind === 'Deliver' || action.kind === 'Drop' || action.kind === 'Duplicate') {
    const p = state.world.network.find((q) => q.id === action.packet);
    cause = `${action.kind} ${p === undefined ? `#${action.packet}` : renderPacket(p)}`;
  } else if (action.kind === 'Tick') cause = `Tick ${action.node}`;
  else if (action.kind === 'Submit')
    cause = `Submit ${action.client} ${canonicalEncode(action.op)}`;
  else cause = `${action.kind} ${action.replica}`;
  return events.length === 0 ? cause : `${events.join(' ')} ← ${cause}`;
}

/** Drop steps while the same invariant still fails (1-minimal). */
export function minimise(
  protocol: ClusterProtocol,
  steps: readonly StableStep[],
  invariant: Violation['invariant'],
): StableStep[] {
  let current = [...steps];
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = current.length - 1; i >= 0; i--) {
      const candidate = [...current.slice(0, i), ...current.slice(i + 1)];
      const r = replay(protocol, candidate);
      if (r.violation !== null && r.violation.violation.invariant === invariant) {
        current = candidate.slice(0, r.violation.index + 1);
        changed = true;
        i = Math.min(i, current.length);
      }
    }
  }
  return current;
}
