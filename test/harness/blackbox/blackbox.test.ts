/**
 * `smr test` (harness/blackbox/) end to end against small Python nodes: a correct one passes
 * under every fault and the same seed gives the same run; a broken one is caught, shrunk, and
 * its replay file reproduces the violation; every line the kit writes, and every answer it
 * accepts, satisfies schema/node-protocol.schema.json; a node that breaks the protocol is one
 * `smr:` line naming the node and the step, exit 2, with what was recorded kept on disk.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAnswer } from '../../../harness/blackbox/protocol.js';
import { runOnce, type RunSetup } from '../../../harness/blackbox/run.js';
import { swarmFaults } from '../../../harness/blackbox/session.js';
import { TEST_FAULTS } from '../../../harness/blackbox/scheduler.js';
import { smr } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-blackbox-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PRIMARY = ['python3', 'test/fixtures/blackbox/primary.py'];
const BROKEN = ['python3', 'test/fixtures/blackbox/broken.py'];

const setup = (over: Partial<RunSetup> = {}): RunSetup => ({
  command: 'python3',
  args: ['test/fixtures/blackbox/primary.py'],
  replicas: 3,
  clients: 3,
  seed: 1,
  faults: [...TEST_FAULTS],
  timeMs: 2000,
  quietMs: 1500,
  tickMs: 10,
  attemptTimeoutMs: 300,
  requestTimeoutMs: 2000,
  stepTimeoutMs: 5000,
  maxSteps: 100_000,
  lincheckTimeoutMs: 30_000,
  ...over,
});

const schema = JSON.parse(readFileSync('schema/node-protocol.schema.json', 'utf8')) as {
  $id: string;
};
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
ajv.addSchema(schema);
const validEvent = ajv.compile({ $ref: `${schema.$id}#/$defs/event` });
const validAnswer = ajv.compile({ $ref: `${schema.$id}#/$defs/answer` });

describe('smr test against a correct node', () => {
  it('passes under every fault; each line either side wrote fits the schema', async () => {
    const lines: { dir: string; line: string }[] = [];
    const run = await runOnce(
      setup(),
      { kind: 'seeded' },
      {
        explain: true,
        onLine: (d, _node, line) => lines.push({ dir: d, line }),
      },
    );
    expect(run.broken).toBeNull();
    expect(run.verdict?.kind).toBe('pass');
    // The faults really happened, and the clients got answers.
    expect(run.network?.lost).toBeGreaterThan(0);
    expect(run.network?.duplicated).toBeGreaterThan(0);
    expect(run.cluster.crashes).toBeGreaterThan(0);
    expect(run.client.counts.ok).toBeGreaterThan(20);
    expect(run.stuck).toBe(0);
    const kinds = new Set<string>();
    for (const { dir: d, line } of lines) {
      const value = JSON.parse(line) as { type?: string };
      if (d === '>') {
        kinds.add(value.type as string);
        expect(validEvent(value), `${line}\n${JSON.stringify(validEvent.errors)}`).toBe(true);
      } else expect(validAnswer(value), line).toBe(true);
    }
    expect([...kinds].sort()).toEqual(['init', 'message', 'request', 'tick']);
  });

  it('gives the same run for the same seed, and another for another seed', async () => {
    const a = await runOnce(
      setup({ timeMs: 800, quietMs: 300 }),
      { kind: 'seeded' },
      { explain: false },
    );
    const b = await runOnce(
      setup({ timeMs: 800, quietMs: 300 }),
      { kind: 'seeded' },
      { explain: false },
    );
    const c = await runOnce(
      setup({ timeMs: 800, quietMs: 300, seed: 2 }),
      { kind: 'seeded' },
      { explain: false },
    );
    expect(a.digest).toBe(b.digest);
    expect(a.executed).toEqual(b.executed);
    expect(c.digest).not.toBe(a.digest);
  });

  it('exits 0 through the CLI and writes the files', async () => {
    const out = join(dir, 'pass');
    const r = await smr(
      'test',
      '--runs',
      '1',
      '--time',
      '1000',
      '--quiet',
      '500',
      '--no-progress',
      '--out',
      out,
      '--',
      ...PRIMARY,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/PASS: linearizable/);
    expect(r.stdout).toMatch(/run digest [0-9a-f]{16}/);
    for (const f of ['replay.json', 'history.ndjson', 'steps.ndjson', 'timeline.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    // The history is one `smr lincheck` reads.
    const lin = await smr('lincheck', '--model', 'kv', join(out, 'history.ndjson'));
    expect(lin.code, lin.stderr).toBe(0);
  });
});

describe('smr test against a broken node', () => {
  it('finds the violation, shrinks it, and the replay reproduces it', async () => {
    const out = join(dir, 'bug');
    const r = await smr(
      'test',
      '--time',
      '800',
      '--quiet',
      '500',
      '--shrink-time',
      '30',
      '--no-progress',
      '--out',
      out,
      '--',
      ...PRIMARY,
      '--bug',
      'local',
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION \(linearizability\)/);
    const shrunk = /shrunk: (\d+) steps → (\d+)/.exec(r.stdout);
    expect(shrunk).not.toBeNull();
    expect(Number(shrunk?.[2])).toBeLessThan(Number(shrunk?.[1]));
    expect(Number(shrunk?.[2])).toBeLessThanOrEqual(12);
    const again = await smr(
      'test',
      '--replay',
      join(out, 'replay.json'),
      '--out',
      join(dir, 'bug2'),
      '--',
      ...PRIMARY,
      '--bug',
      'local',
    );
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/the same run as recorded/);
    // The correct node passes the same schedule: the violation is the bug's, not the schedule's.
    const fixed = await smr(
      'test',
      '--replay',
      join(out, 'replay.json'),
      '--out',
      join(dir, 'bug3'),
      '--',
      ...PRIMARY,
    );
    expect(fixed.code, fixed.stdout).toBe(0);
    expect(fixed.stdout).toMatch(/NOT the recorded run: step \d+ \(n\d\) went differently/);
  }, 120_000);

  it.each([
    ['garbage', /printed a line that is not JSON: "hello from the node"/],
    ['exit', /exited \(code 3\): node: giving up/],
    ['hang', /did not answer within 300 ms/],
    ['wrong-step', /answered step 13, expected 12/],
    ['unknown-reply', /replies to request "c9:99", which this node never received/],
    ['unknown-node', /sends to "n9", which is not a node \(n1, n2, n3\)/],
  ])(
    'a node that breaks the protocol (%s): exit 2, one line, the record kept',
    async (mode, reason) => {
      const out = join(dir, `broken-${mode}`);
      const r = await smr(
        'test',
        '--step-timeout',
        '300',
        '--no-progress',
        '--out',
        out,
        '--',
        ...BROKEN,
        mode,
      );
      expect(r.code).toBe(2);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('smr: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^smr: node n1, step 12 \(request c1:1\): /);
      expect(errors[0]).toMatch(reason);
      expect(readFileSync(join(out, 'replay.json'), 'utf8')).toMatch(/"verdict": "broken"/);
      expect(readFileSync(join(out, 'history.ndjson'), 'utf8')).toMatch(/"c1:1"|c1/);
    },
  );
});

describe('answers and options', () => {
  it('parseAnswer names what is wrong', () => {
    expect(parseAnswer('{"step":3}', 3)).toEqual({
      ok: true,
      answer: { send: [], reply: [], trace: [] },
    });
    expect(parseAnswer('{"step":3,"persist":null}', 3)).toMatchObject({
      ok: true,
      answer: { persist: { value: null } },
    });
    const reasons = [
      ['[1]', 3],
      ['{"step":3,"send":{}}', 3],
      ['{"step":3,"send":[{"to":"n2"}]}', 3],
      ['{"step":3,"reply":[{"id":"a","status":"maybe"}]}', 3],
      ['{"step":3,"reply":[{"id":"a","status":"ok"}]}', 3],
      ['{"step":3,"reply":[{"id":"a","status":"fail","leader":7}]}', 3],
      ['{"step":3,"replies":[]}', 3],
      ['{"step":3,"trace":[1]}', 3],
    ] as const;
    for (const [text, step] of reasons) {
      const parsed = parseAnswer(text, step);
      expect(parsed.ok, text).toBe(false);
      // What the kit refuses, the schema refuses too.
      expect(validAnswer(JSON.parse(text)), text).toBe(false);
    }
  });

  it('refuses bad flags and replay files with exit 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"smr-test-replay","version":1,"setup":{}}');
    const cases = [
      ['test', '--shard', '3/2', '--', ...PRIMARY],
      ['test', '--runs', '1', '--shard', '2/2', '--', ...PRIMARY], // one run: shard 2 has none
      ['test', '--faults', 'loss,fire', '--', ...PRIMARY],
      ['test', '--replay', bad, '--', ...PRIMARY],
      ['test', '--replay', join(dir, 'missing.json'), '--', ...PRIMARY],
      ['test', '--out', '/proc/nonexistent/x', '--', ...PRIMARY],
    ];
    for (const args of cases) {
      const r = await smr(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n').at(-1), args.join(' ')).toMatch(/^smr: /);
    }
  });

  it('swarm mode draws a non-empty subset of the faults per run', () => {
    const subsets = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const chosen = swarmFaults(TEST_FAULTS, seed);
      expect(chosen.length).toBeGreaterThan(0);
      expect(chosen.every((f) => TEST_FAULTS.includes(f))).toBe(true);
      subsets.add(chosen.join(','));
    }
    expect(subsets.size).toBeGreaterThan(10);
  });

  it('runs several seeds, and a shard runs its share', async () => {
    const r = await smr(
      'test',
      '--runs',
      '3',
      '--shard',
      '2/2',
      '--swarm',
      '--time',
      '300',
      '--quiet',
      '200',
      '--no-progress',
      '--json',
      '--out',
      join(dir, 'swarm'),
      '--',
      ...PRIMARY,
    );
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { runs: number; seed: number };
    expect(result.runs).toBe(1); // runs 0..2, shard 2 of 2: run 1 only
    expect(result.seed).toBe(2);
  });
});

describe('smr test --schedule (an explorer counterexample as the adversary)', () => {
  it('drives the nodes through the pattern, then the quiet period', async () => {
    const cx = join(dir, 'cx');
    const explore = await smr(
      'explore',
      '--mutant',
      'ignore-promised-values',
      '--no-progress',
      '--out',
      cx,
    );
    expect(explore.code, explore.stderr).toBe(1);
    const out = join(dir, 'pattern');
    const r = await smr(
      'test',
      '--schedule',
      join(cx, 'counterexample.replay.json'),
      '--quiet',
      '500',
      '--no-progress',
      '--out',
      out,
      '--',
      ...PRIMARY,
    );
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /the explorer schedule .*counterexample\.replay\.json, then 500 ms quiet/,
    );
    const replay = JSON.parse(readFileSync(join(out, 'replay.json'), 'utf8')) as {
      actions: { do: string; node: string; id?: string }[];
    };
    // The pattern's first Tick is r1's, and its one request reaches r1 = n1.
    const moves = replay.actions.filter((a) => a.do !== 'start');
    expect(moves[0]).toMatchObject({ do: 'tick', node: 'n1' });
    expect(replay.actions.find((a) => a.do === 'request')).toMatchObject({
      node: 'n1',
      id: 'c1:p1',
    });
    // A corrupting counterexample cannot be fed to a node: exit 2.
    const bad = join(dir, 'corrupt.replay.json');
    const file = JSON.parse(readFileSync(join(cx, 'counterexample.replay.json'), 'utf8')) as {
      steps: unknown[];
    };
    file.steps.push({ kind: 'Corrupt', replica: 'r1' });
    writeFileSync(bad, JSON.stringify(file));
    const refused = await smr(
      'test',
      '--schedule',
      bad,
      '--out',
      join(dir, 'refused'),
      '--',
      ...PRIMARY,
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/corrupts app state/);
  });
});

describe("the nodes' own traces", () => {
  const TRACED = 'traces/valid/seed8-per-node-lamport';
  const run = (folder: string, out: string) =>
    smr(
      'test',
      '--runs',
      '1',
      '--time',
      '300',
      '--quiet',
      '100',
      '--faults',
      'none',
      '--no-progress',
      '--out',
      join(dir, out),
      '--',
      'python3',
      'test/fixtures/blackbox/tracing.py',
      folder,
    );

  it('are checked with smr check-trace: a valid trace passes', async () => {
    const r = await run(TRACED, 'traced');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the nodes' traces \(smr check-trace --partial\): valid: /);
    expect(r.stdout).toMatch(/traces valid/);
    expect(existsSync(join(dir, 'traced', 'trace-n2.ndjson'))).toBe(true);
  });

  it('an edited trace is a violation, without shrinking', async () => {
    const edited = join(dir, 'edited-trace');
    rmSync(edited, { recursive: true, force: true });
    cpSync(TRACED, edited, { recursive: true });
    // r2 accepts a ballot nobody proposed: an Accept that was never sent.
    const lines = readFileSync(join(edited, 'r2.ndjson'), 'utf8').split('\n');
    const accept = lines.findIndex((l) => l.includes('"action":"Phase2b"'));
    expect(accept).toBeGreaterThan(0);
    lines[accept] = (lines[accept] as string).replace('"round":1', '"round":9');
    writeFileSync(join(edited, 'r2.ndjson'), lines.join('\n'));
    const r = await run(edited, 'edited');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/VIOLATION \(trace\): the nodes' trace is invalid: invalid: trace-/);
    expect(r.stdout).not.toMatch(/shrunk:/);
  });
});

describe('the example Raft node (examples/raft-kv)', () => {
  it('passes a run under every fault, and the same run with its stale-read bug fails', async () => {
    const raft = ['python3', 'examples/raft-kv/node.py'];
    const pass = await smr(
      'test',
      '--runs',
      '1',
      '--seed',
      '3',
      '--no-progress',
      '--json',
      '--out',
      join(dir, 'raft'),
      '--',
      ...raft,
    );
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    const ok = JSON.parse(pass.stdout) as { operations: { ok: number }; stuck: number };
    expect(ok.operations.ok).toBeGreaterThan(50);
    expect(ok.stuck).toBe(0);
    const bug = await smr(
      'test',
      '--runs',
      '1',
      '--seed',
      '3',
      '--no-shrink',
      '--no-progress',
      '--json',
      '--out',
      join(dir, 'raft-bug'),
      '--',
      ...raft,
      '--bug',
      'stale-read',
    );
    expect(bug.code, bug.stdout + bug.stderr).toBe(1);
    expect(JSON.parse(bug.stdout)).toMatchObject({
      verdict: 'violation',
      check: 'linearizability',
    });
  });
});

describe('edge sizes', () => {
  it('one node: partitions and crashes have nothing to cut, and the run ends', async () => {
    const r = await smr(
      'test',
      '--replicas',
      '1',
      '--seed',
      '2',
      '--runs',
      '1',
      '--time',
      '500',
      '--quiet',
      '200',
      '--no-progress',
      '--json',
      '--out',
      join(dir, 'one'),
      '--',
      ...PRIMARY,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      verdict: 'pass',
      messages: { partitions: 0, crashes: 0 },
    });
  });
});
