/**
 * A model-checking configuration of spec/Smr.tla (an MCSmr_*.cfg) explored on the trace
 * model's actions: the same Init, AtomicNext(Crashable), LiveView and invariants TLC checks,
 * with every parameter of Next enumerated within the model's bounds (MaxBallot, NumSlots,
 * MaxSeq), so BFS reports the distinct-state count TLC reports.
 */
import { counterApp } from '../../core/apps/counter.js';
import type { ActionName, Json } from '../../core/types.js';
import type { Protocol, Successor } from '../../spec/transition-system.js';
import type { Violation } from '../../spec/violation.js';
import type { TraceContext } from '../parse-header.js';
import { ACTION_TABLE } from './actions.js';
import { Net } from './net.js';
import { isRefusal, type ModelEnv } from './refusal.js';
import {
  initialWorld,
  nextFree,
  type ClientVars,
  type EventInfo,
  type ReplicaVars,
  type World,
} from './state.js';
import { Ballots, jsonKey, opCmd, prepareKey, acceptKey, type Msg, type MsgOf } from './values.js';

export interface McConstants {
  readonly replicas: readonly string[];
  readonly clients: readonly string[];
  readonly maxSeq: number;
  readonly numSlots: number;
  readonly maxBallot: number;
}

export interface McModel {
  readonly name: string;
  readonly module: string;
  readonly constants: McConstants;
  readonly crashable: readonly string[];
}

/** A step of Next: an action of one node, with the message it consumes or sends, or its slot. */
export interface McAction {
  readonly action: ActionName;
  readonly node: string;
  readonly msg?: Msg;
  readonly slot?: number;
}

/** An outcome a client accepted (Smr.tla's ghost `done`): the output, or FAIL. */
export interface Done {
  readonly client: string;
  readonly seq: number;
  readonly output: string;
}

export interface McState {
  readonly w: World;
  readonly done: readonly Done[];
}

const UNIT: Json = { type: 'inc' };

export function mcContext(k: McConstants): TraceContext {
  return {
    header: {
      format: 'smr-trace',
      version: 1,
      protocol: 'multipaxos',
      replicas: [...k.replicas],
      clients: [...k.clients],
      params: { app: 'counter' },
    } as never,
    replicas: k.replicas,
    clients: k.clients,
    replicaIndex: new Map(k.replicas.map((r, i) => [r, i])),
    clientIndex: new Map(k.clients.map((c, i) => [c, i])),
    ballots: new Ballots(k.replicas),
    app: counterApp,
    policy: 'majority',
    observe: 'full',
    clock: 'lamport',
  };
}

