/**
 * Phase 2 of Multi-Paxos, as spec/Smr.tla's actions Phase2a, Phase2b, ReceiveAccepted and
 * Decide (Paxos Made Simple §2.2, §3): the leader proposes per slot, acceptors accept unless
 * they promised a higher ballot, and a slot is chosen when a quorum accepted in one ballot.
 */
import { isQuorumOf, memberIds, slotMembers, windowEnd } from './config.js';
import type { Json } from '../core/types.js';
import { inMsgs, receiving } from './receive.js';
import { refuse, Outcomes, type ModelEnv, type Refusal, type StepResult } from './refusal.js';
import {
  advancePrefix,
  findMsg,
  hasRequest,
  known,
  nextFree,
  selectMsgs,
  sendRecord,
  setSlot,
  withDecided,
  withReplica,
  type EventInfo,
  type ReplicaVars,
  type World,
} from './state.js';
import {
  CKPT_CMD,
  UNKNOWN,
  acceptKey,
  acceptedKey,
  describeCmd,
  isClientCmd,
  isReconfig,
  jsonKey,
  requestCmd,
  requestKey,
  sameRequest,
  type AcceptedValue,
  type Cmd,
  type MsgOf,
} from './values.js';

/*
Phase2a(r, s, v) ==
  /\ role[r] = "leader"
  /\ promised[r] = ballot[r]
  /\ s < WindowEnd(r)
  /\ IsQuorumOf(promisers[r], SlotMembers(r, s))
  /\ \/ [slot |-> s, cmd |-> v, votes |-> {}] \in proposals[r]
     \/ /\ \A p \in proposals[r] : p.votes # {}
        /\ s = NextFree(r)
        /\ \/ v = Ckpt
           \/ /\ v \in Requests
              /\ [type |-> "Request", from |-> v.client, seq |-> v.seq] \in msgs
              /\ sessions[r][v.client].seq < v.seq
        /\ \A p \in proposals[r] : p.cmd # v
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> s, bal |-> ballot[r], cmd |-> v])]
  /\ proposals' = [proposals EXCEPT ![r] =
                     PutSlot(@, [slot |-> s, cmd |-> v, votes |-> {r}])]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = IF s + 1 > @ THEN s + 1 ELSE @]
  /\ Send([type |-> "Accept", from |-> r, bal |-> ballot[r], slot |-> s, cmd |-> v])
  /\ UNCHANGED <<promised, chosen, ckpt, role, ballot, prepareFrom, promises, promisers,
                 execVars, clientVars, histVars, done>>
*/
/**
 * Phase2a(r, s, v): leader r proposes v in slot s: the value BecomeLeader adopted for s, or,
 * once those are all proposed, a client request it received or a checkpoint, in the next free
 * slot.
 */
export function Phase2a(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const fmt = (x: number): string => env.ctx.ballots.format(x);
  if (v.role !== 'leader')
    return refuse(1, 'role[r] = "leader"', 'leader', `${ev.node} is ${v.role}`);
  if (v.promised !== v.ballot)
    return refuse(
      2,
      'promised[r] = ballot[r]',
      `promised[${ev.node}] = ${fmt(v.ballot)}`,
      fmt(v.promised),
    );
  const m = ev.msg as MsgOf<'Accept'> | undefined;
  if (m !== undefined) {
    if (m.from !== ev.node || m.bal !== v.ballot)
      return refuse(
        20,
        'the Accept sent is [from |-> r, bal |-> ballot[r], ...]',
        `from ${ev.node} at ${fmt(v.ballot)}`,
        `from ${m.from} at ${fmt(m.bal)}`,
      );
    if (ev.slot !== undefined && ev.slot !== m.slot)
      return refuse(21, 'event.slot = s', `slot ${m.slot} (the Accept's)`, `slot ${ev.slot}`);
    return propose(env, w, ev, r, v, m.slot, m.cmd);
  }
  // Not logged: the adopted value of the slot, or a request the leader may have received.
  const outcomes = new Outcomes();
  const slots = ev.slot !== undefined ? [ev.slot] : [...v.proposals.keys(), nextFree(v)];
  for (const s of slots) {
    const adopted = v.proposals.get(s);
    if (adopted !== undefined && adopted.votes === 0)
      outcomes.add(propose(env, w, ev, r, v, s, adopted.cmd));
    else
      for (const cmd of [...requestGuesses(env, w, v), CKPT_CMD])
        outcomes.add(propose(env, w, ev, r, v, s, cmd));
  }
  return outcomes.result(() =>
    refuse(3, 'a value Phase2a may propose', 'an adopted value or a new request', 'none'),
  );
}

