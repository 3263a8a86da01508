/**
 * Reconfiguration and audit, as spec/Smr.tla's Reconfigure, Audit and ReceiveAudit. Outputs and
 * digests are the core's values (the reply `{join: r, from, members}` or `{error}`, the hash of
 * the state after the audited slot), so traces are checked value for value; in a model checking
 * configuration they stand one to one for Smr.tla's (s + Alpha or Refused, the state itself).
 */
import { digestOf } from '../core/canonical.js';
import type { Json } from '../core/types.js';
import { applies, membersAt, memberIds, reconfigured, refusal, type Conf } from './config.js';
import { answerExecuted, nextChosen } from './learner.js';
import { inMsgs, receiving } from './receive.js';
import { refuse, type ModelEnv, type StepResult } from './refusal.js';
import {
  findMsg,
  sendRecord,
  withReplica,
  type EventInfo,
  type ReplicaVars,
  type Session,
  type SpecContext,
  type World,
} from './state.js';
import {
  UNKNOWN,
  auditKey,
  describeCmd,
  isReconfig,
  jsonKey,
  type Cmd,
  type MsgOf,
} from './values.js';

/*
Reconfigure(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ IsReconfig(ChosenCmd(r, executed[r]))
  /\ LET s == executed[r]
         cmd == ChosenCmd(r, s)
         out == IF Applies(conf[r], cmd) THEN s + Alpha ELSE Refused
     IN  /\ sessions[r][cmd.client].seq < cmd.seq
         /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ conf' = [conf EXCEPT ![r] = IF Applies(@, cmd) THEN Reconfigured(@, s, cmd) ELSE @]
         /\ sessions' = [sessions EXCEPT ![r][cmd.client] = [seq |-> cmd.seq, output |-> out]]
         /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client, seq |-> cmd.seq,
                  output |-> out])
  /\ UNCHANGED <<durableVars, leaderVars, app, clientVars, histVars, done>>
*/
/** Reconfigure(r): r executes a JOIN or QUIT it has not applied: the configuration changes from α slots on, or the change is refused. */
export function Reconfigure(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const s = v.executed;
  const cmd = nextChosen(v);
  if ('conjunct' in cmd) return cmd;
  if (!isReconfig(cmd))
    return refuse(2, 'IsReconfig(ChosenCmd(r, executed[r]))', `a JOIN or QUIT in slot ${s}`, describeCmd(cmd));
  if (ev.slot !== undefined && ev.slot !== s)
    return refuse(21, 'event.slot = executed[r]', `slot ${s}`, `slot ${ev.slot}`);
  if ((v.sessions.get(cmd.client)?.seq ?? 0) >= cmd.seq)
    return refuse(
      3,
      'sessions[r][cmd.client].seq < cmd.seq',
      `${describeCmd(cmd)} not applied yet`,
      'applied already (Execute skips it)',
    );
  const ok = applies(env.ctx, v.conf, cmd);
  if (ev.applied !== undefined && ev.applied !== ok)
    return refuse(
      22,
      'Applies(conf[r], cmd)',
      `${describeCmd(cmd)} ${ok ? 'applied' : `refused (${refusal(env.ctx, v.conf, cmd) ?? ''})`}`,
      ev.applied ? 'applied' : 'refused',
    );
  const conf = ok ? reconfigured(env.ctx, v.conf, s, cmd) : v.conf;
  const output = reconfigOutput(env.ctx, v.conf, s, cmd);
  return answerExecuted(w, ev, r, v, cmd, { output, outKey: jsonKey(output) }, 'out', {
    executed: s + 1,
    conf,
  });
}

/**
 * `out`, as the core answers it: the change, the first slot it governs and the new members, or
 * the reason it was refused (membership.ts applyReconfig).
 */
export function reconfigOutput(ctx: SpecContext, conf: Conf, s: number, cmd: Cmd): Json {
  const why = refusal(ctx, conf, cmd);
  const kind = cmd.kind as 'join' | 'quit';
  const replica = cmd.replica ?? '';
  if (why !== null) return { error: `${kind} ${replica} refused: ${why}` };
  const after = reconfigured(ctx, conf, s, cmd);
  const members = memberIds(ctx, membersAt(after, s + ctx.alpha));
  return { [kind]: replica, from: s + ctx.alpha, members };
}

