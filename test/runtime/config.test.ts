/**
 * A bad cluster config is refused with one line naming the file and the field, exit 2 (issue 19
 * "Bad input"): duplicate ids, an even number of replicas, a missing key (unless --insecure).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseClusterConfig } from '../../src/runtime/config.js';
import { smr } from '../helpers/cli.js';
import { tempDir } from './helpers.js';

const KEY = 'ab'.repeat(32);
const r = (id: string, port: number) => ({ id, port });
const dir = tempDir('config');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function serveWith(config: unknown, ...flags: string[]) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { file, run: await smr('serve', '--id', 'r1', '--config', file, ...flags) };
}

describe('cluster config', () => {
  it.each([
    [
      'duplicate ids',
      { replicas: [r('r1', 1), r('r1', 2), r('r3', 3)], key: KEY },
      /"replicas\[1\]\.id" duplicates the id "r1"/,
    ],
    [
      'an even number of replicas',
      { replicas: [r('r1', 1), r('r2', 2)], key: KEY },
      /"replicas" must be an odd number .* got 2/,
    ],
    ['a missing key', { replicas: [r('r1', 1)] }, /"key" is missing: .*--insecure/],
    ['a short key', { replicas: [r('r1', 1)], key: 'abcd' }, /"key" must hold at least 16 bytes/],
    [
      'a client named like a replica',
      { replicas: [r('r1', 1)], key: KEY, clients: ['r1'] },
      /"clients" names the replica r1/,
    ],
    [
      'an unknown field',
      { replicas: [r('r1', 1)], key: KEY, replica: [] },
      /"replica" is not a config field/,
    ],
    ['not JSON', '{"replicas": [', /not JSON/],
  ])(
    'refuses %s: one line naming the file and the field, exit 2',
    async (_what, config, reason) => {
      const { file, run } = await serveWith(config);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(file);
      expect(run.stderr).toMatch(reason);
    },
  );

  it('accepts a config without a key only with --insecure, and fills in loopback and defaults', () => {
    const c = parseClusterConfig(
      { replicas: [r('r1', 7001), r('r2', 7002), r('r3', 7003)] },
      'x.json',
      { insecure: true },
    );
    expect(c.key).toBeNull();
    expect(c.replicas[0]?.host).toBe('127.0.0.1');
    expect(c.clients).toHaveLength(8);
    expect(c.params.replicas).toEqual(['r1', 'r2', 'r3']);
    expect(() => parseClusterConfig({ replicas: [r('r1', 7001)] }, 'x.json')).toThrow(
      /"key" is missing/,
    );
  });

  it('refuses an unknown seeded bug and an id the config does not name', async () => {
    const good = { replicas: [r('r1', 1), r('r2', 2), r('r3', 3)], key: KEY };
    const mutant = await serveWith(good, '--mutant', 'no-such-bug');
    expect(mutant.run.code).toBe(2);
    expect(mutant.run.stderr).toMatch(/--mutant: unknown seeded bug "no-such-bug"/);
    const file = join(dir, 'good.json');
    writeFileSync(file, JSON.stringify(good));
    const stranger = await smr('serve', '--id', 'r9', '--config', file);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/no replica "r9" in "replicas"/);
  });
});
