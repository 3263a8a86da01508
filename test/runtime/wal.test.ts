/**
 * The write-ahead log and the store on it (src/runtime/wal.ts, store.ts): what a crash leaves
 * (a torn tail) is cut with a report, a CRC mismatch stops recovery at the last good record, a
 * new segment starts with the whole state, and a checkpoint survives as a snapshot file whose
 * digest is checked. Paxos Made Simple §2.3: what an acceptor promised and accepted must
 * survive its restart.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kvApp, type KvState } from '../../src/core/apps/kv.js';
import { initialMembership } from '../../src/core/membership.js';
import { checkpointDigest } from '../../src/core/replica/checkpoint.js';
import { EMPTY_DURABLE, type ReplicaParams } from '../../src/core/replica/state.js';
import type { Checkpoint, DurableState } from '../../src/core/types.js';
import { NODE_FS } from '../../src/runtime/fs-layer.js';
import { DurableStore } from '../../src/runtime/store.js';
import { encodeRecord, Wal, WAL_MAGIC } from '../../src/runtime/wal.js';
import { RUNTIME_DEFAULTS } from '../../src/runtime/config.js';
import { tempDir } from './helpers.js';

const params = {
  ...RUNTIME_DEFAULTS.params,
  replicas: ['r1', 'r2', 'r3'],
} as unknown as ReplicaParams;
const dirs: string[] = [];
const fresh = (): string => {
  const d = tempDir('wal');
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ballot = (round: number) => ({ round, leader: 'r1' });
const op = (seq: number) =>
  ({ kind: 'op', client: 'c1', seq, op: { type: 'put', key: 'x', value: String(seq) } }) as const;

/** Durable states as a replica passes them to Persist: each a change of the one before. */
function history(n: number): DurableState[] {
  const out: DurableState[] = [];
  let d: DurableState = EMPTY_DURABLE;
  for (let i = 0; i < n; i++) {
    const accepted = new Map(d.accepted).set(i, { ballot: ballot(1), cmd: op(i + 1) });
    const chosen = i > 0 ? new Map(d.chosen).set(i - 1, op(i)) : d.chosen;
    d = { promised: ballot(1), accepted, chosen, checkpoint: null };
    out.push(d);
  }
  return out;
}

function persistAll(dir: string, states: readonly DurableState[], segmentBytes?: number): void {
  const store = new DurableStore(
    dir,
    kvApp,
    params,
    NODE_FS,
    segmentBytes === undefined ? {} : { segmentBytes },
  );
  store.open();
  states.forEach((d, i) => {
    store.stage(i + 1, d);
    store.commit(i + 1);
  });
  store.close();
}

function reopen(dir: string) {
  const store = new DurableStore(dir, kvApp, params, NODE_FS);
  const recovered = store.open();
  store.close();
  return recovered;
}

const segment = (dir: string): string => {
  const names = readdirSync(join(dir, 'wal')).filter((n) => n.endsWith('.log'));
  return join(dir, 'wal', names[names.length - 1] as string);
};

