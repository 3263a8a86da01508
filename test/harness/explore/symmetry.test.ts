/**
 * Client symmetry merges states equal up to renaming clients, which is sound only for reducers
 * that treat clients alike. It is checked as it runs: every new node step is also taken with
 * the clients renamed. A reducer that singles a client out stops the search with
 * UnsoundSymmetryError (and `smr explore` with exit 2); without symmetry it is explored as is.
 */
import { describe, expect, it } from 'vitest';
import { bfs } from '../../../harness/explore/bfs.js';
import { UnsoundSymmetryError } from '../../../harness/explore/cluster/local-steps.js';
import { createPackedClusterProtocol } from '../../../harness/explore/cluster/packed.js';
import { DEFAULT_SCOPE } from '../../../harness/explore/cluster/scope.js';
import { REFERENCE_RULES, type ReplicaRules } from '../../../src/core/replica/rules.js';
import type { Protocol } from '../../../src/spec/transition-system.js';

const TWO_CLIENTS = { ...DEFAULT_SCOPE, clients: 2, requests: 2, maxCrashes: 0, maxElections: 1 };

/** A leader that orders c2's requests as reads: it treats the two clients differently. */
const PARTIAL: ReplicaRules = {
  ...REFERENCE_RULES,
  proposal: (request) => ({
    kind: 'op',
    client: request.from,
    seq: request.seq,
    op: request.from === 'c2' ? { type: 'get', key: 'x' } : request.op,
  }),
};

const search = (symmetry: boolean, rules: ReplicaRules) =>
  bfs(
    createPackedClusterProtocol(TWO_CLIENTS, {
      symmetry,
      rules,
      stepRefinement: false,
    }) as unknown as Protocol<unknown, unknown>,
    { maxDepth: 10 },
  );

describe('client symmetry is checked as it runs', () => {
  it('holds for the reference reducer', () => {
    expect(search(true, REFERENCE_RULES).counterexample).toBeNull();
  });

  it('stops the search for a reducer that tells clients apart', () => {
    expect(() => search(true, PARTIAL)).toThrow(UnsoundSymmetryError);
    expect(() => search(false, PARTIAL)).not.toThrow();
  });
});