export function mcProtocol(model: McModel): Protocol<McState, McAction> {
  const k = model.constants;
  const ctx = mcContext(k);
  const env: ModelEnv = {
    ctx,
    n: k.replicas.length,
    causal: () => true,
    dead: () => false,
  };
  const crashable = new Set(model.crashable);
  const memo = new WeakMap<McAction, McState[]>();

  const event = (a: McAction): EventInfo => ({
    node: a.node,
    action: a.action,
    slot: a.slot,
    applied: undefined,
    msg: a.msg,
    lamport: -1,
    vc: null,
    file: '',
    line: 0,
  });

  /** The successors of one action instance (several when Learn guesses among values). */
  const take = (s: McState, a: McAction): McState[] => {
    const isClient = ctx.clientIndex.has(a.node);
    const index = (isClient ? ctx.clientIndex : ctx.replicaIndex).get(a.node) as number;
    const result = ACTION_TABLE[a.action](env, s.w, event(a), index);
    if (isRefusal(result)) return [];
    return result.map((w) => ({ w: commit(w), done: doneAfter(s, w, a) }));
  };

  const candidates = (s: McState): McAction[] => {
    const out: McAction[] = [];
    const msgs = [...s.w.net.above(null)].map((r) => r.msg);
    const ofType = <T extends Msg['type']>(t: T) =>
      msgs.filter((m): m is MsgOf<T> => m.type === t).sort(byKey);
    k.replicas.forEach((r, i) => {
      const v = s.w.replicas[i] as ReplicaVars;
      for (let b = 0; b <= k.maxBallot; b++)
        if (ctx.ballots.owner(b) === r)
          out.push({
            action: 'Phase1a',
            node: r,
            msg: {
              type: 'Prepare',
              from: r,
              bal: b,
              fromSlot: v.chosenPrefix,
              key: prepareKey(r, b, v.chosenPrefix),
            },
          });
      for (const m of ofType('Prepare')) out.push({ action: 'Phase1b', node: r, msg: m });
      for (const m of ofType('Promise')) out.push({ action: 'ReceivePromise', node: r, msg: m });
      out.push({ action: 'BecomeLeader', node: r });
      for (const [slot, p] of v.proposals)
        if (p.votes === 0) out.push(accept(r, v.ballot, slot, p.cmd));
      if (v.role === 'leader') {
        const slot = nextFree(v);
        if (slot < k.numSlots)
          for (const m of ofType('Request'))
            out.push(accept(r, v.ballot, slot, opCmd(m.from, m.seq, m.op, m.opKey)));
      }
      for (const m of ofType('Accept')) out.push({ action: 'Phase2b', node: r, msg: m });
      for (const m of ofType('Accepted')) out.push({ action: 'ReceiveAccepted', node: r, msg: m });
      for (const slot of v.proposals.keys()) out.push({ action: 'Decide', node: r, slot });
      for (let slot = 0; slot < k.numSlots; slot++) out.push({ action: 'Learn', node: r, slot });
      out.push({ action: 'Execute', node: r });
      for (const m of ofType('Request')) out.push({ action: 'ReplyFromSession', node: r, msg: m });
      out.push({ action: 'StepDown', node: r });
      if (crashable.has(r)) out.push({ action: 'Restart', node: r });
    });
    k.clients.forEach((c, j) => {
      const v = s.w.clients[j] as ClientVars;
      if (v.clientSeq < k.maxSeq) {
        const seq = v.clientSeq + 1;
        const opKey = jsonKey(UNIT);
        out.push({
          action: 'ClientRequest',
          node: c,
          msg: {
            type: 'Request',
            from: c,
            seq,
            op: UNIT,
            opKey,
            key: `Request\u0000${c}\u0000${seq}\u0000${opKey}`,
          },
        });
      }
      for (const m of ofType('Reply'))
        if (m.to === c) out.push({ action: 'ClientReceive', node: c, msg: m });
    });
    return out;
  };

  /** FollowUp(r): the core's follow-up steps, taken before anything else (AtomicNext). */
  const isFollowUp = (s: McState, a: McAction): boolean => {
    const i = ctx.replicaIndex.get(a.node);
    if (i === undefined) return false;
    const v = s.w.replicas[i] as ReplicaVars;
    switch (a.action) {
      case 'BecomeLeader':
      case 'Decide':
      case 'Execute':
        return true;
      case 'Phase2a':
        return a.msg?.type === 'Accept' && v.proposals.get(a.msg.slot)?.votes === 0;
      case 'StepDown':
        return v.role !== 'follower' && v.promised > v.ballot;
      default:
        return false;
    }
  };

  return {
    name: `spec:${model.name}`,
    initialStates: () => [{ w: initialWorld(ctx), done: [] }],
    actions(s) {
      const all: McAction[] = [];
      const follow: McAction[] = [];
      for (const a of candidates(s)) {
        const next = take(s, a);
        if (next.length === 0) continue;
        memo.set(a, next);
        (isFollowUp(s, a) ? follow : all).push(a);
      }
      return follow.length > 0 ? follow : all;
    },
    step(s, a): Successor<McState> {
      const next = memo.get(a) ?? take(s, a);
      const world = next[0];
      if (world === undefined) throw new Error(`${a.action} of ${a.node} is not enabled`);
      return { world, violations: NO_VIOLATIONS };
    },
    check: () => NO_VIOLATIONS,
    encode: (s) => encodeView(k, ctx, s),
    describe: (a) =>
      `${a.action}(${a.node}${a.slot !== undefined ? `, ${a.slot}` : ''}${a.msg !== undefined ? `, ${a.msg.key.split('\u0000').join('|')}` : ''})`,
  };

  function accept(r: string, bal: number, slot: number, cmd: MsgOf<'Accept'>['cmd']): McAction {
    return {
      action: 'Phase2a',
      node: r,
      msg: { type: 'Accept', from: r, bal, slot, cmd, key: acceptKey(r, bal, slot, cmd) },
    };
  }

  function doneAfter(s: McState, w: World, a: McAction): readonly Done[] {
    if (a.action !== 'ClientReceive') return s.done;
    const j = ctx.clientIndex.get(a.node) as number;
    const before = s.w.clients[j] as ClientVars;
    const after = w.clients[j] as ClientVars;
    if (!before.pending || after.pending) return s.done;
    const replies = new Map(before.replies);
    const m = a.msg as MsgOf<'Reply'>;
    replies.set(m.from, { output: m.output, outKey: m.outKey });
    const tally = new Map<string, number>();
    let output = 'FAIL';
    for (const { outKey } of replies.values()) {
      const count = (tally.get(outKey) ?? 0) + 1;
      tally.set(outKey, count);
      if (2 * count > k.replicas.length) output = outKey;
    }
    return [...s.done, { client: a.node, seq: before.clientSeq, output }].sort((x, y) =>
      x.client < y.client ? -1 : x.client > y.client ? 1 : x.seq - y.seq,
    );
  }
}

