/**
 * Refinement of the TLA+ twin, one node step at a time: the check the explorer and the
 * simulator run on every step by default. A replica's (or client's) step, replayed as the spec
 * actions its `Trace` events name, must take the node's abstract variables to the ones the
 * core's step produced, with every action enabled, and must send exactly the spec-visible
 * messages those actions send.
 *
 * It is `checkRefinementStep` (check.ts) restricted to what one node can see, which is what
 * makes it cheap: the result depends only on the node's state, its input and the step, so the
 * explorer computes it once per memoised node step. What it cannot see is left to the
 * world-level invariants: whether a learned value is chosen (the ghost's Agreement), whether a
 * proposed request was issued (Validity).
 *
 * Replicas are compared with opaque app states and outputs (the twin's app is a counter);
 * clients are compared with every distinct output numbered, so their vote counting — the
 * output filter — is checked for any app.
 */
import { canonicalEncode } from '../../src/core/canonical.js';
import type { ClientState } from '../../src/core/client.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import type { Effect, Input, Json, StepResult } from '../../src/core/types.js';
import { applyAction, type SpecAction } from '../../src/spec/actions.js';
import { chosenPrefix } from '../../src/core/replica/state.js';
import { encodeReplica } from '../../src/spec/encode.js';
import { addMsg, EMPTY_MSGS, initialReplica, msgKey, putSlot } from '../../src/spec/state.js';
import {
  FAIL,
  type ClientVars,
  type Msg,
  type MsgSet,
  type Outcome,
  type ReplicaVars,
  type SpecState,
} from '../../src/spec/types.js';
import type { Violation } from '../../src/spec/violation.js';
import type { NodeEvent } from '../model/step.js';
import type { ClusterConfig } from '../model/world.js';
import {
  abstractClient,
  abstraction,
  abstractReplica,
  shiftMessage,
  type Abstraction,
} from './abstract.js';
import { describeCommand } from '../model/invariants.js';
import { describeEvents, fmtReplica, impliedDecide, opaque, specActionOf } from './check.js';

/** The per-step refinement check of one cluster configuration, memoised per step result. */
export class StepRefinement {
  private readonly replicas: Abstraction;
  private readonly clients: Abstraction;
  private readonly outputIds = new Map<string, number>();
  private readonly memo = new WeakMap<object, readonly Violation[]>();

  constructor(cfg: ClusterConfig) {
    this.replicas = abstraction(cfg, false);
    this.clients = abstraction(cfg, false, (o) => this.outputId(o));
  }

  /** Outputs numbered from 1 in order of first appearance (0 is the twin's initial value). */
  private outputId(o: Json): number {
    const key = canonicalEncode(o);
    let id = this.outputIds.get(key);
    if (id === undefined) {
      id = this.outputIds.size + 1;
      this.outputIds.set(key, id);
    }
    return id;
  }

  /** Violations of one replica step; the same array for the same step result. */
  readonly replica = (
    before: ReplicaState,
    input: Input,
    result: StepResult<ReplicaState>,
  ): readonly Violation[] => this.memoised(result, () => this.checkReplica(before, input, result));

  /** Violations of one client step (majority policy only: the twin's clients vote). */
  readonly client = (
    before: ClientState,
    input: Input,
    result: StepResult<ClientState>,
  ): readonly Violation[] =>
    before.params.policy !== 'majority'
      ? NONE
      : this.memoised(result, () => this.checkClient(before, input, result));

  private memoised(result: object, check: () => readonly Violation[]): readonly Violation[] {
    let found = this.memo.get(result);
    if (found === undefined) {
      found = check();
      this.memo.set(result, found);
    }
    return found;
  }

