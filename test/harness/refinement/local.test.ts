/**
 * The per-step refinement check (harness/refinement/local.ts) that the explorer and the
 * simulator run on every node step: it finds nothing on the reference, and it catches a step
 * that touches a slot below the window it compares (it compares a window of slots so that its
 * cost does not grow with the log: bench/README.md has the figures).
 */
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { counterApp } from '../../../src/core/apps/counter.js';
import { initReplica, replicaContext, replicaStep } from '../../../src/core/replica/reducer.js';
import { FAULTS, simulate } from '../../../harness/sim/simulate.js';
import { makeConfig } from '../../../harness/model/world.js';
import { StepRefinement } from '../../../harness/refinement/local.js';
import type { ReplicaState } from '../../../src/core/replica/state.js';

describe('per-step refinement', () => {
  it('finds nothing on the reference over long simulations, one to five replicas', () => {
    for (const replicas of [1, 3, 5])
      for (const app of [kvApp, counterApp]) {
        const r = simulate({
          replicas,
          clients: 3,
          seed: replicas * 11,
          steps: 4000,
          faults: FAULTS,
          app,
        });
        expect(r.violation).toBeNull();
      }
  });

  it('flags a step that changes a chosen and executed slot below its window', () => {
    const cfg = makeConfig({ replicas: 3, clients: 1, app: kvApp });
    const check = new StepRefinement(cfg);
    const cmd = { kind: 'op', client: 'c1', seq: 1, op: { type: 'get', key: 'x' } } as const;
    const base = initReplica('r2', cfg.replicaParams, kvApp);
    const before: ReplicaState = {
      ...base,
      durable: {
        ...base.durable,
        accepted: new Map([[0, { ballot: { round: 1, leader: 'r1' }, cmd }]]),
        chosen: new Map([[0, cmd]]),
      },
      volatile: { ...base.volatile, executed: 1 },
    };
    const input = { kind: 'Tick' } as const;
    const r = replicaStep(before, input, replicaContext(kvApp));
    expect(check.replica(before, input, r)).toEqual([]);
    const tampered = {
      ...r,
      state: {
        ...r.state,
        durable: { ...r.state.durable, chosen: new Map([[0, { kind: 'noop' } as const]]) },
      },
    };
    expect(check.replica(before, input, tampered)[0]?.message).toMatch(/changed chosen slot 0/);
  });
});
