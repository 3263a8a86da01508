import { describe, expect, it } from 'vitest';
import { counterApp, kvApp } from '../../src/core/apps/index.js';
import {
  appModel,
  etcdModel,
  inferModelName,
  kvModel,
  MODEL_NAMES,
  modelByName,
  registerModel,
} from '../../src/oracle/models.js';

describe('register model (Jepsen cas-register semantics)', () => {
  it('reads the value, ignores write acknowledgements, and checks cas outcomes', () => {
    expect(registerModel.init()).toBeNull();
    expect(registerModel.step(null, { f: 'read' }, null)).toEqual([null]);
    expect(registerModel.step(null, { f: 'read' }, 0)).toEqual([]);
    expect(registerModel.step(3, { f: 'read' }, undefined)).toEqual([3]);
    expect(registerModel.step(null, { f: 'write', value: 4 }, 'ok')).toEqual([4]);
    expect(registerModel.step(1, { f: 'cas', value: [1, 4] }, true)).toEqual([4]);
    expect(registerModel.step(2, { f: 'cas', value: [1, 4] }, true)).toEqual([]);
    expect(registerModel.step(2, { f: 'cas', value: [1, 4] }, false)).toEqual([2]);
    expect(registerModel.step(1, { f: 'cas', value: [1, 4] }, false)).toEqual([]);
    expect(registerModel.step(1, { f: 'cas', value: [1, 4] }, undefined)).toEqual([4]);
    expect(registerModel.step(2, { f: 'cas', value: [1, 4] }, undefined)).toEqual([2]);
    expect(registerModel.step({ a: [1] }, { f: 'read' }, { a: [1] })).toHaveLength(1);
  });

  it('validates operations and describes them', () => {
    expect(registerModel.validate?.({ f: 'inc' }, undefined)).toBe(
      'unknown operation "inc" (expected read, write, cas)',
    );
    expect(registerModel.validate?.(3, undefined)).toBe('an operation is an object with "f"');
    expect(registerModel.validate?.({ f: 'cas', value: [1, 2] }, 'ok')).toBe(
      'a cas output is true or false',
    );
    expect(registerModel.validate?.({ f: 'read', key: 'k' }, 1)).toBe(
      'a register operation has no "key" (use --model kv)',
    );
    expect(registerModel.validate?.({ f: 'write', value: 1 }, null)).toBeNull();
    expect(registerModel.describe?.({ f: 'cas', value: [1, 2] }, true)).toBe('cas [1,2] → true');
    expect(registerModel.describe?.({ f: 'write', value: 1 }, undefined)).toBe('write 1 → ?');
  });
});

describe('kv model (Jepsen/Porcupine key-value semantics)', () => {
  it('keeps one register per key, appends strings, reads a missing key as nil or ""', () => {
    const empty = kvModel.init();
    expect(kvModel.step(empty, { f: 'get', key: 'a' }, '')).toEqual([empty]);
    expect(kvModel.step(empty, { f: 'read', key: 'a' }, null)).toEqual([empty]);
    const [one] = kvModel.step(empty, { f: 'append', key: 'a', value: 'x' }, 'x');
    const [two] = kvModel.step(one ?? empty, { f: 'append', key: 'a', value: 'y' }, 'y');
    expect(kvModel.step(two ?? empty, { f: 'get', key: 'a' }, 'xy')).toHaveLength(1);
    expect(kvModel.step(two ?? empty, { f: 'get', key: 'a' }, '')).toEqual([]);
    expect(kvModel.step(two ?? empty, { f: 'get', key: 'b' }, '')).toHaveLength(1);
    const [put] = kvModel.step(empty, { f: 'put', key: 'a', value: 3 }, 3);
    expect(kvModel.step(put ?? empty, { f: 'append', key: 'a', value: 'x' }, undefined)).toEqual(
      [],
    );
    expect(kvModel.key(two ?? empty)).not.toBe(kvModel.key(one ?? empty));
  });

  it('partitions by key, keeping "1" and 1 apart', () => {
    expect(kvModel.partition?.({ f: 'get', key: '1' })).not.toBe(
      kvModel.partition?.({ f: 'get', key: 1 }),
    );
    expect(kvModel.partition?.({ f: 'get' })).toBeUndefined();
    expect(kvModel.validate?.({ f: 'get' }, undefined)).toBe('a kv operation needs a "key"');
    expect(kvModel.validate?.({ f: 'append', key: 'a', value: 1 }, undefined)).toBe(
      'append needs a string value',
    );
  });
});

