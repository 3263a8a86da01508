/**
 * `smr live` end to end without etcd (issue 18 part 4): a three-node fake key-value server in
 * Python (fixtures/fake_node.py: a primary that persists, followers that forward to it through
 * the kit's proxies) under kill, pause, restart-all, partition and delay faults is found
 * linearizable; the same server with followers that answer reads from a stale cache is flagged;
 * adapters that print garbage, exit or hang, and nodes that cannot start, end the run with one
 * line naming them (exit 2) and the history so far on disk; Ctrl-C keeps the history too; and
 * no run leaves a process behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLiveConfig, type LiveConfig } from '../../../harness/live/config.js';
import { runLive, type LiveResult } from '../../../harness/live/run.js';
import { parseHistory } from '../../../src/oracle/formats/index.js';
import { smr } from '../../helpers/cli.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const temps: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fakeConfig(overrides: Record<string, unknown> = {}, node: string[] = []): LiveConfig {
  return parseLiveConfig(
    {
      nodes: 3,
      start: [
        'python3',
        'fake_node.py',
        '--index',
        '{index}',
        '--client-port',
        '{client_port}',
        '--peer-port',
        '{peer_port}',
        '--peers',
        '{peers}',
        '--data-dir',
        '{data_dir}',
        ...node,
      ],
      adapter: [
        'python3',
        'fake_adapter.py',
        '--endpoints',
        '{endpoints}',
        '--node',
        '{node}',
        '--timeout-ms',
        '{timeout_ms}',
      ],
      clients: 4,
      rate: 150,
      opTimeout: 1,
      duration: 2.5,
      keys: 2,
      startTimeout: 10,
      lincheckTimeout: 30,
      out: tempDir('smr-live-'),
      ...overrides,
    },
    join(FIXTURES, 'fake.json'),
  );
}

const FAULTS = {
  kinds: { kill: 1, pause: 1, partition: 1, 'restart-all': 1, delay: 1 },
  every: [0.15, 0.3],
  hold: [0.2, 0.4],
};

/** Every process the run started is gone. */
function noneLeft(r: LiveResult): void {
  const alive = r.pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
}

const historyOnDisk = (r: LiveResult) =>
  parseHistory(readFileSync(r.history.file, 'utf8'), r.history.file, 'ndjson');

