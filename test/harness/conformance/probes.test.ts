/**
 * Node probes (harness/conformance/probes.ts): every replica and client state a search meets,
 * handed synthetic inputs of every kind. They must never flag the reference (the probes send
 * only messages that could exist: no two values for one slot and ballot) — checked here with
 * every probe of every state, not a sample — and each handler bug they exist for must show.
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import { createPackedClusterProtocol } from '../../../harness/explore/cluster/packed.js';
import { DEFAULT_SCOPE, type ClusterScope } from '../../../harness/explore/cluster/scope.js';
import { probeNodeSteps } from '../../../harness/conformance/probes.js';
import { MUTANTS } from '../../../harness/mutants/index.js';

function statesOf(scope: ClusterScope, maxStates?: number) {
  const p = createPackedClusterProtocol(scope);
  const r = bfs(p, maxStates === undefined ? {} : { maxStates });
  expect(r.counterexample).toBeNull();
  const { cfg } = p.objects;
  if (cfg.stepChecks === undefined) throw new Error('step checks are off');
  return { cfg: { ...cfg, stepChecks: cfg.stepChecks }, ...p.nodeStates() };
}

const ALL = { statesPerRole: 1e9, clientStates: 1e9, probesPerState: 1e9 };

describe('node probes', () => {
  it('never flag the reference: every probe of every F=1 state', () => {
    const { cfg, replicas, clients } = statesOf(DEFAULT_SCOPE);
    const r = probeNodeSteps(cfg, replicas, clients, ALL);
    expect(r.finding).toBeNull();
    expect(r.replicaStates).toBe(replicas.length);
    expect(r.probes).toBeGreaterThan(10_000);
  }, 120_000);

  it('never flag the reference: five replicas, two competing clients', () => {
    const scope = { ...DEFAULT_SCOPE, replicas: 5, clients: 2, requests: 2, maxElections: 2 };
    const { cfg, replicas, clients } = statesOf(scope, 20_000);
    expect(probeNodeSteps(cfg, replicas, clients, ALL).finding).toBeNull();
  }, 120_000);

  it.each([
    ['adopt-first-report', 'ReceivePromise'],
    ['adopt-lowest-ballot', 'ReceivePromise'],
    ['votes-from-any-ballot', 'ReceiveAccepted'],
    ['catch-up-trusts-accepted', 'CatchUpReply'],
    ['execute-past-gap', 'Execute'],
  ])('catch %s on the state and input that show it', (mutant, shows) => {
    const { cfg, replicas, clients } = statesOf({ ...DEFAULT_SCOPE, mutant });
    const r = probeNodeSteps(cfg, replicas, clients);
    expect(r.finding?.violation.invariant).toBe('Refinement');
    expect(r.finding?.violation.message).toContain(shows);
    expect(r.finding?.inputs.length).toBeGreaterThan(0);
    expect(MUTANTS.get(mutant)?.breaks).toContain('Refinement');
  });

  it('are deterministic: the same states and seed give the same probes and verdict', () => {
    const { cfg, replicas, clients } = statesOf({ ...DEFAULT_SCOPE, mutant: 'adopt-first-report' });
    const a = probeNodeSteps(cfg, replicas, clients, { seed: 7 });
    const b = probeNodeSteps(cfg, replicas, clients, { seed: 7 });
    expect(b.finding).toEqual(a.finding);
    expect(b.probes).toBe(a.probes);
  });
});
