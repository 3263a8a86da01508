/**
 * Phase 1 of Multi-Paxos, as spec/Smr.tla's actions Phase1a, Phase1b, ReceivePromise and
 * BecomeLeader (Paxos Made Simple §2.2–3). Each function takes a candidate state and the event,
 * checks the action's conjuncts in the spec's order and returns the successor states, or the
 * first conjunct that fails.
 */
import { isQuorumOf, knownConf, memberIds, membersAt, windowEnd } from './config.js';
import { inMsgs, receiving } from './receive.js';
import { refuse, Outcomes, type ModelEnv, type StepResult } from './refusal.js';
import {
  acceptedFrom,
  known,
  sendRecord,
  withReplica,
  type EventInfo,
  type Proposal,
  type ReplicaVars,
  type World,
} from './state.js';
import {
  NOOP_CMD,
  prepareKey,
  promiseKey,
  type AcceptedEntry,
  type Cmd,
  type MsgOf,
} from './values.js';

/*
Phase1a(r, b) ==
  /\ role[r] # "leader"
  /\ Owner(b) = r
  /\ b > promised[r]
  /\ LET from == ChosenPrefix(r)
     IN  /\ promised' = [promised EXCEPT ![r] = b]
         /\ role' = [role EXCEPT ![r] = "candidate"]
         /\ ballot' = [ballot EXCEPT ![r] = b]
         /\ prepareFrom' = [prepareFrom EXCEPT ![r] = from]
         /\ promises' = [promises EXCEPT ![r] =
                           {[from |-> r, accepted |-> AcceptedFrom(r, from),
                             ckpt |-> ckpt[r].slot]}]
         /\ proposals' = [proposals EXCEPT ![r] = {}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
         /\ Send([type |-> "Prepare", from |-> r, bal |-> b, fromSlot |-> from])
  /\ UNCHANGED <<accepted, chosen, ckpt, promisers, execVars, clientVars, histVars, done>>
*/
/** Phase1a(r, b): r, not leading, starts a candidacy with a ballot b it owns above its promise. */
export function Phase1a(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  if (v.role === 'leader')
    return refuse(1, 'role[r] # "leader"', 'not leader', `${ev.node} is leader`);
  const m = ev.msg as MsgOf<'Prepare'> | undefined;
  if (m !== undefined) return phase1a(env, w, ev, r, v, m.bal, m);
  // The ballot was not logged: the core picks the smallest it owns above every ballot it saw.
  const outcomes = new Outcomes();
  for (const b of ballotGuesses(env, w, r, v))
    outcomes.add(phase1a(env, w, ev, r, v, b, undefined));
  return outcomes.result(() => refuse(3, 'b > promised[r]', 'a ballot above the promise', 'none'));
}

function phase1a(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  b: number,
  m: MsgOf<'Prepare'> | undefined,
): StepResult {
  const fmt = (x: number): string => env.ctx.ballots.format(x);
  if (env.ctx.ballots.owner(b) !== ev.node)
    return refuse(2, 'Owner(b) = r', `a ballot owned by ${ev.node}`, `${fmt(b)}`);
  if (!(b > v.promised))
    return refuse(
      3,
      'b > promised[r]',
      `a ballot above ${fmt(v.promised)} (promised[${ev.node}])`,
      fmt(b),
    );
  const from = v.chosenPrefix;
  if (m !== undefined && (m.from !== ev.node || m.fromSlot !== from))
    return refuse(
      20,
      'the Prepare sent is [from |-> r, bal |-> b, fromSlot |-> ChosenPrefix(r)]',
      `from ${ev.node}, fromSlot ${from}`,
      `from ${m.from}, fromSlot ${m.fromSlot}`,
    );
  const prepare: MsgOf<'Prepare'> = m ?? {
    type: 'Prepare',
    from: ev.node,
    bal: b,
    fromSlot: from,
    key: prepareKey(ev.node, b, from),
  };
  const next: ReplicaVars = {
    ...v,
    promised: b,
    role: 'candidate',
    ballot: b,
    prepareFrom: from,
    promises: new Map([[ev.node, { accepted: acceptedFrom(v, from), ckpt: v.ckpt.slot }]]),
    proposals: new Map(),
    nextSlot: 0,
  };
  return [withReplica(w, r, next, sendRecord(ev, prepare))];
}

