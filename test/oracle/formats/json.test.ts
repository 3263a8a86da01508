import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonDocument } from '../../../src/oracle/formats/json.js';

describe('parseJsonDocument (strict JSON with line numbers)', () => {
  it('reads what JSON.parse reads, pretty-printed or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        expect(parseJsonDocument(text).value).toEqual(JSON.parse(text));
      }),
    );
  });

  it('gives each element of a top-level array its starting line', () => {
    const { elements } = parseJsonDocument('[\n  {"a": 1},\n\n  {"b":\n 2}, 3\n]');
    expect(elements?.map((e) => e.line)).toEqual([2, 4, 5]);
    expect(parseJsonDocument('{"a": [1]}').elements).toBeUndefined();
  });

  it('keeps a "__proto__" key as data', () => {
    const value = parseJsonDocument('{"__proto__": {"x": 1}}').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it.each([
    ['[1,\n2,,3]', 2, `expected a JSON value, found ','`],
    ['{"a" 1}', 1, `expected ":" after a key, found '1'`],
    ['{a: 1}', 1, `expected a quoted key, found 'a'`],
    ['"abc', 1, 'unterminated string'],
    ['"a\\qb"', 1, 'bad escape in a string'],
    ['[1]\n x', 2, `unexpected 'x' after the JSON value`],
    ['01', 1, `unexpected '1' after the JSON value`],
    ['[1 2]', 1, `expected "," or "]" in an array, found '2'`],
    ['tru', 1, `expected a JSON value, found 't'`],
  ])('rejects %j at line %i: %s', (text, line, reason) => {
    try {
      parseJsonDocument(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(JsonSyntaxError);
      expect(error).toMatchObject({ line, reason });
    }
  });
});
