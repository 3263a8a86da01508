/**
 * Learning and executing chosen commands, and the replica actions that only reset state, as
 * spec/Smr.tla's Learn, Execute, ReplyFromSession, StepDown and Restart (from the checkpoint). Execute runs the
 * header's app (src/core/apps) so replies are checked value for value (seed: the state machine
 * approach); when an operation was not logged the output stays unknown until a later event
 * shows it.
 */
import { refuse, Outcomes, type ModelEnv, type Refusal, type StepResult } from './refusal.js';
import {
  advancePrefix,
  hasRequest,
  known,
  sendRecord,
  setSlot,
  withReplica,
  type EventInfo,
  type Output,
  type ReplicaVars,
  type Session,
  type World,
} from './state.js';
import type { Json } from '../core/types.js';
import {
  UNKNOWN,
  decisionKey,
  describeCmd,
  isReconfig,
  jsonKey,
  replyKey,
  sameJson,
  type Cmd,
  type MsgOf,
} from './values.js';

/*
Learn(r, s, v) ==
  /\ ~Known(r, s)
  /\ [slot |-> s, cmd |-> v] \in decided
  /\ chosen' = [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> v]}]
  /\ UNCHANGED <<promised, accepted, ckpt, leaderVars, execVars, clientVars, msgs,
                 histVars, done>>
*/
/** Learn(r, s, v): r learns that v is chosen in s from a replica that decided or learned it. */
export function Learn(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const m = ev.msg as MsgOf<'Decision'> | undefined;
  if (m !== undefined) {
    if (ev.slot !== undefined && ev.slot !== m.slot)
      return refuse(21, 'event.slot = s', `slot ${m.slot}`, `slot ${ev.slot}`);
    return learn(env, w, ev, r, v, m.slot, m.cmd, m);
  }
  const outcomes = new Outcomes();
  const slots = ev.slot !== undefined ? [ev.slot] : missingSlots(w, v);
  for (const s of slots)
    for (const cmd of w.decided.get(s) ?? []) outcomes.add(learn(env, w, ev, r, v, s, cmd, undefined));
  return outcomes.result(() =>
    refuse(
      2,
      '[slot |-> s, cmd |-> v] \\in decided',
      `a replica decided or learned slot ${ev.slot ?? '?'}`,
      'none did',
    ),
  );
}

function learn(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  s: number,
  cmd: Cmd,
  m: MsgOf<'Decision'> | undefined,
): StepResult {
  if (known(v, s))
    return refuse(
      1,
      '~Known(r, s)',
      `slot ${s} not yet learned by ${ev.node}`,
      s < v.ckpt.slot ? `below its checkpoint (slot ${v.ckpt.slot})` : 'learned already',
    );
  const here = w.decided.get(s);
  const same = here?.find((c) => c.key === cmd.key);
  if (same === undefined) {
    const missing: MsgOf<'Decision'> | undefined =
      m === undefined ? undefined : { ...m, key: decisionKey(m.from, s, cmd) };
    return refuse(
      2,
      '[slot |-> s, cmd |-> v] \\in decided',
      `a replica that decided or learned ${describeCmd(cmd)} in slot ${s}`,
      here === undefined || here.length === 0
        ? 'no replica decided or learned the slot'
        : `decided: ${here.map(describeCmd).join(', ')}`,
      missing,
    );
  }
  // `decided` is a history, not a message of the spec: no clock check here (a Learn ordered
  // before the Decide it needs fails the guard above, and the look-ahead then reports the
  // receive before its send).
  const chosen = setSlot(env, v.chosen, s, same);
  const next: ReplicaVars = {
    ...v,
    chosen,
    chosenPrefix: advancePrefix(chosen, v.chosenPrefix, v.ckpt.slot),
  };
  return [withReplica(w, r, next)];
}

/** Slots r may learn when the trace did not say which: the first few gaps below what was decided. */
function missingSlots(w: World, v: ReplicaVars): number[] {
  const top = w.decided.maxSlot;
  const out: number[] = [];
  for (let s = v.chosenPrefix; s <= top && out.length < 4; s++) if (!known(v, s)) out.push(s);
  return out;
}

