/**
 * Canonical encoding of twin states: equal encodings ⇔ equal Smr.tla states, which is what
 * makes the explorer's distinct-state count comparable with TLC's. Per-replica and message-set
 * encodings are memoised by object identity (states share unchanged parts), a pure cache.
 */
import { cmdKey, owner } from './state.js';
import type { ClientVars, Entry, Msg, MsgSet, ReplicaVars, SpecConstants, SpecState } from './types.js';

const replicaCache = new WeakMap<ReplicaVars, string>();
const msgsCache = new WeakMap<MsgSet, string>();

const entries = (es: readonly Entry[]): string =>
  es.map((e) => `${e.slot}:${e.bal}:${cmdKey(e.cmd)}`).join(',');

export function encodeReplica(v: ReplicaVars): string {
  let text = replicaCache.get(v);
  if (text !== undefined) return text;
  text = [
    v.promised,
    entries(v.accepted),
    v.chosen.map((e) => `${e.slot}:${cmdKey(e.cmd)}`).join(','),
    v.role,
    v.ballot,
    v.prepareFrom,
    v.promises.map((p) => `${p.from}<${entries(p.accepted)}>`).join(','),
    v.proposals.map((p) => `${p.slot}:${cmdKey(p.cmd)}:${p.votes.join('+')}`).join(','),
    v.nextSlot,
    v.executed,
    v.sessions.map((x) => `${x.seq}:${x.output}`).join(','),
    v.app,
  ].join('|');
  replicaCache.set(v, text);
  return text;
}

const encodeClient = (c: ClientVars): string =>
  `${c.clientSeq}|${c.pending ? 1 : 0}|${c.replies.map((x) => `${x.from}:${x.output}`).join(',')}`;

export function encodeMsgs(msgs: MsgSet): string {
  let text = msgsCache.get(msgs);
  if (text === undefined) {
    text = msgs.keys.join(';');
    msgsCache.set(msgs, text);
  }
  return text;
}

/** The canonical encoding of a state of Smr.tla. */
export function encodeState(s: SpecState): string {
  return [
    s.replicas.map(encodeReplica).join('/'),
    s.clients.map(encodeClient).join('/'),
    encodeMsgs(s.msgs),
    s.done.map((d) => `${d.client}#${d.seq}=${d.output}`).join(','),
  ].join('\n');
}

/**
 * Live(m): can m still enable a step that changes the state? A Promise only matters while its
 * ballot's owner is a candidate at that ballot, a Prepare while some other replica has promised
 * less than its ballot, a Reply while its client waits for that request. Once dead, always dead.
 */
export function isLive(k: SpecConstants, s: SpecState, m: Msg): boolean {
  switch (m.type) {
    case 'Promise': {
      const o = s.replicas[k.replicas.indexOf(owner(k, m.bal))] as ReplicaVars;
      return o.role === 'candidate' && o.ballot === m.bal;
    }
    case 'Prepare':
      return s.replicas.some((v, i) => k.replicas[i] !== m.from && v.promised < m.bal);
    case 'Reply': {
      const c = s.clients[k.clients.indexOf(m.to)] as ClientVars;
      return c.pending && c.clientSeq === m.seq;
    }
    default:
      return true;
  }
}

/** The encoding of the VIEW: the state without its dead messages. */
export function encodeView(k: SpecConstants, s: SpecState): string {
  const live = s.msgs.keys.filter((key) => isLive(k, s, s.msgs.byKey.get(key) as Msg));
  return [
    s.replicas.map(encodeReplica).join('/'),
    s.clients.map(encodeClient).join('/'),
    live.join(';'),
    s.done.map((d) => `${d.client}#${d.seq}=${d.output}`).join(','),
  ].join('\n');
}

