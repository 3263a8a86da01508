/**
 * Refinement of spec/Smr.tla's twin by the reference core (issue 4, item 4): every core step,
 * replayed as the spec actions it traces, reaches the abstraction of the next world. The
 * reference cluster passes under loss, duplication, reordering and crashes; mutants of the
 * protocol rules (harness/mutants) fail with a `Refinement` violation that names the action, the
 * guard, and both states; the explorer runs the same check through its transitionChecks hook.
 */
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { bfs } from '../../../harness/explore/bfs.js';
import { createClusterProtocol } from '../../../harness/explore/cluster/protocol.js';
import { DEFAULT_SCOPE, type ClusterScope } from '../../../harness/explore/cluster/scope.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { initialWorld } from '../../../harness/model/world.js';
import {
  abstractWorld,
  ballotNumber,
  checkRefinementStep,
  specContext,
} from '../../../harness/refinement/index.js';
import { refinementWalk, walkConfig } from '../../../harness/refinement/walk.js';
import { encodeClient, encodeReplica } from '../../../src/spec/encode.js';
import { initialWorld as specInitialWorld } from '../../../src/spec/state.js';

describe('the abstraction', () => {
  it("maps the core's initial world to the spec's Init", () => {
    const cfg = walkConfig({ seed: 1, steps: 0 });
    const ctx = specContext(cfg);
    const core = abstractWorld(ctx, initialWorld(cfg));
    const init = specInitialWorld(ctx);
    expect(core.replicas.map((v) => encodeReplica(ctx, v))).toEqual(
      init.replicas.map((v) => encodeReplica(ctx, v)),
    );
    expect(core.clients.map(encodeClient)).toEqual(init.clients.map(encodeClient));
  });
  it('numbers ballots as (round-1)*N + index(leader), ZERO_BALLOT as -1', () => {
    const ctx = specContext(walkConfig({ seed: 1, steps: 0 }));
    expect([
      ballotNumber(ctx, { round: 0, leader: '' }),
      ballotNumber(ctx, { round: 1, leader: 'r1' }),
      ballotNumber(ctx, { round: 2, leader: 'r3' }),
    ]).toEqual([-1, 0, 5]);
  });
});

describe('the reference core refines the spec', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: 3 replicas, 2 clients, loss, duplication, crashes — every step maps`, () => {
      const r = refinementWalk({ seed, steps: 2500 });
      expect(r.violation).toBeNull();
      expect(r.events).toBeGreaterThan(200);
    });
  }
  it('5 replicas (F = 2)', () => {
    const r = refinementWalk({ seed: 7, steps: 2500, replicas: 5, clients: 1 });
    expect(r.violation).toBeNull();
  });
  it('with the kv app (outputs compared exactly: the twin runs the same app)', () => {
    const r = refinementWalk({
      seed: 5,
      steps: 2000,
      app: kvApp,
      op: (client, seq) => ({ type: 'put', key: 'x', value: `${client}.${seq}` }),
    });
    expect(r.violation).toBeNull();
  });
});

describe('mutants fail the refinement check', () => {
  const cases: [mutant: string, action: RegExp][] = [
    [
      'accept-stale-ballot',
      /Phase2b is not enabled in the spec: m\.bal >= promised\[r\] does not hold/,
    ],
    [
      'ignore-promised-values',
      /Phase2a is not enabled in the spec: .*proposals\[r\] does not hold/,
    ],
    [
      'forget-accepted-on-restart',
      /Restart.*the states differ after the step — r\d: core promised=\S+ accepted=\[\]/,
    ],
    // The leader proposes a request it executed (Phase2a's session guard), or applies it twice.
    [
      'no-session-dedup',
      /(Phase2a|Execute).*(is not enabled in the spec|the states differ after the step)/,
    ],
    [
      'minority-quorum',
      /BecomeLeader is not enabled in the spec: .*IsQuorumOf\(\{p\.from : p \\in promises\[r\]\}, MembersAt\(known, s\)\)/,
    ],
  ];
  for (const [mutant, message] of cases) {
    it(`${mutant}: Refinement, naming the action and the failed guard or both states`, () => {
      const rules = MUTANTS.get(mutant)?.rules;
      expect(rules).toBeDefined();
      let violation = null;
      for (let seed = 1; seed <= 8 && violation === null; seed++) {
        violation = refinementWalk({ seed, steps: 3000, rules: rules! }).violation;
      }
      expect(violation?.invariant).toBe('Refinement');
      expect(violation?.message).toMatch(message);
    });
  }
});

describe("the explorer's --refinement hook (transitionChecks)", () => {
  const scope: ClusterScope = {
    ...DEFAULT_SCOPE,
    app: 'counter',
    clients: 1,
    requests: 1,
    maxElections: 2,
  };
  it('the reference cluster: no Refinement violation in the first 20000 states', () => {
    const protocol = createClusterProtocol(scope, { transitionChecks: [checkRefinementStep] });
    const r = bfs(protocol, { maxStates: 20_000 });
    expect(r.counterexample).toBeNull();
  });
  it('the accept-stale-ballot mutant: the explorer reports Refinement', () => {
    const protocol = createClusterProtocol(
      { ...scope, mutant: 'accept-stale-ballot' },
      { transitionChecks: [checkRefinementStep] },
    );
    const r = bfs(protocol, { maxStates: 200_000 });
    expect(r.counterexample?.violation.invariant).toBe('Refinement');
  });
});
