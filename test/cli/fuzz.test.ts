/**
 * Every command against random files and flags (issue 17): whatever the input, the exit code is
 * one of the documented ones (0, 1, 2, 3), a 2 comes with exactly one line on stderr, and
 * nothing is an "internal error". Runs are kept short by bounds appended after the random
 * flags (commander keeps an option's last value), so a hang shows up as the test's timeout.
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smr } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'smr-fuzz-'));
const savedJar = process.env['TLA2TOOLS_JAR'];
beforeAll(() => {
  delete process.env['TLA2TOOLS_JAR']; // `smr tlc` must answer at once, not run TLC
});
afterAll(() => {
  if (savedJar !== undefined) process.env['TLA2TOOLS_JAR'] = savedJar;
  rmSync(dir, { recursive: true, force: true });
});

/** Real inputs of each kind, and mangled copies of them: what a fuzzed command is pointed at. */
const read = (f: string) => readFileSync(join(root, f), 'utf8');
const TRACES = [
  'traces/valid/seed1-full-no-faults.ndjson',
  'traces/invalid/deleted-send.ndjson',
  'traces/invalid/decide-without-quorum.ndjson',
].map(read);
const HISTORIES = [
  'test/data/lincheck/register-ok.log',
  'test/data/lincheck/register-stale-read.log',
  'test/data/lincheck/kv-jepsen-vector.edn',
  'test/data/lincheck/register-write-skew.ndjson',
].map(read);
const CONFIGS = [read('examples/smr.config.json')];

function fileContent(samples: readonly string[]) {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...samples), weight: 4 },
    fc
      .tuple(fc.constantFrom(...samples), fc.nat(), fc.nat(), fc.string({ maxLength: 12 }))
      .map(([text, at, cut, junk]) => {
        const i = at % Math.max(1, text.length);
        return text.slice(0, i) + junk + text.slice(i + (cut % 40));
      }),
    fc.string({ maxLength: 200 }),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.constant(''),
  );
}

/** Values no flag takes, and a few paths nothing can be written to. */
const garbage = fc.constantFrom(
  '-1',
  '1e400',
  '99999999999999999999',
  'x',
  '',
  'a/b',
  '/proc/nonexistent/x',
);

/** Values a flag does take, so that most runs get past option parsing. */
const GOOD: Record<string, readonly string[]> = {
  '--max-hidden': ['0', '1', '2'],
  '--max-candidates': ['1', '64', '4096'],
  '--model': ['register', 'kv', 'etcd', 'app:kv', 'app:counter', 'core', 'spec'],
  '--format': ['json', 'ndjson', 'edn', 'jepsen-log'],
  '--timeout': ['1', '5'],
  '--max-steps': ['10', '1000', '20000'],
  '--html': ['HTML'],
  '--replicas': ['3', '5', '7'],
  '--clients': ['1', '2'],
  '--requests': ['0', '1', '2'],
  '--faults': ['loss,dup', 'crash', 'corrupt', 'loss,dup,crash'],
  '--network': ['set', 'multiset'],
  '--max-depth': ['3', '8'],
  '--strategy': ['bfs', 'dfs', 'random', 'delay'],
  '--constants': ['F1', 'Ckpt', 'F9'],
  '--mutant': ['execute-past-gap', 'adopt-first-report', 'nosuch'],
  '--window': ['1', '2'],
  '--out': ['OUT'],
  '--seed': ['1', '7', '42'],
  '--app': ['kv', 'counter'],
  '--trace': ['TRACE'],
  '--observe': ['full', 'messages', 'actions'],
  '--workers': ['1', '2'],
  '--config': ['FILE'],
  '--replay': ['FILE'],
};
interface CommandShape {
  readonly name: string;
  readonly flags: readonly string[];
  readonly switches: readonly string[];
  readonly files: number;
  /** Appended last: bounds that keep every run short. */
  readonly bounds: readonly string[];
  /** Put first, so that a random flag can still replace it. */
  readonly defaults: (n: number) => string[];
  /** The files it reads, and how often it is drawn. */
  readonly samples: readonly string[];
  readonly weight: number;
}

