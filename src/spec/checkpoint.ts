/**
 * Checkpoints and state transfer, as spec/Smr.tla's Checkpoint, Truncate and InstallCheckpoint
 * (seed: checkpoints; DESIGN.md "Checkpoints", "State transfer"): executing a checkpoint command
 * keeps a copy of the state, the entries it covers are forgotten, and a replica that lags
 * behind a truncation installs a checkpoint some replica took. The core sends a checkpoint in
 * chunks and checks its digest; here it is installed whole.
 */
import { checkpointKey } from './encode.js';
import { refuse, Outcomes, type ModelEnv, type StepResult } from './refusal.js';
import { nextChosen } from './learner.js';
import type { SlotVector } from './slot-vector.js';
import {
  advancePrefix,
  withReplica,
  type CheckpointVars,
  type EventInfo,
  type ReplicaVars,
  type World,
} from './state.js';
import { describeCmd, type MsgOf } from './values.js';

/*
Checkpoint(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ ChosenCmd(r, executed[r]).kind = "checkpoint"
  /\ LET c == [slot |-> executed[r] + 1, app |-> app[r], sessions |-> sessions[r],
               conf |-> conf[r]]
     IN  /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ ckpt' = [ckpt EXCEPT ![r] = c]
         /\ snapshots' = snapshots \cup {c}
  /\ UNCHANGED <<promised, accepted, chosen, leaderVars, sessions, app, conf, clientVars,
                 msgs, decided, done>>
*/
/** Checkpoint(r): the next slot holds a checkpoint command; r keeps a copy of its state after it. */
export function Checkpoint(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const s = v.executed;
  const cmd = nextChosen(v);
  if ('conjunct' in cmd) return cmd;
  if (cmd.kind !== 'checkpoint')
    return refuse(
      2,
      'ChosenCmd(r, executed[r]).kind = "checkpoint"',
      `a checkpoint in slot ${s}`,
      describeCmd(cmd),
    );
  if (ev.slot !== undefined && ev.slot !== s)
    return refuse(21, 'event.slot = executed[r]', `slot ${s}`, `slot ${ev.slot}`);
  const m = ev.msg as MsgOf<'Snapshot'> | undefined;
  if (m !== undefined && (m.from !== ev.node || m.slot !== s + 1))
    return refuse(
      20,
      'the checkpoint taken is [slot |-> executed[r] + 1, ...] of r',
      `checkpoint ${s + 1} of ${ev.node}`,
      `checkpoint ${m.slot} of ${m.from}`,
    );
  const c: CheckpointVars = { slot: s + 1, app: v.app, sessions: v.sessions, conf: v.conf };
  const next: ReplicaVars = {
    ...v,
    executed: s + 1,
    ckpt: c,
    chosenPrefix: advancePrefix(v.chosen, v.chosenPrefix, c.slot),
  };
  return [withSnapshot(env, withReplica(w, r, next), c)];
}

/** `snapshots' = snapshots \cup {c}` (a checkpoint with an unknown app state is kept apart). */
function withSnapshot(env: ModelEnv, w: World, c: CheckpointVars): World {
  const key = checkpointKey(env.ctx, c);
  if (key !== null && w.snapshots.some((x) => checkpointKey(env.ctx, x) === key)) return w;
  return { ...w, snapshots: [...w.snapshots, c] };
}

/*
Truncate(r) ==
  /\ \/ \E e \in chosen[r] : e.slot < ckpt[r].slot
     \/ \E e \in accepted[r] : e.slot < ckpt[r].slot
  /\ chosen' = [chosen EXCEPT ![r] = {e \in @ : e.slot >= ckpt[r].slot}]
  /\ accepted' = [accepted EXCEPT ![r] = {e \in @ : e.slot >= ckpt[r].slot}]
  /\ UNCHANGED <<promised, ckpt, leaderVars, execVars, clientVars, msgs, histVars, done>>
*/
/** Truncate(r): r forgets the accepted and learned entries its checkpoint covers. */
export function Truncate(_env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const below = v.ckpt.slot;
  if (!(firstSlot(v.chosen) < below || firstSlot(v.accepted) < below))
    return refuse(
      1,
      '\\E e \\in chosen[r] \\cup accepted[r] : e.slot < ckpt[r].slot',
      `an entry of ${ev.node} below its checkpoint (slot ${below})`,
      'none',
    );
  const next: ReplicaVars = {
    ...v,
    chosen: v.chosen.dropBelow(below),
    accepted: v.accepted.dropBelow(below),
  };
  return [withReplica(w, r, next)];
}

const firstSlot = (vector: SlotVector<unknown>): number => {
  for (const [slot] of vector.from(0)) return slot;
  return Infinity;
};

/*
InstallCheckpoint(r, c) ==
  /\ c \in snapshots
  /\ c.slot > executed[r]
  /\ ckpt' = [ckpt EXCEPT ![r] = c]
  /\ executed' = [executed EXCEPT ![r] = c.slot]
  /\ app' = [app EXCEPT ![r] = c.app]
  /\ sessions' = [sessions EXCEPT ![r] = c.sessions]
  /\ conf' = [conf EXCEPT ![r] = c.conf]
  /\ UNCHANGED <<promised, accepted, chosen, leaderVars, clientVars, msgs, histVars, done>>
*/
/** InstallCheckpoint(r, c): state transfer of a checkpoint some replica took, beyond r's prefix. */
export function InstallCheckpoint(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const m = ev.msg as MsgOf<'Snapshot'> | undefined;
  const slot = m?.slot ?? ev.slot;
  const outcomes = new Outcomes();
  for (const c of w.snapshots)
    if (slot === undefined || c.slot === slot) outcomes.add(install(w, ev, r, v, c));
  return outcomes.result(() =>
    refuse(
      1,
      'c \\in snapshots',
      `a checkpoint${slot === undefined ? '' : ` at slot ${slot}`} some replica took`,
      w.snapshots.length === 0
        ? 'no replica took one'
        : `checkpoints at ${w.snapshots.map((c) => c.slot).join(', ')}`,
    ),
  );
}

function install(w: World, ev: EventInfo, r: number, v: ReplicaVars, c: CheckpointVars): StepResult {
  if (!(c.slot > v.executed))
    return refuse(
      2,
      'c.slot > executed[r]',
      `a checkpoint beyond slot ${v.executed} (executed[${ev.node}])`,
      `checkpoint at ${c.slot}`,
    );
  const next: ReplicaVars = {
    ...v,
    ckpt: c,
    executed: c.slot,
    app: c.app,
    sessions: c.sessions,
    conf: c.conf,
    chosenPrefix: advancePrefix(v.chosen, v.chosenPrefix, c.slot),
  };
  return [withReplica(w, r, next)];
}
