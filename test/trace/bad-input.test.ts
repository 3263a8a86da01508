/**
 * Bad input (issue 5 "Bad input"): every malformed trace in test/data/traces/bad is one line on
 * stderr, `smr: file:line: reason`, and exit 2 — never a stack trace. test/data/traces/native-only
 * holds edits only the native checker sees (ops, outputs: spec/Smr.tla abstracts them): exit 1.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { smr } from './helpers.js';

interface Expected {
  readonly exit: number;
  readonly line: number | null;
  readonly reason: string | null;
}

const dir = (group: string): string => `test/data/traces/${group}`;
const expectations = (group: string): [string, Expected][] =>
  Object.entries(
    JSON.parse(readFileSync(`${dir(group)}/expected.json`, 'utf8')) as Record<string, Expected>,
  );

describe('malformed traces: one line, file:line, exit 2', () => {
  it.each(expectations('bad'))('%s', async (name, expected) => {
    const file = `${dir('bad')}/${name}.ndjson`;
    const r = await smr('check-trace', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`smr: ${file}:${expected.line}: ${expected.reason}\n`);
  });

  it('the JSON output mode reports bad input the same way (stderr, exit 2)', async () => {
    const r = await smr('check-trace', '--json', `${dir('bad')}/unknown-node.ndjson`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a missing file is bad input', async () => {
    const r = await smr('check-trace', 'no/such/trace.ndjson');
    expect(r).toMatchObject({
      code: 2,
      stderr: 'smr: no/such/trace.ndjson: cannot read: no such file\n',
    });
  });
});

describe('edits only the native checker can see: wrong outputs and ops', () => {
  it.each(expectations('native-only'))(
    '%s is invalid at the edited line',
    async (name, expected) => {
      const file = `${dir('native-only')}/${name}.ndjson`;
      const r = await smr('check-trace', '--json', file);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as { failure: { line: number; conjunct: string } };
      expect(result.failure).toMatchObject({ line: expected.line, conjunct: expected.reason });
    },
  );
});
