/**
 * A model-checking configuration of spec/Smr.tla (an MCSmr_*.cfg) as a Protocol the explorer
 * runs: the same Init, next-state relation (AtomicNext(Crashable)), LiveView and invariants TLC
 * checks, with every parameter of Next enumerated within the model's bounds (MaxBallot,
 * NumSlots, MaxSeq), so BFS reports the distinct-state count TLC reports on the same model.
 */
import type { ModelledActionName as ActionName, Json } from '../core/types.js';
import type { Protocol, Successor } from './transition-system.js';
import type { Violation } from './violation.js';
import {
  checkState,
  checkStep,
  type Bounds,
  type Done,
  type GhostState,
} from './invariants.js';
import { ACTION_TABLE } from './actions.js';
import { FAIL_KEY, outcome } from './client.js';
import { modelContext } from './model-context.js';
import { checkpointText, encodeClient, encodeReplica } from './encode.js';
import { Net } from './net.js';
import { isRefusal, type ModelEnv, type Refusal } from './refusal.js';
import {
  initialWorld,
  nextFree,
  type SpecContext,
  type ClientVars,
  type EventInfo,
  type ReplicaVars,
  type World,
} from './state.js';
import {
  acceptKey,
  CKPT_CMD,
  decisionKey,
  jsonKey,
  requestCmd,
  prepareKey,
  requestKey,
  type Cmd,
  type Msg,
  type MsgOf,
} from './values.js';

/** One MCSmr_*.tla/.cfg: its bounds and the replicas that may crash (MCCrashable). */
export interface SpecModel {
  readonly name: string;
  /** The module, e.g. MCSmr_F1 (spec/MCSmr_F1.tla with spec/MCSmr_F1.cfg). */
  readonly module: string;
  readonly constants: Bounds;
  readonly crashable: readonly string[];
}

/** A step of Next: an action of one node, with the message it consumes or sends, or its slot. */
export interface ModelAction {
  readonly action: ActionName;
  readonly node: string;
  readonly msg?: Msg;
  readonly slot?: number;
}

const UNIT: Json = { type: 'inc' };

/** Script[c][q] as the request's op: the counter's `inc`, or the core's JOIN/QUIT request. */
function scriptOp(k: Bounds, client: string, seq: number): Json {
  const entry = k.script?.[client]?.[seq - 1];
  if (entry === undefined || entry.kind === 'op') return UNIT;
  return { type: entry.kind, replica: entry.replica };
}

/*
FollowUp(r) ==
  \/ BecomeLeader(r)
  \/ \E p \in proposals[r] : p.votes = {} /\ Phase2a(r, p.slot, p.cmd)
  \/ \E s \in Slots : Decide(r, s)
  \/ Execute(r)
  \/ Reconfigure(r)
  \/ Checkpoint(r)
  \/ Audit(r)
  \/ Outranked(r) /\ StepDown(r)
*/
/*
AtomicNext(Crashable) ==
  IF \E r \in Replicas : ENABLED FollowUp(r)
  THEN \E r \in Replicas : FollowUp(r)
  ELSE \/ \E r \in Replicas : ReplicaStep(r)
       \/ \E r \in Crashable : Restart(r)
       \/ \E c \in Clients : ClientStep(c)
*/
/**
 * Next of one model, one action instance at a time: every instance whose parameters could make
 * it enabled (Next's existential quantifiers, narrowed to values that can satisfy the guards,
 * within the bounds), and the spec's successor of each.
 */
export class ModelSteps {
  readonly k: Bounds;
  readonly ctx: SpecContext;
  readonly env: ModelEnv;
  private readonly crashable: ReadonlySet<string>;

  constructor(readonly model: SpecModel) {
    this.k = model.constants;
    this.ctx = modelContext(this.k);
    this.env = { ctx: this.ctx, n: this.k.replicas.length, causal: () => true, dead: () => false };
    this.crashable = new Set(model.crashable);
  }

  initial(): GhostState {
    return { w: initialWorld(this.ctx), done: [] };
  }

  /** The successor of one action instance, or the conjunct that fails. */
  take(s: GhostState, a: ModelAction): GhostState | Refusal {
    const { ctx } = this;
    const isClient = ctx.clientIndex.has(a.node);
    const index = (isClient ? ctx.clientIndex : ctx.replicaIndex).get(a.node) as number;
    const result = ACTION_TABLE[a.action](this.env, s.w, eventOf(a), index);
    if (isRefusal(result)) return result;
    const w = result[0];
    // Every parameter is given, so the action has one successor at most.
    if (w === undefined || result.length > 1)
      throw new Error(`${a.action} of ${a.node}: ${result.length} successors for one instance`);
    return { w: commit(w), done: doneAfter(this.k, this.ctx, s, w, a) };
  }

