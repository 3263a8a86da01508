/**
 * The reference cluster as a Protocol (issue 3): pinned distinct-state counts of the default
 * F=1 scope and of smaller scopes (regression checks, as Stateright pins 16,668 for its Paxos
 * example), each reduction shrinking the state space, and the abstractions that merge states
 * shown to merge only states with the same future.
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import { isDead } from '../../../harness/explore/cluster/dead-messages.js';
import { clientRenamings, WorldEncoder } from '../../../harness/explore/cluster/encode.js';
import { createPackedClusterProtocol } from '../../../harness/explore/cluster/packed.js';
import {
  createClusterProtocol,
  type ClusterOptions,
  type ClusterState,
} from '../../../harness/explore/cluster/protocol.js';
import {
  DEFAULT_SCOPE,
  DEFAULT_SCOPE_F2,
  type ClusterScope,
} from '../../../harness/explore/cluster/scope.js';
import { explore } from '../../../harness/explore/explore.js';
import { scopeFromFlags } from '../../../src/cli/commands/explore.js';
import { REFERENCE_RULES } from '../../../src/core/replica/rules.js';
import { toyProtocol } from './toy.js';

const SMALL: ClusterScope = { ...DEFAULT_SCOPE, maxCrashes: 0 };
const TWO_CLIENTS: ClusterScope = {
  ...DEFAULT_SCOPE,
  clients: 2,
  requests: 2,
  maxCrashes: 0,
  maxElections: 1,
};

/** The explorer's count: it searches packed states (packed.test.ts holds them to the objects). */
const count = (scope: ClusterScope, options: ClusterOptions = {}, maxDepth?: number) =>
  bfs(createPackedClusterProtocol(scope, options), maxDepth === undefined ? {} : { maxDepth });

describe('pinned state counts', () => {
  it('F=1 default scope: 238,133 distinct states, no violation', () => {
    const r = count(DEFAULT_SCOPE);
    expect(r.counterexample).toBeNull();
    expect(r.complete).toBe(true);
    expect(r.distinctStates).toBe(238_133);
    expect(r.depth).toBe(24);
  }, 120_000);

  it('F=1 without crashes: 49,751; exact encodings agree with fingerprints', () => {
    expect(count(SMALL).distinctStates).toBe(49_751);
    // Exact object-world encodings on a scope small enough for them: one election.
    const one = { ...SMALL, maxElections: 1 };
    expect(count(one).distinctStates).toBe(680);
    expect(bfs(createClusterProtocol(one), { exact: true }).distinctStates).toBe(680);
  });

  it('F=2 default scope to depth 12 (the full F=2 scope is measured in bench/)', () => {
    const r = count(DEFAULT_SCOPE_F2, {}, 12);
    expect(r.counterexample).toBeNull();
    expect(r.distinctStates).toBe(34_982);
  }, 60_000);
});

describe('reductions shrink the state space and keep the verdict', () => {
  it('partial-order reduction (persistent sets, crash–restart fusion): 94,865 → 49,751', () => {
    const off = count(SMALL, { por: false });
    expect(off.distinctStates).toBe(94_865);
    expect(off.counterexample).toBeNull();
    expect(count(SMALL).distinctStates).toBeLessThan(off.distinctStates);
  });

  it('client symmetry halves a two-client scope: 7,285 → 3,642', () => {
    const off = count(TWO_CLIENTS, { symmetry: false }, 12);
    const on = count(TWO_CLIENTS, {}, 12);
    expect([off.distinctStates, on.distinctStates]).toEqual([7_285, 3_642]);
    expect(off.counterexample ?? on.counterexample).toBeNull();
  });
});

