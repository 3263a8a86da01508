import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/core/types.js';
import { createIncrementalChecker, pruneFrontier } from '../../src/oracle/incremental.js';
import type { Configuration } from '../../src/oracle/search.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { kvModel, registerModel } from '../../src/oracle/models.js';
import type { Model } from '../../src/oracle/types.js';
import { applyKv, applyRegister, kvInput, naiveLinearizable, registerInput } from './naive.js';

interface Move {
  readonly process: number;
  readonly action: number;
  readonly input: Json;
  readonly corrupt: Json | undefined;
}

const move = (input: fc.Arbitrary<Json>, corrupt: fc.Arbitrary<Json>) =>
  fc.record({
    process: fc.integer({ min: 0, max: 2 }),
    action: fc.integer({ min: 0, max: 9 }),
    input,
    corrupt: fc.option(corrupt, { nil: undefined, freq: 6 }),
  });

/**
 * Drive a checker with a random client workload against a "true" object that takes effect at
 * completion (abandoned ops: sometimes), outputs sometimes corrupted; after every event the
 * incremental verdict must equal the brute-force verdict on the history so far.
 */
function drive(
  moves: readonly Move[],
  model: Model,
  apply: (state: Json, input: Json) => { state: Json; output: Json },
  init: Json,
  maxSettleSteps: number,
): { linearizable: number; violations: number } {
  const checker = createIncrementalChecker(model, { maxSettleSteps });
  const open = new Map<number, { id: number; input: Json }>();
  let truth = init;
  const seen = { linearizable: 0, violations: 0 };
  for (const m of moves) {
    const current = open.get(m.process);
    if (current === undefined) {
      open.set(m.process, { id: checker.invoke(`p${m.process}`, m.input), input: m.input });
    } else {
      open.delete(m.process);
      if (m.action < 7) {
        const result = apply(truth, current.input);
        truth = result.state;
        checker.complete(current.id, m.corrupt ?? result.output);
      } else if (m.action < 9) {
        if (m.action === 8) truth = apply(truth, current.input).state;
        checker.abandon(current.id);
      } else {
        checker.fail(current.id);
      }
    }
    const verdict = checker.check().verdict;
    const expected = naiveLinearizable(checker.history(), model);
    expect(verdict).toBe(expected ? 'linearizable' : 'not-linearizable');
    if (expected) seen.linearizable++;
    else seen.violations++;
  }
  return seen;
}

