import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APPS, counterApp, kvApp } from '../../src/core/apps/index.js';
import type { Json } from '../../src/core/types.js';

function applyAll<S>(
  app: { init(): S; apply(s: S, op: Json): { state: S; output: Json } },
  ops: Json[],
): Json[] {
  let s = app.init();
  return ops.map((op) => {
    const r = app.apply(s, op);
    s = r.state;
    return r.output;
  });
}

describe('reference apps: deterministic, total state machines (seed: the state machine approach)', () => {
  it('kv: get, put, append, cas', () => {
    expect(
      applyAll(kvApp, [
        { type: 'get', key: 'x' },
        { type: 'put', key: 'x', value: 'a' },
        { type: 'append', key: 'x', value: 'b' },
        { type: 'cas', key: 'x', expected: 'zz', value: 'c' },
        { type: 'cas', key: 'x', expected: 'ab', value: 'c' },
        { type: 'cas', key: 'y', expected: null, value: 'n' },
        { type: 'get', key: 'x' },
        { type: 'append', key: 'z', value: 'q' },
      ]),
    ).toEqual([null, 'OK', 'ab', false, true, true, 'c', 'q']);
  });

  it('kv: malformed operations give a deterministic error output and leave the state alone', () => {
    const bad: Json[] = [
      7,
      { type: 'get' },
      { type: 'put', key: 'x' },
      { type: 'cas', key: 'x', value: 'v', expected: 1 },
      { type: 'cas', key: 'x' },
      { type: 'drop', key: 'x' },
    ];
    for (const op of bad) {
      const s = kvApp.init();
      const r = kvApp.apply(s, op);
      expect(r.state).toBe(s);
      expect(r.output).toEqual({ error: kvApp.checkOp(op) });
      expect(kvApp.checkOp(op)).not.toBeNull();
    }
  });

  it('kv: per-key versions count writes; view, partition and digest', () => {
    const s = kvApp.apply(kvApp.apply(kvApp.init(), { type: 'put', key: 'x', value: 'a' }).state, {
      type: 'append',
      key: 'x',
      value: 'b',
    }).state;
    expect(s.get('x')).toEqual({ value: 'ab', version: 2 });
    expect(kvApp.view(s)).toEqual({ x: 'ab' });
    expect(kvApp.partition?.({ type: 'get', key: 'x' })).toBe('x');
    expect(kvApp.partition?.(null)).toBeUndefined();
  });

  it('counter: inc and get; malformed ops give errors', () => {
    expect(
      applyAll(counterApp, [{ type: 'inc' }, { type: 'inc', by: 5 }, { type: 'get' }]),
    ).toEqual([1, 6, 6]);
    for (const op of [null, { type: 'dec' }, { type: 'inc', by: 1.5 }] as Json[]) {
      expect(counterApp.apply(3, op)).toEqual({
        state: 3,
        output: { error: counterApp.checkOp(op) },
      });
    }
    expect(counterApp.view(4)).toBe(4);
  });

  it('digests agree exactly when the visible states agree (kv), whatever the operation order', () => {
    const put = fc.record({
      type: fc.constant('put'),
      key: fc.constantFrom('a', 'b'),
      value: fc.constantFrom('1', '2'),
    });
    fc.assert(
      fc.property(fc.array(put, { maxLength: 6 }), (ops) => {
        let s = kvApp.init();
        for (const op of ops) s = kvApp.apply(s, op).state;
        let t = kvApp.init();
        for (const op of [...ops].reverse()) t = kvApp.apply(t, op).state;
        const sameView = JSON.stringify(kvApp.view(s)) === JSON.stringify(kvApp.view(t));
        if (kvApp.digest(s) === kvApp.digest(t)) expect(sameView).toBe(true);
      }),
    );
    expect(counterApp.digest(1)).not.toBe(counterApp.digest(2));
    expect([...APPS.keys()]).toEqual(['kv', 'counter']);
  });
});
