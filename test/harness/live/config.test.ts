/**
 * The `smr live` config (harness/live/config.ts): a malformed one is bad input — one line
 * naming the file and the field (exit 2 through the CLI) — and relative paths resolve against
 * the config file's directory. The example configs under examples/etcd/ load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  commandLine,
  loadLiveConfig,
  parseLiveConfig,
  placeholders,
} from '../../../harness/live/config.js';
import { planFault } from '../../../harness/live/faults.js';
import { Random } from '../../../harness/random.js';
import { InputError } from '../../../src/errors.js';
import { smr } from '../../helpers/cli.js';

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'smr-live-config-'));
  temps.push(dir);
  return dir;
};

const EXAMPLES = join(import.meta.dirname, '../../../examples/etcd');
const FILE = '/configs/live.json';
const minimal = { nodes: 3, start: ['server', '--port', '{client_port}'], adapter: ['adapter'] };

const error = (raw: unknown): string => {
  try {
    parseLiveConfig(raw, FILE);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  return 'no error';
};

describe('live config', () => {
  it('fills defaults and resolves the output directory against the config file', () => {
    const c = parseLiveConfig(minimal, FILE);
    expect(c.dir).toBe('/configs');
    expect(c.out).toBe('/configs/smr-live-out');
    expect(c).toMatchObject({ clients: 5, opTimeout: 2, duration: 60, seed: 1, model: 'etcd' });
    expect(Object.values(c.faults.kinds).every((w) => w === 0)).toBe(true);
  });

  it.each([
    [[], `${FILE}: the config: must be a JSON object`],
    [{ ...minimal, node: 3 }, `${FILE}: "node": unknown key`],
    [{ ...minimal, nodes: 0 }, `${FILE}: nodes: must be between 1 and 9, got 0`],
    [{ ...minimal, nodes: '3' }, `${FILE}: nodes: must be a number, got "3"`],
    [{ ...minimal, nodes: undefined }, `${FILE}: nodes: is missing (a number)`],
    [{ ...minimal, start: undefined }, `${FILE}: start: is missing (a command`],
    [{ ...minimal, start: [] }, `${FILE}: start: must be a command`],
    [
      { ...minimal, start: ['etcd', '--name', '{name}'] },
      `${FILE}: start[2]: unknown placeholder {name} (known: {id}`,
    ],
    [
      { ...minimal, adapter: 'python3 a.py {data_dir}' },
      `${FILE}: adapter: unknown placeholder {data_dir}`,
    ],
    [{ ...minimal, model: 'register' }, `${FILE}: model: must be one of etcd, kv`],
    [{ ...minimal, mix: { get: 1, scan: 1 } }, `${FILE}: mix.scan: unknown name`],
    [{ ...minimal, mix: { get: 0 } }, `${FILE}: mix: gives every operation weight 0`],
    [{ ...minimal, opTimeout: 0 }, `${FILE}: opTimeout: must be seconds, above 0`],
    [{ ...minimal, clients: 1.5 }, `${FILE}: clients: must be an integer, got 1.5`],
    [{ ...minimal, faults: { kinds: { crash: 1 } } }, `${FILE}: faults.kinds.crash: unknown name`],
    [{ ...minimal, faults: { kind: {} } }, `${FILE}: faults.kind: unknown key`],
    [{ ...minimal, faults: { every: [3, 1] } }, `${FILE}: faults.every: min 3 is above max 1`],
    [
      { ...minimal, faults: { partition: ['cut', 'flap'] } },
      `${FILE}: faults.partition: must be a non-empty list of cut, drop`,
    ],
    [
      { ...minimal, nodes: 1, faults: { kinds: { partition: 1 } } },
      `${FILE}: faults.kinds.partition: needs at least 2 nodes`,
    ],
    [{ ...minimal, keepData: 'yes' }, `${FILE}: keepData: must be true or false`],
  ])('refuses %j', (raw, message) => {
    expect(error(raw)).toContain(message);
  });

  it('fills placeholders; {{ and }} are literal braces; a shell string quotes values', () => {
    expect(placeholders('--x={a} {{b}} {c}')).toEqual(['a', 'c']);
    const values = { a: '1', data_dir: '/tmp/with space' };
    expect(commandLine({ kind: 'argv', argv: ['s', '--d={data_dir}', '{{x}}'] }, values)).toEqual({
      file: 's',
      args: ['--d=/tmp/with space', '{x}'],
      text: 's --d=/tmp/with space {x}',
    });
    expect(commandLine({ kind: 'shell', script: 'exec s --d {data_dir}' }, values).args).toEqual([
      '-c',
      "exec s --d '/tmp/with space'",
    ]);
  });

  it('"extends" takes the keys a config does not set from its base, and names it in errors', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'base.json'), JSON.stringify({ ...minimal, clients: 99 }));
    writeFileSync(join(dir, 'child.json'), JSON.stringify({ extends: 'base.json', clients: 2 }));
    const child = loadLiveConfig(join(dir, 'child.json'));
    expect(child.clients).toBe(2);
    expect(child.nodes).toBe(3);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ extends: 'base.json', nodes: 3 }));
    writeFileSync(join(dir, 'base.json'), JSON.stringify({ ...minimal, clients: 0 }));
    expect(() => loadLiveConfig(join(dir, 'bad.json'))).toThrow(
      `bad.json: clients (from base.json): must be between 1 and 64, got 0`,
    );
    expect(() => loadLiveConfig(join(dir, 'missing.json'))).toThrow('cannot read: no such file');
  });

  it('loads the etcd examples', () => {
    for (const name of ['live.json', 'live-serializable.json', 'live-cache.json']) {
      const c = loadLiveConfig(join(EXAMPLES, name));
      expect(c.nodes).toBe(3);
      expect(c.model).toBe('etcd');
      expect(c.faults.kinds.kill).toBeGreaterThan(0);
      expect(c.faults.kinds.pause).toBeGreaterThan(0);
      expect(c.faults.kinds.partition).toBeGreaterThan(0);
    }
    expect(loadLiveConfig(join(EXAMPLES, 'live-cache.json')).adapter).toMatchObject({
      argv: expect.arrayContaining(['--cache']),
    });
  });

  it('the fault schedule is a function of the seed', () => {
    const plan = parseLiveConfig(
      { ...minimal, faults: { kinds: { kill: 1, pause: 1, partition: 1, 'restart-all': 1 } } },
      FILE,
    ).faults;
    const schedule = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 20 }, () => planFault(rng, plan, 5));
    };
    expect(schedule(7)).toEqual(schedule(7));
    expect(schedule(7)).not.toEqual(schedule(8));
    for (const f of schedule(7)) {
      if (f.kind === 'partition') expect(f.nodes.length).toBeLessThanOrEqual(2); // a minority of 5
      expect(f.quietMs).toBeGreaterThanOrEqual(2000);
      expect(f.holdMs).toBeLessThanOrEqual(4000);
    }
  });

  it('through the CLI: one line naming the file and the field, exit 2', async () => {
    const dir = tempDir();
    const file = join(dir, 'live.json');
    writeFileSync(file, JSON.stringify({ ...minimal, duration: -1 }));
    const r = await smr('live', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`smr: ${file}: duration: must be between 0 and 86400, got -1\n`);
    writeFileSync(file, '{"nodes": 3,');
    expect((await smr('live', '--config', file)).stderr).toMatch(/^smr: .*live\.json: not JSON/);
  });
});