describe('write-ahead log', () => {
  it('gives back exactly the state last persisted', () => {
    const dir = fresh();
    const states = history(10);
    persistAll(dir, states);
    const r = reopen(dir);
    expect(r.warning).toBeNull();
    expect(r.lastStep).toBe(10);
    expect(r.durable.promised).toEqual(ballot(1));
    expect([...r.durable.accepted]).toEqual([...(states[9] as DurableState).accepted]);
    expect([...r.durable.chosen]).toEqual([...(states[9] as DurableState).chosen]);
  });

  it('cuts a torn tail (a record the crash cut short) and says so; nothing before it is lost', () => {
    const dir = fresh();
    persistAll(dir, history(5));
    const file = segment(dir);
    const size = statSync(file).size;
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, size - 7)); // the last record loses its end
    const r = reopen(dir);
    expect(r.problem?.kind).toBe('torn');
    expect(r.warning).toMatch(
      /torn tail .*cut short.*recovery stops at the last good record \(step 4\)/,
    );
    expect(r.lastStep).toBe(4);
    expect([...r.durable.accepted.keys()]).toEqual([0, 1, 2, 3]);
    // The log was truncated to the last good record, the cut bytes kept aside.
    expect(existsSync(`${file}.discarded`)).toBe(true);
    expect(reopen(dir).warning).toBeNull();
  });

  it('stops at a CRC mismatch before the end, keeping what follows aside', () => {
    const dir = fresh();
    persistAll(dir, history(6));
    const file = segment(dir);
    const bytes = Buffer.from(readFileSync(file));
    // Flip a byte inside the third record's payload.
    let at = WAL_MAGIC.length;
    for (let i = 0; i < 2; i++) at += 8 + bytes.readUInt32LE(at);
    bytes.writeUInt8(bytes.readUInt8(at + 11) ^ 0xff, at + 11);
    writeFileSync(file, bytes);
    const r = reopen(dir);
    expect(r.problem?.kind).toBe('corrupt');
    expect(r.warning).toMatch(
      /corrupt record: CRC mismatch; recovery stops at the last good record \(step 2\)/,
    );
    expect(r.lastStep).toBe(2);
    expect(statSync(file).size).toBe(at);
  });

  it('refuses a record length beyond the limit as corruption, not a torn tail', () => {
    const dir = fresh();
    persistAll(dir, history(2));
    const file = segment(dir);
    const junk = Buffer.alloc(8);
    junk.writeUInt32LE(0xfffffff0, 0);
    writeFileSync(file, Buffer.concat([readFileSync(file), junk, Buffer.alloc(64)]));
    const r = reopen(dir);
    expect(r.problem?.kind).toBe('corrupt');
    expect(r.lastStep).toBe(2);
  });

  it('starts a new segment with the whole state past the size limit, and drops the old ones', () => {
    const dir = fresh();
    const states = history(40);
    persistAll(dir, states, 1024);
    const logs = readdirSync(join(dir, 'wal')).filter((n) => n.endsWith('.log'));
    expect(logs.length).toBe(1);
    expect(logs[0]).not.toBe('wal-0000000000000001.log');
    const r = reopen(dir);
    expect(r.lastStep).toBe(40);
    expect([...r.durable.accepted]).toEqual([...(states[39] as DurableState).accepted]);
  });

  it('keeps a checkpoint in a snapshot file and checks its digest on the way back', () => {
    const dir = fresh();
    const app = kvApp.apply(kvApp.init(), { type: 'put', key: 'x', value: '7' }).state;
    const sessions = new Map([['c1', { seq: 3, output: 'OK' }]]);
    const cp: Checkpoint = {
      slot: 3,
      app,
      sessions,
      membership: initialMembership(['r1', 'r2', 'r3']),
      digest: checkpointDigest(kvApp, 3, app, sessions, null),
    };
    const truncated: DurableState = {
      promised: ballot(2),
      accepted: new Map(),
      chosen: new Map(),
      checkpoint: cp,
    };
    persistAll(dir, [...history(3), truncated]);
    const r = reopen(dir);
    expect(r.durable.checkpoint?.digest).toBe(cp.digest);
    expect(kvApp.view(r.durable.checkpoint?.app as KvState)).toEqual({ x: '7' });
    expect(r.durable.accepted.size).toBe(0);
    const snap = readdirSync(dir).find((n) => n.endsWith('.snap')) as string;
    // A snapshot that is not the checkpoint the log names is refused, whatever its CRC says.
    const forged = {
      ...(JSON.parse(readFileSync(join(dir, snap)).subarray(16).toString()) as object),
      parts: [],
    };
    writeFileSync(join(dir, snap), Buffer.concat([Buffer.from('SMRSNAP1'), encodeRecord(forged)]));
    expect(() => reopen(dir)).toThrow(/does not have the digest/);
  });

  it('treats a segment whose header was torn as empty', () => {
    const dir = fresh();
    const wal = new Wal(join(dir, 'wal'), NODE_FS);
    wal.open();
    wal.close();
    writeFileSync(segment(dir), WAL_MAGIC.subarray(0, 3));
    const again = new Wal(join(dir, 'wal'), NODE_FS);
    const r = again.open();
    again.close();
    expect(r.records).toEqual([]);
    expect(r.problem?.kind).toBe('torn');
  });
});
