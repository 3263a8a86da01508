/**
 * The client side, as spec/Smr.tla's ClientRequest and ClientReceive (seed: "sending outputs",
 * "system failure"): one request at a time, and output voting — a majority of the same output,
 * or FAIL once every replica answered without one. The header's `first-reply` policy (fail-stop
 * replicas) accepts the first reply, as the core's client does.
 */
import { inMsgs, receiving } from './receive.js';
import { refuse, type ModelEnv, type StepResult } from './refusal.js';
import {
  sendRecord,
  withClient,
  type ClientVars,
  type EventInfo,
  type Output,
  type World,
} from './state.js';
import { UNKNOWN, UNKNOWN_KEY, requestKey, type MsgOf } from './values.js';

/*
ClientRequest(c) ==
  /\ ~pending[c]
  /\ clientSeq[c] < MaxSeq
  /\ clientSeq' = [clientSeq EXCEPT ![c] = @ + 1]
  /\ pending' = [pending EXCEPT ![c] = TRUE]
  /\ replies' = [replies EXCEPT ![c] = {}]
  /\ Send([type |-> "Request", from |-> c, seq |-> clientSeq[c] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, histVars, done>>
*/
/** ClientRequest(c): with nothing pending, c sends its next request to every replica. */
export function ClientRequest(_env: ModelEnv, w: World, ev: EventInfo, c: number): StepResult {
  const v = w.clients[c] as ClientVars;
  if (v.pending)
    return refuse(
      1,
      '~pending[c]',
      `no request of ${ev.node} pending`,
      `request ${v.clientSeq} pending`,
    );
  const seq = v.clientSeq + 1;
  const m = ev.msg as MsgOf<'Request'> | undefined;
  if (m !== undefined && (m.from !== ev.node || m.seq !== seq))
    return refuse(
      20,
      'the Request sent is [from |-> c, seq |-> clientSeq[c] + 1]',
      `${ev.node}#${seq}`,
      `${m.from}#${m.seq}`,
    );
  const request: MsgOf<'Request'> = m ?? {
    type: 'Request',
    from: ev.node,
    seq,
    op: UNKNOWN,
    opKey: UNKNOWN_KEY,
    key: requestKey(ev.node, seq, UNKNOWN_KEY),
  };
  return [
    withClient(
      w,
      c,
      { clientSeq: seq, pending: true, replies: new Map() },
      sendRecord(ev, request),
    ),
  ];
}

/*
ClientReceive(c, m) ==
  /\ pending[c]
  /\ m \in msgs
  /\ m.type = "Reply"
  /\ m.to = c
  /\ m.seq = clientSeq[c]
  /\ m.from \notin {v.from : v \in replies[c]}
  /\ LET vs == replies[c] \cup {[from |-> m.from, output |-> m.output]}
         out == Outcome(vs)
     IN  IF out = Undecided
         THEN /\ replies' = [replies EXCEPT ![c] = vs]
              /\ UNCHANGED <<pending, done>>
         ELSE /\ replies' = [replies EXCEPT ![c] = {}]
              /\ pending' = [pending EXCEPT ![c] = FALSE]
              /\ done' = done \cup {[client |-> c, seq |-> clientSeq[c], output |-> out]}
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientSeq, msgs, histVars>>
*/
/** ClientReceive(c, m): c counts the first reply of each replica to its pending request. */
export function ClientReceive(env: ModelEnv, w: World, ev: EventInfo, c: number): StepResult {
  const v = w.clients[c] as ClientVars;
  if (!v.pending) return refuse(1, 'pending[c]', `a request of ${ev.node} pending`, 'none pending');
  return receiving(
    env,
    w,
    ev,
    'Reply',
    2,
    `Reply|${ev.node}|${v.clientSeq}`,
    (m) => !v.replies.has(m.from),
    (m, logged) => {
      if (logged) {
        const missing = inMsgs(env, w, ev, m, 2);
        if (missing !== null) return missing;
      }
      if (m.to !== ev.node)
        return refuse(4, 'm.to = c', `a reply to ${ev.node}`, `a reply to ${m.to}`);
      if (m.seq !== v.clientSeq)
        return refuse(5, 'm.seq = clientSeq[c]', `seq ${v.clientSeq}`, `seq ${m.seq}`);
      if (v.replies.has(m.from))
        return refuse(
          6,
          'm.from \\notin {v.from : v \\in replies[c]}',
          `a first reply from ${m.from}`,
          'a second one',
        );
      const replies = new Map(v.replies);
      replies.set(m.from, { output: m.output, outKey: m.outKey });
      const done = outcome(replies, env.n, env.ctx.policy === 'first-reply') !== undefined;
      const next: ClientVars = done
        ? { clientSeq: v.clientSeq, pending: false, replies: new Map() }
        : { ...v, replies };
      return [withClient(w, c, next)];
    },
  );
}

/**
 * Outcome(vs): the output key a majority of the configuration agrees on, FAIL once every
 * replica answered without one, or undefined (Undecided). `first-reply` (fail-stop replicas)
 * takes the first reply.
 */
export function outcome(
  replies: ReadonlyMap<string, Output>,
  n: number,
  firstReply = false,
): string | undefined {
  if (firstReply) return replies.values().next().value?.outKey;
  const tally = new Map<string, number>();
  for (const { outKey } of replies.values()) {
    const count = (tally.get(outKey) ?? 0) + 1;
    if (2 * count > n) return outKey;
    tally.set(outKey, count);
  }
  return replies.size >= n ? FAIL_KEY : undefined;
}

/** The outcome of a vote no majority agrees on (seed: System Failure). */
export const FAIL_KEY = 'FAIL';
