/**
 * Bad input, fuzzed (issue 5): fast-check corrupts a valid trace — malformed lines, truncation,
 * foreign headers, wrong field types, unknown actions and nodes, duplicated events, huge lines,
 * non-UTF-8 bytes. The checker never throws anything but an InputError naming file and line,
 * and `smr check-trace` never prints a stack trace: one line on stderr and exit 2.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkTrace } from '../../src/trace/checker.js';
import { smr, tempDir, writeLines } from './helpers.js';

const BASE = readFileSync('traces/valid/seed1-full-no-faults.ndjson');
const LINES = BASE.toString('utf8').trimEnd().split('\n');
const dir = tempDir();

type Outcome =
  | { kind: 'result'; exit: number }
  | { kind: 'input-error'; line: number | undefined; message: string };

function run(content: Buffer | string, maxLineChars?: number): Outcome {
  const file = writeLines(dir, 'fuzz.ndjson', content);
  try {
    const r = checkTrace([file], maxLineChars === undefined ? {} : { maxLineChars });
    return { kind: 'result', exit: r.verdict === 'valid' ? 0 : r.verdict === 'invalid' ? 1 : 3 };
  } catch (error) {
    if (error instanceof InputError)
      return { kind: 'input-error', line: error.line, message: error.message };
    throw error; // anything else fails the property: a crash, not a diagnosis
  }
}

const lineIndex = fc.integer({ min: 1, max: LINES.length - 1 });
const anyJson = fc.jsonValue({ maxDepth: 3 });
const event = (i: number): Record<string, unknown> =>
  JSON.parse(LINES[i] as string) as Record<string, unknown>;
const withLine = (i: number, text: string): string =>
  [...LINES.slice(0, i), text, ...LINES.slice(i + 1)].join('\n') + '\n';

/** Corruptions, each with the line an input error must name (when it is reached). */
const corruption: fc.Arbitrary<{ content: Buffer | string; line?: number; what: string }> =
  fc.oneof(
    fc.tuple(lineIndex, fc.string({ maxLength: 40 })).map(([i, s]) => ({
      content: withLine(i, `{${s}`),
      line: i + 1,
      what: 'a malformed line',
    })),
    fc
      .integer({ min: 1, max: BASE.length - 1 })
      .map((n) => ({ content: BASE.subarray(0, n), what: 'a truncated file' })),
    anyJson.map((h) => ({
      content: [JSON.stringify(h), ...LINES.slice(1)].join('\n') + '\n',
      line: 1,
      what: 'a foreign header',
    })),
    fc
      .tuple(
        lineIndex,
        fc.constantFrom('node', 'action', 'clock', 'slot', 'msg', 'state', 'applied', 'extra'),
        anyJson,
      )
      .map(([i, key, value]) => ({
        content: withLine(i, JSON.stringify({ ...event(i), [key]: value })),
        what: `${key} set to any JSON`,
      })),
    fc.tuple(lineIndex, fc.string({ minLength: 1, maxLength: 8 })).map(([i, name]) => ({
      content: withLine(i, JSON.stringify({ ...event(i), action: `X${name}` })),
      line: i + 1,
      what: 'an unknown action',
    })),
    fc.tuple(lineIndex, fc.string({ minLength: 1, maxLength: 8 })).map(([i, name]) => ({
      content: withLine(i, JSON.stringify({ ...event(i), node: `n-${name}` })),
      line: i + 1,
      what: 'an unknown node',
    })),
    lineIndex.map((i) => ({
      content:
        [...LINES.slice(0, i + 1), LINES[i] as string, ...LINES.slice(i + 1)].join('\n') + '\n',
      what: 'a duplicated event',
    })),
    fc.tuple(lineIndex, fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([i, bytes]) => ({
      content: Buffer.concat([
        Buffer.from(LINES.slice(0, i).join('\n') + '\n{"node":"'),
        Buffer.from([0xff, ...bytes]),
        Buffer.from('"}\n'),
      ]),
      line: i + 1,
      what: 'non-UTF-8 bytes',
    })),
  );

describe('fuzzed bad input: an InputError with file:line, never a crash', () => {
  it('every corruption is a verdict or one input error at the corrupted line', () => {
    fc.assert(
      fc.property(corruption, ({ content, line, what }) => {
        const outcome = run(content);
        if (outcome.kind === 'input-error') {
          expect(outcome.message.split('\n'), what).toHaveLength(1);
          expect(outcome.message).toMatch(/fuzz\.ndjson:\d+: /);
          if (line !== undefined)
            expect(outcome.line, `${what}: ${outcome.message}`).toBeLessThanOrEqual(line);
        } else {
          expect([0, 1, 3]).toContain(outcome.exit);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a line longer than the limit is an input error at that line', () => {
    fc.assert(
      fc.property(lineIndex, fc.integer({ min: 2_000, max: 20_000 }), (i, size) => {
        const outcome = run(withLine(i, `{"node":"${'x'.repeat(size)}"}`), 1_000);
        expect(outcome).toMatchObject({ kind: 'input-error', line: i + 1 });
      }),
      { numRuns: 20 },
    );
  });

  it('the CLI prints one line and exits 2 on any of them', async () => {
    const samples = fc.sample(corruption, { numRuns: 25, seed: 5 });
    for (const { content } of samples) {
      const file = writeLines(dir, 'cli-fuzz.ndjson', content);
      const r = await smr('check-trace', file);
      expect([0, 1, 2, 3]).toContain(r.code);
      if (r.code === 2) expect(r.stderr).toMatch(/^smr: [^\n]+\n$/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a 5 MB line is rejected at its line with the default limit', async () => {
    const file = writeLines(
      dir,
      'huge.ndjson',
      withLine(3, `{"node":"${'y'.repeat(5 * 1024 * 1024)}"}`),
    );
    const r = await smr('check-trace', file);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/huge\.ndjson:4: line longer than \d+ characters\n$/);
  });
});