  /** Every action instance of Next that may be enabled in `s` (callers keep the enabled). */
  candidates(s: GhostState): ModelAction[] {
    const { k, ctx } = this;
    const out: ModelAction[] = [];
    const msgs = [...s.w.net.above(null)].map((r) => r.msg);
    const ofType = <T extends Msg['type']>(t: T) =>
      msgs.filter((m): m is MsgOf<T> => m.type === t).sort(byKey);
    k.replicas.forEach((r, i) => {
      const v = s.w.replicas[i] as ReplicaVars;
      for (let b = 0; b <= k.maxBallot; b++)
        if (ctx.ballots.owner(b) === r) {
          const fromSlot = v.chosenPrefix;
          const key = prepareKey(r, b, fromSlot);
          out.push({ action: 'Phase1a', node: r, msg: { type: 'Prepare', from: r, bal: b, fromSlot, key } });
        }
      for (const m of ofType('Prepare')) out.push({ action: 'Phase1b', node: r, msg: m });
      for (const m of ofType('Promise')) out.push({ action: 'ReceivePromise', node: r, msg: m });
      out.push({ action: 'BecomeLeader', node: r });
      for (const [slot, p] of v.proposals)
        if (p.votes === 0) out.push(accept(r, v.ballot, slot, p.cmd));
      if (v.role === 'leader') {
        const slot = nextFree(v);
        if (slot < k.numSlots) {
          for (const m of ofType('Request'))
            out.push(accept(r, v.ballot, slot, requestCmd(m.from, m.seq, m.op, m.opKey)));
          out.push(accept(r, v.ballot, slot, CKPT_CMD));
        }
      }
      for (const m of ofType('Accept')) out.push({ action: 'Phase2b', node: r, msg: m });
      for (const m of ofType('Accepted')) out.push({ action: 'ReceiveAccepted', node: r, msg: m });
      for (const slot of v.proposals.keys()) out.push({ action: 'Decide', node: r, slot });
      // Learn(r, s, v): any command some replica decided or learned (the message names r).
      for (const [slot, cmds] of s.w.decided.from(0))
        for (const cmd of cmds) {
          const key = decisionKey(r, slot, cmd);
          out.push({ action: 'Learn', node: r, msg: { type: 'Decision', from: r, slot, cmd, key } });
        }
      out.push({ action: 'Execute', node: r });
      out.push({ action: 'Reconfigure', node: r });
      out.push({ action: 'Checkpoint', node: r });
      out.push({ action: 'Audit', node: r });
      for (const m of ofType('Audit')) out.push({ action: 'ReceiveAudit', node: r, msg: m });
      out.push({ action: 'Truncate', node: r });
      for (const c of s.w.snapshots) out.push({ action: 'InstallCheckpoint', node: r, slot: c.slot });
      out.push({ action: 'ReplyFromSession', node: r });
      out.push({ action: 'StepDown', node: r });
      if (this.crashable.has(r)) out.push({ action: 'Restart', node: r });
    });
    k.clients.forEach((c, j) => {
      const v = s.w.clients[j] as ClientVars;
      if (v.clientSeq < k.maxSeq) {
        const seq = v.clientSeq + 1;
        const op = scriptOp(k, c, seq);
        const opKey = jsonKey(op);
        const key = requestKey(c, seq, opKey);
        out.push({ action: 'ClientRequest', node: c, msg: { type: 'Request', from: c, seq, op, opKey, key } });
      }
      for (const m of ofType('Reply'))
        if (m.to === c) out.push({ action: 'ClientReceive', node: c, msg: m });
    });
    return out;
  }

  /** Every enabled instance of Next, with its successor. */
  successors(s: GhostState): { action: ModelAction; state: GhostState }[] {
    const out: { action: ModelAction; state: GhostState }[] = [];
    for (const action of this.candidates(s)) {
      const next = this.take(s, action);
      if (!refused(next)) out.push({ action, state: next });
    }
    return out;
  }

  /** FollowUp(r): the core's follow-up steps, taken before anything else (AtomicNext). */
  isFollowUp(s: GhostState, a: ModelAction): boolean {
    const i = this.ctx.replicaIndex.get(a.node);
    if (i === undefined) return false;
    const v = s.w.replicas[i] as ReplicaVars;
    switch (a.action) {
      case 'BecomeLeader':
      case 'Decide':
      case 'Execute':
      case 'Reconfigure':
      case 'Checkpoint':
      case 'Audit':
        return true;
      case 'Phase2a':
        return a.msg?.type === 'Accept' && v.proposals.get(a.msg.slot)?.votes === 0;
      case 'StepDown':
        return v.role !== 'follower' && v.promised > v.ballot;
      default:
        return false;
    }
  }

  /** AtomicNext(Crashable): the follow-ups if any is enabled, else every step. */
  atomicSuccessors(s: GhostState): { action: ModelAction; state: GhostState }[] {
    const all = this.successors(s);
    const follow = all.filter((x) => this.isFollowUp(s, x.action));
    return follow.length > 0 ? follow : all;
  }

