import { describe, expect, it } from 'vitest';
import { kvModel, registerModel } from '../../src/oracle/models.js';
import {
  InvalidHistoryError,
  partitionHistory,
  validateHistory,
} from '../../src/oracle/prepare.js';
import type { HistoryOp } from '../../src/oracle/types.js';

const op = (over: Partial<HistoryOp>): HistoryOp => ({
  process: 'a',
  input: { f: 'read' },
  output: null,
  call: 0,
  ret: 1,
  ...over,
});

describe('validateHistory (the rules of HistoryOp)', () => {
  it.each([
    [[op({ call: Number.NaN })], 'history[0]: call must be a finite number'],
    [[op({ ret: Number.POSITIVE_INFINITY })], 'history[0]: ret must be a finite number or null'],
    [[op({ call: 5, ret: 1 })], 'history[0]: ret 1 is before call 5'],
    [[op({ process: 3 as unknown as string })], 'history[0]: process must be a string'],
    [
      [op({ ret: 10 }), op({ call: 5, ret: 12 })],
      'history[1]: process "a" already has history[0] open',
    ],
    [
      [op({ ret: null }), op({ call: 5, ret: 12 })],
      'history[1]: process "a" already has history[0] open',
    ],
  ])('rejects %j', (history, message) => {
    expect(() => validateHistory(history)).toThrow(InvalidHistoryError);
    expect(() => validateHistory(history)).toThrow(message);
  });

  it('lets a process continue after an unknown outcome that returned, and touch at an instant', () => {
    expect(() =>
      validateHistory([
        op({ output: undefined, ret: 3 }),
        op({ call: 3, ret: 4 }),
        op({ call: 4, ret: 4 }),
      ]),
    ).not.toThrow();
  });
});

describe('partitionHistory (P-compositionality)', () => {
  it('splits by key in order of first appearance, normalising unknown outcomes', () => {
    const parts = partitionHistory(
      [
        op({ input: { f: 'get', key: 'b' } }),
        op({ input: { f: 'get', key: 'a' }, output: undefined, ret: 7 }),
        op({ input: { f: 'get', key: 'b' }, call: 2, ret: 3 }),
      ],
      kvModel,
    );
    expect(parts.map((p) => [p.key, p.indices])).toEqual([
      ['"b"', [0, 2]],
      ['"a"', [1]],
    ]);
    expect(parts[1]?.ops[0]).toEqual({
      input: { f: 'get', key: 'a' },
      output: undefined,
      call: 0,
      ret: Infinity,
    });
  });

  it('checks everything together when an op has no key, or the model no partition', () => {
    const history = [
      op({ input: { f: 'get', key: 'b' } }),
      op({ input: { f: 'get' }, call: 2, ret: 3 }),
    ];
    expect(partitionHistory(history, kvModel).map((p) => p.key)).toEqual([undefined]);
    expect(partitionHistory(history, registerModel)).toHaveLength(1);
  });
});
