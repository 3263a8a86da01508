/**
 * Refinement of the TLA+ twin by the core: every core step, replayed as the spec actions it
 * reports (its `Trace` events, in order), must take abstract(before) to abstract(after). A step
 * with no events must be a stutter. The explorer runs this on every transition with
 * `--refinement` (harness/explore's TransitionCheck); a failure is a `Refinement` violation that
 * describes both states.
 *
 * Messages are compared as what each side newly sent: the core's in-flight network does not keep
 * the history of Lamport's `msgs`, so the twin's guards see the messages in flight, every request
 * ever issued, and the messages the sender's state proves it sent (abstractMessages).
 */
import type { NodeEvent, Transition } from '../model/step.js';
import type { Violation } from '../../src/spec/violation.js';
import type { ClusterConfig, World } from '../model/world.js';
import { applyAction, describeAction, type SpecAction } from '../../src/spec/actions.js';
import { encodeReplica } from '../../src/spec/encode.js';
import { cmdKey, msgKey } from '../../src/spec/state.js';
import {
  FAIL,
  type Msg,
  type ReplicaVars,
  type SpecConstants,
  type SpecState,
} from '../../src/spec/types.js';
import {
  abstraction,
  abstractMessages,
  abstractWorld,
  isExact,
  type Abstraction,
} from './abstract.js';

const cache = new WeakMap<ClusterConfig, { exact?: Abstraction; opaque?: Abstraction }>();

export function abstractionFor(cfg: ClusterConfig, world: World): Abstraction {
  const exact = isExact(cfg, world);
  const entry = cache.get(cfg) ?? {};
  cache.set(cfg, entry);
  const key = exact ? 'exact' : 'opaque';
  return (entry[key] ??= abstraction(cfg, exact));
}

/** The spec action a core trace event stands for, or a reason it has none. */
export function specActionOf(a: Abstraction, e: NodeEvent): SpecAction | string {
  const { node, event } = e;
  const msg = event.msg === undefined ? null : a.message(event.msg);
  switch (event.action) {
    case 'Phase1a':
      return msg?.type === 'Prepare'
        ? { action: 'Phase1a', node, ballot: msg.bal }
        : 'Phase1a without its Prepare';
    case 'Phase2a':
      return msg?.type === 'Accept'
        ? { action: 'Phase2a', node, slot: msg.slot, cmd: msg.cmd }
        : 'Phase2a without its Accept';
    case 'Decide':
      return event.slot === undefined
        ? 'Decide without a slot'
        : { action: 'Decide', node, slot: event.slot };
    case 'Learn':
      return event.msg?.type === 'Decision'
        ? { action: 'Learn', node, slot: event.msg.slot, cmd: a.cmd(event.msg.cmd) }
        : 'Learn without its Decision';
    case 'ReplyFromSession':
      return msg?.type === 'Reply'
        ? { action: 'ReplyFromSession', node, msg: { type: 'Request', from: msg.to, seq: msg.seq } }
        : 'ReplyFromSession without its Reply';
    case 'Phase1b':
    case 'ReceivePromise':
    case 'Phase2b':
    case 'ReceiveAccepted':
    case 'ClientReceive':
      return msg === null
        ? `${event.action} without its message`
        : { action: event.action, node, msg };
    case 'BecomeLeader':
    case 'Execute':
    case 'StepDown':
    case 'Restart':
    case 'ClientRequest':
      return { action: event.action, node };
  }
}

export function describeEvents(events: readonly NodeEvent[]): string {
  if (events.length === 0) return 'no spec action (a stutter)';
  return events
    .map(
      (e) =>
        `${e.node} ${e.event.action}${e.event.slot === undefined ? '' : ` slot=${e.event.slot}`}`,
    )
    .join(', ');
}

export const fmtReplica = (v: ReplicaVars): string =>
  `promised=${v.promised} accepted=[${v.accepted.map((e) => `${e.slot}:${e.bal}:${cmdKey(e.cmd)}`).join(' ')}] ` +
  `chosen=[${v.chosen.map((e) => `${e.slot}:${cmdKey(e.cmd)}`).join(' ')}] role=${v.role} ballot=${v.ballot} ` +
  `proposals=[${v.proposals.map((p) => `${p.slot}:${cmdKey(p.cmd)}:{${p.votes.join(',')}}`).join(' ')}] ` +
  `nextSlot=${v.nextSlot} executed=${v.executed} app=${v.app} ` +
  `sessions=[${v.sessions.map((x) => `${x.seq}:${x.output}`).join(' ')}]`;

/** Field-by-field differences between the core's abstract state and the twin's. */
function differences(a: Abstraction, core: SpecState, twin: SpecState): string[] {
  const out: string[] = [];
  a.constants.replicas.forEach((r, i) => {
    const c = core.replicas[i] as ReplicaVars;
    const t = twin.replicas[i] as ReplicaVars;
    if (encodeReplica(c) !== encodeReplica(t))
      out.push(`${r}: core ${fmtReplica(c)} | spec ${fmtReplica(t)}`);
  });
  a.constants.clients.forEach((c, i) => {
    const x = JSON.stringify(core.clients[i]);
    const y = JSON.stringify(twin.clients[i]);
    if (x !== y) out.push(`${c}: core ${x} | spec ${y}`);
  });
  const done = (s: SpecState) => s.done.map((d) => `${d.client}#${d.seq}=${d.output}`).join(' ');
  if (done(core) !== done(twin)) out.push(`done: core [${done(core)}] | spec [${done(twin)}]`);
  return out;
}

