/**
 * The packed cluster protocol (harness/explore/cluster/packed.ts) is what `smr explore` searches;
 * the object protocol (protocol.ts) is its meaning. These tests hold the two equal: the same
 * distinct states and transitions on scopes that exercise every fast path (set and multiset
 * networks, fused and separate crashes, symmetry, corruption, dead-message collection), every
 * fast step checked against the object step, and the same fingerprints for the same worlds.
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import {
  createPackedClusterProtocol,
  type PackedState,
} from '../../../harness/explore/cluster/packed.js';
import {
  createClusterProtocol,
  type ClusterOptions,
} from '../../../harness/explore/cluster/protocol.js';
import { DEFAULT_SCOPE, type ClusterScope } from '../../../harness/explore/cluster/scope.js';
import { Random } from '../../../harness/random.js';

const SMALL: ClusterScope = { ...DEFAULT_SCOPE, maxCrashes: 0 };

const SCOPES: [string, ClusterScope, ClusterOptions, number][] = [
  ['F=1 default', DEFAULT_SCOPE, {}, 12],
  ['no POR (crash and restart apart)', DEFAULT_SCOPE, { por: false }, 9],
  [
    'multiset network with crashes',
    { ...DEFAULT_SCOPE, network: 'multiset', maxElections: 1 },
    {},
    7,
  ],
  ['two clients, symmetry', { ...SMALL, clients: 2, requests: 2, maxElections: 1 }, {}, 14],
  [
    'two clients, no symmetry',
    { ...SMALL, clients: 2, requests: 2, maxElections: 1 },
    { symmetry: false },
    12,
  ],
  [
    'corruption',
    { ...SMALL, faults: ['loss', 'dup', 'crash', 'corrupt'], maxElections: 1 },
    {},
    12,
  ],
  ['first-reply clients', { ...SMALL, policy: 'first-reply' }, {}, 12],
  ['dead messages kept', SMALL, { collectDeadMessages: false }, 12],
];

describe('the packed protocol reaches what the object protocol reaches', () => {
  for (const [name, scope, options, depth] of SCOPES) {
    it(`${name}: same distinct states and transitions, every fast step verified`, () => {
      const objects = bfs(createClusterProtocol(scope, options), { maxDepth: depth });
      const packed = bfs(createPackedClusterProtocol(scope, options), { maxDepth: depth });
      expect(packed.distinctStates).toBe(objects.distinctStates);
      expect(packed.transitions).toBe(objects.transitions);
      expect(packed.depth).toBe(objects.depth);
      const shallow = Math.min(depth, 8);
      const verified = bfs(
        createPackedClusterProtocol(scope, { ...options, verifyFastSteps: true }),
        {
          maxDepth: shallow,
        },
      );
      expect(verified.distinctStates).toBe(
        bfs(createClusterProtocol(scope, options), { maxDepth: shallow }).distinctStates,
      );
    }, 60_000);
  }

  it('finds the same shortest counterexample for a seeded bug', () => {
    const scope = { ...DEFAULT_SCOPE, mutant: 'ignore-promised-values' };
    const objects = bfs(createClusterProtocol(scope));
    const packed = bfs(createPackedClusterProtocol(scope, { verifyFastSteps: true }));
    expect(packed.counterexample?.violation.invariant).toBe('Refinement');
    const kinds = (actions: readonly { kind: string }[] | undefined) => actions?.map((a) => a.kind);
    expect(kinds(packed.counterexample?.actions)).toEqual(kinds(objects.counterexample?.actions));
    expect(packed.distinctStates).toBe(objects.distinctStates);
  }, 60_000);

  it('verifyFastSteps fails when a fast step goes wrong (dead messages never collected)', () => {
    const p = createPackedClusterProtocol(SMALL, {
      verifyFastSteps: true,
      collectDeadMessages: true,
    });
    (p as unknown as { isDeadIn: () => boolean }).isDeadIn = () => false;
    expect(() => bfs(p, { maxDepth: 10 })).toThrow(/internal error: packed step .* gave/);
  });
});

describe('packed states', () => {
  /** States along seeded random walks of the F=1 scope. */
  const walk = (seed: number, length: number) => {
    const p = createPackedClusterProtocol(DEFAULT_SCOPE);
    const rng = new Random(seed);
    const states: PackedState[] = [p.initialStates()[0] as PackedState];
    for (let i = 0; i < length; i++) {
      const s = states[states.length - 1] as PackedState;
      const actions = p.actions(s);
      if (actions.length === 0) break;
      states.push(p.step(s, rng.pick(actions)).world);
    }
    return { p, states };
  };

  it('have the object protocol fingerprint of their unpacked world', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { p, states } = walk(seed, 30);
      for (const s of states) {
        const world = p.unpack(s);
        expect(p.fingerprint(s)).toEqual(p.objects.fingerprint!(world));
        expect(p.pack(world)).toEqual(s);
      }
    }
  });

  it('cross to another protocol instance (a worker, a checkpoint) unpacked', () => {
    const { p, states } = walk(7, 30);
    const other = createPackedClusterProtocol(DEFAULT_SCOPE);
    for (const s of states) {
      const carried = other.importState(structuredClone(p.exportState(s)));
      expect(other.fingerprint(carried)).toEqual(p.fingerprint(s));
      expect(other.actions(carried).map((a) => other.describe(a).split(' #')[0])).toEqual(
        p.actions(s).map((a) => p.describe(a).split(' #')[0]),
      );
    }
  });
});