describe('createIncrementalChecker (settled prefixes, monotonicity)', () => {
  const cases = [
    {
      name: 'register',
      model: registerModel as Model,
      input: registerInput,
      apply: applyRegister,
      init: null as Json,
      corrupt: fc.constantFrom<Json>(0, 1, 2, true, false),
    },
    {
      name: 'kv',
      model: kvModel as Model,
      input: kvInput,
      apply: applyKv,
      init: {} as Json,
      corrupt: fc.constantFrom<Json>(null, 'x', 'xy'),
    },
  ];
  for (const c of cases) {
    for (const settle of [1, 100_000]) {
      it(`agrees with brute force after every event (${c.name}, settle budget ${settle})`, () => {
        const total = { linearizable: 0, violations: 0 };
        fc.assert(
          fc.property(fc.array(move(c.input, c.corrupt), { maxLength: 14 }), (moves) => {
            const seen = drive(moves, c.model, c.apply, c.init, settle);
            total.linearizable += seen.linearizable;
            total.violations += seen.violations;
          }),
          { numRuns: 150 },
        );
        expect(total.linearizable).toBeGreaterThan(200);
        expect(total.violations).toBeGreaterThan(25);
      });
    }
  }

  it('checks an op without a partition key against everything (merges partitions)', () => {
    // kv, except that gets of key "b" claim no partition: the checker must fall back to one.
    const model: Model = {
      ...(kvModel as Model),
      name: 'kv-b-unkeyed',
      partition: (input) => {
        const r = input as { key: string; f: string };
        return r.f === 'get' && r.key === 'b' ? undefined : r.key;
      },
    };
    fc.assert(
      fc.property(
        fc.array(move(kvInput, fc.constantFrom<Json>(null, 'x')), { maxLength: 12 }),
        (moves) => {
          drive(moves, model, applyKv, {}, 100_000);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('stays near-linear on a long history with 3 clients (deterministic step count)', () => {
    const checker = createIncrementalChecker(registerModel);
    let value = 0;
    let steps = 0;
    const n = 3000;
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const process = `c${i % 3}`;
      if (i >= 3) {
        const id = ids[i - 3] as number;
        const write = (i - 3) % 2 === 0;
        checker.complete(id, write ? null : value);
        steps += checker.check().steps;
      }
      const write = i % 2 === 0;
      if (write) value = i;
      ids.push(checker.invoke(process, write ? { f: 'write', value: i } : { f: 'read' }));
    }
    // Every check touches only the few operations since the last settled cut.
    expect(steps).toBeLessThan(20 * n);
    expect(checker.check().verdict).toBe('linearizable');
    expect(checkLinearizability(checker.history(), registerModel).verdict).toBe('linearizable');
  });

  it('keeps a violation final and refuses a second open op per process', () => {
    const checker = createIncrementalChecker(registerModel);
    const w = checker.invoke('a', { f: 'write', value: 1 });
    checker.complete(w, null);
    const r = checker.invoke('b', { f: 'read' });
    expect(() => checker.invoke('b', { f: 'read' })).toThrow(
      'process "b" already has operation 1 open',
    );
    checker.complete(r, 0);
    expect(checker.check().verdict).toBe('not-linearizable');
    const r2 = checker.invoke('b', { f: 'read' });
    checker.complete(r2, 1);
    expect(checker.check().verdict).toBe('not-linearizable');
    expect(() => checker.complete(r2, 1)).toThrow('operation 2 is not open');
  });

  it('keeps the configuration where a write of the current value has not happened yet', () => {
    // w writes the value the register already holds and spans the settled cut; a concurrent
    // write x and a later read need w to land after x. Dropping "w not yet" would be unsound.
    const checker = createIncrementalChecker(registerModel);
    const first = checker.invoke('p1', { f: 'write', value: 1 });
    checker.complete(first, null);
    const w = checker.invoke('p2', { f: 'write', value: 1 });
    const x = checker.invoke('p3', { f: 'write', value: 2 });
    checker.complete(w, null);
    expect(checker.check().verdict).toBe('linearizable');
    checker.complete(x, null);
    expect(checker.check().verdict).toBe('linearizable');
    const read = checker.invoke('p4', { f: 'read' });
    checker.complete(read, 1);
    expect(checker.check().verdict).toBe('linearizable');
  });
});

describe('pruneFrontier (dominance between settled configurations)', () => {
  const config = (linearized: number[], ...keys: string[]): Configuration<string> => ({
    linearized,
    states: { states: keys, key: keys.length === 1 ? (keys[0] as string) : JSON.stringify(keys) },
  });
  const never = () => false;

  it('drops a configuration only for one that did extra read-only ops, or fewer abandoned ones', () => {
    const fewer = config([], '1', '2');
    const more = config([7], '1');
    expect(pruneFrontier([fewer, more], never, never)).toEqual([fewer, more]);
    expect(pruneFrontier([fewer, more], (id) => id === 7, never)).toEqual([fewer]);
    const read = config([5], '1');
    const noRead = config([], '1');
    expect(pruneFrontier([noRead, read], never, never)).toEqual([noRead, read]);
    expect(pruneFrontier([noRead, read], never, (id) => id === 5)).toEqual([read]);
  });

  it('needs the dominating configuration to cover all states, and keeps the first of equals', () => {
    const a = config([5], '1');
    const b = config([], '1', '2');
    expect(pruneFrontier([b, a], never, (id) => id === 5)).toEqual([b, a]);
    const c = config([], '1');
    expect(pruneFrontier([c, config([], '1')], never, never)).toEqual([c]);
  });
});
