/**
 * A steady-state trace of any length, written directly (no reducer): three replicas with r1
 * leading ballot 1.r1, clients submitting kv operations one after another, every event in the
 * shape and order the reference core and TraceRecorder produce (see any valid/ trace).
 *
 * Why not record the core: its durable maps are copied on every change (immutable state), so a
 * million-event run costs O(slots²) to produce. The checker validates what this writes; the
 * bench refuses to time a trace it does not find valid.
 *   npx tsx bench/trace-synth.ts OUT.ndjson EVENTS [full|messages|actions] [SEED]
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { kvApp, type KvState } from '../src/core/apps/kv.js';
import type { Json } from '../src/core/types.js';
import { makeHeader, type ObserveLevel } from '../src/trace/format.js';
import { Random } from '../harness/random.js';
import { randomOp } from '../harness/sim/workload.js';

const REPLICAS = ['r1', 'r2', 'r3'];
const CLIENTS = ['c1', 'c2', 'c3'];
const BALLOT = { round: 1, leader: 'r1' };

export function synthesizeTrace(
  file: string,
  events: number,
  observe: ObserveLevel,
  seed = 1,
): number {
  const rng = new Random(seed);
  const fd = openSync(file, 'w');
  let buffer: string[] = [];
  let written = 0;
  const clocks = new Map<string, number>();
  const emit = (
    node: string,
    action: string,
    extra: { slot?: number; msg?: Json; applied?: boolean; state?: Json },
    after = 0,
  ): number => {
    const clock = Math.max(clocks.get(node) ?? 0, after) + 1;
    clocks.set(node, clock);
    const line: { [k: string]: Json } = { node, action, clock: { lamport: clock } };
    if (extra.slot !== undefined) line['slot'] = extra.slot;
    if (observe !== 'actions') {
      if (extra.msg !== undefined) line['msg'] = extra.msg;
      if (extra.applied !== undefined) line['applied'] = extra.applied;
      if (observe === 'full' && extra.state !== undefined) line['state'] = extra.state;
    }
    buffer.push(JSON.stringify(line));
    written++;
    if (buffer.length >= 8192) flush();
    return clock;
  };
  const flush = (): void => {
    writeSync(fd, buffer.join('\n') + '\n');
    buffer = [];
  };
  writeSync(
    fd,
    JSON.stringify(
      makeHeader(
        REPLICAS,
        CLIENTS,
        { app: 'kv', policy: 'majority', generator: 'bench/trace-synth.ts' },
        { observe, clock: 'lamport' },
      ),
    ) + '\n',
  );

  const replica = (
    role: string,
    executed: number,
    app: KvState,
    extra: { [k: string]: Json } = {},
  ): Json => ({
    promised: BALLOT,
    role,
    ballot: role === 'follower' ? null : BALLOT,
    prepareFrom: 0,
    nextSlot: role === 'leader' ? executed + 1 : 0,
    executed,
    app: kvApp.view(app),
    ...extra,
  });

  // Election: r1's phase 1, promises from r2 and r3, leadership after the first.
  const prepare = { type: 'Prepare', from: 'r1', ballot: BALLOT, fromSlot: 0 };
  const p1a = emit('r1', 'Phase1a', {
    msg: prepare,
    state: { ...(replica('candidate', 0, new Map()) as object), nextSlot: 0 },
  });
  const p1b2 = emit(
    'r2',
    'Phase1b',
    { msg: prepare, state: replica('follower', 0, new Map()) },
    p1a,
  );
  emit('r3', 'Phase1b', { msg: prepare, state: replica('follower', 0, new Map()) }, p1a);
  emit(
    'r1',
    'ReceivePromise',
    { msg: { type: 'Promise', from: 'r2', ballot: BALLOT, accepted: [] } },
    p1b2,
  );
  emit('r1', 'BecomeLeader', {
    state: { ...(replica('leader', 0, new Map()) as object), nextSlot: 0 },
  });

  let app: KvState = new Map();
  const seqs = new Map<string, number>();
  const sessions: { [client: string]: Json } = {};
  for (let slot = 0; written < events; slot++) {
    const client = CLIENTS[slot % CLIENTS.length] as string;
    const seq = (seqs.get(client) ?? 0) + 1;
    seqs.set(client, seq);
    const op = randomOp(kvApp, rng);
    const cmd = { kind: 'op', client, seq, op };
    const { state: next, output } = kvApp.apply(app, op);
    const before = app;
    app = next;
    sessions[client] = { seq, output };
    const accepted = { [slot]: { ballot: BALLOT, cmd } };
    const request = { type: 'Request', from: client, seq, op };
    const accept = { type: 'Accept', from: 'r1', ballot: BALLOT, slot, cmd };
    const decision = { type: 'Decision', from: 'r1', slot, cmd };
    const reply = (from: string) => ({ type: 'Reply', from, to: client, seq, output });

    const sent = emit(client, 'ClientRequest', {
      msg: request,
      state: { clientSeq: seq, pending: true },
    });
    const a = emit(
      'r1',
      'Phase2a',
      {
        slot,
        msg: accept,
        state: replica('leader', slot, before, {
          nextSlot: slot + 1,
          accepted,
          chosen: { [slot]: null },
        }),
      },
      sent,
    );
    const b2 = emit(
      'r2',
      'Phase2b',
      {
        slot,
        msg: accept,
        state: replica('follower', slot, before, { accepted, chosen: { [slot]: null } }),
      },
      a,
    );
    emit(
      'r3',
      'Phase2b',
      {
        slot,
        msg: accept,
        state: replica('follower', slot, before, { accepted, chosen: { [slot]: null } }),
      },
      a,
    );
    emit(
      'r1',
      'ReceiveAccepted',
      { slot, msg: { type: 'Accepted', from: 'r2', ballot: BALLOT, slot } },
      b2,
    );
    const d = emit('r1', 'Decide', { slot, msg: decision });
    const done = (r: string, role: string) =>
      replica(role, slot + 1, app, {
        accepted,
        chosen: { [slot]: cmd },
        sessions: { [client]: sessions[client] as Json },
      });
    const e1 = emit('r1', 'Execute', {
      slot,
      msg: reply('r1'),
      applied: true,
      state: { ...(done('r1', 'leader') as object), nextSlot: slot + 1 },
    });
    emit('r2', 'Learn', { slot, msg: decision }, d);
    const e2 = emit('r2', 'Execute', {
      slot,
      msg: reply('r2'),
      applied: true,
      state: done('r2', 'follower'),
    });
    emit('r3', 'Learn', { slot, msg: decision }, d);
    emit('r3', 'Execute', { slot, msg: reply('r3'), applied: true, state: done('r3', 'follower') });
    emit(
      client,
      'ClientReceive',
      { msg: reply('r1'), state: { clientSeq: seq, pending: true, replies: { r1: { output } } } },
      e1,
    );
    emit(
      client,
      'ClientReceive',
      { msg: reply('r2'), state: { clientSeq: seq, pending: false, replies: { r2: null } } },
      e2,
    );
  }
  flush();
  closeSync(fd);
  return written;
}

if (process.argv[1]?.endsWith('trace-synth.ts')) {
  const [file, events, observe, seed] = process.argv.slice(2);
  if (file === undefined) throw new Error('usage: trace-synth.ts OUT.ndjson EVENTS [LEVEL] [SEED]');
  const n = synthesizeTrace(
    file,
    Number(events ?? 1_000_000),
    (observe ?? 'full') as ObserveLevel,
    Number(seed ?? 1),
  );
  console.log(`${file}: ${n} events`);
}