  private checkReplica(
    before: ReplicaState,
    input: Input,
    result: StepResult<ReplicaState>,
  ): readonly Violation[] {
    const a = this.replicas;
    const k = a.constants;
    const node = before.id;
    const i = k.replicas.indexOf(node);
    const events = nodeEvents(node, result.effects);
    if (i < 0) return NONE;
    if (events.length === 0 && result.state === before && !sends(result.effects)) return NONE;

    // Only a window of slots is compared: below it every slot is chosen and executed, and the
    // step must leave those alone. It keeps the check's cost independent of the log's length.
    const low = windowStart(before, result.state, input);
    const moved = changedBelow(before, result.state, low);
    if (moved !== null)
      return [{ invariant: 'Refinement', node, message: `${describeEvents(events)}: ${moved}` }];

    // The twin state before: this replica's variables, and what the step's guards may ask of
    // the rest of the world (the consumed message, the requests it proposes, a peer that knows
    // what it learns) — the world-level invariants judge those.
    const replicas: ReplicaVars[] = k.replicas.map(() => initialReplica(k));
    replicas[i] = abstractReplica(a, before, low);
    let msgs = consumed(a, input, low);
    const witness = (i + 1) % k.replicas.length;
    for (const e of events) {
      const m = e.event.msg;
      if (e.event.action === 'Phase2a' && m?.type === 'Accept' && m.cmd.kind === 'op')
        msgs = addMsg(msgs, { type: 'Request', from: m.cmd.client, seq: m.cmd.seq });
      if (e.event.action === 'Learn' && m?.type === 'Decision' && witness !== i) {
        const w = replicas[witness] as ReplicaVars;
        const entry = { slot: m.slot - low, cmd: a.cmd(m.cmd) };
        replicas[witness] = { ...w, chosen: putSlot(w.chosen, entry) };
      }
    }
    const from: SpecState = { replicas, clients: [], msgs, done: [] };
    const fail = (message: string): Violation[] => [
      { invariant: 'Refinement', node, message: `${describeEvents(events)}: ${message}` },
    ];

    let twin = from;
    const replayed = new Set<string>();
    const restart = events[0]?.event.action === 'Restart';
    for (const e of events) {
      const unshifted = specActionOf(a, e);
      if (typeof unshifted === 'string') return fail(unshifted);
      const action = shiftAction(unshifted, low);
      const step = applyAction(k, twin, action);
      if (!step.ok) {
        return fail(
          `${action.action} is not enabled in the spec: ${step.guard} does not hold (spec state of ${node}: ${fmtReplica(twin.replicas[i] as ReplicaVars)})`,
        );
      }
      twin = step.state;
      if (action.action === 'Execute' && restart && e.event.msg !== undefined) {
        const m = a.message(e.event.msg);
        if (m !== null) replayed.add(msgKey(shiftMessage(m, low)));
      }
      if (action.action === 'ReceiveAccepted') twin = impliedDecide(k, twin, node, action.msg);
    }
    // App states and outputs are opaque (the twin's app is a counter; its guards never read it).
    twin = opaque(twin);

    const core = abstractReplica(a, result.state, low);
    const spec = twin.replicas[i] as ReplicaVars;
    if (encodeReplica(core) !== encodeReplica(spec))
      return fail(
        `the states differ after the step — core ${fmtReplica(core)} | spec ${fmtReplica(spec)}`,
      );

    // What the core sent again without a spec action: a candidate's Prepare, a leader's Accept
    // for an open proposal (heartbeat retransmission), proved sent by the state.
    const proven = new Set<string>();
    for (const r of [before, result.state]) {
      const v = r.volatile;
      const bal = a.ballot(v.ballot);
      if (v.role === 'candidate')
        proven.add(msgKey({ type: 'Prepare', from: node, bal, fromSlot: v.prepareFrom - low }));
      if (v.role === 'leader')
        for (const [slot, p] of v.proposals)
          proven.add(
            msgKey({ type: 'Accept', from: node, bal, slot: slot - low, cmd: a.cmd(p.cmd) }),
          );
    }
    // With no peers a broadcast reaches nobody: the spec's Prepare and Accept need not appear.
    if (k.replicas.length === 1)
      for (const [key, m] of twin.msgs.byKey)
        if ((m.type === 'Prepare' || m.type === 'Accept') && !from.msgs.byKey.has(key))
          proven.add(key);
    const chosenOnly = carriesOnlyChosen(result.state, result.effects);
    if (chosenOnly !== null) return fail(chosenOnly);
    return compareSends(a, from.msgs, twin.msgs, result.effects, replayed, proven, fail, low);
  }

