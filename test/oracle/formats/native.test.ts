import { readdirSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { readJsonHistory, readNdjsonHistory } from '../../../src/oracle/formats/native.js';

describe('our history formats (schema/history.schema.json)', () => {
  it('reads operation records: absent output is unknown, absent ret never returned', () => {
    const parsed = readJsonHistory(
      '[{"process": 1, "input": {"f": "write", "value": 1}, "output": null, "call": 0, "ret": 2},\n {"process": "b", "input": {"f": "read"}, "call": 1}]',
      'h.json',
    );
    expect(parsed.ops).toEqual([
      { process: '1', input: { f: 'write', value: 1 }, output: null, call: 0, ret: 2 },
      { process: 'b', input: { f: 'read' }, output: undefined, call: 1, ret: null },
    ]);
    expect(parsed.lines).toEqual([
      { call: 1, ret: 1 },
      { call: 2, ret: null },
    ]);
  });

  it('reads "status": "info" as an unknown outcome and drops "status": "fail"', () => {
    const parsed = readJsonHistory(
      [
        '[{"process": "a", "input": {"f": "write", "value": 1}, "status": "info", "call": 0, "ret": 2},',
        ' {"process": "b", "input": {"f": "write", "value": 2}, "status": "fail", "call": 1, "ret": 3},',
        ' {"process": "b", "input": {"f": "read"}, "output": 1, "status": "ok", "call": 4, "ret": 5}]',
      ].join('\n'),
      'h.json',
    );
    expect(parsed.ops).toEqual([
      { process: 'a', input: { f: 'write', value: 1 }, output: undefined, call: 0, ret: 2 },
      { process: 'b', input: { f: 'read' }, output: 1, call: 4, ret: 5 },
    ]);
    expect(parsed.lines).toEqual([
      { call: 1, ret: 1 },
      { call: 3, ret: 3 },
    ]);
  });

  it('reads native and Jepsen-style events from NDJSON, blank lines allowed', () => {
    const parsed = readNdjsonHistory(
      [
        '{"process": "a", "type": "invoke", "input": {"type": "inc"}, "time": 5}',
        '',
        '{"process": "b", "type": "invoke", "f": "cas", "value": [1, 2]}',
        '{"process": "a", "type": "ok", "output": 1}',
        '{"process": "b", "type": "fail", "f": "cas"}',
      ].join('\n'),
      'h.ndjson',
    );
    expect(parsed.ops).toEqual([
      { process: 'a', input: { type: 'inc' }, output: 1, call: 0, ret: 2 },
    ]);
    expect(parsed.lines).toEqual([{ call: 1, ret: 4 }]);
  });

  it('reads an empty array as an empty history', () => {
    expect(readJsonHistory('[]', 'h.json').ops).toEqual([]);
  });

  it.each([
    ['{"a": 1}', 'h.json:1: a JSON history is an array of records'],
    ['[3]', 'h.json:1: an operation record is a JSON object'],
    ['[{"process": "a", "call": 0}]', 'h.json:1: an operation record needs "input"'],
    ['[{"process": "a", "input": 1, "call": "0"}]', 'h.json:1: "call" must be a number'],
    [
      '[{"process": "a", "input": 1, "call": 0, "ret": "1"}]',
      'h.json:1: "ret" must be a number or null',
    ],
    [
      '[{"process": "a", "input": {"f": "write"}, "call": 0, "ret": 1}]',
      'h.json:1: a completed operation needs "output"; mark an unknown outcome with "status": "info", or one that did not take effect with "status": "fail"',
    ],
    [
      '[{"process": "a", "input": 1, "output": 1, "status": "info", "call": 0, "ret": 1}]',
      'h.json:1: an operation with "status": "info" has no "output"',
    ],
    [
      '[{"process": "a", "input": 1, "status": "timeout", "call": 0}]',
      'h.json:1: "status" must be "ok", "info" or "fail"',
    ],
    [
      '[{"process": "a", "input": 1, "output": 1, "call": 1700000000000000001, "ret": 1700000000000000002}]',
      'h.json:1: "call" 1700000000000000000 is beyond 2^53 and cannot be read exactly: subtract the start time (or use a coarser unit)',
    ],
    [
      '[{"process": "a", "type": "invoke", "f": "read", "time": 9007199254740993}]',
      'h.json:1: "time" 9007199254740992 is beyond 2^53',
    ],
    [
      '[{"process": "a", "input": 1, "output": 1, "call": 1e400, "ret": 2}]',
      'h.json:1: "call" is too large for a number (a literal like 1e400)',
    ],
    [
      '[{"process": 1.5, "input": 1, "call": 0}]',
      'h.json:1: "process" must be a string or an integer',
    ],
    [
      '[{"process": "a", "type": "invoke", "f": "read"},\n 4]',
      'h.json:2: an event is a JSON object',
    ],
    [
      '[{"process": "a", "type": "begin"}]',
      'h.json:1: "type" must be "invoke", "ok", "fail" or "info"',
    ],
    ['[{"process": "a", "type": "invoke", "f": 1}]', 'h.json:1: "f" must be a string'],
    [
      '[{"process": "a", "type": "invoke", "f": "read", "time": "now"}]',
      'h.json:1: "time" must be a number',
    ],
    [
      '[{"process": "a", "type": "invoke"}]',
      'h.json:1: an invoke needs "f" (Jepsen style) or "input"',
    ],
    [
      '[{"process": "a", "input": 1, "call": 0},\n{"process": "a", "input": 1, "call": 1}]',
      'h.json:2: process "a" has two operations open at once (lines 1 and 2)',
    ],
  ])('rejects %j', (text, message) => {
    expect(() => readJsonHistory(text, 'h.json')).toThrow(message);
  });

  it('names the NDJSON line of a syntax error', () => {
    expect(() => readNdjsonHistory('{"process": "a"}\n{"process": }', 'h.ndjson')).toThrow(
      `h.ndjson:2: bad JSON: expected a JSON value, found '}'`,
    );
  });

  it('reads the examples of schema/history.schema.json', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../../schema/history.schema.json', import.meta.url), 'utf8'),
    ) as { examples: unknown[] };
    const [records, events] = schema.examples.map((e) => readJsonHistory(JSON.stringify(e), 's'));
    expect(records?.ops).toHaveLength(3);
    expect(events?.ops).toEqual([
      { process: 'c1', input: { f: 'cas', value: [1, 2] }, output: true, call: 0, ret: 2 },
      { process: 'c2', input: { f: 'read' }, output: 2, call: 1, ret: 3 },
    ]);
  });

  it('the schema is valid (Ajv, strict) and accepts its examples and every JSON history in test/data/lincheck', () => {
    const schema = JSON.parse(
      readFileSync(new URL('../../../schema/history.schema.json', import.meta.url), 'utf8'),
    ) as { examples: unknown[] };
    const validate = new Ajv2020({ strict: true, strictRequired: false }).compile(schema);
    for (const example of schema.examples)
      expect(validate(example), validate.errors?.[0]?.message).toBe(true);
    const dir = new URL('../../data/lincheck/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toContain('sim-kv-5-replicas-all-faults.json');
    for (const f of files) {
      const history = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as unknown;
      expect(validate(history), `${f}: ${JSON.stringify(validate.errors?.[0])}`).toBe(true);
    }
    expect(validate([{ process: 'c1', call: 0 }])).toBe(false); // no input
  });
});
