/**
 * Every invariant the simulator checks must be able to fail: each seeded bug (harness/mutants)
 * that needs no corruption is caught by a plain simulated run, on a pinned seed, by one of the
 * invariants it is expected to break. (trust-first-reply needs a corrupt replica, which only the
 * explorer injects.)
 */
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { FAULTS, simulate } from '../../../harness/sim/simulate.js';
import { LinearizabilityMonitor } from '../../../harness/sim/linearizability.js';

const SEEDS: Record<string, number> = {
  'forget-promise-on-restart': 1,
  'forget-accepted-on-restart': 1,
  'forget-chosen-on-restart': 1,
  'minority-quorum': 1,
  'ignore-promised-values': 4,
  'execute-unchosen': 3,
  'execute-past-gap': 1,
  'no-session-dedup': 1,
  'session-off-by-one': 1,
  'ballot-ignores-replica-id': 2,
  'accept-stale-ballot': 2,
  'command-seq-off-by-one': 1,
};

describe('the simulator catches seeded bugs', () => {
  for (const [name, seed] of Object.entries(SEEDS)) {
    it(name, () => {
      const mutant = MUTANTS.get(name);
      if (mutant === undefined) throw new Error(`no mutant ${name}`);
      const r = simulate({
        replicas: 3,
        clients: 3,
        seed,
        steps: 3000,
        faults: FAULTS,
        app: kvApp,
        rules: mutant.rules,
      });
      expect(r.violation).not.toBeNull();
      expect(mutant.breaks).toContain(r.violation?.invariant);
    });
  }

  it('covers every mutant but the one that needs corruption', () => {
    expect([...MUTANTS.keys()].filter((n) => !(n in SEEDS))).toEqual(['trust-first-reply']);
  });
});

describe('the Linearizability monitor', () => {
  it('flags a read that misses a write completed before it started', () => {
    const monitor = new LinearizabilityMonitor(kvApp);
    const put = {
      process: 'c1',
      input: { type: 'put', key: 'x', value: '1' },
      output: undefined,
      call: 0,
      ret: null,
    };
    monitor.observe([put]);
    const done = [{ ...put, output: 'OK', ret: 0.5 }];
    monitor.observe(done);
    const get = {
      process: 'c2',
      input: { type: 'get', key: 'x' },
      output: undefined,
      call: 1,
      ret: null,
    };
    monitor.observe([...done, get]);
    expect(monitor.violation()).toBeNull();
    monitor.observe([...done, { ...get, output: null, ret: 1.5 }]);
    expect(monitor.violation()?.invariant).toBe('Linearizability');
  });

  it('accepts the same read when the write had not completed (concurrent)', () => {
    const monitor = new LinearizabilityMonitor(kvApp);
    const put = {
      process: 'c1',
      input: { type: 'put', key: 'x', value: '1' },
      output: undefined,
      call: 0,
      ret: null,
    };
    const get = {
      process: 'c2',
      input: { type: 'get', key: 'x' },
      output: undefined,
      call: 1,
      ret: null,
    };
    monitor.observe([put]);
    monitor.observe([put, get]);
    monitor.observe([put, { ...get, output: null, ret: 1.5 }]);
    monitor.observe([
      { ...put, output: 'OK', ret: 2.5 },
      { ...get, output: null, ret: 1.5 },
    ]);
    expect(monitor.violation()).toBeNull();
  });
});