function propose(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  s: number,
  cmd: Cmd,
): StepResult {
  const inWindow = mayProposeIn(env, ev, v, s);
  if (inWindow !== null) return inWindow;
  const allowed = mayPropose(env, w, ev, v, s, cmd);
  if (allowed !== null) return allowed;
  const proposals = new Map(v.proposals);
  proposals.set(s, { cmd, votes: 1 << r });
  const next: ReplicaVars = {
    ...v,
    accepted: setSlot(env, v.accepted, s, { bal: v.ballot, cmd }),
    proposals,
    nextSlot: s + 1 > v.nextSlot ? s + 1 : v.nextSlot,
  };
  const accept: MsgOf<'Accept'> =
    ev.msg?.type === 'Accept'
      ? ev.msg
      : {
          type: 'Accept',
          from: ev.node,
          bal: v.ballot,
          slot: s,
          cmd,
          key: acceptKey(ev.node, v.ballot, s, cmd),
        };
  return [withReplica(w, r, next, sendRecord(ev, accept))];
}

/** `s < WindowEnd(r)` and `IsQuorumOf(promisers[r], SlotMembers(r, s))`. */
function mayProposeIn(env: ModelEnv, ev: EventInfo, v: ReplicaVars, s: number): Refusal | null {
  const end = windowEnd(env.ctx, v);
  if (!(s < end))
    return refuse(
      2,
      's < WindowEnd(r)',
      `a slot below ${end} (${ev.node}'s chosen prefix + α)`,
      `slot ${s}`,
    );
  const members = slotMembers(env.ctx, v, s);
  if (!isQuorumOf(v.promisers, members))
    return refuse(
      2,
      'IsQuorumOf(promisers[r], SlotMembers(r, s))',
      `promises from a majority of slot ${s}'s configuration {${memberIds(env.ctx, members).join(', ')}}`,
      `from ${votersOf(env, v.promisers)}`,
    );
  return null;
}

/** The disjunction of Phase2a: adopted value, or a new request in the next free slot. */
function mayPropose(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  v: ReplicaVars,
  s: number,
  cmd: Cmd,
): Refusal | null {
  const here = v.proposals.get(s);
  if (here !== undefined && here.votes === 0) {
    if (here.cmd.key === cmd.key) return null;
    return refuse(
      3,
      '[slot |-> s, cmd |-> v, votes |-> {}] \\in proposals[r]',
      `${describeCmd(here.cmd)} (the value BecomeLeader adopted for slot ${s}, P2c)`,
      describeCmd(cmd),
    );
  }
  for (const [slot, p] of v.proposals)
    if (p.votes === 0)
      return refuse(
        4,
        '\\A p \\in proposals[r] : p.votes # {}',
        `slot ${slot}'s adopted value proposed first`,
        `a proposal for slot ${s}`,
      );
  const free = nextFree(v);
  if (s !== free) return refuse(5, 's = NextFree(r)', `slot ${free}`, `slot ${s}`);
  if (cmd.kind === 'noop')
    return refuse(6, 'v = Ckpt \\/ v \\in Requests', 'a checkpoint or a client request', 'noop');
  if (isClientCmd(cmd)) {
    const opKey = isReconfig(cmd) ? jsonKey(cmd.op as Json) : opKeyOf(cmd);
    const requested =
      cmd.op === UNKNOWN
        ? hasRequest(w, cmd.client, cmd.seq)
        : findMsg(w, requestKey(cmd.client, cmd.seq, opKey)) !== undefined;
    if (!requested)
      return refuse(
        7,
        '[type |-> "Request", from |-> v.client, seq |-> v.seq] \\in msgs',
        `a Request ${cmd.client}#${cmd.seq} with this op sent earlier`,
        `${describeCmd(cmd)}, never requested`,
      );
    const executed = v.sessions.get(cmd.client)?.seq ?? 0;
    if (executed >= cmd.seq)
      return refuse(
        9,
        'sessions[r][v.client].seq < v.seq',
        `a request ${cmd.client} has not executed at this leader (session at seq ${executed})`,
        `${describeCmd(cmd)}, executed already`,
      );
  }
  for (const p of v.proposals.values())
    if (p.cmd.key === cmd.key)
      return refuse(
        8,
        '\\A p \\in proposals[r] : p.cmd # v',
        'a command not in flight',
        `${describeCmd(cmd)} is already proposed`,
      );
  void env;
  void ev;
  return null;
}

