/**
 * Refinement of the TLA+ twin one node step at a time: the check the explorer and the simulator
 * run on every step by default. A replica's (or client's) step, replayed through the spec's
 * actions (replay.ts) from the node's abstract state, must be enabled, must leave the node's
 * variables where the core's step left them, and must send exactly the spec-visible messages.
 *
 * It is the whole-world check (check.ts) restricted to what one node can see, which is what
 * makes it cheap: the result depends only on the node's state, its input and the step, so the
 * explorer computes it once per memoised node step. What one node cannot see is left to the
 * world-level invariants: whether a learned value is chosen (the ghost's Agreement), whether a
 * proposed request was issued (Validity). Values are compared exactly — the twin runs the
 * cluster's app — so a wrong output, a wrong session or a client accepting the wrong vote shows.
 */
import { canonicalEncode } from '../../src/core/canonical.js';
import { membersAt, reconfigRequestOf, sameMembers } from '../../src/core/membership.js';
import { UNMODELLED_ACTIONS } from '../../src/core/types.js';
import type { ClientState } from '../../src/core/client.js';
import {
  checkpointSlot,
  chosenPrefix,
  startingMembers,
  type ReplicaState,
} from '../../src/core/replica/state.js';
import type { App } from '../../src/core/app.js';
import { assembled, withChunk } from '../../src/core/replica/transfer.js';
import type {
  Checkpoint,
  Command,
  Effect,
  Input,
  Message,
  SnapshotRef,
  StepResult,
} from '../../src/core/types.js';
import { FAIL_KEY, outcome } from '../../src/spec/client.js';
import { describeClient, describeReplica, encodeClient } from '../../src/spec/encode.js';
import { Net } from '../../src/spec/net.js';
import type { ModelEnv } from '../../src/spec/refusal.js';
import {
  initialWorld,
  type CheckpointVars,
  type ClientVars,
  type ReplicaVars,
  type SpecContext,
  type World as SpecWorld,
} from '../../src/spec/state.js';
import { acceptKey, jsonKey, prepareKey, type Msg } from '../../src/spec/values.js';
import type { Violation } from '../../src/spec/violation.js';
import { describeCommand } from '../model/invariants.js';
import type { NodeEvent } from '../model/step.js';
import type { ClusterConfig } from '../model/world.js';
import {
  abstractClient,
  abstractReplica,
  refinementText,
  ballotNumber,
  requestMessage,
  shiftMessage,
  specCheckpoint,
  specCmd,
  specContext,
  specMessage,
} from './abstract.js';
import { describeEvents, refinementEnv, replayEvents } from './replay.js';

/**
 * Is this step one the per-step check leaves out — an audit received (a corrupted replica's
 * digest may differ, and Smr.tla's replicas only crash), a replica declaring itself faulty, a
 * JOIN or QUIT executed, or a replica whose configuration changed (the core prunes the epochs
 * of its configuration history that no later slot uses, Smr.tla keeps them, so the abstraction
 * is exact only in the starting configuration)? Traces of runs without corruption, JOIN and
 * QUIT included, are checked against the spec by the trace checker instead.
 */
