/**
 * The trace checked by the TS twin of spec/Smr.tla itself (src/spec, issue 4), as
 * `smr check-trace --engine twin`. It asks what TLC over spec/TraceSmr.tla asks, with the same
 * abstraction (commands as client#seq, outputs not compared), by calling the twin's actions —
 * so the native checker's trace model (src/trace/model, app-aware and built for speed) can be
 * cross-checked against the twin on any trace (test/trace/twin-agreement.test.ts).
 *
 * The twin keeps `msgs` as a sorted array and copies states whole, which is right for model
 * checking and slow for long traces: use it on traces of thousands of events, not millions.
 */
import { applyAction, type SpecAction } from '../spec/actions.js';
import { encodeState } from '../spec/encode.js';
import { chosenPrefix, init, messages, nextFree } from '../spec/state.js';
import {
  NO_SESSION,
  type Cmd as TwinCmd,
  type Msg as TwinMsg,
  type ReplicaVars,
  type SpecConstants,
  type SpecState,
} from '../spec/types.js';
import { openTrace } from './merge.js';
import type { Msg } from './model/values.js';
import type { ParsedEvent } from './parse-event.js';
import type { CmdValue } from './parse-values.js';
import type { TraceContext } from './parse-header.js';
import type { ReadOptions } from './trace-file.js';

export interface TwinResult {
  readonly verdict: 'valid' | 'invalid' | 'inconclusive';
  readonly engine: 'twin';
  readonly files: readonly string[];
  readonly events: number;
  readonly maxCandidates: number;
  readonly failure: {
    readonly file: string;
    readonly line: number;
    readonly node: string;
    readonly action: string;
    readonly guard: string;
  } | null;
  readonly elapsedMs: number;
}

/** Bounds the twin checks (Smr's MaxSeq, NumSlots, MaxBallot): beyond anything a trace uses. */
const UNBOUNDED = 2 ** 30;

export function checkTraceWithTwin(
  files: readonly string[],
  options: ReadOptions & { maxCandidates?: number } = {},
): TwinResult {
  const started = performance.now();
  const source = openTrace(files, options);
  const cap = options.maxCandidates ?? 4096;
  const k: SpecConstants = {
    replicas: source.ctx.ballots.ordered,
    clients: source.ctx.clients,
    maxSeq: UNBOUNDED,
    numSlots: UNBOUNDED,
    maxBallot: UNBOUNDED,
  };
  let frontier: SpecState[] = [init(k)];
  let events = 0;
  let maxCandidates = 1;
  let truncated = false;
  try {
    for (let ev = source.next(); ev !== null; ev = source.next()) {
      events++;
      const next = new Map<string, SpecState>();
      let guard = '';
      for (const s of frontier) {
        for (const a of instances(k, s, ev, source.ctx)) {
          const step = applyAction(k, s, a);
          if (!step.ok) {
            guard ||= step.guard;
            continue;
          }
          const after = silentDecide(k, step.state, a);
          const problem = agrees(k, s, after, ev, a);
          if (problem !== null) {
            guard ||= problem;
            continue;
          }
          next.set(encodeState(after), after);
        }
      }
      if (next.size === 0) {
        const failure = {
          file: ev.file,
          line: ev.line,
          node: ev.node,
          action: ev.action,
          guard: guard || 'no instance of the action matches the event',
        };
        return {
          verdict: truncated ? 'inconclusive' : 'invalid',
          engine: 'twin',
          files: source.files,
          events,
          maxCandidates,
          failure,
          elapsedMs: performance.now() - started,
        };
      }
      frontier = [...next.values()];
      if (frontier.length > cap) {
        frontier = frontier.slice(0, cap);
        truncated = true;
      }
      maxCandidates = Math.max(maxCandidates, frontier.length);
    }
  } finally {
    source.close();
  }
  return {
    verdict: 'valid',
    engine: 'twin',
    files: source.files,
    events,
    maxCandidates,
    failure: null,
    elapsedMs: performance.now() - started,
  };
}