const opKeyOf = (cmd: Cmd): string => cmd.key.slice(cmd.key.lastIndexOf('\u0000') + 1);

/**
 * Requests a leader that did not log its Accept may have proposed. The spec allows any request
 * ever sent; the guess keeps those the leader's session table does not show executed, which is
 * what the reference core proposes (it answers executed ones from the session instead). Found
 * per client by walking up from the session's seq, so the cost does not grow with the trace.
 */
function requestGuesses(env: ModelEnv, w: World, v: ReplicaVars): Cmd[] {
  const out: Cmd[] = [];
  const seen = new Set<string>();
  for (const client of env.ctx.clients) {
    for (let seq = (v.sessions.get(client)?.seq ?? 0) + 1; hasRequest(w, client, seq); seq++) {
      for (const record of selectMsgs(w, `Request|${client}|${seq}`, (m) => m.type === 'Request')) {
        const m = record.msg;
        if (m.type !== 'Request') continue;
        const cmd = requestCmd(m.from, m.seq, m.op, m.opKey);
        if (seen.has(cmd.key) || [...v.proposals.values()].some((p) => sameRequest(p.cmd, cmd)))
          continue;
        seen.add(cmd.key);
        out.push(cmd);
      }
    }
  }
  return out;
}

/*
Phase2b(r, m) ==
  /\ m \in msgs
  /\ m.type = "Accept"
  /\ m.from # r
  /\ m.bal >= promised[r]
  /\ m.slot >= ckpt[r].slot
  /\ promised' = [promised EXCEPT ![r] = m.bal]
  /\ accepted' = [accepted EXCEPT ![r] =
                    PutSlot(@, [slot |-> m.slot, bal |-> m.bal, cmd |-> m.cmd])]
  /\ Send([type |-> "Accepted", from |-> r, bal |-> m.bal, slot |-> m.slot])
  /\ UNCHANGED <<chosen, ckpt, leaderVars, execVars, clientVars, histVars, done>>
*/
/**
 * Phase2b(r, m): r accepts m's value unless it promised a higher ballot or truncated the slot,
 * and tells the leader.
 */