  /**
   * Live(m): can m still enable a step that changes the state? A Promise only matters while its
   * ballot's owner is a candidate at that ballot, a Prepare while some other replica has
   * promised less than its ballot, a Reply while its client waits for that request.
   */
  isLive(w: World, m: Msg): boolean {
    const { k, ctx } = this;
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

  /** The encoding of the VIEW (LiveView): the state without its dead messages. */
  view(s: GhostState): string {
    const { w } = s;
    const live: string[] = [];
    for (const r of w.net.above(null)) if (this.isLive(w, r.msg)) live.push(r.msg.key);
    const decided: string[] = [];
    for (const [slot, cmds] of w.decided.from(0))
      decided.push(`${slot}:${cmds.map((c) => c.key).sort().join('+')}`);
    const snapshots = w.snapshots.map((c) => checkpointText(this.ctx, c)).sort();
    return [
      w.replicas.map((v) => encodeReplica(this.ctx, v)).join('/'),
      w.clients.map(encodeClient).join('/'),
      live.sort().join(';'),
      decided.join(','),
      snapshots.join(';'),
      s.done.map((d) => `${d.client}#${d.seq}=${d.output}`).join(','),
    ].join('\n');
  }
}

export function specProtocol(model: SpecModel): Protocol<GhostState, ModelAction> {
  const steps = new ModelSteps(model);
  const k = model.constants;
  // Successors computed by actions(), by action object: step() then need not recompute them.
  const memo = new WeakMap<ModelAction, GhostState>();
  return {
    name: `spec:${model.name}`,
    initialStates: () => [steps.initial()],
    actions(s) {
      return steps.atomicSuccessors(s).map(({ action, state }) => {
        memo.set(action, state);
        return action;
      });
    },
    step(s, a): Successor<GhostState> {
      let world = memo.get(a);
      if (world === undefined) {
        const next = steps.take(s, a);
        if (refused(next)) throw new Error(`${a.action} of ${a.node} is not enabled: ${next.conjunct}`);
        world = next;
      }
      const bad = checkStep(k, s, world);
      const violations: Violation[] =
        bad === null ? [] : [{ invariant: bad.name, node: a.node, message: bad.message }];
      return { world, violations };
    },
    check(s) {
      const bad = checkState(k, s);
      return bad === null ? NO_VIOLATIONS : [{ invariant: bad.name, message: bad.message }];
    },
    encode: (s) => steps.view(s),
    describe: describeModelAction,
  };
}

export function describeModelAction(a: ModelAction): string {
  const msg = a.msg === undefined ? '' : `, ${a.msg.key.split('\u0000').join('|')}`;
  return `${a.action}(${a.node}${a.slot !== undefined ? `, ${a.slot}` : ''}${msg})`;
}

/** The parameters of an action instance, as the actions take them. */
export function eventOf(a: ModelAction): EventInfo {
  return {
    node: a.node,
    action: a.action,
    slot: a.slot,
    applied: undefined,
    msg: a.msg,
    lamport: -1,
    vc: null,
    file: '',
    line: 0,
  };
}

function accept(r: string, bal: number, slot: number, cmd: Cmd): ModelAction {
  return {
    action: 'Phase2a',
    node: r,
    msg: { type: 'Accept', from: r, bal, slot, cmd, key: acceptKey(r, bal, slot, cmd) },
  };
}

/** `done' = done \cup {...}` of ClientReceive, when the reply decides the client's vote. */
function doneAfter(k: Bounds, ctx: SpecContext, s: GhostState, w: World, a: ModelAction): readonly Done[] {
  if (a.action !== 'ClientReceive') return s.done;
  const j = ctx.clientIndex.get(a.node) as number;
  const before = s.w.clients[j] as ClientVars;
  const after = w.clients[j] as ClientVars;
  if (!before.pending || after.pending) return s.done;
  const replies = new Map(before.replies);
  const m = a.msg as MsgOf<'Reply'>;
  replies.set(m.from, { output: m.output, outKey: m.outKey });
  const output = outcome(replies, k.replicas.length) ?? FAIL_KEY;
  return [...s.done, { client: a.node, seq: before.clientSeq, output }].sort((x, y) =>
    x.client < y.client ? -1 : x.client > y.client ? 1 : x.seq - y.seq,
  );
}

const NO_VIOLATIONS: readonly Violation[] = [];

export const refused = (x: GhostState | Refusal): x is Refusal => 'conjunct' in x;
const byKey = (a: Msg, b: Msg): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The successor's sends, committed to its own layer of `msgs`. */
function commit(w: World): World {
  if (w.sent.length === 0) return w;
  // A flat copy: the states of a model are small, and a chain of layers as deep as the search
  // would make every `m \in msgs` walk it.
  const net = new Net();
  for (const r of w.net.above(null)) net.add(r);
  for (const r of w.sent) net.add(r);
  return { ...w, net, sent: [] };
}