/** Ballots r may have picked: the smallest it owns above each ballot in sight. */
function ballotGuesses(env: ModelEnv, w: World, r: number, v: ReplicaVars): number[] {
  const n = env.n;
  const own = env.ctx.ballots.ordered.indexOf(env.ctx.replicas[r] as string);
  const seen = new Set<number>([v.promised]);
  for (const q of w.replicas) {
    if (q.promised >= v.promised) seen.add(q.promised);
    if (q.ballot >= v.promised) seen.add(q.ballot);
  }
  const out = new Set<number>();
  for (const h of seen) {
    // The smallest b > h with b % n = own.
    const base = h < 0 ? 0 : h + 1;
    out.add(base + ((own - (base % n) + n) % n));
  }
  return [...out].sort((a, b) => a - b);
}

/*
Phase1b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Prepare"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ Send([type |-> "Promise", from |-> r, bal |-> m.bal,
           accepted |-> AcceptedFrom(r, m.fromSlot), ckpt |-> ckpt[r].slot])
  /\ UNCHANGED <<accepted, chosen, ckpt, leaderVars, execVars, clientVars, histVars, done>>
*/
/**
 * Phase1b(r, m): r promises m's ballot and reports what it accepted from m.fromSlot on, and
 * where its log starts.
 */
export function Phase1b(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  return receiving(
    env,
    w,
    ev,
    'Prepare',
    1,
    'Prepare',
    (m) => m.from !== ev.node && m.bal >= v.promised,
    (m, logged) => {
      if (logged) {
        const missing = inMsgs(env, w, ev, m, 1);
        if (missing !== null) return missing;
      }
      if (m.from === ev.node)
        return refuse(3, 'm.from # r', `a Prepare from another replica`, `from ${m.from}`);
      if (!(m.bal >= v.promised))
        return refuse(
          4,
          'm.bal >= promised[r]',
          `a ballot ≥ ${env.ctx.ballots.format(v.promised)} (promised[${ev.node}])`,
          `${env.ctx.ballots.format(m.bal)} (m.bal)`,
        );
      const accepted = acceptedFrom(v, m.fromSlot);
      const ckpt = v.ckpt.slot;
      const promise: MsgOf<'Promise'> = {
        type: 'Promise',
        from: ev.node,
        bal: m.bal,
        accepted,
        ckpt,
        key: promiseKey(ev.node, m.bal, accepted, ckpt),
      };
      return [withReplica(w, r, { ...v, promised: m.bal }, sendRecord(ev, promise))];
    },
  );
}

/*
ReceivePromise(r, m) ==
  /\ role[r] = "candidate"
  /\ m \in msgs
  /\ m.type = "Promise"
  /\ m.bal = ballot[r]
  /\ promises' = [promises EXCEPT ![r] =
                    {p \in @ : p.from # m.from}
                      \cup {[from |-> m.from, accepted |-> m.accepted, ckpt |-> m.ckpt]}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promisers, proposals, nextSlot,
                 execVars, clientVars, msgs, histVars, done>>
*/
/** ReceivePromise(r, m): a candidate records a promise for its current ballot. */
export function ReceivePromise(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  if (v.role !== 'candidate')
    return refuse(1, 'role[r] = "candidate"', 'candidate', `${ev.node} is ${v.role}`);
  return receiving(
    env,
    w,
    ev,
    'Promise',
    2,
    `Promise|${v.ballot}`,
    () => true,
    (m, logged) => {
      if (logged) {
        const missing = inMsgs(env, w, ev, m, 2);
        if (missing !== null) return missing;
      }
      if (m.bal !== v.ballot)
        return refuse(
          4,
          'm.bal = ballot[r]',
          `${env.ctx.ballots.format(v.ballot)} (ballot[${ev.node}])`,
          `${env.ctx.ballots.format(m.bal)} (m.bal)`,
        );
      const promises = new Map(v.promises);
      promises.set(m.from, { accepted: m.accepted, ckpt: m.ckpt });
      return [withReplica(w, r, { ...v, promises })];
    },
  );
}