describe('fingerprint-first successors (packed states)', () => {
  it('every fast step reaches the state the object step reaches, predictions included', () => {
    // Crashes and restarts, client replies, both network semantics, and client symmetry (the
    // least fingerprint over renamings); the packed protocol throws at the first fast step
    // that differs from the object one, and the counts match the plain searches.
    const verified = (scope: ClusterScope, options: ClusterOptions, maxDepth: number) =>
      bfs(createPackedClusterProtocol(scope, { ...options, verifyFastSteps: true }), { maxDepth })
        .distinctStates;
    expect(verified(DEFAULT_SCOPE, {}, 12)).toBe(count(DEFAULT_SCOPE, {}, 12).distinctStates);
    const multiset: ClusterScope = { ...SMALL, network: 'multiset', maxElections: 1, maxCopies: 1 };
    expect(verified(multiset, {}, 12)).toBe(count(multiset, {}, 12).distinctStates);
    expect(verified(TWO_CLIENTS, { symmetry: false }, 12)).toBe(7_285);
    expect(verified(TWO_CLIENTS, {}, 12)).toBe(3_642);
  }, 60_000);

  it('mutants: verified fast steps find the same violation on the same shortest path', () => {
    // A restart that loses durable state, a ghost-tracked duplicate apply, and a client that
    // trusts the first reply: violations found through fast and object steps alike.
    for (const name of ['forget-chosen-on-restart', 'no-session-dedup', 'trust-first-reply']) {
      const scope = scopeFromFlags({ mutant: name });
      const verifiedRun = bfs(createPackedClusterProtocol(scope, { verifyFastSteps: true }));
      const objects = bfs(createClusterProtocol(scope));
      expect(verifiedRun.counterexample?.violation.invariant).toBeDefined();
      expect(verifiedRun.counterexample?.violation.invariant).toBe(
        objects.counterexample?.violation.invariant,
      );
      expect(verifiedRun.counterexample?.actions).toHaveLength(
        objects.counterexample?.actions.length ?? -1,
      );
      expect(verifiedRun.distinctStates).toBe(objects.distinctStates);
    }
  }, 60_000);

  it('a prediction that differs from the built state stops the search', () => {
    const p = toyProtocol(2, 3);
    const lying = { ...p, predictFingerprint: () => [12_345, 67_890] as const };
    expect(() => bfs(lying)).toThrow(/toy's predicted successor of Inc 0 reaches a state/);
  });
});

describe('dead messages', () => {
  it('collecting them (--prune-dead-messages) merges only states that agree on every live message and node (49,751 → 14,276)', () => {
    const project = (options: ClusterOptions): Set<string> => {
      const p = createClusterProtocol(SMALL, options);
      const encoder = new WorldEncoder(clientRenamings(p.cfg.clients, false), true);
      const seen = new Set<string>();
      const check = p.check.bind(p);
      const spy = {
        ...p,
        check: (s: ClusterState) => {
          const live = s.world.network.filter((q) => !isDead(s.world, q, true));
          seen.add(
            encoder.world({ ...s.world, network: live }, [s.crashes, s.corruptions, s.elections]),
          );
          return check(s);
        },
      };
      const r = bfs(spy);
      expect(r.counterexample).toBeNull();
      return seen;
    };
    const kept = project({});
    const collected = project({ collectDeadMessages: true });
    expect(collected.size).toBe(14_276);
    expect(kept).toEqual(collected);
  });

  it('are only collected for the reference ballot rules', () => {
    const world = createClusterProtocol(SMALL).initialStates()[0]?.world;
    const packet = {
      id: 0,
      from: 'r2',
      to: 'r1',
      msg: { type: 'Prepare', from: 'r2', ballot: { round: 0, leader: '' }, fromSlot: 0 },
    } as const;
    expect(world && isDead(world, packet, true)).toBe(false); // not below r1's promise (0.'')
    expect(
      REFERENCE_RULES.admits(
        { round: 1, leader: 'r1' },
        { round: 0, leader: '' },
        REFERENCE_RULES.compareBallots,
      ),
    ).toBe(false);
  });
});

describe('properties beyond the invariants', () => {
  it('a reducer that is not a function of its input is reported as Nondeterminism', async () => {
    let calls = 0;
    const impure = {
      ...REFERENCE_RULES,
      isQuorum: (v: Iterable<string>, c: readonly string[]) =>
        ++calls % 5 === 0 ? false : REFERENCE_RULES.isQuorum(v, c),
    };
    const p = createClusterProtocol(SMALL);
    (p.cfg as { rules: typeof REFERENCE_RULES }).rules = impure;
    const r = bfs(p);
    expect(r.counterexample?.violation.invariant).toBe('Nondeterminism');
  });

  it('runs extra transition checks on every step (the refinement hook)', async () => {
    const r = await explore({
      spec: {
        model: 'core',
        scope: SMALL,
        symmetry: true,
        por: true,
        determinism: true,
        refinement: false,
      },
    });
    expect(r.status).toBe('ok');
    const p = createClusterProtocol(SMALL, {
      transitionChecks: [
        (_cfg, _before, t) =>
          t.events.some((e) => e.event.action === 'Decide')
            ? [{ invariant: 'Refinement', message: 'Decide has no twin action (test)' }]
            : [],
      ],
    });
    const found = bfs(p).counterexample;
    expect(found?.violation.invariant).toBe('Refinement');
  });
});
