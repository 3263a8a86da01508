/**
 * The one public entry (src/index.ts, STYLE.md §9): what the README's examples import is there
 * and works, and names from the parts do not shadow each other.
 */
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('runs the README core example: a cold Tick makes r1 start phase 1', () => {
    const params = { ...api.DEFAULT_REPLICA_PARAMS, replicas: ['r1', 'r2', 'r3'] };
    const r1 = api.initReplica('r1', params, api.kvApp);
    const { effects } = api.replicaStep(r1, { kind: 'Tick' }, api.replicaContext(api.kvApp));
    expect(effects.map((e) => e.kind)).toEqual(['Persist', 'Trace', 'Send', 'Send']);
  });

  it('runs the README lincheck example on a stale read', () => {
    const history = [
      { process: 'a', input: { f: 'write', value: 1 }, output: null, call: 0, ret: 1 },
      { process: 'b', input: { f: 'read' }, output: null, call: 2, ret: 3 },
    ];
    const r = api.checkLinearizability(history, api.registerModel, { witness: true });
    expect(r.verdict).toBe('not-linearizable');
  });

  it('exports every capability', () => {
    for (const name of [
      'simulate',
      'explore',
      'runDefaultExploration',
      'bfs',
      'replayFile',
      'checkTrace',
      'checkBundledTraces',
      'TraceRecorder',
      'checkTraceWithTlc',

      'createIncrementalChecker',
      'parseHistory',
      'renderTimeline',
      'diffTest',
      'scheduleFromSimulation',
      'scheduleFromReplayFile',
      'checkRefinementStep',
      'runTlc',
      'runSany',
      'findJar',
    ] as const)
      expect(typeof api[name], name).toBe('function');
    expect(api.MUTANTS.size).toBeGreaterThanOrEqual(10);
    expect([...api.spec.SPEC_MODELS.keys()]).toEqual(expect.arrayContaining(['F1', 'F2']));
    expect(typeof api.spec.Phase1a).toBe('function');
  });
});
