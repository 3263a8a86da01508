/**
 * The clients of spec/Smr.tla (the core's client reducer, majority policy): ClientRequest and
 * ClientReceive. Each function is the TLA+ action of the same name.
 */
import { addMsg, clientIndex, fail, hasMsg, ok, outcome } from './state.js';
import type { ClientId, ClientVars, Msg, Outcome, SpecConstants, SpecState, Step, Vote } from './types.js';

function withClient(s: SpecState, c: number, patch: Partial<ClientVars>): SpecState {
  const clients = [...s.clients];
  clients[c] = { ...(s.clients[c] as ClientVars), ...patch };
  return { ...s, clients };
}

/*
ClientRequest(c) ==
  /\ ~pending[c]
  /\ clientSeq[c] < MaxSeq
  /\ clientSeq' = [clientSeq EXCEPT ![c] = @ + 1]
  /\ pending' = [pending EXCEPT ![c] = TRUE]
  /\ replies' = [replies EXCEPT ![c] = {}]
  /\ Send([type |-> "Request", from |-> c, seq |-> clientSeq[c] + 1])
  /\ UNCHANGED <<durableVars, leaderVars, execVars, done>>
*/
export function ClientRequest(k: SpecConstants, s: SpecState, c: ClientId): Step {
  const j = clientIndex(k, c);
  const v = s.clients[j] as ClientVars;
  if (v.pending) return fail('~pending[c]');
  if (!(v.clientSeq < k.maxSeq)) return fail('clientSeq[c] < MaxSeq');
  const seq = v.clientSeq + 1;
  const next = withClient(s, j, { clientSeq: seq, pending: true, replies: [] });
  return ok({ ...next, msgs: addMsg(s.msgs, { type: 'Request', from: c, seq }) });
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
  /\ UNCHANGED <<durableVars, leaderVars, execVars, clientSeq, msgs>>
*/
export function ClientReceive(k: SpecConstants, s: SpecState, c: ClientId, m: Msg): Step {
  const j = clientIndex(k, c);
  const v = s.clients[j] as ClientVars;
  if (!v.pending) return fail('pending[c]');
  if (!hasMsg(s.msgs, m)) return fail('m \\in msgs');
  if (m.type !== 'Reply') return fail('m.type = "Reply"');
  if (m.to !== c) return fail('m.to = c');
  if (m.seq !== v.clientSeq) return fail('m.seq = clientSeq[c]');
  if (v.replies.some((x) => x.from === m.from)) return fail('m.from \\notin {v.from : v \\in replies[c]}');
  const vs: Vote[] = [...v.replies, { from: m.from, output: m.output }];
  vs.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const out = outcome(k, vs);
  if (out === undefined) return ok(withClient(s, j, { replies: vs }));
  const next = withClient(s, j, { replies: [], pending: false });
  const record: Outcome = { client: c, seq: v.clientSeq, output: out };
  const done = [...s.done, record].sort((a, b) =>
    a.client !== b.client ? (a.client < b.client ? -1 : 1) : a.seq - b.seq,
  );
  return ok({ ...next, done });
}