describe('output shapes and the cas on a missing key (issue 16)', () => {
  it('refuses a read output that is not a value, for every model', () => {
    for (const model of [registerModel, kvModel, etcdModel]) {
      const key = model === registerModel ? {} : { key: 'x' };
      expect(model.validate?.({ f: 'read', ...key }, { value: '1', rev: 3 })).toBe(
        'a read\'s output is the value read (a string, number, boolean or null), not an object: {"rev":3,"value":"1"}',
      );
      expect(model.validate?.({ f: 'read', ...key }, [1])).toMatch(/not a list/);
      for (const ok of ['1', 1, true, null])
        expect(model.validate?.({ f: 'read', ...key }, ok)).toBeNull();
    }
  });

  it('kv compares a missing key with nil; etcd fails the compare whatever it expects', () => {
    const cas = (expected: string | null) => ({ f: 'cas', key: 'x', value: [expected, '1'] });
    expect(kvModel.step(kvModel.init(), cas(null), true)).toHaveLength(1);
    expect(kvModel.step(kvModel.init(), cas(null), false)).toHaveLength(0);
    expect(etcdModel.step(etcdModel.init(), cas(null), true)).toHaveLength(0);
    expect(etcdModel.step(etcdModel.init(), cas(null), false)).toHaveLength(1);
    expect(etcdModel.step(etcdModel.init(), cas('0'), false)).toHaveLength(1);
    // Once the key exists, the two agree.
    const [written] = etcdModel.step(etcdModel.init(), { f: 'put', key: 'x', value: '0' }, 'OK');
    expect(etcdModel.step(written ?? etcdModel.init(), cas('0'), true)).toHaveLength(1);
    expect(etcdModel.forPartition?.('"x"').step(undefined, cas(null), true)).toHaveLength(0);
  });
});

describe('appModel (any core app as a sequential spec)', () => {
  it('accepts exactly the outputs the app produces', () => {
    const model = appModel(counterApp);
    expect(model.name).toBe('app:counter');
    expect(model.step(1, { type: 'inc' }, 2)).toEqual([2]);
    expect(model.step(1, { type: 'inc' }, 3)).toEqual([]);
    expect(model.step(1, { type: 'inc' }, undefined)).toEqual([2]);
    expect(model.partition).toBeUndefined();
    expect(model.validate?.({ type: 'boom' }, undefined)).toBe(
      'unknown counter operation "boom" (expected "inc" or "get")',
    );
    expect(model.describe?.({ type: 'inc', by: 2 }, 3)).toBe('inc by=2 → 3');
  });

  it('compares outputs canonically and partitions like the app', () => {
    const model = appModel(kvApp);
    const [state] = model.step(kvApp.init(), { type: 'put', key: 'k', value: 'v' }, 'OK');
    expect(model.step(state ?? kvApp.init(), { type: 'get', key: 'k' }, 'v')).toHaveLength(1);
    expect(model.partition?.({ type: 'get', key: 'k' })).toBe('k');
    expect(model.key(state ?? kvApp.init())).not.toBe(model.key(kvApp.init()));
  });
});

describe('model registry', () => {
  it('resolves built-in names, app:NAME, and bare app names that do not collide', () => {
    expect(MODEL_NAMES).toEqual(['register', 'kv', 'etcd', 'app:kv', 'app:counter']);
    expect(modelByName('kv')).toBe(kvModel);
    expect(modelByName('app:kv')?.name).toBe('app:kv');
    expect(modelByName('counter')?.name).toBe('app:counter');
    expect(modelByName('nope')).toBeUndefined();
  });

  it.each([
    [[{ f: 'read' }], 'register'],
    [
      [
        { f: 'read', key: 'a' },
        { f: 'write', value: 1 },
      ],
      'kv',
    ],
    [[{ type: 'get', key: 'a' }], 'app:kv'],
    [[{ type: 'inc' }], 'app:counter'],
    [[], 'register'],
    [[{ f: 'read' }, { type: 'inc' }], undefined],
  ])('infers %j as %s', (inputs, name) => {
    expect(inferModelName(inputs)).toBe(name);
  });
});
