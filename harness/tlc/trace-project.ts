/**
 * The spec-level projection of a trace that TLC reads (spec/TraceSmr.tla): the same events in
 * the order the native checker checks them (per-node files merged), with what Smr.tla models —
 * ballots, slots, commands as (client, seq), the state variables Smr keeps in the same form — and
 * without what it abstracts or TLC's Json module cannot read (ops, outputs, JSON null).
 */
import type { Json } from '../../src/core/types.js';
import type { EventSource } from '../../src/trace/merge.js';
import { memberIds } from '../../src/spec/config.js';
import { isReconfig, requestCmd, type Ballots, type Msg } from '../../src/spec/values.js';
import type { ParsedEvent } from '../../src/trace/parse-event.js';

/** Actions whose event names its message whenever the producer logs messages. */
const CARRIES_MSG: ReadonlySet<string> = new Set([
  'Phase1a',
  'Phase1b',
  'ReceivePromise',
  'Phase2a',
  'Phase2b',
  'ReceiveAccepted',
  'Decide',
  'Learn',
  'Checkpoint',
  'InstallCheckpoint',
  'ReplyFromSession',
  'ClientRequest',
  'ClientReceive',
]);

export interface Projection {
  readonly events: number;
  /** Some event left out the message it consumed or sent: TLC then explores several behaviours. */
  readonly partial: boolean;
}

/**
 * Writes the projection line by line: the events, then the header (last, so that it can list
 * the JOIN and QUIT requests the events hold: Smr.tla's Script is a constant).
 */
export function projectForTlc(
  source: EventSource,
  write: (line: string, event?: ParsedEvent) => void,
): Projection {
  const ctx = source.ctx;
  const reconfigs = new Map<string, Json>();
  let events = 0;
  let partial = false;
  for (let ev = source.next(); ev !== null; ev = source.next()) {
    write(JSON.stringify(projectEvent(ev, ctx.ballots)), ev);
    const m = ev.msg;
    if (ev.action === 'ClientRequest' && m?.type === 'Request') {
      const cmd = requestCmd(m.from, m.seq, m.op, m.opKey);
      if (isReconfig(cmd))
        reconfigs.set(`${cmd.client}#${cmd.seq}`, { kind: cmd.kind, replica: cmd.replica ?? '' });
    }
    events++;
    if (
      ev.msg === undefined &&
      (CARRIES_MSG.has(ev.action) || (ev.action === 'Execute' && ev.applied !== false))
    )
      partial = true;
  }
  write(
    JSON.stringify({
      replicas: ctx.ballots.ordered,
      clients: ctx.clients,
      policy: ctx.policy,
      members: memberIds(ctx, ctx.members0),
      window: ctx.alpha,
      auditEvery: ctx.auditEvery,
      // Smr.tla's Script, whole: TraceSmr.tla bounds request numbers by the trace's length.
      script: Object.fromEntries(
        ctx.clients.map((c) => [
          c,
          Array.from(
            { length: events + 1 },
            (_, i) => reconfigs.get(`${c}#${i + 1}`) ?? { kind: 'op' },
          ),
        ]),
      ),
      files: source.files,
    }),
  );
  return { events, partial };
}

function projectEvent(ev: ParsedEvent, ballots: Ballots): { [k: string]: Json } {
  const out: { [k: string]: Json } = {
    node: ev.node,
    action: ev.action,
    src: `${ev.file}:${ev.line}`,
  };
  if (ev.slot !== undefined) out['slot'] = ev.slot;
  if (ev.applied !== undefined) out['applied'] = ev.applied;
  if (ev.msg !== undefined) out['msg'] = projectMsg(ev.msg, ballots);
  const state: { [k: string]: Json } = {};
  const r = ev.replicaState;
  if (r !== undefined) {
    if (r.promised !== undefined) state['promised'] = ballot(r.promised, ballots);
    if (r.role !== undefined) state['role'] = r.role;
    if (r.ballot !== undefined) state['ballot'] = ballot(r.ballot, ballots);
    if (r.prepareFrom !== undefined) state['prepareFrom'] = r.prepareFrom;
    if (r.nextSlot !== undefined) state['nextSlot'] = r.nextSlot;
    if (r.executed !== undefined) state['executed'] = r.executed;
    // Smr's checkpoint is its slot and abstract content: the slot is what TLC compares.
    if (r.ckpt !== undefined) state['ckpt'] = r.ckpt.slot;
    // Shown slots as a list, "no entry" as `none` (TLC's Json module cannot read null).
    if (r.accepted !== undefined)
      state['accepted'] = r.accepted.map(([slot, e]) =>
        e === null
          ? { slot, none: true }
          : { slot, none: false, ballot: ballot(e.bal, ballots), cmd: cmd(e.cmd) },
      );
    if (r.chosen !== undefined)
      state['chosen'] = r.chosen.map(([slot, c]) =>
        c === null ? { slot, none: true } : { slot, none: false, cmd: cmd(c) },
      );
    // Smr keeps a session's seq (outputs are abstract); no session is seq 0 (NoSession).
    if (r.sessions !== undefined)
      state['sessions'] = r.sessions.map(([client, x]) => ({ client, seq: x?.seq ?? 0 }));
  }
  const c = ev.clientState;
  if (c !== undefined) {
    if (c.clientSeq !== undefined) state['clientSeq'] = c.clientSeq;
    if (c.pending !== undefined) state['pending'] = c.pending;
  }
  if (Object.keys(state).length > 0) out['state'] = state;
  return out;
}

/** Round 0 stands for "no ballot" (Smr's NoBallot), since TLC cannot read null. */
function ballot(b: number, ballots: Ballots): Json {
  return b < 0 ? { round: 0, leader: '' } : { round: ballots.round(b), leader: ballots.owner(b) };
}

/** A command as Smr has it, client#seq without the op: a message's, or a logged state's. */
function cmd(c: { kind: string; client?: string; seq?: number; replica?: string }): Json {
  if (c.kind === 'join' || c.kind === 'quit')
    return { kind: c.kind, client: c.client ?? '', seq: c.seq ?? 0, replica: c.replica ?? '' };
  return c.kind !== 'op'
    ? { kind: c.kind }
    : { kind: 'op', client: c.client ?? '', seq: c.seq ?? 0 };
}

function projectMsg(m: Msg, ballots: Ballots): Json {
  switch (m.type) {
    case 'Prepare':
      return { type: m.type, from: m.from, ballot: ballot(m.bal, ballots), fromSlot: m.fromSlot };
    case 'Promise':
      return {
        type: m.type,
        from: m.from,
        ballot: ballot(m.bal, ballots),
        accepted: m.accepted.map((e) => ({
          slot: e.slot,
          ballot: ballot(e.bal, ballots),
          cmd: cmd(e.cmd),
        })),
        checkpoint: m.ckpt,
      };
    case 'Accept':
      return {
        type: m.type,
        from: m.from,
        ballot: ballot(m.bal, ballots),
        slot: m.slot,
        cmd: cmd(m.cmd),
      };
    case 'Accepted':
      return { type: m.type, from: m.from, ballot: ballot(m.bal, ballots), slot: m.slot };
    case 'Decision':
      return { type: m.type, from: m.from, slot: m.slot, cmd: cmd(m.cmd) };
    case 'Snapshot':
      return { type: m.type, from: m.from, slot: m.slot };
    case 'Request':
      return { type: m.type, from: m.from, seq: m.seq };
    case 'Reply':
      return { type: m.type, from: m.from, to: m.to, seq: m.seq };
    case 'Audit':
      return { type: m.type, from: m.from, slot: m.slot, digest: m.digest };
  }
}
