/**
 * Every invariant the simulator checks must be able to fail: each seeded bug (harness/mutants)
 * is caught by a plain simulated run under every fault (corruption included, the audit off),
 * on a pinned seed, by one of the invariants it is expected to break — most by the per-step check against
 * the spec twin. The adoption bugs need a candidate to hear two values at different ballots for
 * one slot, which takes a less common schedule (seed 16); the checkpoint bugs need checkpoints
 * often enough to reach truncations and state transfers in 3,000 steps.
 */
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { FAULTS, simulate } from '../../../harness/sim/simulate.js';
import { LinearizabilityMonitor } from '../../../harness/sim/linearizability.js';
import { SIMULATION_SUITE, simulateSuiteRun } from '../../../harness/check/main-job.js';
import { AUDIT_MUTANTS, CHECKPOINT_MUTANTS } from '../../helpers/mutants.js';

const SEEDS: Record<string, number> = {
  'adopt-lowest-ballot': 16,
  'adopt-first-report': 16,
  // Installing a transferred checkpoint with a stale part needs a corrupt, lagging receiver.
  'install-without-digest': 3,
};

/** Every fault but the operator's JOIN/QUIT requests, with the audit off (it changes schedules). */
const PAXOS_FAULTS = FAULTS.filter((f) => f !== 'reconfig');

describe('the simulator catches seeded bugs', () => {
  for (const mutant of MUTANTS.values()) {
    if (AUDIT_MUTANTS.includes(mutant.name)) continue;
    it(mutant.name, () => {
      const r = simulate({
        replicas: 3,
        clients: 3,
        seed: SEEDS[mutant.name] ?? 1,
        steps: 3000,
        faults: PAXOS_FAULTS,
        auditEvery: 0,
        app: kvApp,
        rules: mutant.rules,
        // The checkpoint bugs with a checkpoint every two slots (the core's default is 64).
        ...(CHECKPOINT_MUTANTS.includes(mutant.name) ? { checkpointEvery: 2 } : {}),
        ...(mutant.clientRules !== undefined ? { clientRules: mutant.clientRules } : {}),
      });
      expect(r.violation).not.toBeNull();
      expect(mutant.breaks).toContain(r.violation?.invariant);
    });
  }
});

describe('the simulator catches seeded audit and reconfiguration bugs', () => {
  // The main job's simulations with every fault — the operator's JOIN/QUIT requests and a
  // corrupt replica (the audit every four slots) included: one of them catches each bug.
  const runs = SIMULATION_SUITE.filter((s) => s.faults.includes('reconfig'));
  for (const name of AUDIT_MUTANTS) {
    it(name, () => {
      const mutant = MUTANTS.get(name);
      if (mutant === undefined) throw new Error(`no mutant ${name}`);
      const found = runs.map((s) => simulateSuiteRun(s, mutant).violation);
      const first = found.find((v) => v !== null);
      expect(first).toBeDefined();
      expect(mutant.breaks).toContain(first?.invariant);
    });
  }
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
