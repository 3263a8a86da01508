import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OpSetInterner } from '../../src/oracle/opset.js';

describe('OpSetInterner (hash-consed operation sets)', () => {
  it('behaves like a Set<number>, and equal sets get equal ids', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 3000 })
          .chain((capacity) =>
            fc.tuple(
              fc.constant(capacity),
              fc.array(fc.nat({ max: capacity - 1 }), { maxLength: 60 }),
            ),
          ),
        ([capacity, ops]) => {
          const sets = new OpSetInterner(capacity);
          let id = sets.empty;
          const naive = new Set<number>();
          for (const op of ops) {
            id = sets.add(id, op);
            naive.add(op);
          }
          for (let op = 0; op < capacity; op += Math.max(1, capacity >> 6)) {
            expect(sets.has(id, op)).toBe(naive.has(op));
          }
          for (const op of ops) expect(sets.has(id, op)).toBe(true);
          // Same elements in another order: the same id.
          let again = sets.empty;
          for (const op of [...naive].sort((a, b) => b - a)) again = sets.add(again, op);
          expect(again).toBe(id);
          expect(naive.size === 0 ? id === sets.empty : id !== sets.empty).toBe(true);
        },
      ),
    );
  });

  it('shares structure: adding one element creates O(log n) nodes', () => {
    const sets = new OpSetInterner(1 << 16);
    let id = sets.empty;
    for (let op = 0; op < 1000; op++) id = sets.add(id, op * 37);
    const before = sets.size;
    sets.add(id, 65_535);
    expect(sets.size - before).toBeLessThanOrEqual(12);
    expect(sets.add(id, 37)).toBe(id);
  });
});
