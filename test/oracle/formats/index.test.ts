import { describe, expect, it } from 'vitest';
import { detectFormat, parseHistory, validateForModel } from '../../../src/oracle/formats/index.js';
import { registerModel } from '../../../src/oracle/models.js';

describe('format detection', () => {
  it.each([
    ['[{"process": "a"}]', 'json'],
    ['  [\n  ]', 'json'],
    ['[1, 2]', 'json'],
    ['{"process": "a", "type": "invoke"}\n', 'ndjson'],
    ['{:process 0, :type :invoke}', 'edn'],
    ['; a comment\n{:process 0}', 'edn'],
    ['[{:process 0}]', 'edn'],
    ['#jepsen.history.Op{:process 0}', 'edn'],
    ['INFO  jepsen.core - starting\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\n', 'jepsen-log'],
    ['hello', undefined],
    ['', undefined],
  ])('%j is %s', (text, format) => {
    expect(detectFormat(text)).toBe(format);
  });

  it('obeys an explicit format over detection', () => {
    expect(() => parseHistory('{"process": "a"}', 'h', 'edn')).toThrow(
      'h:1: bad EDN: empty keyword',
    );
  });

  it('reports unknown operations at the line that invoked them', () => {
    const parsed = parseHistory(
      '{"process": "a", "type": "invoke", "f": "read"}\n{"process": "b", "type": "invoke", "f": "inc"}',
      'h',
    );
    expect(() => validateForModel(parsed, registerModel, 'h')).toThrow(
      'h:2: {"f":"inc","value":null} is not an operation of model register (unknown operation "inc" (expected read, write, cas))',
    );
  });
});
