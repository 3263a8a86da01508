/**
 * The actions of spec/Smr.tla as data, one dispatch table from name to twin function
 * (STYLE.md §4), and the enumeration of Next: every action instance that may be enabled in a
 * state, in a deterministic order.
 */
import { ClientReceive, ClientRequest } from './client.js';
import { Execute, Learn, Restart, ReplyFromSession, StepDown } from './learner.js';
import { BecomeLeader, Phase1a, Phase1b, ReceivePromise } from './phase1.js';
import { Decide, Phase2a, Phase2b, ReceiveAccepted } from './phase2.js';
import { cmdKey, messages, msgKey, owner } from './state.js';
import type { Cmd, Msg, ReplicaVars, SpecConstants, SpecState, Step } from './types.js';

/** The actions of Smr.tla, in the order of its Next. */
export const ACTIONS = [
  'Phase1a',
  'Phase1b',
  'ReceivePromise',
  'BecomeLeader',
  'Phase2a',
  'Phase2b',
  'ReceiveAccepted',
  'Decide',
  'Learn',
  'Execute',
  'ReplyFromSession',
  'StepDown',
  'Restart',
  'ClientRequest',
  'ClientReceive',
] as const;
export type SpecActionName = (typeof ACTIONS)[number];

type MsgAction =
  | 'Phase1b'
  | 'ReceivePromise'
  | 'Phase2b'
  | 'ReceiveAccepted'
  | 'ReplyFromSession'
  | 'ClientReceive';

/** One instance of an action: its name and parameters (`node` is r or c). */
export type SpecAction =
  | { readonly action: 'Phase1a'; readonly node: string; readonly ballot: number }
  | { readonly action: MsgAction; readonly node: string; readonly msg: Msg }
  | {
      readonly action: 'BecomeLeader' | 'Execute' | 'StepDown' | 'Restart' | 'ClientRequest';
      readonly node: string;
    }
  | { readonly action: 'Decide'; readonly node: string; readonly slot: number }
  | { readonly action: 'Phase2a' | 'Learn'; readonly node: string; readonly slot: number; readonly cmd: Cmd };

/** Take one action instance. */
export function applyAction(k: SpecConstants, s: SpecState, a: SpecAction): Step {
  switch (a.action) {
    case 'Phase1a':
      return Phase1a(k, s, a.node, a.ballot);
    case 'Phase1b':
      return Phase1b(k, s, a.node, a.msg);
    case 'ReceivePromise':
      return ReceivePromise(k, s, a.node, a.msg);
    case 'Phase2b':
      return Phase2b(k, s, a.node, a.msg);
    case 'ReceiveAccepted':
      return ReceiveAccepted(k, s, a.node, a.msg);
    case 'ReplyFromSession':
      return ReplyFromSession(k, s, a.node, a.msg);
    case 'ClientReceive':
      return ClientReceive(k, s, a.node, a.msg);
    case 'BecomeLeader':
      return BecomeLeader(k, s, a.node);
    case 'Execute':
      return Execute(k, s, a.node);
    case 'StepDown':
      return StepDown(k, s, a.node);
    case 'Restart':
      return Restart(k, s, a.node);
    case 'ClientRequest':
      return ClientRequest(k, s, a.node);
    case 'Decide':
      return Decide(k, s, a.node, a.slot);
    case 'Phase2a':
      return Phase2a(k, s, a.node, a.slot, a.cmd);
    case 'Learn':
      return Learn(k, s, a.node, a.slot, a.cmd);
  }
}

const RECEIVERS: { readonly [T in Msg['type']]: MsgAction } = {
  Prepare: 'Phase1b',
  Promise: 'ReceivePromise',
  Accept: 'Phase2b',
  Accepted: 'ReceiveAccepted',
  Request: 'ReplyFromSession',
  Reply: 'ClientReceive',
};

/**
 * Every action instance whose parameters could make it enabled (Next's existential
 * quantifiers, narrowed to values that can satisfy the guards); callers filter with the guards.
 */
export function candidateActions(k: SpecConstants, s: SpecState): SpecAction[] {
  const out: SpecAction[] = [];
  const requests: Msg[] = [];
  for (const m of messages(s.msgs)) if (m.type === 'Request') requests.push(m);
  k.replicas.forEach((r, i) => {
    const v = s.replicas[i] as ReplicaVars;
    for (let b = 0; b <= k.maxBallot; b++) if (owner(k, b) === r) out.push({ action: 'Phase1a', node: r, ballot: b });
    out.push({ action: 'BecomeLeader', node: r }, { action: 'Execute', node: r });
    out.push({ action: 'StepDown', node: r }, { action: 'Restart', node: r });
    for (const p of v.proposals) out.push({ action: 'Decide', node: r, slot: p.slot });
    for (const p of v.proposals) if (p.votes.length === 0) out.push({ action: 'Phase2a', node: r, slot: p.slot, cmd: p.cmd });
    if (v.role === 'leader') {
      let slot = v.nextSlot;
      while (v.chosen.some((e) => e.slot === slot)) slot++;
      for (const m of requests) {
        if (m.type === 'Request') out.push({ action: 'Phase2a', node: r, slot, cmd: { kind: 'op', client: m.from, seq: m.seq } });
      }
    }
    const learnable = new Map<string, { slot: number; cmd: Cmd }>();
    s.replicas.forEach((q, j) => {
      if (j !== i) for (const e of q.chosen) learnable.set(`${e.slot}/${cmdKey(e.cmd)}`, e);
    });
    for (const key of [...learnable.keys()].sort()) {
      const e = learnable.get(key) as { slot: number; cmd: Cmd };
      out.push({ action: 'Learn', node: r, slot: e.slot, cmd: e.cmd });
    }
    for (const m of messages(s.msgs)) if (m.type !== 'Reply') out.push({ action: RECEIVERS[m.type], node: r, msg: m });
  });
  for (const c of k.clients) {
    out.push({ action: 'ClientRequest', node: c });
    for (const m of messages(s.msgs)) if (m.type === 'Reply' && m.to === c) out.push({ action: 'ClientReceive', node: c, msg: m });
  }
  return out;
}

/** The enabled action instances and their successor states. */
export function successors(k: SpecConstants, s: SpecState): { action: SpecAction; state: SpecState }[] {
  const out: { action: SpecAction; state: SpecState }[] = [];
  for (const a of candidateActions(k, s)) {
    const step = applyAction(k, s, a);
    if (step.ok) out.push({ action: a, state: step.state });
  }
  return out;
}

/** A short label, the action name first (STYLE.md §5). */
export function describeAction(a: SpecAction): string {
  switch (a.action) {
    case 'Phase1a':
      return `Phase1a(${a.node}, ${a.ballot})`;
    case 'Decide':
      return `Decide(${a.node}, ${a.slot})`;
    case 'Phase2a':
    case 'Learn':
      return `${a.action}(${a.node}, ${a.slot}, ${cmdKey(a.cmd)})`;
    case 'BecomeLeader':
    case 'Execute':
    case 'StepDown':
    case 'Restart':
    case 'ClientRequest':
      return `${a.action}(${a.node})`;
    default:
      return `${a.action}(${a.node}, ${msgKey(a.msg)})`;
  }
}