function outsideSpec(
  before: ReplicaState,
  input: Input,
  result: StepResult<ReplicaState>,
): boolean {
  if (input.kind === 'Receive' && (input.msg.type === 'Audit' || carriesReconfig(input.msg)))
    return true;
  for (const e of result.effects) {
    if (
      e.kind === 'Trace' &&
      (UNMODELLED_ACTIONS.has(e.event.action) ||
        e.event.action === 'Reconfigure' ||
        e.event.action === 'ReceiveAudit')
    )
      return true;
    if (e.kind === 'Trace' && e.event.msg !== undefined && carriesReconfig(e.event.msg))
      return true;
    if (e.kind === 'Send' && carriesReconfig(e.msg)) return true;
  }
  const slots: number[] = [];
  for (const e of result.effects)
    if (e.kind === 'Trace' && e.event.slot !== undefined) slots.push(e.event.slot);
  for (const r of [before, result.state]) {
    const v = r.volatile;
    if (v.repair !== null) return true;
    // A JOIN or QUIT chosen but not executed yet already decides the configuration of later
    // slots (the spec's KnownConf): as good as a changed configuration.
    for (const [slot, cmd] of r.durable.chosen)
      if (slot >= v.executed && (cmd.kind === 'join' || cmd.kind === 'quit')) return true;
    const start = startingMembers(r.params);
    // Any epoch of another configuration, even one only past slots used (the spec keeps the
    // history a checkpoint prunes): the abstraction is exact in the starting configuration.
    const cp = r.durable.checkpoint?.membership;
    for (const m of cp === undefined ? [v.membership] : [v.membership, cp])
      if (m.epochs.some((e) => !sameMembers(e.members, start)) || m.rejoin.length > 0) return true;
    // A slot the step touches below the executed one may be governed by an older configuration.
    for (const slot of [...slots, ...v.proposals.keys(), ...v.adopted.keys()])
      if (!sameMembers(membersAt(v.membership, slot), start)) return true;
  }
  return false;
}

/** Does the message carry a JOIN or QUIT (a command, or a request for one)? */
function carriesReconfig(m: Message | SnapshotRef): boolean {
  const reconfig = (c: Command): boolean => c.kind === 'join' || c.kind === 'quit';
  switch (m.type) {
    case 'Accept':
    case 'Decision':
      return reconfig(m.cmd);
    case 'Promise':
      return m.accepted.some((e) => reconfig(e.cmd));
    case 'CatchUpReply':
      return m.entries.some((e) => reconfig(e.cmd));
    case 'Request':
      return reconfigRequestOf(m.op) !== null;
    default:
      return false;
  }
}

/** The step without its Audit events and the audit digests it sent (see checkReplica). */
function withoutAudits(result: StepResult<ReplicaState>): StepResult<ReplicaState> {
  const audit = (e: Effect): boolean =>
    (e.kind === 'Trace' && e.event.action === 'Audit') ||
    (e.kind === 'Send' && e.msg.type === 'Audit');
  return result.effects.some(audit)
    ? { state: result.state, effects: result.effects.filter((e) => !audit(e)) }
    : result;
}

/** The per-step refinement check of one cluster configuration, memoised per step result. */
export class StepRefinement {
  private readonly ctx: SpecContext;
  private readonly env: ModelEnv;
  private readonly initial: SpecWorld;
  private readonly memo = new WeakMap<object, readonly Violation[]>();
  private readonly app: App;

  constructor(cfg: ClusterConfig) {
    this.app = cfg.app;
    this.ctx = specContext(cfg);
    this.env = refinementEnv(this.ctx);
    this.initial = initialWorld(this.ctx);
  }

  /** Violations of one replica step; the same array for the same step result. */
  readonly replica = (
    before: ReplicaState,
    input: Input,
    result: StepResult<ReplicaState>,
  ): readonly Violation[] => this.memoised(result, () => this.checkReplica(before, input, result));