/** A model command, or a logged state's, as the twin has it: client#seq without the op. */
const twinCmd = (c: Pick<CmdValue, 'kind' | 'client' | 'seq'>): TwinCmd =>
  c.kind === 'noop' ? { kind: 'noop' } : { kind: 'op', client: c.client ?? '', seq: c.seq ?? 0 };

function twinMsg(m: Msg): TwinMsg | undefined {
  switch (m.type) {
    case 'Prepare':
      return { type: 'Prepare', from: m.from, bal: m.bal, fromSlot: m.fromSlot };
    case 'Promise':
      return {
        type: 'Promise',
        from: m.from,
        bal: m.bal,
        accepted: [...m.accepted]
          .sort((a, b) => a.slot - b.slot)
          .map((e) => ({ slot: e.slot, bal: e.bal, cmd: twinCmd(e.cmd) })),
      };
    case 'Accept':
      return { type: 'Accept', from: m.from, bal: m.bal, slot: m.slot, cmd: twinCmd(m.cmd) };
    case 'Accepted':
      return { type: 'Accepted', from: m.from, bal: m.bal, slot: m.slot };
    case 'Request':
      return { type: 'Request', from: m.from, seq: m.seq };
    default:
      return undefined;
  }
}

const replicaOf = (k: SpecConstants, s: SpecState, r: string): ReplicaVars =>
  s.replicas[k.replicas.indexOf(r)] as ReplicaVars;
const sameTwinCmd = (a: TwinCmd, b: TwinCmd): boolean =>
  a.kind === b.kind &&
  (a.kind === 'noop' || (b.kind === 'op' && a.client === b.client && a.seq === b.seq));