  private checkClient(
    before: ClientState,
    input: Input,
    result: StepResult<ClientState>,
  ): readonly Violation[] {
    const a = this.clients;
    const k = a.constants;
    const node = before.id;
    const j = k.clients.indexOf(node);
    const events = nodeEvents(node, result.effects);
    if (j < 0) return NONE;
    const completes = result.effects.filter(
      (e): e is Extract<Effect, { kind: 'Complete' }> => e.kind === 'Complete',
    );
    if (events.length === 0 && completes.length === 0 && !sends(result.effects)) {
      // A stutter must leave the client's spec variables alone.
      const x = JSON.stringify(abstractClient(a, before));
      const y = JSON.stringify(abstractClient(a, result.state));
      return x === y
        ? NONE
        : this.clientFail(
            node,
            events,
            `the client changed without a spec action — ${x} became ${y}`,
          );
    }
    const clients: ClientVars[] = k.clients.map(() => ({
      clientSeq: 0,
      pending: false,
      replies: [],
    }));
    clients[j] = abstractClient(a, before);
    const from: SpecState = { replicas: [], clients, msgs: consumed(a, input, 0), done: [] };
    let twin = from;
    for (const e of events) {
      const action = specActionOf(a, e);
      if (typeof action === 'string') return this.clientFail(node, events, action);
      const step = applyAction(k, twin, action);
      if (!step.ok)
        return this.clientFail(
          node,
          events,
          `${action.action} is not enabled in the spec: ${step.guard} does not hold (spec state of ${node}: ${JSON.stringify(twin.clients[j])})`,
        );
      twin = step.state;
    }
    const core = JSON.stringify(abstractClient(a, result.state));
    const spec = JSON.stringify(twin.clients[j]);
    if (core !== spec)
      return this.clientFail(
        node,
        events,
        `the states differ after the step — core ${core} | spec ${spec}`,
      );
    const coreDone: Outcome[] = completes.map((c) => ({
      client: node,
      seq: c.seq,
      output: c.outcome.ok ? a.output(c.outcome.output) : FAIL,
    }));
    const show = (os: readonly Outcome[]) =>
      os
        .map((o) => `${o.client}#${o.seq}=${o.output === FAIL ? 'FAIL' : `output ${o.output}`}`)
        .join(', ') || 'nothing';
    if (JSON.stringify(coreDone) !== JSON.stringify(twin.done))
      return this.clientFail(
        node,
        events,
        `the client accepted ${show(coreDone)} where the spec accepts ${show(twin.done)}`,
      );
    const proven = new Set<string>();
    if (before.pending !== null)
      proven.add(msgKey({ type: 'Request', from: node, seq: before.pending.seq }));
    return compareSends(a, from.msgs, twin.msgs, result.effects, new Set(), proven, (m) =>
      this.clientFail(node, events, m),
    );
  }

  private clientFail(node: string, events: readonly NodeEvent[], message: string): Violation[] {
    return [{ invariant: 'Refinement', node, message: `${describeEvents(events)}: ${message}` }];
  }
}

const NONE: readonly Violation[] = Object.freeze([]);

function nodeEvents(node: string, effects: readonly Effect[]): NodeEvent[] {
  const out: NodeEvent[] = [];
  for (const e of effects) if (e.kind === 'Trace') out.push({ node, event: e.event });
  return out;
}

const sends = (effects: readonly Effect[]): boolean =>
  effects.some((e) => e.kind === 'Send' || e.kind === 'Reply');

function consumed(a: Abstraction, input: Input, low: number): MsgSet {
  if (input.kind !== 'Receive') return EMPTY_MSGS;
  const m = a.message(input.msg);
  return m === null ? EMPTY_MSGS : addMsg(EMPTY_MSGS, shiftMessage(m, low));
}

/**
 * The first slot the per-step check compares: no slot the step reads or writes lies below it
 * (the replica's executed count and chosen prefix, its leader or candidate bookkeeping, the
 * slots its input names), so every slot below it is chosen and executed.
 */
function windowStart(before: ReplicaState, after: ReplicaState, input: Input): number {
  // A restart re-executes the log from slot 0.
  if (input.kind === 'Restart') return 0;
  let low = Math.min(
    chosenPrefix(before.durable),
    chosenPrefix(after.durable),
    before.volatile.executed,
    after.volatile.executed,
  );
  for (const r of [before, after]) {
    const v = r.volatile;
    if (v.role === 'candidate') {
      low = Math.min(low, v.prepareFrom);
      for (const es of v.promises.values()) for (const e of es) low = Math.min(low, e.slot);
    }
    if (v.role === 'leader') {
      low = Math.min(low, v.nextSlot);
      for (const slot of v.proposals.keys()) low = Math.min(low, slot);
    }
  }
  if (input.kind === 'Receive') {
    const m = input.msg;
    switch (m.type) {
      case 'Prepare':
      case 'CatchUpRequest':
        low = Math.min(low, m.fromSlot);
        break;
      case 'Promise':
        for (const e of m.accepted) low = Math.min(low, e.slot);
        break;
      case 'Accept':
      case 'Accepted':
      case 'Decision':
        low = Math.min(low, m.slot);
        break;
      case 'CatchUpReply':
        for (const e of m.entries) low = Math.min(low, e.slot);
        break;
      case 'Heartbeat':
        low = Math.min(low, m.chosenPrefix);
        break;
      default:
        break;
    }
  }
  return Math.max(low, 0);
}

