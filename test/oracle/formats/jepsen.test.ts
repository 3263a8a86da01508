import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EdnSet, EdnSymbol, Keyword, type Edn } from '../../../src/oracle/formats/edn.js';
import {
  ednToJson,
  isJepsenLogLine,
  readJepsenEdn,
  readJepsenLog,
} from '../../../src/oracle/formats/jepsen.js';

const data = (name: string) =>
  readFileSync(new URL(`../../data/lincheck/${name}`, import.meta.url), 'utf8');

describe('Jepsen log lines (jepsen.util)', () => {
  it('reads invoke/ok/fail/info, skips the nemesis and other loggers', () => {
    const parsed = readJepsenLog(data('register-ok.log'), 'register-ok.log');
    expect(parsed.format).toBe('jepsen-log');
    // The failed cas is dropped: it did not take effect.
    expect(parsed.ops.map((op) => op.input)).toEqual([
      { f: 'read' },
      { f: 'write', value: 3 },
      { f: 'cas', value: [3, 4] },
      { f: 'write', value: 5 },
      { f: 'read' },
      { f: 'read' },
    ]);
    expect(parsed.ops.map((op) => op.output)).toEqual([null, 3, true, undefined, 5, 5]);
    // Times are event positions; the :info write keeps its completion time but no output.
    expect(parsed.ops[3]).toMatchObject({ process: '1', call: 8, ret: 9 });
    expect(parsed.lines[3]).toEqual({ call: 9, ret: 10 });
  });

  it('reads fields separated by runs of spaces, with or without a timestamp, as the tab layout', () => {
    const tabs = readJepsenLog(data('register-ok.log'), 'register-ok.log');
    const spaces = readJepsenLog(data('register-ok-spaces.log'), 'register-ok-spaces.log');
    expect(spaces.ops).toEqual(tabs.ops);
    expect(isJepsenLogLine('INFO  jepsen.util - 0   :invoke :read   nil')).toBe(true);
    expect(isJepsenLogLine('INFO  jepsen.util - 0 :invoke')).toBe(false);
  });

  it('accepts the newer "jepsen.util:" layout and leaves never-completed ops open', () => {
    const text =
      '2024-01-01 12:00:00,000{GMT}\tINFO\t[jepsen worker 0] jepsen.util: 0\t:invoke\t:read\tnil\n';
    expect(isJepsenLogLine(text.trim())).toBe(true);
    const parsed = readJepsenLog(text, 'x.log');
    expect(parsed.ops).toEqual([
      { process: '0', input: { f: 'read' }, output: undefined, call: 0, ret: null },
    ]);
    expect(parsed.lines).toEqual([{ call: 1, ret: null }]);
  });

  it.each([
    [
      'INFO  jepsen.util - 0\t:invoke',
      'x.log:1: expected PROCESS :TYPE :F VALUE after jepsen.util (separated by tabs or spaces)',
    ],
    ['INFO  jepsen.util - x\t:invoke\t:read\tnil', 'x.log:1: bad process "x"'],
    [
      'INFO  jepsen.util - 0\tinvoke\t:read\tnil',
      'x.log:1: unknown type "invoke" (expected :invoke, :ok, :fail or :info)',
    ],
    ['INFO  jepsen.util - 0\t:invoke\tread\tnil', 'x.log:1: :f must be a keyword, got "read"'],
    ['INFO  jepsen.util - 0\t:invoke\t:cas\t[1 4', 'x.log:1: bad EDN value: missing "]"'],
  ])('rejects %j', (text, message) => {
    expect(() => readJepsenLog(text, 'x.log')).toThrow(message);
  });
});

describe('Jepsen EDN histories', () => {
  it('reads a vector of (tagged) op maps with keys, skipping the nemesis', () => {
    const parsed = readJepsenEdn(data('kv-jepsen-vector.edn'), 'kv.edn');
    expect(parsed.ops).toHaveLength(6);
    expect(parsed.ops[0]).toMatchObject({
      input: { f: 'append', key: '0', value: 'x 0 0 y' },
      output: 'x 0 0 y',
    });
    expect(parsed.ops[1]).toMatchObject({ input: { f: 'get', key: '0' }, output: '' });
    expect(parsed.lines[0]).toEqual({ call: 1, ret: 4 });
  });

  it('reads one map per line with :info as an unknown outcome', () => {
    const parsed = readJepsenEdn(data('info-took-effect.edn'), 'info.edn');
    expect(parsed.ops.map((op) => op.output)).toEqual([undefined, 1]);
  });

  it.each([
    ['[1 2]', 'x.edn:1: expected an operation map {:process …, :type …, :f …}'],
    [
      '{:process "a", :type :invoke, :f :read}',
      'x.edn:1: :process must be an integer (or a keyword such as :nemesis)',
    ],
    ['{:process 0, :type "ok", :f :read}', 'x.edn:1: :type must be :invoke, :ok, :fail or :info'],
    ['{:process 0, :type :invoke, :f 3}', 'x.edn:1: :f must be a keyword such as :read'],
    ['{:process 0, :type :invoke, :f :read}\n{:process 0', 'x.edn:2: bad EDN: missing "}"'],
  ])('rejects %j', (text, message) => {
    expect(() => readJepsenEdn(text, 'x.edn')).toThrow(message);
  });

  it('maps EDN values to JSON', () => {
    expect(ednToJson(Keyword.of('timed-out'))).toBe('timed-out');
    expect(ednToJson(new EdnSymbol('s'))).toBe('s');
    expect(ednToJson(new EdnSet([3, 1, 2]))).toEqual([1, 2, 3]);
    expect(
      ednToJson(
        new Map<Edn, Edn>([
          [Keyword.of('k'), 1],
          ['s', 2],
          [3, 4],
        ]),
      ),
    ).toEqual({ k: 1, s: 2, '3': 4 });
  });
});
