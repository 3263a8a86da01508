/**
 * Replaying one trace event on one candidate state through the spec's actions
 * (src/spec/actions.ts), and what the checker adds on top: the event's logged state must agree
 * with the successor, the core's unlogged Decide of an already-learned slot is taken with the
 * vote that enabled it, and `hiddenSteps` lists the internal actions a trace may have left out
 * (--max-hidden).
 */
import type { ModelledActionName as ActionName } from '../../core/types.js';
import { ACTION_TABLE } from '../../spec/actions.js';
import { Decide, Phase2a } from '../../spec/phase2.js';
import { BecomeLeader } from '../../spec/phase1.js';
import { Checkpoint, InstallCheckpoint, Truncate } from '../../spec/checkpoint.js';
import { Execute, Learn, StepDown } from '../../spec/learner.js';
import type { ObservedClientState, ObservedReplicaState } from '../parse-state.js';
import { compareClient, compareReplica } from './observe.js';
import {
  closest,
  isRefusal,
  type ModelEnv,
  type Refusal,
  type StepResult,
} from '../../spec/refusal.js';
import { isQuorumOf, slotMembers } from '../../spec/config.js';
import { Reconfigure } from '../../spec/reconfig.js';
import {
  known,
  type ClientVars,
  type EventInfo,
  type ReplicaVars,
  type World,
} from '../../spec/state.js';

/** Successors of `w` under the event, each agreeing with the event's logged state. */
export function stepEvent(
  env: ModelEnv,
  w: World,
  ev: EventInfo & {
    readonly action: ActionName;
    readonly isClient: boolean;
    readonly replicaState?: ObservedReplicaState | undefined;
    readonly clientState?: ObservedClientState | undefined;
  },
): StepResult {
  const index = (ev.isClient ? env.ctx.clientIndex : env.ctx.replicaIndex).get(ev.node) as number;
  const taken = ACTION_TABLE[ev.action](env, w, ev, index);
  if (isRefusal(taken)) return taken;
  const result =
    ev.action === 'ReceiveAccepted' ? taken.map((x) => silentDecide(env, x, index)) : taken;
  const observed = ev.isClient ? ev.clientState : ev.replicaState;
  if (observed === undefined) return result;
  const kept: World[] = [];
  let best: Refusal | undefined;
  for (const next of result) {
    const differs = ev.isClient
      ? compareClient(ev.node, next.clients[index] as ClientVars, ev.clientState ?? {})
      : compareReplica(env, ev.node, next.replicas[index] as ReplicaVars, ev.replicaState ?? {});
    if (differs === null) kept.push(next);
    else best = closest(best, differs);
  }
  return kept.length > 0 ? kept : (best as Refusal);
}

/**
 * The core logs no Decide for a slot it already knows chosen (its log does not change): when a
 * vote completes a quorum for such a slot, the spec's Decide — which then only retires the
 * proposal — is taken with the ReceiveAccepted that made it enabled.
 */
function silentDecide(env: ModelEnv, w: World, r: number): World {
  const v = w.replicas[r] as ReplicaVars;
  for (const [slot, p] of v.proposals)
    if (known(v, slot) && isQuorumOf(p.votes, slotMembers(env.ctx, v, slot))) {
      const next = Decide(env, w, hiddenEvent(env.ctx.replicas[r] as string, 'Decide', slot), r);
      if (!isRefusal(next) && next[0] !== undefined) return next[0];
    }
  return w;
}

/** The event of a step the trace does not log: the action, its node and slot, nothing else. */
const hiddenEvent = (node: string, action: string, slot?: number): EventInfo => ({
  node,
  action,
  slot,
  applied: undefined,
  msg: undefined,
  lamport: -1,
  vc: null,
  file: '',
  line: 0,
  hidden: true,
});

/**
 * One unlogged internal step of any replica: the actions that consume no message (an unlogged
 * receive would be an unlogged message, which the trace must show at the levels we read).
 */
export function hiddenSteps(env: ModelEnv, w: World): World[] {
  const out: World[] = [];
  env.ctx.replicas.forEach((node, r) => {
    const v = w.replicas[r] as ReplicaVars;
    const ev = (action: string, slot?: number): EventInfo => hiddenEvent(node, action, slot);
    const take = (result: StepResult): void => {
      if (!isRefusal(result)) out.push(...result);
    };
    if (v.role !== 'follower') take(StepDown(env, w, ev('StepDown'), r));
    if (v.role === 'candidate') take(BecomeLeader(env, w, ev('BecomeLeader'), r));
    if (v.role === 'leader') {
      for (const [slot, p] of v.proposals) {
        if (p.votes === 0) take(Phase2a(env, w, ev('Phase2a', slot), r));
        else if (isQuorumOf(p.votes, slotMembers(env.ctx, v, slot)))
          take(Decide(env, w, ev('Decide', slot), r));
      }
    }
    const next = v.chosen.get(v.executed);
    if (next?.kind === 'checkpoint') take(Checkpoint(env, w, ev('Checkpoint'), r));
    else if (next !== undefined) {
      // A JOIN or QUIT not applied yet is Reconfigure's; Execute refuses it (and vice versa).
      take(Execute(env, w, ev('Execute'), r));
      take(Reconfigure(env, w, ev('Reconfigure'), r));
    }
    take(Truncate(env, w, ev('Truncate'), r));
    take(InstallCheckpoint(env, w, ev('InstallCheckpoint'), r));
    take(Learn(env, w, ev('Learn'), r));
  });
  return out.map((x) => ({ ...x, hidden: x.hidden + 1 }));
}