const COMMANDS: readonly CommandShape[] = [
  {
    name: 'check-trace',
    samples: TRACES,
    weight: 4,
    flags: ['--max-hidden', '--max-candidates'],
    switches: ['--invariants', '--json', '--partial'],
    files: 2,
    bounds: [],
    defaults: () => [],
  },
  {
    name: 'lincheck',
    samples: HISTORIES,
    weight: 4,
    flags: ['--model', '--format', '--timeout', '--max-steps', '--html'],
    switches: ['--witness', '--json', '--all', '--no-explain'],
    files: 1,
    bounds: ['--max-steps', '20000'],
    defaults: () => [],
  },
  {
    name: 'explore',
    samples: [],
    weight: 3,
    flags: [
      '--replicas',
      '--clients',
      '--requests',
      '--faults',
      '--network',
      '--max-depth',
      '--strategy',
      '--constants',
      '--model',
      '--mutant',
      '--window',
      '--out',
    ],
    switches: ['--json', '--prune-dead-messages'],
    files: 0,
    bounds: ['--max-states', '300', '--max-delays', '1', '--no-progress'],
    defaults: (n) => ['--out', join(dir, `explore-${n}`)],
  },
  {
    name: 'simulate',
    samples: [],
    weight: 2,
    flags: ['--seed', '--faults', '--replicas', '--clients', '--app', '--trace', '--observe'],
    switches: ['--json'],
    files: 0,
    bounds: ['--steps', '200'],
    defaults: () => [],
  },
  {
    name: 'test',
    samples: [],
    weight: 1,
    flags: ['--replicas', '--clients', '--seed', '--faults', '--out', '--replay', '--max-steps'],
    switches: ['--json', '--no-shrink', '--swarm'],
    files: 0,
    // The node command goes last, after `--`; short runs of the small test node.
    bounds: [
      '--time',
      '200',
      '--quiet',
      '100',
      '--runs',
      '1',
      '--shrink-time',
      '1',
      '--',
      'python3',
      'test/fixtures/blackbox/primary.py',
    ],
    defaults: (n) => ['--out', join(dir, `test-${n}`)],
  },
  {
    name: 'replay',
    samples: HISTORIES,
    weight: 1,
    flags: [],
    switches: ['--json'],
    files: 1,
    bounds: [],
    defaults: () => [],
  },
  {
    name: 'mutants',
    samples: [],
    weight: 1,
    flags: [],
    switches: ['--json'],
    files: 0,
    bounds: [],
    defaults: () => [],
  },
  {
    name: 'tlc',
    samples: [],
    weight: 1,
    flags: ['--workers'],
    switches: ['--json'],
    files: 0,
    bounds: [],
    defaults: () => [],
  },
  {
    name: 'check',
    samples: CONFIGS,
    weight: 2,
    flags: ['--config'],
    switches: ['--json'],
    files: 0,
    bounds: [],
    defaults: () => [],
  },
  {
    name: 'nosuch',
    samples: [],
    weight: 1,
    flags: ['--x'],
    switches: [],
    files: 0,
    bounds: [],
    defaults: () => [],
  },
];

const invocation = fc
  .oneof(...COMMANDS.map((c) => ({ arbitrary: fc.constant(c), weight: c.weight })))
  .chain((command) =>
    fc.record({
      command: fc.constant(command),
      picks: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 9 }), garbage), { maxLength: 4 }),
      switches: fc.array(fc.nat(), { maxLength: 2 }),
      files: fc.array(fileContent(command.samples.length > 0 ? command.samples : HISTORIES), {
        minLength: 1,
        maxLength: 1,
      }),
      missingFile: fc.nat({ max: 4 }).map((n) => n === 0),
    }),
  )
  .filter(({ command, picks }) => command.name !== 'check' || picks.length > 0);

let run = 0;
const codes: Record<number, number> = {};

describe('every command, random files and flags', () => {
  it('exits 0–3; a 2 is one line on stderr; never an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(invocation, async ({ command, picks, switches, files, missingFile }) => {
        const n = run++;
        const paths = files.map((content, k) => {
          const path = join(dir, `in-${n}-${k}`);
          writeFileSync(path, content);
          return path;
        });
        if (missingFile) paths.push(join(dir, 'does-not-exist.ndjson'));
        const flagArgs = picks.flatMap(([i, k, dice, bad]) => {
          const flag = command.flags[i % Math.max(1, command.flags.length)];
          if (flag === undefined) return [];
          const good = GOOD[flag] ?? ['1'];
          // A garbage value for a flag that names an output still lands under `dir`, never in
          // the working directory (runs wrote "-1" and "1e400" pages into the checkout).
          const writes = good.some((g) => g === 'HTML' || g === 'TRACE' || g === 'OUT');
          if (dice === 0 && writes) return [flag, join(dir, `garbage-${n}`, bad)];
          const v = dice === 0 ? bad : (good[k % good.length] as string);
          if (v === 'FILE') return [flag, paths[0] ?? join(dir, 'none')];
          if (v === 'HTML' || v === 'TRACE')
            return [flag, join(dir, `out-${n}.${v.toLowerCase()}`)];
          if (v === 'OUT') return [flag, join(dir, `out-${n}`)];
          return [flag, v];
        });
        const switchArgs = switches.flatMap((i) => {
          const s = command.switches[i % Math.max(1, command.switches.length)];
          return s === undefined ? [] : [s];
        });
        const fileArgs = paths.slice(0, Math.max(command.files, 0) || 0);
        if (command.name === 'check') mkdirSync(join(dir, `check-${n}`), { recursive: true }); // never the kit's main job
        const args = [
          command.name,
          ...command.defaults(n),
          ...flagArgs,
          ...switchArgs,
          ...command.bounds,
          ...(command.files > 0 ? fileArgs : []),
        ];
        if (command.name === 'check' && !args.includes('--config')) return;
        const r = await smr(...args);
        codes[r.code] = (codes[r.code] ?? 0) + 1;
        expect([0, 1, 2, 3], `${args.join(' ')}\n${r.stderr}`).toContain(r.code);
        expect(r.stderr, args.join(' ')).not.toMatch(/internal error/);
        if (r.code === 2) {
          const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
          const last = lines[lines.length - 1] ?? '';
          // Commander prints usage before some errors; the error itself is one `smr:` line.
          expect(last, args.join(' ')).toMatch(/^smr: /);
          expect(
            lines.filter((l) => l.startsWith('smr: ')),
            args.join(' '),
          ).toHaveLength(1);
        }
      }),
      { numRuns: 150, seed: 17 },
    );
    // The runs reach every verdict, not only option errors.
    for (const code of [0, 1, 2, 3]) expect(codes[code] ?? 0, `exit ${code}`).toBeGreaterThan(2);
  }, 240_000);
});