const NO_VIOLATIONS: readonly Violation[] = [];
const byKey = (a: Msg, b: Msg): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The successor's sends, committed to its own layer of `msgs`. */
function commit(w: World): World {
  if (w.sent.length === 0) return w;
  const net = new Net(w.net);
  for (const r of w.sent) net.add(r);
  return { ...w, net, sent: [] };
}

/** Live(m) of Smr.tla's LiveView: can m still enable a step that changes the state? */
function isLive(k: McConstants, ctx: TraceContext, w: World, m: Msg): boolean {
  switch (m.type) {
    case 'Promise': {
      const o = w.replicas[ctx.replicaIndex.get(ctx.ballots.owner(m.bal)) as number] as ReplicaVars;
      return o.role === 'candidate' && o.ballot === m.bal;
    }
    case 'Prepare':
      return w.replicas.some((v, i) => k.replicas[i] !== m.from && v.promised < m.bal);
    case 'Reply': {
      const c = w.clients[ctx.clientIndex.get(m.to) as number] as ClientVars;
      return c.pending && c.clientSeq === m.seq;
    }
    default:
      return true;
  }
}

function encodeView(k: McConstants, ctx: TraceContext, s: McState): string {
  const { w } = s;
  const replica = (v: ReplicaVars): string => {
    const entries: string[] = [];
    for (const [slot, x] of v.accepted.from(0)) entries.push(`${slot}:${x.bal}:${x.cmd.key}`);
    const chosen: string[] = [];
    for (const [slot, c] of v.chosen.from(0)) chosen.push(`${slot}:${c.key}`);
    const promises = [...v.promises]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(
        ([from, es]) => `${from}<${es.map((e) => `${e.slot}:${e.bal}:${e.cmd.key}`).join(',')}>`,
      );
    const proposals = [...v.proposals]
      .sort(([a], [b]) => a - b)
      .map(([slot, p]) => `${slot}:${p.cmd.key}:${p.votes}`);
    const sessions = k.clients.map((c) => {
      const x = v.sessions.get(c);
      return x === undefined ? '0:0' : `${x.seq}:${x.outKey}`;
    });
    return [
      v.promised,
      entries.join(','),
      chosen.join(','),
      v.role,
      v.role === 'follower' ? -1 : v.ballot,
      v.role === 'candidate' ? v.prepareFrom : 0,
      promises.join(','),
      proposals.join(','),
      v.role === 'leader' ? v.nextSlot : 0,
      v.executed,
      sessions.join(','),
      JSON.stringify(v.app),
    ].join('|');
  };
  const client = (c: ClientVars): string =>
    `${c.clientSeq}|${c.pending ? 1 : 0}|${[...c.replies]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([f, o]) => `${f}:${o.outKey}`)
      .join(',')}`;
  const live: string[] = [];
  for (const r of w.net.above(null)) if (isLive(k, ctx, w, r.msg)) live.push(r.msg.key);
  return [
    w.replicas.map(replica).join('/'),
    w.clients.map(client).join('/'),
    live.sort().join(';'),
    s.done.map((d) => `${d.client}#${d.seq}=${d.output}`).join(','),
  ].join('\n');
}