/*
Execute(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ ChosenCmd(r, executed[r]).kind # "checkpoint"
  /\ LET cmd == ChosenCmd(r, executed[r])
     IN  /\ IsReconfig(cmd) => sessions[r][cmd.client].seq >= cmd.seq
         /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ IF cmd.kind = "noop" \/ sessions[r][cmd.client].seq >= cmd.seq
            THEN UNCHANGED <<sessions, app, msgs>>
            ELSE /\ app' = [app EXCEPT ![r] = @ + 1]
                 /\ sessions' = [sessions EXCEPT ![r][cmd.client] =
                                   [seq |-> cmd.seq, output |-> app[r] + 1]]
                 /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client,
                          seq |-> cmd.seq, output |-> app[r] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, conf, clientVars, histVars, done>>
*/
/** `executed[r] \\in ChosenSlots(r)`, Execute's and Checkpoint's first conjunct: the command r runs next. */
export function nextChosen(v: ReplicaVars): Cmd | Refusal {
  const cmd = v.chosen.get(v.executed);
  return cmd !== undefined
    ? cmd
    : refuse(
        1,
        'executed[r] \\in ChosenSlots(r)',
        `slot ${v.executed} (the next to execute) known chosen`,
        'not chosen yet',
      );
}

/** Execute(r): run the next slot in order; a no-op or an already-applied request is skipped. */
export function Execute(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const s = v.executed;
  const cmd = nextChosen(v);
  if ('conjunct' in cmd) return cmd;
  if (cmd.kind === 'checkpoint')
    return refuse(
      2,
      'ChosenCmd(r, executed[r]).kind # "checkpoint"',
      `slot ${s} holds a command Execute runs`,
      'a checkpoint (Checkpoint executes it)',
    );
  if (ev.slot !== undefined && ev.slot !== s)
    return refuse(21, 'event.slot = executed[r]', `slot ${s}`, `slot ${ev.slot}`);
  const m = ev.msg as MsgOf<'Reply'> | undefined;
  const skip = cmd.kind === 'noop' || (v.sessions.get(cmd.client)?.seq ?? 0) >= cmd.seq;
  if (isReconfig(cmd) && !skip)
    return refuse(
      3,
      'IsReconfig(cmd) => sessions[r][cmd.client].seq >= cmd.seq',
      `slot ${s} holds a command Execute runs`,
      `${describeCmd(cmd)}, not applied yet (Reconfigure executes it)`,
    );
  if (skip) {
    if (ev.applied === true || m !== undefined)
      return refuse(
        22,
        'cmd.kind = "noop" \\/ sessions[r][cmd.client].seq >= cmd.seq',
        `slot ${s} (${describeCmd(cmd)}) skipped`,
        'applied',
      );
    return [withReplica(w, r, { ...v, executed: s + 1 })];
  }
  if (ev.applied === false)
    return refuse(
      22,
      '~(cmd.kind = "noop" \\/ sessions[r][cmd.client].seq >= cmd.seq)',
      `slot ${s} (${describeCmd(cmd)}) applied`,
      'skipped',
    );
  let app: unknown = UNKNOWN;
  let output: Session['output'] = UNKNOWN;
  let outKey = `?${s}`;
  if (env.ctx.app !== null && v.app !== UNKNOWN && cmd.op !== UNKNOWN) {
    const applied = env.ctx.app.apply(v.app, cmd.op);
    app = applied.state;
    output = applied.output;
    // The logged output's key is already computed: reuse it when the values agree.
    outKey = m !== undefined && sameJson(m.output as Json, output) ? m.outKey : jsonKey(output);
  } else if (m !== undefined) {
    // The output is not computable here (unknown app or op): take the one the trace shows.
    output = m.output;
    outKey = m.outKey;
  }
  return answerExecuted(w, ev, r, v, cmd, { output, outKey }, "the app's output", {
    executed: s + 1,
    app,
  });
}

/**
 * The end of Execute and Reconfigure: the session records the request's output and the Reply
 * is sent — the one the event logged, if it is that Reply.
 */
export function answerExecuted(
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  cmd: Cmd,
  { output, outKey }: Output,
  outputName: string,
  changes: Partial<ReplicaVars>,
): StepResult {
  const m = ev.msg as MsgOf<'Reply'> | undefined;
  if (
    m !== undefined &&
    (m.from !== ev.node || m.to !== cmd.client || m.seq !== cmd.seq || m.outKey !== outKey)
  )
    return refuse(
      23,
      `the Reply sent is [from |-> r, to |-> cmd.client, seq |-> cmd.seq, output |-> ${outputName}]`,
      `Reply ${ev.node} → ${cmd.client}#${cmd.seq} output ${outKey}`,
      `Reply ${m.from} → ${m.to}#${m.seq} output ${m.outKey}`,
    );
  const sessions = new Map(v.sessions);
  sessions.set(cmd.client, { seq: cmd.seq, output, outKey });
  const reply: MsgOf<'Reply'> = m ?? {
    type: 'Reply',
    from: ev.node,
    to: cmd.client,
    seq: cmd.seq,
    output,
    outKey,
    key: replyKey(ev.node, cmd.client, cmd.seq, outKey),
  };
  return [withReplica(w, r, { ...v, ...changes, sessions }, sendRecord(ev, reply))];
}

