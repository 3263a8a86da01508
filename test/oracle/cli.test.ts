/**
 * `smr lincheck` end to end, in-process (issue 6 "Done when": the verdicts on the corpus of
 * test/data/lincheck, exit 0 linearizable, 1 not, 2 bad input, 3 unknown within budget).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { smr } from '../helpers/cli.js';

const PICK = '; --model picks another: register, kv, etcd, app:kv, app:counter';

const data = (name: string) =>
  relative(process.cwd(), fileURLToPath(new URL(`../data/lincheck/${name}`, import.meta.url)));

describe('smr lincheck: verdicts on the corpus', () => {
  it.each([
    ['register-ok.log', 0],
    // Fields separated by runs of spaces, some lines with a timestamp: detected without --format.
    ['register-ok-spaces.log', 0],
    ['unknown-writes-unobserved.json', 0],
    ['register-pending.json', 0],
    ['app-kv-ok.json', 0],
    ['kv-jepsen-vector.edn', 0],
    ['info-took-effect.edn', 0],
    ['info-did-not-take-effect.ndjson', 0],
    // Recorded with `smr simulate --history` (see test/data/lincheck/README.md).
    ['sim-kv-5-replicas-all-faults.json', 0],
    ['sim-counter-3-replicas.json', 0],
    ['register-stale-read.log', 1],
    ['register-lost-update.edn', 1],
    ['register-write-skew.ndjson', 1],
    ['kv-write-skew.ndjson', 1],
    ['app-kv-lost-append.json', 1],
    ['counter-lost-update.ndjson', 1],
    ['info-contradiction.edn', 1],
    ['sim-counter-edited-read.json', 1],
  ])('%s exits %i', async (name, expected) => {
    const { code, stdout, stderr } = await smr('lincheck', data(name));
    expect(code).toBe(expected);
    expect(stderr).toBe('');
    expect(stdout.split('\n')[0]).toMatch(
      expected === 0 ? `${data(name)}: linearizable (` : `${data(name)}: NOT linearizable (`,
    );
  });

  it('explains a stale read: prefix, and the 1-minimal window', async () => {
    const file = data('register-stale-read.log');
    const { stdout } = await smr('lincheck', file);
    expect(stdout).toBe(
      [
        `${file}: NOT linearizable (3 operations, 1 partition, model register, 4 steps)`,
        'breaks when #2  2  read → 1  (lines 7–8; called 4, returned 5) returns',
        '  longest linearizable prefix: the 3 operations called before that (1 still open or forgotten, left out of the order); one linearization:',
        '    1. #0  0  write 1  (lines 2–3; called 0, returned 1)',
        '    2. #1  1  write 2  (lines 4–5; called 2, returned 3)',
        '  window that cannot be ordered (3 operations, 1-minimal; its output fits some order of these, but none that respects real time):',
        '    #0  0  write 1  (lines 2–3; called 0, returned 1)',
        '    #1  1  write 2  (lines 4–5; called 2, returned 3)',
        '    #2  2  read → 1  (lines 7–8; called 4, returned 5)  <- breaks',
        '',
      ].join('\n'),
    );
  });

  it('counts unknown outcomes, says how many were left out as never needed, and warns when every write is unknown', async () => {
    const file = data('unknown-writes-unobserved.json');
    const { code, stdout } = await smr('lincheck', file);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'unknown outcomes: 2 (write 2) in 1 partition; 2 left out as never needed (unobserved unknown writes)\n',
    );
    expect(stdout).not.toContain('warning');
    const lost = await smr('lincheck', data('info-took-effect.edn'));
    expect(lost.stdout).toContain(
      'warning: every operation that writes has an unknown outcome — did the recorder lose the outputs?',
    );
    const json = JSON.parse((await smr('lincheck', '--json', file)).stdout);
    expect(json.unknownOutcomes).toEqual({
      total: 2,
      byKind: { write: 2 },
      partitions: 1,
      dropped: 2,
      everyWriteUnknown: false,
    });
  });

  it('prints a witness order', async () => {
    const { code, stdout } = await smr('lincheck', '--witness', data('info-took-effect.edn'));
    expect(code).toBe(0);
    expect(stdout).toContain(
      '  1. #0  0  write 1 → ?  (lines 2–3; called 0, returned 1)\n  2. #1  1  read → 1  (lines 4–5; called 2, returned 3)\n',
    );
  });

  it('exits 3 when the budget runs out, with --max-steps or --timeout', async () => {
    const file = data('pathological.json');
    const steps = await smr('lincheck', '--max-steps', '1000', file);
    expect(steps.code).toBe(3);
    expect(steps.stdout).toBe(
      `${file}: unknown: the search ran out of --max-steps with 1 partition undecided (25 operations, 1 partition, model register, 1,000 steps)\n`,
    );
    const time = await smr('lincheck', '--timeout', '0.001', '--json', file);
    expect(time.code).toBe(3);
    expect(JSON.parse(time.stdout)).toMatchObject({ verdict: 'unknown', exhausted: 'timeout' });
  });

  it('prints one JSON object with --json', async () => {
    const { code, stdout } = await smr('lincheck', '--json', data('kv-write-skew.ndjson'));
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({
      format: 'ndjson',
      model: 'kv',
      verdict: 'not-linearizable',
      operations: 4,
      partitions: [
        { key: '"x"', verdict: 'not-linearizable', operations: 2 },
        // The verdict is settled by "x": "y" is not searched unless --all.
        { key: '"y"', verdict: 'unknown', operations: 2, undecided: 'not-needed' },
      ],
    });
    expect(typeof result.elapsedMs).toBe('number');
    const all = JSON.parse(
      (await smr('lincheck', '--json', '--all', data('kv-write-skew.ndjson'))).stdout,
    );
    expect(all.partitions[1]).toMatchObject({ key: '"y"', verdict: 'linearizable' });
    expect(all.partitions[1]).not.toHaveProperty('undecided');
    expect(result.failures[0].window.ops.map((op: { index: number }) => op.index)).toEqual([0, 3]);
    expect(result.failures[0].breaking).toEqual({
      index: 3,
      process: 'c2',
      op: 'get["x"] → null',
      line: 6,
      retLine: 8,
    });
  });

  it('writes a self-contained HTML timeline', async () => {
    const html = join(mkdtempSync(join(tmpdir(), 'lincheck-')), 'timeline.html');
    const { code, stdout } = await smr(
      'lincheck',
      '--html',
      html,
      data('register-write-skew.ndjson'),
    );
    expect(code).toBe(1);
    expect(stdout).toContain(`timeline: ${html}\n`);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain('<div class="op window breaking"');
    // Self-contained: links only within the page, one inline script, nothing loaded.
    expect(page).not.toMatch(/\bsrc=|href="(?!#)|@import|url\(/);
  });
});

describe('smr lincheck: bad input is one line with file:line, exit 2', () => {
  it.each([
    [
      'return-without-invoke.ndjson',
      3,
      'process "c2" completes (ok) an operation it never invoked',
    ],
    [
      'two-invokes.log',
      2,
      'process "3" invokes again while its operation from line 1 is still open',
    ],
    [
      'unknown-op.edn',
      1,
      '{"f":"frobnicate","value":1} is not an operation of model register (unknown operation "frobnicate" (expected read, write, cas))' +
        PICK,
    ],
    [
      'unknown-app-op.json',
      1,
      '{"type":"teleport"} is not an operation of model app:counter (unknown counter operation "teleport" (expected "inc" or "get"))' +
        PICK,
    ],
    ['bad-json.json', 3, `bad JSON: expected "," or "}" in an object, found '"'`],
    ['bad-edn.edn', 2, 'bad EDN: missing "}"'],
    ['bad-log-value.log', 1, 'bad EDN value: missing "]"'],
    ['bad-type.edn', 1, 'unknown type ":started" (expected :invoke, :ok, :fail or :info)'],
    ['wrong-types.ndjson', 2, '"process" must be a string or an integer'],
    ['overlap.json', 3, 'process "a" has two operations open at once (lines 2 and 3)'],
    ['ret-before-call.json', 2, '"ret" (1) is before "call" (5)'],
    ['mismatched-f.log', 2, 'process "0" completes "read" but invoked "write" at line 1'],
    [
      'bad-cas.ndjson',
      1,
      '{"f":"cas","value":3} is not an operation of model register (cas needs a value [old, new])' +
        PICK,
    ],
    ['ok-without-output.ndjson', 2, 'an ok event needs "output"'],
    ['garbage.txt', undefined, 'cannot tell the format; pass --format json|ndjson|jepsen-log|edn'],
    ['empty.json', undefined, 'the file is empty'],
  ])('%s', async (name, line, reason) => {
    const file = data(`bad/${name}`);
    const { code, stdout, stderr } = await smr('lincheck', file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`smr: ${file}${line === undefined ? '' : `:${line}`}: ${reason}\n`);
  });

  it.each([
    [
      ['--model', 'foo'],
      'smr: --model: unknown model "foo" (expected one of: register, kv, etcd, app:kv, app:counter)\n',
    ],
    [
      ['--format', 'xml'],
      'smr: --format: unknown value "xml" (expected one of: json, ndjson, jepsen-log, edn)\n',
    ],
    [['--max-steps', '0'], 'smr: --max-steps must be at least 1, got 0\n'],
    [['--timeout', '-1'], 'smr: --timeout must be at least 0, got -1\n'],
    [
      ['--model', 'kv'],
      `smr: ${data('register-ok.log')}:1: {"f":"read"} is not an operation of model kv (a kv operation needs a "key")${PICK}\n`,
    ],
    [
      ['--format', 'json'],
      `smr: ${data('register-ok.log')}:1: bad JSON: expected a JSON value, found 'I'\n`,
    ],
  ])('%j', async (flags, message) => {
    const { code, stderr } = await smr('lincheck', ...flags, data('register-ok.log'));
    expect(code).toBe(2);
    expect(stderr).toBe(message);
  });

  it('names a missing file', async () => {
    expect(await smr('lincheck', 'no/such/history.json')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'smr: no/such/history.json: cannot read: no such file\n',
    });
  });

  it('guesses the model, or asks for one', async () => {
    const file = data('bad/../register-ok.log');
    expect((await smr('lincheck', '--model', 'register', file)).code).toBe(0);
    const odd = join(mkdtempSync(join(tmpdir(), 'lincheck-')), 'odd.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(odd, '[{"process": "a", "input": [1], "output": 1, "call": 0, "ret": 1}]');
    const { code, stderr } = await smr('lincheck', odd);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'smr: cannot guess the model from the operations; pass --model (register, kv, etcd, app:kv, app:counter)\n',
    );
  });
});
