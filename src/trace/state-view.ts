/**
 * A core node state as the spec variables a trace event's `state` holds (spec/Smr.tla names).
 * Where the core keeps a value the spec resets (a follower's old ballot, a non-leader's next
 * slot), the view shows the spec's value, so a fully observed trace of the reference core is
 * checked variable for variable.
 */
import { ZERO_BALLOT, ballotEquals } from '../core/ballot.js';
import type { AnyApp } from '../core/app.js';
import type { ClientState } from '../core/client.js';
import type { ReplicaState } from '../core/replica/state.js';
import type { Ballot, Command, Json, NodeId, Slot } from '../core/types.js';

/** The slots and clients a step touched: function-valued variables are logged only there. */
export interface Touched {
  readonly slots: readonly Slot[];
  readonly clients: readonly NodeId[];
}

/** At most this many entries of each function-valued variable per event, to keep lines short. */
export const MAX_ENTRIES = 8;

export function replicaView(
  state: ReplicaState,
  app: AnyApp | null,
  touched: Touched,
): { [k: string]: Json } {
  const v = state.volatile;
  const d = state.durable;
  const view: { [k: string]: Json } = {
    promised: ballotJson(d.promised),
    role: v.role,
    ballot: v.role === 'follower' ? null : ballotJson(v.ballot),
    prepareFrom: v.role === 'candidate' ? v.prepareFrom : 0,
    nextSlot: v.role === 'leader' ? v.nextSlot : 0,
    executed: v.executed,
  };
  if (app !== null) view['app'] = app.view(v.app);
  const slots = touched.slots.slice(-MAX_ENTRIES);
  if (slots.length > 0) {
    const accepted: { [slot: string]: Json } = {};
    const chosen: { [slot: string]: Json } = {};
    for (const s of slots) {
      const a = d.accepted.get(s);
      accepted[s] =
        a === undefined ? null : { ballot: ballotJson(a.ballot), cmd: commandJson(a.cmd) };
      const c = d.chosen.get(s);
      chosen[s] = c === undefined ? null : commandJson(c);
    }
    view['accepted'] = accepted;
    view['chosen'] = chosen;
  }
  const clients = touched.clients.slice(-MAX_ENTRIES);
  if (clients.length > 0) {
    const sessions: { [client: string]: Json } = {};
    for (const c of clients) {
      const s = v.sessions.get(c);
      sessions[c] = s === undefined ? null : { seq: s.seq, output: s.output };
    }
    view['sessions'] = sessions;
  }
  return view;
}

export function clientView(
  state: ClientState,
  repliedBy: readonly NodeId[],
): { [k: string]: Json } {
  const view: { [k: string]: Json } = { clientSeq: state.seq, pending: state.pending !== null };
  if (repliedBy.length > 0) {
    const replies: { [replica: string]: Json } = {};
    for (const r of repliedBy) {
      const vote = state.pending?.votes.get(r);
      replies[r] = vote === undefined ? null : { output: vote };
    }
    view['replies'] = replies;
  }
  return view;
}

export function ballotJson(b: Ballot): Json {
  return ballotEquals(b, ZERO_BALLOT) || b.round === 0
    ? null
    : { round: b.round, leader: b.leader };
}

function commandJson(cmd: Command): Json {
  if (cmd.kind === 'join' || cmd.kind === 'quit')
    return { kind: cmd.kind, client: cmd.client, seq: cmd.seq, replica: cmd.replica };
  return cmd.kind === 'op'
    ? { kind: 'op', client: cmd.client, seq: cmd.seq, op: cmd.op }
    : { kind: cmd.kind };
}
