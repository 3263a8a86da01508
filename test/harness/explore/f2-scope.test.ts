/**
 * The F=2 default scope, pinned to the end (issue 3, "Default scopes, pinned"): what
 * `smr explore --replicas 5` explores, over two threads. One of the slowest tests of the suite
 * (≈ 10 s, 0.5 GB), so it has a file of its own and runs alongside the others; bench/README.md
 * has its measured times. cluster.test.ts pins the same scope to depth 12 in seconds.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE_F2 } from '../../../harness/explore/cluster/scope.js';
import { explore } from '../../../harness/explore/explore.js';

describe('pinned state counts', () => {
  it('F=2 default scope: 1,015,122 distinct states, depth 27, no violation', async () => {
    const r = await explore({
      spec: {
        model: 'core',
        scope: DEFAULT_SCOPE_F2,
        symmetry: true,
        por: true,
        determinism: true,
        refinement: false,
      },
      workers: 2,
    });
    expect(r).toMatchObject({
      workersUsed: 2,
      status: 'ok',
      complete: true,
      distinctStates: 1_015_122,
      depth: 27,
      violation: null,
    });
  }, 1_200_000);
});