/** Why the step changed a slot below the window, or null. */
function changedBelow(before: ReplicaState, after: ReplicaState, low: number): string | null {
  const b = before.durable;
  const a = after.durable;
  // Equal states may be different objects (the explorer keeps one per distinct state).
  const same = (x: unknown, y: unknown): boolean =>
    x === y ||
    (x !== undefined &&
      y !== undefined &&
      canonicalEncode(x as never) === canonicalEncode(y as never));
  for (let slot = 0; slot < low; slot++) {
    if (b.accepted !== a.accepted && !same(b.accepted.get(slot), a.accepted.get(slot)))
      return `the step changed the accepted value of slot ${slot}, which is chosen and executed`;
    if (b.chosen !== a.chosen && !same(b.chosen.get(slot), a.chosen.get(slot)))
      return `the step changed chosen slot ${slot}, which is executed`;
  }
  return null;
}

/**
 * A Decision or catch-up reply hands out what the sender knows is chosen (the spec's Learn reads
 * `chosen[q]` of the sender): every entry it carries must be in the sender's chosen log.
 */
function carriesOnlyChosen(state: ReplicaState, effects: readonly Effect[]): string | null {
  const chosen = state.durable.chosen;
  for (const e of effects) {
    if (e.kind !== 'Send') continue;
    const m = e.msg;
    const entries =
      m.type === 'Decision'
        ? [{ slot: m.slot, cmd: m.cmd }]
        : m.type === 'CatchUpReply'
          ? m.entries
          : [];
    for (const x of entries) {
      const known = chosen.get(x.slot);
      if (
        known === undefined ||
        canonicalEncode(known as never) !== canonicalEncode(x.cmd as never)
      )
        return `it sends ${m.type} with slot ${x.slot} = ${describeCommand(x.cmd)}, which is not in its chosen log`;
    }
  }
  return null;
}

function shiftAction(action: SpecAction, low: number): SpecAction {
  if (low === 0) return action;
  switch (action.action) {
    case 'Decide':
    case 'Phase2a':
    case 'Learn':
      return { ...action, slot: action.slot - low };
    case 'Phase1a':
    case 'BecomeLeader':
    case 'Execute':
    case 'StepDown':
    case 'Restart':
    case 'ClientRequest':
      return action;
    default:
      return { ...action, msg: shiftMessage(action.msg, low) };
  }
}

/**
 * The spec-visible messages the core's step sent must be those the twin's actions sent, apart
 * from replies a restart's silent replay does not resend and retransmissions the state proves.
 */
function compareSends(
  a: Abstraction,
  before: MsgSet,
  twin: MsgSet,
  effects: readonly Effect[],
  replayed: ReadonlySet<string>,
  proven: ReadonlySet<string>,
  fail: (message: string) => Violation[],
  low = 0,
): readonly Violation[] {
  const core = new Map<string, Msg>();
  for (const e of effects) {
    if (e.kind !== 'Send' && e.kind !== 'Reply') continue;
    const m = a.message(e.msg);
    if (m !== null) {
      const shifted = shiftMessage(m, low);
      core.set(msgKey(shifted), shifted);
    }
  }
  const missing: string[] = [];
  for (const key of twin.keys)
    if (!before.byKey.has(key) && !core.has(key) && !replayed.has(key) && !proven.has(key))
      missing.push(key);
  const extra: string[] = [];
  for (const key of core.keys())
    if (!twin.byKey.has(key) && !before.byKey.has(key) && !proven.has(key)) extra.push(key);
  if (missing.length === 0 && extra.length === 0) return NONE;
  return fail(
    [
      missing.length > 0 ? `the spec sends ${missing.join(', ')} but the core does not` : '',
      extra.length > 0 ? `the core sends ${extra.join(', ')} which the spec's actions do not` : '',
    ]
      .filter((x) => x !== '')
      .join('; '),
  );
}
