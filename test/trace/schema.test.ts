/**
 * schema/trace.schema.json (the published contract, validated here with Ajv) against the
 * hand-written parser (what the checker runs): every line of every bundled trace satisfies the schema, the structural bad
 * inputs break it, and its enums are the format's names — so neither drifts from the other.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIONS, CLIENT_VARIABLES, OBSERVE_LEVELS } from '../../src/trace/format.js';
import { SHOWN_REPLICA_VARIABLES } from '../../src/trace/parse-state.js';
import { listBundledTraces } from '../../src/trace/corpus.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schema = JSON.parse(readFileSync('schema/trace.schema.json', 'utf8')) as Record<
  string,
  unknown
>;
const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
// Ajv (JSON Schema 2020-12), strict: a keyword it does not know is an error, not ignored.
// (`required` inside `not`, which the schema uses on purpose, is allowed.)
const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
ajv.addSchema(schema);
const id = schema['$id'] as string;
const headerValidator = ajv.compile({ $ref: `${id}#/$defs/header` });
const eventValidator = ajv.compile({ $ref: `${id}#/$defs/event` });
const validate = (which: 'header' | 'event', value: unknown): boolean =>
  (which === 'header' ? headerValidator : eventValidator)(value);

describe('schema/trace.schema.json', () => {
  it('is a valid JSON Schema whose whole-line form takes a header or an event', () => {
    const line = ajv.compile({ $ref: id });
    const lines = readFileSync('traces/valid/seed1-full-no-faults.ndjson', 'utf8').split('\n');
    expect(line(JSON.parse(lines[0] as string))).toBe(true);
    expect(line(JSON.parse(lines[1] as string))).toBe(true);
    expect(line({ format: 'something-else' })).toBe(false);
  });

  it('names the same actions, variables and observation levels as src/trace/format.ts', () => {
    const eventProps = defs['event']?.['properties'] as Record<string, { enum?: string[] }>;
    expect(eventProps['action']?.enum).toEqual(ACTIONS);
    expect(Object.keys(defs['replicaState']?.['properties'] as object)).toEqual([
      ...SHOWN_REPLICA_VARIABLES,
    ]);
    expect(Object.keys(defs['clientState']?.['properties'] as object)).toEqual([
      ...CLIENT_VARIABLES,
    ]);
    expect(
      (defs['header']?.['properties'] as Record<string, { enum?: string[] }>)['observe']?.enum,
    ).toEqual([...OBSERVE_LEVELS]);
  });

  it('accepts every line of every bundled trace (header first, then events)', () => {
    for (const t of listBundledTraces()) {
      for (const file of t.files) {
        const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
        expect(validate('header', JSON.parse(lines[0] as string)), `${file}:1`).toBe(true);
        lines
          .slice(1)
          .forEach((l, i) =>
            expect(validate('event', JSON.parse(l)), `${file}:${i + 2}`).toBe(true),
          );
      }
    }
  });

  it.each([
    'unknown-action',
    'unknown-field',
    'slot-not-integer',
    'ballot-round-string',
    'msg-of-wrong-type',
    'state-unknown-variable',
    'vector-clock-in-lamport-trace',
  ])('rejects the structural error of test/data/traces/bad/%s', (name) => {
    const expected = (
      JSON.parse(readFileSync('test/data/traces/bad/expected.json', 'utf8')) as Record<
        string,
        { line: number }
      >
    )[name];
    const lines = readFileSync(`test/data/traces/bad/${name}.ndjson`, 'utf8').split('\n');
    const line = JSON.parse(lines[(expected?.line ?? 1) - 1] as string) as unknown;
    // A Lamport clock where the header says vc (and vice versa) is for the checker: both shapes are in the schema.
    if (name === 'vector-clock-in-lamport-trace') expect(validate('event', line)).toBe(true);
    else expect(validate('event', line)).toBe(false);
  });

  it('agrees with the parser on events with one field set to arbitrary JSON', async () => {
    const { parseEvent } = await import('../../src/trace/parse-event.js');
    const { parseHeader } = await import('../../src/trace/parse-header.js');
    const lines = readFileSync('traces/valid/seed1-full-no-faults.ndjson', 'utf8')
      .trimEnd()
      .split('\n');
    const ctx = parseHeader(JSON.parse(lines[0] as string));
    if (typeof ctx === 'string') throw new Error(ctx);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: lines.length - 1 }),
        fc.constantFrom('slot', 'applied', 'msg', 'state', 'clock', 'action'),
        fc.jsonValue({ maxDepth: 2 }),
        (i, key, value) => {
          const e = { ...(JSON.parse(lines[i] as string) as object), [key]: value };
          let parsed = true;
          try {
            parseEvent(e, ctx, 'x', i + 1);
          } catch {
            parsed = false;
          }
          // The parser is stricter (node ids, header's clock kind): it may refuse what the
          // schema allows, never the reverse.
          if (parsed) expect(validate('event', e)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