  /** Violations of one client step. */
  readonly client = (
    before: ClientState,
    input: Input,
    result: StepResult<ClientState>,
  ): readonly Violation[] => this.memoised(result, () => this.checkClient(before, input, result));

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
    step: StepResult<ReplicaState>,
  ): readonly Violation[] {
    // Steps in a changed configuration or around a corrupted replica are not judged here
    // (outsideSpec), and the audit digests a step sends are left out of what it is compared on
    // (a corrupted replica's digest is not the spec's); the trace checker judges Audit events.
    if (outsideSpec(before, input, step)) return NONE;
    return this.checkModelled(before, input, withoutAudits(step));
  }

  private checkModelled(
    before: ReplicaState,
    input: Input,
    result: StepResult<ReplicaState>,
  ): readonly Violation[] {
    const { ctx } = this;
    const node = before.id;
    const i = ctx.replicaIndex.get(node);
    const events = nodeEvents(node, result.effects);
    if (i === undefined) return NONE;
    if (events.length === 0 && result.state === before && !sends(result.effects)) return NONE;
    const fail = (message: string): Violation[] => [
      { invariant: 'Refinement', node, message: `${describeEvents(events)}: ${message}` },
    ];

    // Only a window of slots is compared: below it every slot is chosen and executed, and the
    // step must leave those alone. It keeps the check's cost independent of the log's length.
    const low = windowStart(before, result.state, input, events);
    const moved = changedBelow(before, result.state, low);
    if (moved !== null) return fail(moved);

    // The twin state before: this replica's variables, and what the step's guards may ask of
    // the rest of the world (the consumed message, the requests it proposes, a peer that knows
    // what it learns) — the world-level invariants judge those.
    const replicas = [...this.initial.replicas];
    replicas[i] = abstractReplica(ctx, before, low);
    const net = new Net();
    const add = (msg: Msg): void =>
      net.add({ msg, lamport: -1, vcOwn: -1, node: '', file: '', line: 0 });
    const consumed = input.kind === 'Receive' ? safeMessage(ctx, input.msg) : null;
    if (consumed !== null) add(shiftMessage(consumed, low));
    let decided = this.initial.decided;
    const snapshots: CheckpointVars[] = [];
    for (const e of events) {
      const m = e.event.msg;
      if (e.event.action === 'Phase2a' && m?.type === 'Accept' && m.cmd.kind === 'op')
        add(requestMessage(m.cmd.client, m.cmd.seq, m.cmd.op));
      if (e.event.action === 'Learn' && m?.type === 'Decision')
        decided = decided.set(m.slot - low, [specCmd(m.cmd)]);
      // The checkpoint installed is one a peer took: its content is judged at the world level
      // (CheckpointSafety against the chosen log), its installation here.
      if (e.event.action === 'InstallCheckpoint' && m?.type === 'Snapshot') {
        const installed = installedCheckpoint(this.app, before, input, result.state, m);
        if (installed !== null) snapshots.push(specCheckpoint(this.env.ctx, installed, low));
      }
    }
    const from: SpecWorld = { ...this.initial, replicas, net, decided, snapshots };
    const replayed = replayEvents(this.env, from, events, low);
    if (!replayed.ok) return fail(replayed.reason);

    const core = abstractReplica(ctx, result.state, low);
    const text = refinementText(ctx, core);
    const twin = replayed.worlds.find(
      (w) => refinementText(ctx, w.replicas[i] as ReplicaVars) === text,
    );
    if (twin === undefined) {
      const spec = (replayed.worlds[0] as SpecWorld).replicas[i] as ReplicaVars;
      return fail(
        `the states differ after the step — core ${describeReplica(ctx, core)} | spec ${describeReplica(ctx, spec)}`,
      );
    }
    const chosenOnly = carriesOnlyChosen(before, result.state, result.effects);
    if (chosenOnly !== null) return fail(chosenOnly);

    // What the core sent again without a spec action: a candidate's Prepare, a leader's Accept
    // for an open proposal (heartbeat retransmission), proved sent by the state; and with no
    // peers a broadcast reaches nobody. A restart's silent replay resends no reply.
    const excused = new Set<string>();
    for (const r of [before, result.state]) {
      const v = r.volatile;
      const bal = ballotNumber(ctx, v.ballot);
      if (v.role === 'candidate') excused.add(prepareKey(node, bal, v.prepareFrom - low));
      if (v.role === 'leader')
        for (const [slot, p] of v.proposals)
          excused.add(acceptKey(node, bal, slot - low, specCmd(p.cmd)));
    }
    const restart = events[0]?.event.action === 'Restart';
    const twinSent = twin.sent
      .map((r) => r.msg)
      .filter((m) => {
        if (restart && m.type === 'Reply') return false;
        if (ctx.replicas.length === 1 && (m.type === 'Prepare' || m.type === 'Accept'))
          return false;
        return true;
      });
    return compareSends(ctx, twinSent, result.effects, excused, low, fail);
  }

  private checkClient(
    before: ClientState,
    input: Input,
    result: StepResult<ClientState>,
  ): readonly Violation[] {
    const { ctx } = this;
    const node = before.id;
    const j = ctx.clientIndex.get(node);
    const events = nodeEvents(node, result.effects);
    if (j === undefined) return NONE;
    const fail = (message: string): Violation[] => [
      { invariant: 'Refinement', node, message: `${describeEvents(events)}: ${message}` },
    ];
    const completes = result.effects.filter(
      (e): e is Extract<Effect, { kind: 'Complete' }> => e.kind === 'Complete',
    );
    const vars = abstractClient(before);
    const after = abstractClient(result.state);
    if (events.length === 0 && completes.length === 0 && !sends(result.effects)) {
      // A stutter must leave the client's spec variables alone.
      return encodeClient(vars) === encodeClient(after)
        ? NONE
        : fail(
            `the client changed without a spec action — ${describeClient(vars)} became ${describeClient(after)}`,
          );
    }
    const clients = [...this.initial.clients];
    clients[j] = vars;
    const net = new Net();
    const consumed = input.kind === 'Receive' ? safeMessage(ctx, input.msg) : null;
    if (consumed !== null)
      net.add({ msg: consumed, lamport: -1, vcOwn: -1, node: '', file: '', line: 0 });
    const replayed = replayEvents(this.env, { ...this.initial, clients, net }, events);
    if (!replayed.ok) return fail(replayed.reason);
    const text = encodeClient(after);
    const twin = replayed.worlds.find((w) => encodeClient(w.clients[j] as ClientVars) === text);
    if (twin === undefined)
      return fail(
        `the states differ after the step — core ${describeClient(after)} | spec ${describeClient((replayed.worlds[0] as SpecWorld).clients[j] as ClientVars)}`,
      );
    // The outcome the client accepts: the spec's Outcome of the votes (Smr.tla's `done`).
    const completed = vars.pending && !after.pending && consumed?.type === 'Reply';
    const specOutcome = completed
      ? outcome(
          new Map(vars.replies).set(consumed.from, {
            output: consumed.output,
            outKey: consumed.outKey,
          }),
          ctx.replicas.length,
          ctx.policy === 'first-reply',
        )
      : undefined;
    const coreOutcome =
      completes[0] === undefined
        ? undefined
        : completes[0].outcome.ok
          ? jsonKey(completes[0].outcome.output)
          : FAIL_KEY;
    if (specOutcome !== coreOutcome)
      return fail(
        `the client accepted ${coreOutcome ?? 'nothing'} where the spec accepts ${specOutcome ?? 'nothing'}`,
      );
    const excused = new Set<string>();
    if (before.pending !== null)
      excused.add(requestMessage(node, before.pending.seq, before.pending.op).key);
    return compareSends(
      ctx,
      twin.sent.map((r) => r.msg),
      result.effects,
      excused,
      0,
      fail,
    );
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

/** The spec message for a core message, or null (liveness-only, or no spec value: replay says). */
function safeMessage(ctx: SpecContext, m: Message): Msg | null {
  try {
    return specMessage(ctx, m);
  } catch {
    return null;
  }
}

/**
 * The spec-visible messages the core's step sent must be those the twin's actions sent, apart
 * from retransmissions the state proves were sent before (`excused`). Decisions are the core's
 * way of handing out chosen values (the spec's Learn reads another replica's state): checked by
 * carriesOnlyChosen, not here.
 */
function compareSends(
  ctx: SpecContext,
  twin: readonly Msg[],
  effects: readonly Effect[],
  excused: ReadonlySet<string>,
  low: number,
  fail: (message: string) => Violation[],
): readonly Violation[] {
  const core = new Map<string, Msg>();
  for (const e of effects) {
    if (e.kind !== 'Send' && e.kind !== 'Reply') continue;
    const m = safeMessage(ctx, e.msg);
    if (m !== null && m.type !== 'Decision') {
      const shifted = shiftMessage(m, low);
      core.set(shifted.key, shifted);
    }
  }
  const spec = new Map(twin.filter((m) => m.type !== 'Decision').map((m) => [m.key, m]));
  const missing = [...spec.keys()].filter((key) => !core.has(key));
  const extra = [...core.keys()].filter((key) => !spec.has(key) && !excused.has(key));
  if (missing.length === 0 && extra.length === 0) return NONE;
  const show = (keys: readonly string[]) => keys.map((k) => k.split('\u0000').join('|')).join(', ');
  return fail(
    [
      missing.length > 0 ? `the spec sends ${show(missing)} but the core does not` : '',
      extra.length > 0 ? `the core sends ${show(extra)} which the spec's actions do not` : '',
    ]
      .filter((x) => x !== '')
      .join('; '),
  );
}

/**
 * The checkpoint a step installed: the one the replica holds after it, unless the step went on
 * to execute a checkpoint command and took the next one; then the transfer the input completed.
 */
function installedCheckpoint(
  app: App,
  before: ReplicaState,
  input: Input,
  after: ReplicaState,
  ref: { readonly slot: number; readonly digest: string },
): Checkpoint | null {
  const held = after.durable.checkpoint;
  if (held !== null && held.slot === ref.slot && held.digest === ref.digest) return held;
  if (input.kind !== 'Receive' || input.msg.type !== 'SnapshotChunk') return null;
  const t = withChunk(before.volatile.transfer, input.msg);
  if (t === null) return null;
  const { state, sessions } = assembled(app, t, before.volatile.app);
  const membership = after.durable.checkpoint?.membership ?? before.volatile.membership;
  return { slot: ref.slot, app: state, sessions, membership, digest: ref.digest };
}

function windowStart(
  before: ReplicaState,
  after: ReplicaState,
  input: Input,
  events: ReturnType<typeof nodeEvents>,
): number {
  // A restart re-executes the log from its checkpoint.
  if (input.kind === 'Restart') return checkpointSlot(before.durable);
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
      for (const p of v.promises.values()) for (const e of p.accepted) low = Math.min(low, e.slot);
    }
    if (v.role === 'leader') {
      low = Math.min(low, v.nextSlot);
      for (const slot of v.proposals.keys()) low = Math.min(low, slot);
      for (const slot of v.adopted.keys()) low = Math.min(low, slot);
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
  // A new checkpoint moves the log's start from where the old one started; a truncation
  // forgets the entries from the first one the log held.
  if (after.durable.checkpoint !== before.durable.checkpoint)
    low = Math.min(low, checkpointSlot(before.durable));
  if (events.some((e) => e.event.action === 'Truncate'))
    for (const map of [before.durable.accepted, before.durable.chosen])
      for (const slot of map.keys()) low = Math.min(low, slot);
  return Math.max(low, 0);
}
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
function carriesOnlyChosen(
  before: ReplicaState,
  state: ReplicaState,
  effects: readonly Effect[],
): string | null {
  // Its chosen log at some point of the step: before, after, and what it decided or learned in
  // between (a checkpoint executed in the same step may have truncated it again).
  const chosen = new Map(before.durable.chosen);
  for (const [slot, cmd] of state.durable.chosen) chosen.set(slot, cmd);
  for (const e of effects)
    if (
      e.kind === 'Trace' &&
      (e.event.action === 'Decide' || e.event.action === 'Learn') &&
      e.event.msg?.type === 'Decision'
    )
      chosen.set(e.event.msg.slot, e.event.msg.cmd);
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
