import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEncode, digestOf, hash64Hex } from '../../src/core/canonical.js';

describe('canonical encoding (digest stability, seed: audit)', () => {
  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalEncode(reversed)).toBe(canonicalEncode(obj));
      }),
    );
  });

  it('is injective on JSON values (equal encodings mean deep-equal values)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const same = canonicalEncode(a) === canonicalEncode(b);
        // Normalise -0 (JSON has no -0) before comparing.
        const norm = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
        expect(same).toBe(canonicalEncode(norm(a)) === canonicalEncode(norm(b)));
        if (same) expect(norm(a)).toEqual(norm(b));
      }),
    );
  });

  it('orders Map and Set contents', () => {
    const a = new Map([
      ['b', 1],
      ['a', 2],
    ]);
    const b = new Map([
      ['a', 2],
      ['b', 1],
    ]);
    expect(canonicalEncode(a)).toBe(canonicalEncode(b));
    expect(canonicalEncode(new Set([3, 1, 2]))).toBe(canonicalEncode(new Set([1, 2, 3])));
    expect(canonicalEncode(-0)).toBe('0');
    expect(canonicalEncode({ x: undefined, y: 1 })).toBe('{"y":1}');
  });

  it('rejects values that have no canonical form', () => {
    expect(() => canonicalEncode(Number.NaN)).toThrow(/non-finite/);
    expect(() => canonicalEncode(() => 1)).toThrow(/function/);
    expect(canonicalEncode(12n)).toBe('12n');
  });

  it('gives digests that are stable across runs and machines (pinned values)', () => {
    // If these change, every recorded trace and audit digest changes: bump the trace version.
    expect(digestOf({ a: [1, 2, { b: null }] })).toMatchInlineSnapshot(`"02d78db01801ffcd"`);
    expect(digestOf(new Map([['k', { value: 'v', version: 1 }]]))).toMatchInlineSnapshot(
      `"f08b7fe9d255e114"`,
    );
    expect(hash64Hex('abc')).toMatchInlineSnapshot(`"5a53a861d335fb2f"`);
  });
});
