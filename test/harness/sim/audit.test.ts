/**
 * A corrupt replica that keeps running (issue 15; seed: "failed replicas … may continue
 * operating, including generating spurious or incorrect outputs"): with the audit on, it is
 * detected, quits and rejoins, and no client accepts a wrong output; with fail-stop voting
 * (`first-reply`) a client does, which is the seed's point about 2F+1 replicas against F+1.
 */
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { simulate } from '../../../harness/sim/simulate.js';

const FAULTS = ['corrupt', 'crash', 'loss', 'dup', 'reorder', 'partition'] as const;

/** Five replicas, three clients, 20,000 steps of every fault with a corrupt replica. */
const corruptRun = (policy: 'majority' | 'first-reply') =>
  simulate({ replicas: 5, clients: 3, seed: 1, steps: 20_000, faults: FAULTS, app: kvApp, policy });

describe('a corrupt replica under every fault', () => {
  it('is detected by the audit, quits and rejoins; every output a client accepts is right', () => {
    const r = corruptRun('majority');
    expect(r.violation).toBeNull();
    expect(r.invariantsChecked).toEqual(expect.arrayContaining(['OutputFilter', 'AuditDetects']));
    expect(r.audit.every).toBe(4);
    expect(r.audit.detections).toBeGreaterThan(0);
    expect(r.audit.quits).toBeGreaterThan(0);
    expect(r.audit.joins).toBeGreaterThan(0);
    expect(r.refinement).toMatch(/^checked, except/);
  });

  it('breaks OutputFilter when clients believe the first reply (fail-stop voting)', () => {
    expect(corruptRun('first-reply').violation?.invariant).toBe('OutputFilter');
  });
  it('an operator asking to JOIN and QUIT random replicas: many refused, none unsafe', () => {
    const r = simulate({
      replicas: 3,
      clients: 3,
      seed: 2,
      steps: 20_000,
      faults: ['reconfig', 'corrupt', 'crash', 'loss', 'dup'],
      app: kvApp,
      checkpointEvery: 8,
    });
    expect(r.violation).toBeNull();
    expect(r.audit.refused).toBeGreaterThan(0);
    expect(r.audit.quits).toBeGreaterThan(0);
    expect(r.audit.joins).toBeGreaterThan(0);
    expect(r.requests.completed).toBeGreaterThan(100);
  });
});
