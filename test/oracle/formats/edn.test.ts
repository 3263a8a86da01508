import { describe, expect, it } from 'vitest';
import {
  EdnSet,
  EdnSymbol,
  EdnSyntaxError,
  Keyword,
  parseEdnDocument,
  parseEdnValue,
} from '../../../src/oracle/formats/edn.js';

describe('EDN reader (the subset Jepsen histories use)', () => {
  it('reads scalars, keywords, collections, and skips comments, commas and discards', () => {
    const value = parseEdnValue(
      '{:a 1, :b -2.5e1, :c "s\\"\\n\\u0041", :d nil, :e [true false], :f (1 2N) ; comment\n :g #{:x} :h #_ 99 sym :i \\newline}',
    );
    expect(value).toBeInstanceOf(Map);
    const map = value as ReadonlyMap<unknown, unknown>;
    expect(map.get(Keyword.of('a'))).toBe(1);
    expect(map.get(Keyword.of('b'))).toBe(-25);
    expect(map.get(Keyword.of('c'))).toBe('s"\nA');
    expect(map.get(Keyword.of('d'))).toBeNull();
    expect(map.get(Keyword.of('e'))).toEqual([true, false]);
    expect(map.get(Keyword.of('f'))).toEqual([1, 2]);
    expect(map.get(Keyword.of('g'))).toEqual(new EdnSet([Keyword.of('x')]));
    expect(map.get(Keyword.of('h'))).toEqual(new EdnSymbol('sym'));
    expect(map.get(Keyword.of('i'))).toBe('\n');
    expect(Keyword.of('a')).toBe(Keyword.of('a'));
    expect(String(Keyword.of('ok'))).toBe(':ok');
  });

  it('reads one form per line, or the elements of a single top-level vector, with lines', () => {
    expect(parseEdnDocument('{:a 1}\n\n{:a 2}').map((f) => f.line)).toEqual([1, 3]);
    const forms = parseEdnDocument('[#jepsen.history.Op{:a 1}\n {:a 2}]');
    expect(forms.map((f) => f.line)).toEqual([1, 2]);
    expect(forms[0]?.value).toEqual(new Map([[Keyword.of('a'), 1]]));
    expect(parseEdnDocument('[]')).toEqual([]);
  });

  it.each([
    ['{:a 1', 1, 'missing "}"'],
    ['{:a}', 1, 'a map needs an even number of forms'],
    ['[1 2)', 1, 'expected "]", found ")"'],
    ['\n)', 2, 'unexpected ")"'],
    ['"abc', 1, 'unterminated string'],
    ['"a\\qb"', 1, 'bad escape "\\q" in a string'],
    ['1x', 1, 'bad number 1x'],
    [':', 1, 'empty keyword'],
    ['#?(:clj 1)', 1, 'unsupported dispatch "#?"'],
    ['\\bell', 1, 'unknown character \\bell'],
  ])('rejects %j at line %i: %s', (text, line, reason) => {
    try {
      parseEdnValue(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EdnSyntaxError);
      expect(error).toMatchObject({ line, reason });
    }
  });

  it('wants exactly one value from a log line', () => {
    expect(() => parseEdnValue('1 2')).toThrow('more than one value');
  });
});