export function Phase2b(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const fmt = (x: number): string => env.ctx.ballots.format(x);
  return receiving(
    env,
    w,
    ev,
    'Accept',
    1,
    ev.slot === undefined ? 'Accept' : `Accept|${ev.slot}`,
    (m) => m.from !== ev.node && m.bal >= v.promised && m.slot >= v.ckpt.slot,
    (m, logged) => {
      if (logged) {
        const missing = inMsgs(env, w, ev, m, 1);
        if (missing !== null) return missing;
      }
      if (m.from === ev.node)
        return refuse(3, 'm.from # r', 'an Accept from another replica', `from ${m.from}`);
      if (!(m.bal >= v.promised))
        return refuse(
          4,
          'm.bal >= promised[r]',
          `a ballot ≥ ${fmt(v.promised)} (promised[${ev.node}])`,
          `${fmt(m.bal)} (m.bal)`,
        );
      if (!(m.slot >= v.ckpt.slot))
        return refuse(
          5,
          'm.slot >= ckpt[r].slot',
          `a slot ≥ ${v.ckpt.slot} (${ev.node}'s checkpoint)`,
          `slot ${m.slot}`,
        );
      if (ev.slot !== undefined && ev.slot !== m.slot)
        return refuse(21, 'event.slot = m.slot', `slot ${m.slot}`, `slot ${ev.slot}`);
      const next: ReplicaVars = {
        ...v,
        promised: m.bal,
        accepted: setSlot(env, v.accepted, m.slot, sharedValue(env, w, m)),
      };
      const reply: MsgOf<'Accepted'> = {
        type: 'Accepted',
        from: ev.node,
        bal: m.bal,
        slot: m.slot,
        key: acceptedKey(ev.node, m.bal, m.slot),
      };
      return [withReplica(w, r, next, sendRecord(ev, reply))];
    },
  );
}

/**
 * The accepted value as the proposer stored it, when it is the same one: acceptors then share
 * one object per slot instead of each keeping its own parsed copy (memory per slot, not speed).
 */
function sharedValue(env: ModelEnv, w: World, m: MsgOf<'Accept'>): AcceptedValue {
  const proposer = w.replicas[env.ctx.replicaIndex.get(m.from) ?? -1];
  const theirs = proposer?.accepted.get(m.slot);
  if (theirs !== undefined && theirs.bal === m.bal && theirs.cmd.key === m.cmd.key) return theirs;
  const sent = findMsg(w, m.key)?.msg;
  return { bal: m.bal, cmd: sent?.type === 'Accept' ? sent.cmd : m.cmd };
}

/*
ReceiveAccepted(r, m) ==
  /\ role[r] = "leader"
  /\ m \in msgs
  /\ m.type = "Accepted"
  /\ m.bal = ballot[r]
  /\ \E p \in proposals[r] : p.slot = m.slot /\ p.votes # {}
  /\ proposals' = [proposals EXCEPT ![r] =
                     {IF p.slot = m.slot THEN [p EXCEPT !.votes = @ \cup {m.from}]
                                         ELSE p : p \in @}]
  /\ UNCHANGED <<durableVars, role, ballot, prepareFrom, promises, promisers, nextSlot,
                 execVars, clientVars, msgs, histVars, done>>
*/
/** ReceiveAccepted(r, m): the leader counts a vote in its own ballot for a proposal it has. */
export function ReceiveAccepted(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  const fmt = (x: number): string => env.ctx.ballots.format(x);
  if (v.role !== 'leader')
    return refuse(1, 'role[r] = "leader"', 'leader', `${ev.node} is ${v.role}`);
  return receiving(
    env,
    w,
    ev,
    'Accepted',
    2,
    ev.slot === undefined ? 'Accepted' : `Accepted|${ev.slot}`,
    (m) => m.bal === v.ballot,
    (m, logged) => {
      if (logged) {
        const missing = inMsgs(env, w, ev, m, 2);
        if (missing !== null) return missing;
      }
      if (m.bal !== v.ballot)
        return refuse(
          4,
          'm.bal = ballot[r]',
          `${fmt(v.ballot)} (ballot[${ev.node}])`,
          `${fmt(m.bal)} (m.bal)`,
        );
      const p = v.proposals.get(m.slot);
      if (p === undefined || p.votes === 0)
        return refuse(
          5,
          '\\E p \\in proposals[r] : p.slot = m.slot /\\ p.votes # {}',
          `a proposal for slot ${m.slot}`,
          'none',
        );
      if (ev.slot !== undefined && ev.slot !== m.slot)
        return refuse(21, 'event.slot = m.slot', `slot ${m.slot}`, `slot ${ev.slot}`);
      const proposals = new Map(v.proposals);
      const votes = p.votes | (1 << (env.ctx.replicaIndex.get(m.from) ?? 0));
      proposals.set(m.slot, { cmd: p.cmd, votes });
      return [withReplica(w, r, { ...v, proposals })];
    },
  );
}

