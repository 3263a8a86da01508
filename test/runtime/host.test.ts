/**
 * The host's ordering rule (core/types.ts Effect; etcd raft's Ready: HardState is saved to
 * stable storage BEFORE Messages are sent): three hosts over an in-memory network, each with the
 * real store on a file layer that records every write and fsync. At every send, nothing its host
 * wrote to the log may be unsynced; with a batch of 64, one fsync covers many steps.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { kvApp } from '../../src/core/apps/kv.js';
import { replicaContext } from '../../src/core/replica/reducer.js';
import type { ReplicaParams } from '../../src/core/replica/state.js';
import type { Message } from '../../src/core/types.js';
import { RUNTIME_DEFAULTS } from '../../src/runtime/config.js';
import { NODE_FS, type FsLayer } from '../../src/runtime/fs-layer.js';
import { ReplicaHost } from '../../src/runtime/host.js';
import { DurableStore } from '../../src/runtime/store.js';
import { tempDir } from './helpers.js';

const IDS = ['r1', 'r2', 'r3'];
const params = {
  ...RUNTIME_DEFAULTS.params,
  electionTicks: 3,
  heartbeatTicks: 1,
  replicas: IDS,
} as unknown as ReplicaParams;

type Event = { host: string; kind: 'write' | 'sync' | 'send'; to?: string; type?: string };

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The file layer, recording writes and fsyncs of log segments. */
function recording(host: string, log: Event[]): FsLayer {
  return {
    ...NODE_FS,
    write(fd, data) {
      log.push({ host, kind: 'write' });
      NODE_FS.write(fd, data);
    },
    sync(fd) {
      log.push({ host, kind: 'sync' });
      NODE_FS.sync(fd);
    },
  };
}

function cluster(batch: number) {
  const log: Event[] = [];
  const replies: Message[] = [];
  const hosts = new Map<string, ReplicaHost>();
  for (const id of IDS) {
    const dir = tempDir(`host-${id}`);
    dirs.push(dir);
    const store = new DurableStore(dir, kvApp, params, recording(id, log));
    const recovered = store.open();
    const host = new ReplicaHost(
      {
        id,
        params,
        ctx: replicaContext(kvApp),
        store,
        trace: null,
        batch,
        network: {
          send(to, envelope) {
            log.push({ host: id, kind: 'send', to, type: envelope.msg?.type ?? 'status' });
            const msg = envelope.msg as Message;
            const target = hosts.get(to);
            if (target === undefined) replies.push(msg);
            else target.enqueue({ kind: 'Receive', msg });
          },
        },
      },
      recovered.durable,
      0,
      false,
    );
    hosts.set(id, host);
  }
  const run = (rounds: number) => {
    for (let i = 0; i < rounds; i++) for (const h of hosts.values()) while (h.pending > 0) h.pump();
  };
  return { log, replies, hosts, run };
}

/** Every send of a host comes after an fsync of everything that host wrote before it. */
function assertPersistBeforeSend(log: readonly Event[]): void {
  const unsynced = new Map<string, number>();
  for (const [i, e] of log.entries()) {
    if (e.kind === 'write') unsynced.set(e.host, (unsynced.get(e.host) ?? 0) + 1);
    if (e.kind === 'sync') unsynced.set(e.host, 0);
    if (e.kind === 'send' && (unsynced.get(e.host) ?? 0) > 0)
      throw new Error(
        `event ${i}: ${e.host} sent ${e.type} to ${e.to} with a log write not yet synced`,
      );
  }
}

describe('host: persist before send', () => {
  it('a leader election and a request: every send follows the fsync of what came before', () => {
    const c = cluster(1);
    for (const h of c.hosts.values()) for (let t = 0; t < 4; t++) h.enqueue({ kind: 'Tick' });
    c.run(5);
    expect(c.hosts.get('r1')?.state.volatile.role).toBe('leader');
    const request: Message = {
      type: 'Request',
      from: 'c1',
      seq: 1,
      op: { type: 'put', key: 'x', value: '1' },
    };
    for (const h of c.hosts.values()) h.enqueue({ kind: 'Receive', msg: request });
    c.run(5);
    expect(c.replies.filter((m) => m.type === 'Reply').length).toBe(3);
    expect(c.log.some((e) => e.kind === 'sync')).toBe(true);
    assertPersistBeforeSend(c.log);
  });

  it('the check fails on a host that sends first (it is not vacuous)', () => {
    expect(() =>
      assertPersistBeforeSend([
        { host: 'r1', kind: 'write' },
        { host: 'r1', kind: 'send', to: 'r2', type: 'Accept' },
        { host: 'r1', kind: 'sync' },
      ]),
    ).toThrow(/not yet synced/);
  });

  it('with a batch of 64, one fsync covers the persisting steps of a batch (group commit)', () => {
    const one = cluster(1);
    const many = cluster(64);
    for (const c of [one, many]) {
      for (const h of c.hosts.values()) for (let t = 0; t < 4; t++) h.enqueue({ kind: 'Tick' });
      c.run(5);
      for (let seq = 1; seq <= 20; seq++) {
        const msg: Message = {
          type: 'Request',
          from: `c${seq}`,
          seq: 1,
          op: { type: 'put', key: 'k', value: `${seq}` },
        };
        for (const h of c.hosts.values()) h.enqueue({ kind: 'Receive', msg });
      }
      c.run(10);
      expect(c.replies.filter((m) => m.type === 'Reply').length).toBe(60);
      assertPersistBeforeSend(c.log);
    }
    const fsyncs = (c: typeof one) =>
      [...c.hosts.values()].reduce((n, h) => n + h.counters.fsyncs, 0);
    expect(fsyncs(many)).toBeLessThan(fsyncs(one) / 3);
  });
});