/** The action instances an event may be: its logged parameters, or every candidate value. */
function instances(
  k: SpecConstants,
  s: SpecState,
  ev: ParsedEvent,
  ctx: TraceContext,
): SpecAction[] {
  const node = ev.node;
  const m = ev.msg;
  const all = [...messages(s.msgs)];
  const received = (type: TwinMsg['type'], ok: (x: TwinMsg) => boolean = () => true): TwinMsg[] => {
    if (m !== undefined) {
      const t = twinMsg(m);
      return t === undefined ? [] : [t];
    }
    return all.filter((x) => x.type === type && ok(x));
  };
  const slotOk = (slot: number): boolean => ev.slot === undefined || ev.slot === slot;
  const v = replicaOf(k, s, node);
  switch (ev.action) {
    case 'Phase1a': {
      if (m?.type === 'Prepare') return [{ action: 'Phase1a', node, ballot: m.bal }];
      const seen = new Set([
        v.promised,
        ...s.replicas.flatMap((q) => [q.promised, q.ballot]).filter((b) => b >= v.promised),
      ]);
      const own = ctx.ballots.ordered.indexOf(node);
      const n = k.replicas.length;
      return [...seen].map((h) => {
        const b = h < 0 ? 0 : h + 1;
        return { action: 'Phase1a' as const, node, ballot: b + ((own - (b % n) + n) % n) };
      });
    }
    case 'Phase1b':
      return received('Prepare').map((msg) => ({ action: 'Phase1b' as const, node, msg }));
    case 'ReceivePromise':
      return received('Promise').map((msg) => ({ action: 'ReceivePromise' as const, node, msg }));
    case 'Phase2b':
      return received('Accept', (x) => x.type === 'Accept' && slotOk(x.slot)).map((msg) => ({
        action: 'Phase2b' as const,
        node,
        msg,
      }));
    case 'ReceiveAccepted':
      return received('Accepted', (x) => x.type === 'Accepted' && slotOk(x.slot)).map((msg) => ({
        action: 'ReceiveAccepted' as const,
        node,
        msg,
      }));
    case 'ReplyFromSession': {
      if (m?.type === 'Reply')
        return [
          { action: 'ReplyFromSession', node, msg: { type: 'Request', from: m.to, seq: m.seq } },
        ];
      return received('Request').map((msg) => ({ action: 'ReplyFromSession' as const, node, msg }));
    }
    case 'ClientReceive': {
      const replies = all.filter(
        (x) =>
          x.type === 'Reply' &&
          x.to === node &&
          (m?.type !== 'Reply' || (x.from === m.from && x.seq === m.seq)),
      );
      return replies.map((msg) => ({ action: 'ClientReceive' as const, node, msg }));
    }
    case 'Phase2a': {
      if (m?.type === 'Accept')
        return [{ action: 'Phase2a', node, slot: m.slot, cmd: twinCmd(m.cmd) }];
      const slots =
        ev.slot !== undefined ? [ev.slot] : [...v.proposals.map((p) => p.slot), nextFree(v)];
      const requests = all.flatMap((x) =>
        x.type === 'Request' && x.seq > (v.sessions[k.clients.indexOf(x.from)]?.seq ?? 0)
          ? [{ kind: 'op' as const, client: x.from, seq: x.seq }]
          : [],
      );
      return slots.flatMap((slot) =>
        [
          ...v.proposals.filter((p) => p.slot === slot && p.votes.length === 0).map((p) => p.cmd),
          ...requests,
        ].map((cmd) => ({ action: 'Phase2a' as const, node, slot, cmd })),
      );
    }
    case 'Decide': {
      const slot = m?.type === 'Decision' ? m.slot : ev.slot;
      const slots = slot !== undefined ? [slot] : v.proposals.map((p) => p.slot);
      return slots.map((x) => ({ action: 'Decide' as const, node, slot: x }));
    }
    case 'Learn': {
      if (m?.type === 'Decision')
        return [{ action: 'Learn', node, slot: m.slot, cmd: twinCmd(m.cmd) }];
      return s.replicas.flatMap((q, i) =>
        k.replicas[i] === node
          ? []
          : q.chosen
              .filter((e) => slotOk(e.slot))
              .map((e) => ({ action: 'Learn' as const, node, slot: e.slot, cmd: e.cmd })),
      );
    }
    case 'BecomeLeader':
    case 'Execute':
    case 'StepDown':
    case 'Restart':
    case 'ClientRequest':
      return [{ action: ev.action, node }];
  }
}

/** The core's unlogged Decide of a slot the leader already knows (see TraceSmr.tla). */
function silentDecide(k: SpecConstants, s: SpecState, a: SpecAction): SpecState {
  if (a.action !== 'ReceiveAccepted' || a.msg.type !== 'Accepted') return s;
  const v = replicaOf(k, s, a.node);
  const slot = a.msg.slot;
  if (!v.chosen.some((e) => e.slot === slot)) return s;
  const decided = applyAction(k, s, { action: 'Decide', node: a.node, slot });
  return decided.ok ? decided.state : s;
}

