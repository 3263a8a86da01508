/**
 * The simulator and the reference protocol under random schedules: fast-check picks cluster
 * sizes, seeds and fault mixes (≤ F crashes at a time), and every invariant must hold after
 * every step. Liveness: once faults stop and a leader is stable, every pending request is answered.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { counterApp, kvApp } from '../../../src/core/apps/index.js';
import { FAULTS, simulate } from '../../../harness/sim/simulate.js';
import { CHECKED_INVARIANTS } from '../../../harness/model/invariants.js';

const faults = fc.subarray([...FAULTS]);

/** The refusals a correct cluster makes on a lossy, reordering network (see the property). */
const STALE =
  /below this replica's checkpoint|has executed up to slot \d+ already|out of order|keeps digests at most|rebuilds from a checkpoint/;

describe('simulator: safety under random schedules', () => {
  it('no invariant is violated for random sizes, seeds and fault mixes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 5),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(1_000_000),
        faults,
        fc.constantFrom(kvApp, counterApp),
        (replicas, clients, seed, faultList, app) => {
          const rejected: string[] = [];
          const r = simulate({
            replicas,
            clients,
            seed,
            steps: 1500,
            faults: faultList,
            app,
            onTransition: (_action, _before, t) => void rejected.push(...t.rejected),
          });
          expect(r.violation).toBeNull();
          expect(r.invariantsChecked).toEqual(CHECKED_INVARIANTS);
          // A correct cluster refuses only what a lossy, reordering network makes stale: a
          // catch-up reply or transfer chunk that crossed a state transfer, a chunk of an
          // abandoned transfer, an audit too far ahead, an operator's refused request.
          for (const reason of rejected) expect(reason).toMatch(STALE);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('makes progress under every fault at once', () => {
    const r = simulate({
      replicas: 5,
      clients: 3,
      seed: 7,
      steps: 8000,
      faults: FAULTS,
      app: kvApp,
    });
    expect(r.violation).toBeNull();
    // Audit digests (every four slots, with the corrupt fault) share the scheduler's steps.
    expect(r.requests.completed).toBeGreaterThan(30);
    expect(r.crashes + r.partitions).toBeGreaterThan(0);
    expect(r.messages.dropped).toBeGreaterThan(0);
    expect(r.messages.duplicated).toBeGreaterThan(0);
  });

  it('is deterministic: the same options give the same result and the same trace, byte for byte', () => {
    const run = () => {
      const lines: string[] = [];
      const result = simulate({
        replicas: 3,
        clients: 2,
        seed: 42,
        steps: 3000,
        faults: FAULTS,
        app: kvApp,
        onTraceLine: (l) => lines.push(l),
      });
      return { result, trace: lines.join('\n') };
    };
    const a = run();
    const b = run();
    expect(JSON.stringify(b.result)).toBe(JSON.stringify(a.result));
    expect(b.trace).toBe(a.trace);
    expect(a.result.traceEvents).toBeGreaterThan(100);
    expect(JSON.parse(a.trace.split('\n')[0] ?? '')).toMatchObject({
      format: 'smr-trace',
      version: 2,
      protocol: 'multipaxos',
    });
  });
});

describe('simulator: liveness once faults stop', () => {
  it('answers every pending request after faults stop and a leader is stable', () => {
    fc.assert(
      fc.property(fc.constantFrom(3, 5), fc.nat(1_000_000), faults, (replicas, seed, faultList) => {
        const r = simulate({
          replicas,
          clients: 2,
          seed,
          steps: 6000,
          faults: faultList,
          app: kvApp,
          quietAfter: 2000,
          stopRequestsAfter: 2500,
        });
        expect(r.violation).toBeNull();
        expect(r.requests.pending).toBe(0);
        expect(r.requests.failed).toBe(0);
        expect(r.requests.completed).toBeGreaterThan(0);
      }),
      { numRuns: 12 },
    );
  });
});
