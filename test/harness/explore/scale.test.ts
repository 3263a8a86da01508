/**
 * Scale features (issue 3, "Scale"): worker threads find the same states and the same shortest
 * counterexample length as one thread; a search stopped with a checkpoint and resumed ends with
 * exactly the states of an uninterrupted one, in one thread or over workers; a checkpoint from
 * another scope is refused.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCOPE, type ClusterScope } from '../../../harness/explore/cluster/scope.js';
import { CheckpointError } from '../../../harness/explore/engine/checkpoint.js';
import { explore, type ExploreOptions } from '../../../harness/explore/explore.js';
import type { CoreModelSpec } from '../../../harness/explore/model-spec.js';
import { scopeFromFlags } from '../../../src/cli/commands/explore.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-scale-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL: ClusterScope = { ...DEFAULT_SCOPE, maxCrashes: 0 };
const spec = (scope: ClusterScope): CoreModelSpec => ({
  model: 'core',
  scope,
  symmetry: true,
  por: true,
  determinism: true,
  refinement: false,
});
const run = (o: Partial<ExploreOptions> & { scope?: ClusterScope }) =>
  explore({ spec: spec(o.scope ?? SMALL), ...o });

describe('worker threads', () => {
  // Workers join once a level is large (engine/parallel.ts); 0 lets them join these small scopes.
  const joinAtOnce = { workerJoinFrontier: 0 };

  it('two threads visit the same 49,751 states as one', async () => {
    const r = await run({ workers: 2, ...joinAtOnce });
    expect(r.status).toBe('ok');
    expect(r.workers).toBe(2);
    expect(r.workersUsed).toBe(2);
    expect(r.distinctStates).toBe(49_751);
  }, 120_000);

  it('a worker joins only once a level is as large as --worker-join asks', async () => {
    const small = await run({ workers: 2 });
    expect(small.workersUsed).toBe(1);
    expect(small.distinctStates).toBe(49_751);
    const joined = await run({ workers: 2, workerJoinFrontier: 500 });
    expect(joined.workersUsed).toBe(2);
    expect(joined.distinctStates).toBe(49_751);
  }, 120_000);

  it('two threads find a counterexample as short as one does', async () => {
    const scope = scopeFromFlags({ mutant: 'minority-quorum' });
    const [one, two] = [await run({ scope }), await run({ scope, workers: 2, ...joinAtOnce })];
    expect(two.workersUsed).toBe(2);
    expect(two.violation?.invariant).toBe(one.violation?.invariant);
    expect(two.violation?.foundSteps).toBe(one.violation?.foundSteps);
  }, 120_000);
});

describe('checkpoints', () => {
  // One thread writes a compact checkpoint (its parts once, states as ids), threads write
  // exported states: each is resumed by either.
  for (const [workers, resumeWorkers] of [
    [1, 1],
    [2, 2],
    [1, 2],
    [2, 1],
  ] as const) {
    it(`stop with ${workers} thread(s), resume with ${resumeWorkers}: the same states as one uninterrupted run`, async () => {
      const checkpointPath = join(dir, `cp-${workers}-${resumeWorkers}.ndjson`);
      const stopped = await run({
        workers,
        workerJoinFrontier: 0,
        checkpointAfterStates: 3000,
        checkpointPath,
      });
      expect(stopped.status).toBe('incomplete');
      expect(stopped.checkpoint).toBe(checkpointPath);
      expect(stopped.distinctStates).toBeLessThan(49_751);
      const header = JSON.parse(readFileSync(checkpointPath, 'utf8').split('\n', 1)[0] ?? '');
      expect(header.compact).toBe(workers === 1);
      const resumed = await run({ workers: resumeWorkers, resume: checkpointPath });
      expect(resumed.status).toBe('ok');
      expect(resumed.complete).toBe(true);
      expect(resumed.distinctStates).toBe(49_751);
    }, 120_000);
  }

  it('refuses a checkpoint of another scope or format version, a file that is not one, and a missing file', async () => {
    const checkpointPath = join(dir, 'other.ndjson');
    await run({ checkpointAfterStates: 500, checkpointPath });
    await expect(run({ scope: { ...SMALL, requests: 2 }, resume: checkpointPath })).rejects.toThrow(
      CheckpointError,
    );
    const older = join(dir, 'older.ndjson');
    const lines = readFileSync(checkpointPath, 'utf8').split('\n');
    const header = { ...JSON.parse(lines[0] ?? '{}'), version: 1 };
    writeFileSync(older, [JSON.stringify(header), ...lines.slice(1)].join('\n'));
    await expect(run({ resume: older })).rejects.toThrow(/checkpoint version 1, expected 3/);
    const partless = join(dir, 'partless.ndjson');
    writeFileSync(partless, lines.filter((line) => !line.startsWith('{"part":')).join('\n'));
    await expect(run({ resume: partless })).rejects.toThrow(
      /refers to a part the checkpoint lacks/,
    );
    const junk = join(dir, 'junk.ndjson');
    writeFileSync(junk, '{"format":"something-else"}\n');
    await expect(run({ resume: junk })).rejects.toThrow(/not an smr explore checkpoint/);
    await expect(run({ resume: join(dir, 'missing.ndjson') })).rejects.toThrow(/cannot read/);
  }, 60_000);
});

describe('levels spilled to disk (--memory-limit, TLC disk queue)', () => {
  const leftovers = (where: string) =>
    readdirSync(where).filter((name) => name.startsWith('.smr-explore-frontier-'));

  it('a search whose levels go to disk visits the same 49,751 states, and leaves no file', async () => {
    const where = mkdtempSync(join(dir, 'spill-'));
    const r = await run({ spillAtFrontier: 100, checkpointPath: join(where, 'cp.ndjson') });
    expect(r.status).toBe('ok');
    expect(r.distinctStates).toBe(49_751);
    expect(leftovers(where)).toEqual([]);
  }, 120_000);

  it('stopped with spilled levels and resumed (spilling again): the same states', async () => {
    const where = mkdtempSync(join(dir, 'spill-'));
    const checkpointPath = join(where, 'cp.ndjson');
    const stopped = await run({
      spillAtFrontier: 100,
      checkpointAfterStates: 20_000,
      checkpointPath,
    });
    expect(stopped.status).toBe('incomplete');
    const resumed = await run({ spillAtFrontier: 100, resume: checkpointPath, checkpointPath });
    expect(resumed.status).toBe('ok');
    expect(resumed.distinctStates).toBe(49_751);
    expect(leftovers(where)).toEqual([]);
  }, 120_000);

  it('a --shard split applies to the states that come back from disk', async () => {
    const shard = { index: 1, count: 3 };
    const plain = await run({ shard });
    const spilled = await run({
      shard,
      spillAtFrontier: 50,
      checkpointPath: join(dir, 's.ndjson'),
    });
    expect(spilled.distinctStates).toBe(plain.distinctStates);
    expect(spilled.distinctStates).toBeLessThan(49_751);
  }, 120_000);
});