/** What the event says beyond the action's parameters: the message it sent, its state. */
function agrees(
  k: SpecConstants,
  before: SpecState,
  after: SpecState,
  ev: ParsedEvent,
  a: SpecAction,
): string | null {
  const m = ev.msg;
  if (ev.isClient) {
    const c = after.clients[k.clients.indexOf(ev.node)];
    const o = ev.clientState;
    if (m?.type === 'Request' && (m.from !== ev.node || m.seq !== c?.clientSeq))
      return 'the Request sent is [from |-> c, seq |-> clientSeq[c] + 1]';
    if (o?.clientSeq !== undefined && o.clientSeq !== c?.clientSeq) return 'state.clientSeq';
    if (o?.pending !== undefined && o.pending !== c?.pending) return 'state.pending';
    return null;
  }
  const v0 = replicaOf(k, before, ev.node);
  const v = replicaOf(k, after, ev.node);
  if (
    a.action === 'Phase1a' &&
    m?.type === 'Prepare' &&
    (m.from !== ev.node || m.fromSlot !== chosenPrefix(v0))
  )
    return 'the Prepare sent is [from |-> r, bal |-> b, fromSlot |-> ChosenPrefix(r)]';
  if (
    a.action === 'Phase2a' &&
    m?.type === 'Accept' &&
    (m.from !== ev.node || m.bal !== v0.ballot || !slotMatches(ev, m.slot))
  )
    return 'the Accept sent is [from |-> r, bal |-> ballot[r], ...]';
  if (a.action === 'Decide' && m?.type === 'Decision') {
    const p = v0.proposals.find((x) => x.slot === m.slot);
    if (m.from !== ev.node || p === undefined || !sameTwinCmd(p.cmd, twinCmd(m.cmd)))
      return 'the decided value is p.cmd';
  }
  if (
    (a.action === 'Phase2b' || a.action === 'ReceiveAccepted' || a.action === 'Learn') &&
    m !== undefined &&
    'slot' in m &&
    !slotMatches(ev, m.slot)
  )
    return 'event.slot = m.slot';
  if (a.action === 'Execute') {
    const applied = v.app !== v0.app;
    if (ev.slot !== undefined && ev.slot !== v0.executed) return 'event.slot = executed[r]';
    if (ev.applied !== undefined && ev.applied !== applied)
      return 'cmd.kind = "noop" \\/ sessions[r][cmd.client].seq >= cmd.seq';
    if (m?.type === 'Reply') {
      const cmd = v0.chosen.find((e) => e.slot === v0.executed)?.cmd;
      if (
        !applied ||
        cmd?.kind !== 'op' ||
        m.from !== ev.node ||
        m.to !== cmd.client ||
        m.seq !== cmd.seq
      )
        return 'the Reply sent is [from |-> r, to |-> cmd.client, seq |-> cmd.seq, ...]';
    }
  }
  if (a.action === 'ReplyFromSession' && m?.type === 'Reply' && m.from !== ev.node)
    return 'the Reply sent is from r';
  const o = ev.replicaState;
  if (o === undefined) return null;
  if (o.promised !== undefined && o.promised !== v.promised) return 'state.promised';
  if (o.role !== undefined && o.role !== v.role) return 'state.role';
  if (o.ballot !== undefined && o.ballot !== v.ballot) return 'state.ballot';
  if (o.prepareFrom !== undefined && o.prepareFrom !== v.prepareFrom) return 'state.prepareFrom';
  if (o.nextSlot !== undefined && o.nextSlot !== v.nextSlot) return 'state.nextSlot';
  if (o.executed !== undefined && o.executed !== v.executed) return 'state.executed';
  // Shown slots of accepted and chosen; commands as Smr has them, (client, seq) without the op.
  for (const [slot, seen] of o.accepted ?? []) {
    const have = v.accepted.find((e) => e.slot === slot);
    const same =
      have === undefined
        ? seen === null
        : seen !== null && have.bal === seen.bal && sameTwinCmd(have.cmd, twinCmd(seen.cmd));
    if (!same) return `state.accepted.${slot}`;
  }
  for (const [slot, seen] of o.chosen ?? []) {
    const have = v.chosen.find((e) => e.slot === slot);
    const same =
      have === undefined ? seen === null : seen !== null && sameTwinCmd(have.cmd, twinCmd(seen));
    if (!same) return `state.chosen.${slot}`;
  }
  // Shown sessions: Smr keeps the seq (its outputs are abstract); no session is seq 0.
  for (const [client, seen] of o.sessions ?? []) {
    const have = v.sessions[k.clients.indexOf(client)] ?? NO_SESSION;
    if (have.seq !== (seen?.seq ?? 0)) return `state.sessions.${client}`;
  }
  return null;
}

const slotMatches = (ev: ParsedEvent, slot: number): boolean =>
  ev.slot === undefined || ev.slot === slot;
