/**
 * SlotVector, the persistent slot map every twin state keeps its logs in: set, dropBelow (log
 * truncation) and iteration agree with a plain Map on random operation sequences, and an older
 * version never sees a later change (path copying).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlotVector } from '../../src/spec/slot-vector.js';

type Op = { readonly set: number; readonly value: number } | { readonly dropBelow: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ set: fc.nat(3000), value: fc.integer() }) },
  { weight: 1, arbitrary: fc.record({ dropBelow: fc.nat(3200) }) },
);

function entries(v: SlotVector<number>): [number, number][] {
  return [...v.from(0)];
}

describe('SlotVector', () => {
  it('agrees with a Map under set and dropBelow, and old versions do not change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        let v = SlotVector.empty<number>();
        let model = new Map<number, number>();
        const history: [SlotVector<number>, [number, number][]][] = [];
        for (const o of ops) {
          if ('set' in o) {
            v = v.set(o.set, o.value);
            model.set(o.set, o.value);
          } else {
            v = v.dropBelow(o.dropBelow);
            model = new Map([...model].filter(([slot]) => slot >= o.dropBelow));
          }
          const expected = [...model].sort(([a], [b]) => a - b);
          expect(entries(v)).toEqual(expected);
          expect(v.size).toBe(model.size);
          if (model.size > 0) expect(v.maxSlot).toBe(Math.max(...model.keys()));
          for (const slot of [0, 31, 32, 1023, 1024, 2999]) expect(v.get(slot)).toBe(model.get(slot));
          history.push([v, expected]);
        }
        for (const [old, seen] of history) expect(entries(old)).toEqual(seen);
      }),
      { numRuns: 300 },
    );
  });

  it('drops nothing below 0 and everything above the last slot', () => {
    const v = SlotVector.empty<string>().set(3, 'a').set(40, 'b');
    expect(v.dropBelow(0)).toBe(v);
    expect(v.dropBelow(41).size).toBe(0);
    expect(entries(v.dropBelow(4) as never)).toEqual([[40, 'b']]);
  });
});
