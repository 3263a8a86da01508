/**
 * End to end (issue 19 "Done when"): `smr cluster up`, `smr client put/get`, a replica killed
 * with SIGKILL and the cluster still answering, `smr cluster down`, and the nodes' trace files
 * valid under `smr check-trace` — or invalid when a replica runs a seeded bug (`--mutant`).
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown, runningPid } from '../../src/runtime/cluster.js';
import { processAlive } from '../../src/runtime/sessions.js';
import { smr } from '../helpers/cli.js';
import { tempDir, useServeBundle } from './helpers.js';

let restore: () => void;
const dirs: string[] = [];
beforeAll(() => {
  restore = useServeBundle();
});
afterEach(async () => {
  for (const d of dirs) if (existsSync(join(d, 'cluster.json'))) await clusterDown(d, 1000);
});
afterAll(() => {
  restore();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (name: string): string => {
  const d = tempDir(name);
  dirs.push(d);
  return d;
};
const traces = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .map((f) => join(dir, f));

describe('smr cluster and smr client', () => {
  it('up, put, get, survive a kill -9, down; the traces validate', async () => {
    const dir = fresh('cluster');
    const up = await smr('cluster', 'up', '--replicas', '3', '--dir', dir);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/^up: 3 replicas in /);
    expect((await smr('client', '--dir', dir, 'put', 'x', '1')).stdout).toBe('OK\n');
    expect((await smr('client', '--dir', dir, 'get', 'x')).stdout).toBe('1\n');
    expect((await smr('cluster', 'up', '--dir', dir)).stdout).toMatch(/3 already running/);

    const status = await smr('cluster', 'status', '--dir', dir);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/role=leader/);

    const victim = runningPid(dir, 'r2') as number;
    process.kill(victim, 'SIGKILL');
    while (processAlive(victim)) await new Promise((ok) => setTimeout(ok, 10));
    expect((await smr('client', '--dir', dir, 'append', 'x', '2')).stdout).toBe('12\n');
    const again = await smr('cluster', 'up', '--dir', dir);
    expect(again.stdout).toMatch(/2 already running/);
    expect((await smr('client', '--dir', dir, 'cas', 'x', '12', '3')).stdout).toBe('true\n');

    const down = await smr('cluster', 'down', '--dir', dir);
    expect(down.stdout).toMatch(/^down: stopped r1 \(pid \d+\), r2 \(pid \d+\), r3 \(pid \d+\)/);
    expect(processAlive(victim)).toBe(false);
    expect((await smr('cluster', 'down', '--dir', dir)).stdout).toMatch(/nothing was running/);

    const check = await smr('check-trace', ...traces(dir));
    expect(check.stdout).toMatch(/^valid: /);
    expect(check.code).toBe(0);
  });

  it('a request that timed out is completed by the next client of its id; kill -9 of every replica loses nothing', async () => {
    const dir = fresh('resume');
    expect((await smr('cluster', 'up', '--dir', dir, '--clients', '1')).code).toBe(0);
    await smr('cluster', 'down', '--dir', dir);
    const late = await smr('client', '--dir', dir, '--timeout', '1', 'put', 'a', '2');
    expect(late.code).toBe(3);
    expect(late.stderr).toMatch(/no outcome within --timeout/);
    expect((await smr('cluster', 'up', '--dir', dir)).code).toBe(0);
    const next = await smr('client', '--dir', dir, 'get', 'a');
    expect(next.stderr).toMatch(/completing request 1 of an earlier process first/);
    expect(next.stdout).toBe('2\n');
    const pids = ['r1', 'r2', 'r3'].map((r) => runningPid(dir, r) as number);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    while (pids.some(processAlive)) await new Promise((ok) => setTimeout(ok, 10));
    expect((await smr('cluster', 'up', '--dir', dir)).stdout).toMatch(/^up: 3 replicas/);
    expect((await smr('client', '--dir', dir, 'get', 'a')).stdout).toBe('2\n');
    await smr('cluster', 'down', '--dir', dir);
    expect((await smr('check-trace', ...traces(dir))).code).toBe(0);
  });

  it('a pid file of another process is stale: removed, never signalled', async () => {
    const dir = fresh('stale');
    writeFileSync(
      join(dir, 'cluster.json'),
      JSON.stringify({ replicas: [{ id: 'r1', port: 1 }], key: 'ab'.repeat(16) }),
    );
    writeFileSync(join(dir, 'r1.pid'), `${process.pid}\n`);
    const down = await smr('cluster', 'down', '--dir', dir);
    expect(down.stdout).toMatch(/nothing was running/);
    expect(existsSync(join(dir, 'r1.pid'))).toBe(false);
  });

  it('a replica started with a seeded bug writes a trace the checker refuses', async () => {
    const dir = fresh('mutant');
    const up = await smr('cluster', 'up', '--dir', dir, '--mutant', 'r1=minority-quorum');
    expect(up.code).toBe(0);
    for (const v of ['1', '2'])
      expect((await smr('client', '--dir', dir, 'put', 'k', v)).code).toBe(0);
    await smr('cluster', 'down', '--dir', dir);
    const check = await smr('check-trace', ...traces(dir));
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/^invalid: .*r1\.ndjson:\d+: r1 BecomeLeader/);
    expect(check.stdout).toMatch(/IsQuorumOf/);
  });
});
