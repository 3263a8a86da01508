/**
 * The fault soak, short (issue 19 part 4; bench/server.ts runs the long one): three replicas on
 * loopback under a client workload while replicas are killed with SIGKILL and restarted, or
 * paused with SIGSTOP and resumed. Nothing acknowledged is lost (Paxos Made Simple §2.3: what was
 * persisted before it was acknowledged survives), no append executes twice (seed: client
 * sessions), the history is linearizable, and the nodes' traces are valid.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDown } from '../../src/runtime/cluster.js';
import { soak } from '../../harness/soak/server-soak.js';
import { tempDir, useServeBundle } from './helpers.js';

let restore: () => void;
const dir = tempDir('soak');
beforeAll(() => {
  restore = useServeBundle();
});
afterAll(async () => {
  await clusterDown(dir, 1000).catch(() => undefined);
  restore();
  rmSync(dir, { recursive: true, force: true });
});

describe('fault soak', () => {
  it('kill -9 and SIGSTOP under load: nothing acknowledged lost, linearizable, traces valid', async () => {
    const r = await soak({
      dir,
      seconds: 12,
      clients: 4,
      keys: 4,
      seed: 3,
      every: [500, 1000],
      hold: [200, 700],
    });
    expect(r.kills).toBeGreaterThanOrEqual(1);
    expect(r.pauses).toBeGreaterThanOrEqual(1);
    expect(r.acknowledgedWrites).toBeGreaterThan(20);
    expect(r.lost).toBe(0);
    expect(r.duplicated).toBe(0);
    expect(r.lincheck).toBe('linearizable');
    expect(r.traceReport).toMatch(/^valid: /);
    expect(r.traceValid).toBe(true);
  }, 90_000);
});