/*
BecomeLeader(r) ==
  /\ role[r] = "candidate"
  /\ LET known == KnownConf(r)
     IN  \A s \in prepareFrom[r]..(WindowEnd(r) - 1) :
           IsQuorumOf({p.from : p \in promises[r]}, MembersAt(known, s))
  /\ \A p \in promises[r] : p.ckpt <= ChosenPrefix(r)
  /\ LET reports == UNION {p.accepted : p \in promises[r]}
         top == Max({prepareFrom[r] - 1} \cup {e.slot : e \in reports}
                      \cup ChosenSlots(r))
         open == {s \in prepareFrom[r]..top : ~Known(r, s)}
     IN  /\ role' = [role EXCEPT ![r] = "leader"]
         /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
         /\ promises' = [promises EXCEPT ![r] = {}]
         /\ promisers' = [promisers EXCEPT ![r] = {p.from : p \in promises[r]}]
         /\ nextSlot' = [nextSlot EXCEPT ![r] = top + 1]
         /\ proposals' = [proposals EXCEPT ![r] =
                            {[slot |-> s, cmd |-> Adopt(reports, s), votes |-> {}] :
                               s \in open}]
  /\ UNCHANGED <<durableVars, ballot, execVars, clientVars, msgs, histVars, done>>
*/
/**
 * BecomeLeader(r): with promises from a quorum, lead; in every open slot propose the value of
 * the highest-ballot report (P2c), or a no-op to fill a gap. Not before r knows chosen every
 * slot an acceptor of the quorum truncated (it reported nothing for those).
 */
export function BecomeLeader(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  if (v.role !== 'candidate')
    return refuse(1, 'role[r] = "candidate"', 'candidate', `${ev.node} is ${v.role}`);
  let from = 0;
  for (const q of v.promises.keys()) from |= 1 << (env.ctx.replicaIndex.get(q) ?? 0);
  const known_ = knownConf(env.ctx, v);
  for (let s = v.prepareFrom, end = windowEnd(env.ctx, v); s < end; s++) {
    const members = membersAt(known_, s);
    if (!isQuorumOf(from, members))
      return refuse(
        2,
        '\\A s \\in prepareFrom[r]..(WindowEnd(r) - 1) : IsQuorumOf({p.from : p \\in promises[r]}, MembersAt(known, s))',
        `promises from a majority of slot ${s}'s configuration {${memberIds(env.ctx, members).join(', ')}}`,
        `from ${[...v.promises.keys()].join(', ')}`,
      );
    // Later slots of the window share this configuration unless a known change governs them.
    if (!known_.some((e) => e.from > s)) break;
  }
  for (const [q, p] of v.promises)
    if (p.ckpt > v.chosenPrefix)
      return refuse(
        3,
        '\\A p \\in promises[r] : p.ckpt <= ChosenPrefix(r)',
        `${ev.node} knows every slot below ${q}'s checkpoint (${p.ckpt}) chosen`,
        `ChosenPrefix(${ev.node}) = ${v.chosenPrefix}`,
      );
  const best = new Map<number, AcceptedEntry>();
  let top = v.prepareFrom - 1;
  for (const { accepted: entries } of v.promises.values()) {
    for (const e of entries) {
      const seen = best.get(e.slot);
      if (seen === undefined || e.bal > seen.bal) best.set(e.slot, e);
      if (e.slot > top) top = e.slot;
    }
  }
  if (v.chosen.maxSlot > top) top = v.chosen.maxSlot;
  const proposals = new Map<number, Proposal>();
  for (let s = v.prepareFrom; s <= top; s++) {
    if (known(v, s)) continue;
    const cmd: Cmd = best.get(s)?.cmd ?? NOOP_CMD;
    proposals.set(s, { cmd, votes: 0 });
  }
  const next: ReplicaVars = {
    ...v,
    role: 'leader',
    prepareFrom: 0,
    promises: new Map(),
    promisers: from,
    nextSlot: top + 1,
    proposals,
  };
  return [withReplica(w, r, next)];
}