/** Check one core transition against the twin. */
export function checkRefinementStep(cfg: ClusterConfig, before: World, t: Transition): Violation[] {
  const a = abstractionFor(cfg, t.world);
  const k = a.constants;
  const from = abstractWorld(a, before);
  const what = describeEvents(t.events);
  const fail = (message: string): Violation[] => [
    {
      invariant: 'Refinement',
      ...(t.node !== undefined ? { node: t.node } : {}),
      message: `${what}: ${message}`,
    },
  ];

  let twin = from;
  const replayReplies = new Set<string>();
  const restart = t.events[0]?.event.action === 'Restart';
  for (const e of t.events) {
    const action = specActionOf(a, e);
    if (typeof action === 'string') return fail(action);
    const step = applyAction(k, twin, action);
    if (!step.ok) {
      const v = twin.replicas[k.replicas.indexOf(e.node)];
      const state = v === undefined ? '' : ` (spec state of ${e.node}: ${fmtReplica(v)})`;
      return fail(
        `${describeAction(action)} is not enabled in the spec: ${step.guard} does not hold${state}`,
      );
    }
    twin = a.exact ? step.state : opaque(step.state);
    if (action.action === 'Execute' && restart && e.event.msg !== undefined) {
      const m = a.message(e.event.msg);
      if (m !== null) replayReplies.add(msgKey(m));
    }
    if (action.action === 'ReceiveAccepted') twin = impliedDecide(k, twin, e.node, action.msg);
  }

  const to = abstractWorld(a, t.world);
  const diffs = differences(a, to, twin);
  if (diffs.length > 0) return fail(`the states differ after the step — ${diffs.join('; ')}`);

  // Newly sent messages: the twin's must be the core's (a silent replay re-sends nothing).
  const old = from.msgs.byKey;
  const coreNew = new Set<string>();
  for (const p of t.sent) {
    const m = a.message(p.msg);
    if (m !== null && !old.has(msgKey(m))) coreNew.add(msgKey(m));
  }
  for (const key of abstractMessages(a, t.world).keys) if (!old.has(key)) coreNew.add(key);
  const twinNew = twin.msgs.keys.filter((key) => !old.has(key) && !replayReplies.has(key));
  const missing = twinNew.filter((key) => !coreNew.has(key));
  const extra = [...coreNew].filter((key) => !twin.msgs.byKey.has(key));
  if (missing.length > 0 || extra.length > 0) {
    const show = (keys: readonly string[]) =>
      keys.map((key) => describeMsg(twin.msgs.byKey.get(key), key)).join(', ');
    return fail(
      [
        missing.length > 0 ? `the spec sends ${show(missing)} but the core does not` : '',
        extra.length > 0
          ? `the core sends ${extra.join(', ')} which the spec's actions do not`
          : '',
      ]
        .filter((x) => x !== '')
        .join('; '),
    );
  }
  return [];
}

/**
 * With an app other than the unit counter, the twin's outputs (counter values) mean nothing:
 * map them to 0 as the abstraction does (FAIL stays FAIL).
 */
export function opaque(s: SpecState): SpecState {
  // One pass over the set: the keys of replies change, so the key order is rebuilt once.
  const byKey = new Map<string, Msg>();
  for (const m of s.msgs.byKey.values()) {
    const x = m.type === 'Reply' && m.output !== 0 ? { ...m, output: 0 } : m;
    byKey.set(msgKey(x), x);
  }
  const msgs = { keys: [...byKey.keys()].sort(), byKey };
  return {
    replicas: s.replicas.map((v) => ({
      ...v,
      app: 0,
      sessions: v.sessions.map((x) => ({ seq: x.seq, output: 0 })),
    })),
    clients: s.clients.map((c) => ({
      ...c,
      replies: c.replies.map((x) => ({ from: x.from, output: 0 })),
    })),
    msgs,
    done: s.done.map((d) => (d.output === FAIL ? d : { ...d, output: 0 })),
  };
}

const describeMsg = (m: Msg | undefined, key: string): string =>
  m === undefined ? key : `${m.type} ${key}`;

/**
 * The core's Decide is silent when the slot was already learned (learner.ts's learn() traces
 * only new knowledge), but the proposal is retired all the same: that is the spec's Decide.
 */
export function impliedDecide(k: SpecConstants, s: SpecState, node: string, msg: Msg): SpecState {
  if (msg.type !== 'Accepted') return s;
  const v = s.replicas[k.replicas.indexOf(node)];
  const p = v?.proposals.find((x) => x.slot === msg.slot);
  if (v === undefined || p === undefined || !v.chosen.some((e) => e.slot === msg.slot)) return s;
  const step = applyAction(k, s, { action: 'Decide', node, slot: msg.slot });
  return step.ok ? step.state : s;
}
