/**
 * Canonical encodings (issue 3, "Reductions that keep verdicts"). The history encoding keeps
 * exactly the real-time order linearizability depends on (Herlihy & Wing): checked against a
 * naive "returned before called" relation. Client renaming is a bijection on encodings.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clientRenamings,
  encodeHistory,
  encodeValue,
} from '../../../harness/explore/cluster/text.js';
import type { HistoryOp } from '../../../src/oracle/types.js';

/** Histories as the ghost builds them: calls at integer positions, returns half a step later. */
const histories = fc
  .array(fc.tuple(fc.constantFrom('c1', 'c2', 'c3'), fc.boolean(), fc.boolean()), { maxLength: 8 })
  .map((events) => {
    const ops: HistoryOp[] = [];
    const open = new Map<string, number>();
    for (const [process, complete, ok] of events) {
      const index = open.get(process);
      if (index !== undefined && complete) {
        const op = ops[index] as HistoryOp;
        ops[index] = { ...op, output: ok ? 'x' : undefined, ret: ops.length - 0.5 };
        open.delete(process);
      } else if (index === undefined) {
        open.set(process, ops.length);
        ops.push({
          process,
          input: { n: ops.length % 2 },
          output: undefined,
          call: ops.length,
          ret: null,
        });
      }
    }
    return ops;
  });

const precedes = (h: readonly HistoryOp[]): string[] =>
  h.flatMap((a, i) => h.flatMap((b, j) => (a.ret !== null && a.ret < b.call ? [`${i}<${j}`] : [])));

describe('history encoding', () => {
  it('equal encodings ⇔ equal operations and equal real-time order (for the same op order)', () => {
    fc.assert(
      fc.property(histories, histories, (h1, h2) => {
        const same = encodeHistory(h1, new Map()) === encodeHistory(h2, new Map());
        const naiveSame =
          h1.length === h2.length &&
          JSON.stringify(h1.map((o) => [o.process, o.input, o.output, o.ret === null])) ===
            JSON.stringify(h2.map((o) => [o.process, o.input, o.output, o.ret === null])) &&
          JSON.stringify(precedes(h1)) === JSON.stringify(precedes(h2));
        if (naiveSame) expect(same).toBe(true);
      }),
    );
  });

  it('forgets the order of calls made back to back', () => {
    const a: HistoryOp = { process: 'c1', input: 1, output: undefined, call: 0, ret: null };
    const b: HistoryOp = { process: 'c2', input: 2, output: undefined, call: 1, ret: null };
    expect(encodeHistory([a, b], new Map())).toBe(
      encodeHistory(
        [
          { ...b, call: 0 },
          { ...a, call: 1 },
        ],
        new Map(),
      ),
    );
  });

  it('keeps a return before a call apart from overlap', () => {
    const done: HistoryOp = { process: 'c1', input: 1, output: 'r', call: 0, ret: 0.5 };
    const later: HistoryOp = { process: 'c2', input: 2, output: undefined, call: 1, ret: null };
    const overlapping: HistoryOp = { process: 'c1', input: 1, output: 'r', call: 0, ret: 1.5 };
    expect(encodeHistory([done, later], new Map())).not.toBe(
      encodeHistory([overlapping, later], new Map()),
    );
  });
});

describe('client renaming', () => {
  it('lists every permutation, identity first', () => {
    const r = clientRenamings(['c1', 'c2', 'c3'], true);
    expect(r).toHaveLength(6);
    expect([...(r[0] as Map<string, string>).entries()].every(([k, v]) => k === v)).toBe(true);
    expect(clientRenamings(['c1', 'c2'], false)).toHaveLength(1);
  });

  it('renames ids and request keys, and nothing else', () => {
    const swap = new Map([
      ['c1', 'c2'],
      ['c2', 'c1'],
    ]);
    const value = { client: 'c1', key: 'c2#3', keep: 'c10', m: new Map([['c1', 1]]) };
    expect(encodeValue(value, swap)).toBe(
      encodeValue({ client: 'c2', key: 'c1#3', keep: 'c10', m: new Map([['c2', 1]]) }, new Map()),
    );
  });
});