/*
Decide(r, s) ==
  /\ role[r] = "leader"
  /\ \E p \in proposals[r] : p.slot = s /\ IsQuorumOf(p.votes, SlotMembers(r, s))
  /\ LET p == CHOOSE p \in proposals[r] : p.slot = s
     IN  /\ proposals' = [proposals EXCEPT ![r] = @ \ {p}]
         /\ chosen' = IF Known(r, s) THEN chosen
                      ELSE [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> p.cmd]}]
         /\ decided' = decided \cup {[slot |-> s, cmd |-> p.cmd]}
  /\ UNCHANGED <<promised, accepted, ckpt, role, ballot, prepareFrom, promises, promisers,
                 nextSlot, execVars, clientVars, msgs, snapshots, done>>
*/
/** Decide(r, s): a quorum accepted the leader's proposal for s in its ballot: s is chosen. */
export function Decide(env: ModelEnv, w: World, ev: EventInfo, r: number): StepResult {
  const v = w.replicas[r] as ReplicaVars;
  if (v.role !== 'leader')
    return refuse(1, 'role[r] = "leader"', 'leader', `${ev.node} is ${v.role}`);
  const m = ev.msg as MsgOf<'Decision'> | undefined;
  const s = m?.slot ?? ev.slot;
  if (s === undefined) {
    const outcomes = new Outcomes();
    for (const slot of v.proposals.keys()) outcomes.add(decide(env, w, ev, r, v, slot, m));
    return outcomes.result(() =>
      refuse(
        2,
        '\\E p \\in proposals[r] : p.slot = s /\\ IsQuorumOf(p.votes, SlotMembers(r, s))',
        'a proposal with a quorum',
        'none',
      ),
    );
  }
  if (m !== undefined && ev.slot !== undefined && ev.slot !== m.slot)
    return refuse(21, 'event.slot = s', `slot ${m.slot}`, `slot ${ev.slot}`);
  return decide(env, w, ev, r, v, s, m);
}

function decide(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  r: number,
  v: ReplicaVars,
  s: number,
  m: MsgOf<'Decision'> | undefined,
): StepResult {
  const p = v.proposals.get(s);
  const members = slotMembers(env.ctx, v, s);
  if (p === undefined || !isQuorumOf(p.votes, members)) {
    const voters = p === undefined ? 'no proposal' : `votes from ${votersOf(env, p.votes)}`;
    return refuse(
      2,
      '\\E p \\in proposals[r] : p.slot = s /\\ IsQuorumOf(p.votes, SlotMembers(r, s))',
      `a proposal for slot ${s} accepted by a majority of its configuration {${memberIds(env.ctx, members).join(', ')}}`,
      voters,
    );
  }
  if (m !== undefined && (m.cmd.key !== p.cmd.key || m.from !== ev.node))
    return refuse(
      20,
      'the decided value is p.cmd',
      `${describeCmd(p.cmd)} decided by ${ev.node}`,
      `${describeCmd(m.cmd)} by ${m.from}`,
    );
  const proposals = new Map(v.proposals);
  proposals.delete(s);
  let next: ReplicaVars = { ...v, proposals };
  if (!known(v, s)) {
    const chosen = setSlot(env, v.chosen, s, p.cmd);
    next = { ...next, chosen, chosenPrefix: advancePrefix(chosen, v.chosenPrefix) };
  }
  return [withDecided(withReplica(w, r, next), s, p.cmd)];
}

export function votersOf(env: ModelEnv, votes: number): string {
  const out = env.ctx.replicas.filter((_, i) => (votes & (1 << i)) !== 0);
  return out.length === 0 ? 'nobody' : out.join(', ');
}