/*
ReplyFromSession(r, m) ==
  /\ m \in msgs
  /\ m.type = "Request"
  /\ sessions[r][m.from].seq = m.seq
  /\ Send([type |-> "Reply", from |-> r, to |-> m.from, seq |-> m.seq,
           output |-> sessions[r][m.from].output])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, histVars, done>>
*/
/** ReplyFromSession(r, m): a retransmitted request that r executed gets the cached output. */
export function ReplyFromSession(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const m = ev.msg as MsgOf<'Reply'> | undefined;
  if (m !== undefined) return replyFromSession(env, w, ev, r, v, m.to, m);
  const outcomes = new Outcomes();
  for (const c of v.sessions.keys()) outcomes.add(replyFromSession(env, w, ev, r, v, c, undefined));
  return outcomes.result(() =>
    refuse(2, 'sessions[r][m.from].seq = m.seq', 'a session for a retransmitted request', 'none'),
  );
}

function replyFromSession(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  c: string,
  m: MsgOf<'Reply'> | undefined,
): StepResult {
  const session = v.sessions.get(c);
  const seq = m?.seq ?? session?.seq ?? 0;
  if (!hasRequest(w, c, seq))
    return refuse(
      1,
      'm \\in msgs (the Request answered)',
      `a Request ${c}#${seq} sent earlier`,
      'never sent',
    );
  if (session === undefined || session.seq !== seq)
    return refuse(
      3,
      'sessions[r][m.from].seq = m.seq',
      `a session of ${c} at seq ${seq}`,
      session === undefined ? 'no session' : `seq ${session.seq}`,
    );
  let outKey = session.outKey;
  let output = session.output;
  if (m !== undefined) {
    if (output === UNKNOWN) {
      output = m.output;
      outKey = m.outKey;
    }
    if (m.from !== ev.node || m.outKey !== outKey)
      return refuse(
        20,
        'the Reply sent carries sessions[r][m.from].output',
        `from ${ev.node}, output ${outKey}`,
        `from ${m.from}, output ${m.outKey}`,
      );
  }
  const reply: MsgOf<'Reply'> = m ?? {
    type: 'Reply',
    from: ev.node,
    to: c,
    seq,
    output,
    outKey,
    key: replyKey(ev.node, c, seq, outKey),
  };
  return [withReplica(w, r, v, sendRecord(ev, reply))];
}

/*
StepDown(r) ==
  /\ role[r] # "follower"
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ promisers' = [promisers EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, execVars, clientVars, msgs, histVars, done>>
*/
/** StepDown(r): r abandons its candidacy or leadership. */
export function StepDown(_env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  if (v.role === 'follower')
    return refuse(1, 'role[r] # "follower"', 'candidate or leader', `${ev.node} is follower`);
  return [withReplica(w, r, followerOf(v))];
}

/*
Restart(r) ==
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ promisers' = [promisers EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ executed' = [executed EXCEPT ![r] = ckpt[r].slot]
  /\ sessions' = [sessions EXCEPT ![r] = ckpt[r].sessions]
  /\ app' = [app EXCEPT ![r] = ckpt[r].app]
  /\ conf' = [conf EXCEPT ![r] = ckpt[r].conf]
  /\ UNCHANGED <<durableVars, clientVars, msgs, histVars, done>>
*/
/**
 * Restart(r): volatile state starts over from the checkpoint; promise, accepted values, learned
 * log and checkpoint survive.
 */
export function Restart(_env: ModelEnv, w: World, _ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const next: ReplicaVars = {
    ...followerOf(v),
    executed: v.ckpt.slot,
    sessions: v.ckpt.sessions,
    app: v.ckpt.app,
    conf: v.ckpt.conf,
  };
  return [withReplica(w, r, next)];
}

function followerOf(v: ReplicaVars): ReplicaVars {
  return {
    ...v,
    role: 'follower',
    ballot: -1,
    prepareFrom: 0,
    promises: new Map(),
    promisers: 0,
    proposals: new Map(),
    nextSlot: 0,
  };
}
