/**
 * The visited sets against a naive Set of "hi:lo" strings (STYLE.md §8): the local table, the
 * shared lock-free one, and a shared table grown to a new capacity hold exactly the same states.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprint,
  FingerprintSet,
  SharedFingerprintSet,
} from '../../../harness/explore/fingerprints.js';

const fps = fc.array(
  fc.tuple(fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
  {
    maxLength: 300,
  },
);

describe('fingerprint sets', () => {
  it('add and has agree with a naive set, and entries lists each once', () => {
    fc.assert(
      fc.property(fps, (list) => {
        const naive = new Set<string>();
        const local = new FingerprintSet(4);
        const shared = new SharedFingerprintSet(1024);
        for (const [hi, lo] of list) {
          const key = `${hi}:${lo}`;
          const fresh = !naive.has(key);
          naive.add(key);
          expect(local.has(hi, lo)).toBe(!fresh);
          expect(shared.has(hi, lo)).toBe(!fresh);
          expect(local.add(hi, lo)).toBe(fresh);
          expect(shared.add(hi, lo)).toBe(fresh);
        }
        expect(local.size).toBe(naive.size);
        expect(shared.size).toBe(naive.size);
        expect(new Set([...local.entries()].map(([h, l]) => `${h}:${l}`))).toEqual(naive);
        const grown = shared.grownTo(4096);
        expect(new Set([...grown.entries()].map(([h, l]) => `${h}:${l}`))).toEqual(naive);
        for (const [hi, lo] of list) expect(local.has(hi, lo)).toBe(true);
      }),
    );
  });

  it('fingerprints are never zero in either lane (zero marks an empty slot)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const [hi, lo] = fingerprint(s);
        expect(hi).not.toBe(0);
        expect(lo).not.toBe(0);
      }),
    );
  });
});