describe('smr live against a fake server', () => {
  it('a correct server under every fault: linearizable, history and timeline on disk', async () => {
    const r = await runLive(fakeConfig({ faults: FAULTS }));
    expect(r.status).toBe('checked');
    expect(r.lincheck?.result.verdict).toBe('linearizable');
    expect(r.history.ok).toBeGreaterThan(20);
    expect(r.faults.total).toBeGreaterThanOrEqual(3);
    // What `smr lincheck` reads: the same operations, failed ones left out.
    expect(historyOnDisk(r).ops.length).toBe(r.history.operations - r.history.fail);
    expect(existsSync(r.timeline ?? '')).toBe(true);
    const faults = readFileSync(r.faults.file, 'utf8').trim().split('\n');
    expect(faults.length).toBe(r.faults.total);
    expect(existsSync(join(r.out, 'data'))).toBe(false);
    noneLeft(r);
  });

  it('a server whose followers answer reads from a stale cache is flagged', async () => {
    const r = await runLive(fakeConfig({ keys: 1, duration: 3 }, ['--stale']));
    expect(r.lincheck?.result.verdict).toBe('not-linearizable');
    expect(r.lincheck?.result.failures[0]?.window.reason).toBe('real-time');
    noneLeft(r);
  });

  it.each([
    [
      'garbage',
      /^adapter c\d \(python3 fake_adapter\.py .*\) printed a line that is not JSON: "Traceback/,
    ],
    ['exit', /^adapter c\d \(.*\) exited \(code 1\): fake_adapter: giving up on purpose$/],
    ['hang', /^adapter c\d \(.*\) did not answer within 3 s$/],
    [
      'bad-answer',
      /^adapter c\d \(.*\) answered "\{\\"status\\": \\"ok\\"\}" to get k\d: an ok get gives "value"/,
    ],
  ])('an adapter that breaks (%s): one line naming it, history so far kept', async (mode, line) => {
    const config = fakeConfig({ duration: 30 });
    const broken: LiveConfig = {
      ...config,
      adapter: {
        kind: 'argv',
        argv: [
          ...(config.adapter.kind === 'argv' ? config.adapter.argv : []),
          '--break',
          mode,
          '--after',
          '5',
        ],
      },
    };
    const r = await runLive(broken);
    expect(r.status).toBe('broken');
    expect(r.broken).toMatch(line);
    expect(r.history.ok).toBeGreaterThanOrEqual(5);
    expect(historyOnDisk(r).ops.length).toBeGreaterThanOrEqual(5);
    expect(r.ranSeconds).toBeLessThan(15);
    noneLeft(r);
  });

  it('a node that cannot start, or never opens its port, breaks the run ', async () => {
    const crash = await runLive(
      fakeConfig({ start: ['python3', '-c', 'import sys; sys.exit("no such flag: --peers")'] }),
    );
    expect(crash.broken).toMatch(
      /^node n\d \(python3 -c .*\) exited by itself \(code 1\): no such flag: --peers \[log: .*n\d\.log\]$/,
    );
    const missing = await runLive(fakeConfig({ start: ['no-such-server-binary', '{id}'] }));
    expect(missing.broken).toMatch(
      /^node n\d \(no-such-server-binary n\d\) could not start no-such-server-binary: spawn no-such-server-binary ENOENT/,
    );
    const silent = await runLive(
      fakeConfig({ start: ['python3', '-c', 'import time; time.sleep(60)'], startTimeout: 0.5 }),
    );
    expect(silent.broken).toMatch(
      /^node n1 \(.*\) did not open its client port 127\.0\.0\.1:\d+ within 0\.5 s/,
    );
    for (const r of [crash, missing, silent]) {
      expect(r.status).toBe('broken');
      expect(existsSync(r.history.file)).toBe(true);
      noneLeft(r);
    }
  });

  it('Ctrl-C (an abort): stops at once, cleans up, keeps the history', async () => {
    const abort = new AbortController();
    const started = performance.now();
    setTimeout(() => abort.abort(), 1500);
    const r = await runLive(fakeConfig({ duration: 60, faults: FAULTS }), { signal: abort.signal });
    expect(r.status).toBe('interrupted');
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(historyOnDisk(r).ops.length).toBeGreaterThan(0);
    noneLeft(r);
  });

  it('the CLI: summary, --json, exit 1 for a violation', async () => {
    const dir = tempDir('smr-live-cli-');
    const file = join(dir, 'fake.json');
    const config = {
      nodes: 3,
      start: [
        'python3',
        join(FIXTURES, 'fake_node.py'),
        '--index',
        '{index}',
        '--client-port',
        '{client_port}',
        '--peer-port',
        '{peer_port}',
        '--peers',
        '{peers}',
        '--data-dir',
        '{data_dir}',
        '--stale',
      ],
      adapter: [
        'python3',
        join(FIXTURES, 'fake_adapter.py'),
        '--endpoints',
        '{endpoints}',
        '--node',
        '{node}',
      ],
      clients: 4,
      rate: 150,
      opTimeout: 1,
      duration: 30,
      keys: 1,
      out: 'out',
    };
    writeFileSync(file, JSON.stringify(config));
    const human = await smr(
      'live',
      '--config',
      file,
      '--duration',
      '3',
      '--seed',
      '9',
      '--no-progress',
    );
    expect(human.stdout).toContain('NOT linearizable');
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^smr live .*fake\.json: 3 nodes, 4 clients, 3\.\d s, seed 9\n/);
    expect(human.stdout).toMatch(
      /\nhistory: [\d,]+ operations \(ok [\d,]+, fail \d+, info \d+\) in .*out\/history\.ndjson\n/,
    );
    expect(human.stdout).toContain('\nfaults: 0\n');
    expect(human.stdout).toMatch(/\nlincheck: NOT linearizable \(1 partition, model etcd, /);
    expect(human.stdout).toMatch(/breaks when c\d(\.\d+)? {2}get\["k\d"\] → /);
    expect(human.stderr).toBe('');
    const json = await smr(
      'live',
      '--config',
      file,
      '--duration',
      '3',
      '--out',
      join(dir, 'o2'),
      '--json',
      '--no-progress',
    );
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as {
      status: string;
      lincheck: { verdict: string };
      out: string;
    };
    expect(result.status).toBe('checked');
    expect(result.lincheck.verdict).toBe('not-linearizable');
    expect(result.out).toBe(join(dir, 'o2'));
  });
});