/*
Audit(r) ==
  /\ AuditEvery > 0
  /\ executed[r] > 0
  /\ executed[r] % AuditEvery = 0
  /\ r \in MembersAt(conf[r], executed[r] - 1)
  /\ LET m == [type |-> "Audit", from |-> r, slot |-> executed[r],
               digest |-> [app |-> app[r], sessions |-> sessions[r], conf |-> conf[r]]]
     IN  /\ m \notin msgs
         /\ Send(m)
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, histVars, done>>
*/
/** Audit(r): a member that executed a multiple of AuditEvery slots sends the digest of its state. */
export function Audit(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const { auditEvery } = env.ctx;
  if (!(auditEvery > 0)) return refuse(1, 'AuditEvery > 0', 'audits on', 'AuditEvery = 0');
  const k = v.executed;
  if (!(k > 0 && k % auditEvery === 0))
    return refuse(
      2,
      'executed[r] > 0 /\\ executed[r] % AuditEvery = 0',
      `a multiple of ${auditEvery} slots executed`,
      `${k} executed`,
    );
  if ((membersAt(v.conf, k - 1) & (1 << r)) === 0)
    return refuse(
      4,
      'r \\in MembersAt(conf[r], executed[r] - 1)',
      `${ev.node} a member of slot ${k - 1}'s configuration`,
      `members ${memberIds(env.ctx, membersAt(v.conf, k - 1)).join(', ')}`,
    );
  const m = ev.msg as MsgOf<'Audit'> | undefined;
  const own = stateDigest(env.ctx, v);
  if (m !== undefined && (m.from !== ev.node || m.slot !== k || (own !== UNKNOWN && m.digest !== own)))
    return refuse(
      20,
      'm = [type |-> "Audit", from |-> r, slot |-> executed[r], digest |-> r\'s state]',
      `Audit from ${ev.node} of slot ${k}${own === UNKNOWN ? '' : `, digest ${own}`}`,
      `Audit from ${m.from} of slot ${m.slot}, digest ${m.digest}`,
    );
  const digest = m?.digest ?? (own === UNKNOWN ? '?' : own);
  const msg: MsgOf<'Audit'> = m ?? {
    type: 'Audit',
    from: ev.node,
    slot: k,
    digest,
    key: auditKey(ev.node, k, digest),
  };
  if (findMsg(w, msg.key) !== undefined)
    return refuse(5, 'm \\notin msgs', `no audit of slot ${k} from ${ev.node} yet`, 'sent already');
  return [withReplica(w, r, v, sendRecord(ev, msg))];
}

/**
 * The digest of a replica's state after `executed` slots, as the core computes it
 * (checkpoint.ts checkpointDigest): the slot, the app's digest, the session table and the
 * configuration in normal form (left out while it is the starting one). UNKNOWN when the trace
 * did not log what it takes (an op or output, or the app).
 */
export function stateDigest(ctx: SpecContext, v: ReplicaVars): string | typeof UNKNOWN {
  return digestOfState(ctx, v.executed, v.app, v.sessions, v.conf);
}

/** The core's digest of the state after `k` slots (app state, sessions, configuration). */
export function digestOfState(
  ctx: SpecContext,
  k: number,
  app: unknown,
  sessions: ReadonlyMap<string, Session>,
  conf: Conf,
): string | typeof UNKNOWN {
  if (ctx.app === null || app === UNKNOWN) return UNKNOWN;
  const table: [string, { seq: number; output: Json }][] = [];
  for (const [client, x] of sessions) {
    if (x.output === UNKNOWN) return UNKNOWN;
    table.push([client, { seq: x.seq, output: x.output }]);
  }
  table.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const epochs = [
    { from: k, members: memberIds(ctx, membersAt(conf, k)) },
    ...conf.filter((e) => e.from > k).map((e) => ({ from: e.from, members: memberIds(ctx, e.members) })),
  ];
  const initial = epochs.length === 1 && membersAt(conf, k) === ctx.members0;
  return digestOf({
    slot: k,
    app: ctx.app.digest(app),
    sessions: table,
    ...(initial ? {} : { config: { epochs, rejoin: [] } }),
  });
}

/*
ReceiveAudit(r, m) ==
  /\ m \in msgs
  /\ m.type = "Audit"
  /\ m.from # r
  /\ UNCHANGED vars
*/
/** ReceiveAudit(r, m): r compares a peer's digest with its own; nothing changes in the spec. */
export function ReceiveAudit(env: ModelEnv, w: World, ev: EventInfo, _r: number): StepResult {
  return receiving(env, w, ev, 'Audit', 1, 'Audit', (m) => m.from !== ev.node, (m, logged) => {
    if (logged) {
      const missing = inMsgs(env, w, ev, m, 1);
      if (missing !== null) return missing;
    }
    if (ev.slot !== undefined && ev.slot !== m.slot)
      return refuse(21, 'event.slot = m.slot', `slot ${m.slot}`, `slot ${ev.slot}`);
    if (m.from === ev.node) return refuse(3, 'm.from # r', "a peer's audit", `${ev.node}'s own`);
    return [w];
  });
}
