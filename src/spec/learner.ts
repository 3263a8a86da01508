/**
 * Learning, execution and failures of spec/Smr.tla: Learn, Execute, ReplyFromSession, StepDown,
 * Restart. Each function is the TLA+ action of the same name: the next state, or the failed
 * conjunct.
 */
import {
  addMsg,
  chosenCmd,
  clientIndex,
  fail,
  hasMsg,
  initialReplica,
  isChosenSlot,
  ok,
  putSlot,
  replicaIndex,
  sameCmd,
  withReplica,
} from './state.js';
import type { Cmd, Msg, ReplicaId, ReplicaVars, Session, SpecConstants, SpecState, Step } from './types.js';

/*
Learn(r, s, v) ==
  /\ s \notin ChosenSlots(r)
  /\ \E q \in Replicas \ {r} : [slot |-> s, cmd |-> v] \in chosen[q]
  /\ chosen' = [chosen EXCEPT ![r] = @ \cup {[slot |-> s, cmd |-> v]}]
  /\ UNCHANGED <<promised, accepted, leaderVars, execVars, clientVars, msgs, done>>
*/
export function Learn(k: SpecConstants, s: SpecState, r: ReplicaId, slot: number, cmd: Cmd): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (isChosenSlot(v, slot)) return fail('s \\notin ChosenSlots(r)');
  const known = s.replicas.some(
    (q, j) => j !== i && q.chosen.some((e) => e.slot === slot && sameCmd(e.cmd, cmd)),
  );
  if (!known) return fail('\\E q \\in Replicas \\ {r} : [slot |-> s, cmd |-> v] \\in chosen[q]');
  return ok(withReplica(s, i, { chosen: putSlot(v.chosen, { slot, cmd }) }));
}

/*
Execute(r) ==
  /\ executed[r] \in ChosenSlots(r)
  /\ LET cmd == ChosenCmd(r, executed[r])
     IN  /\ executed' = [executed EXCEPT ![r] = @ + 1]
         /\ IF cmd.kind = "noop" \/ sessions[r][cmd.client].seq >= cmd.seq
            THEN UNCHANGED <<sessions, app, msgs>>
            ELSE /\ app' = [app EXCEPT ![r] = @ + 1]
                 /\ sessions' = [sessions EXCEPT ![r][cmd.client] =
                                   [seq |-> cmd.seq, output |-> app[r] + 1]]
                 /\ Send([type |-> "Reply", from |-> r, to |-> cmd.client,
                          seq |-> cmd.seq, output |-> app[r] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, clientVars, done>>
*/
export function Execute(k: SpecConstants, s: SpecState, r: ReplicaId): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  const cmd = chosenCmd(v, v.executed);
  if (cmd === undefined) return fail('executed[r] \\in ChosenSlots(r)');
  const executed = v.executed + 1;
  if (cmd.kind === 'noop') return ok(withReplica(s, i, { executed }));
  const c = clientIndex(k, cmd.client);
  if ((v.sessions[c] as Session).seq >= cmd.seq) return ok(withReplica(s, i, { executed }));
  const output = v.app + 1;
  const sessions = [...v.sessions];
  sessions[c] = { seq: cmd.seq, output };
  const next = withReplica(s, i, { executed, app: output, sessions });
  const reply: Msg = { type: 'Reply', from: r, to: cmd.client, seq: cmd.seq, output };
  return ok({ ...next, msgs: addMsg(s.msgs, reply) });
}

/*
ReplyFromSession(r, m) ==
  /\ m \in msgs
  /\ m.type = "Request"
  /\ sessions[r][m.from].seq = m.seq
  /\ Send([type |-> "Reply", from |-> r, to |-> m.from, seq |-> m.seq,
           output |-> sessions[r][m.from].output])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientVars, done>>
*/
export function ReplyFromSession(k: SpecConstants, s: SpecState, r: ReplicaId, m: Msg): Step {
  const v = s.replicas[replicaIndex(k, r)] as ReplicaVars;
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Request') return fail('m.type = "Request"');
  const session = v.sessions[clientIndex(k, m.from)] as Session;
  if (session.seq !== m.seq) return fail('sessions[r][m.from].seq = m.seq');
  const reply: Msg = { type: 'Reply', from: r, to: m.from, seq: m.seq, output: session.output };
  return ok({ ...s, msgs: addMsg(s.msgs, reply) });
}

/*
StepDown(r) ==
  /\ role[r] # "follower"
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, execVars, clientVars, msgs, done>>
*/
export function StepDown(k: SpecConstants, s: SpecState, r: ReplicaId): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  if (v.role === 'follower') return fail('role[r] # "follower"');
  const fresh = initialReplica(k);
  return ok(
    withReplica(s, i, {
      role: fresh.role,
      ballot: fresh.ballot,
      prepareFrom: fresh.prepareFrom,
      promises: fresh.promises,
      proposals: fresh.proposals,
      nextSlot: fresh.nextSlot,
    }),
  );
}

/*
Restart(r) ==
  /\ role' = [role EXCEPT ![r] = "follower"]
  /\ ballot' = [ballot EXCEPT ![r] = NoBallot]
  /\ prepareFrom' = [prepareFrom EXCEPT ![r] = 0]
  /\ promises' = [promises EXCEPT ![r] = {}]
  /\ proposals' = [proposals EXCEPT ![r] = {}]
  /\ nextSlot' = [nextSlot EXCEPT ![r] = 0]
  /\ executed' = [executed EXCEPT ![r] = 0]
  /\ sessions' = [sessions EXCEPT ![r] = [c \in Clients |-> NoSession]]
  /\ app' = [app EXCEPT ![r] = 0]
  /\ UNCHANGED <<durableVars, clientVars, msgs, done>>
*/
export function Restart(k: SpecConstants, s: SpecState, r: ReplicaId): Step {
  const i = replicaIndex(k, r);
  const v = s.replicas[i] as ReplicaVars;
  const fresh = initialReplica(k);
  return ok(
    withReplica(s, i, { ...fresh, promised: v.promised, accepted: v.accepted, chosen: v.chosen }),
  );
}
