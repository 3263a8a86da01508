/**
 * The layers of the code (issue 13, .dependency-cruiser.cjs): imports run one way, bottom to
 * top — core, spec, checkers and the world model, drivers, CLI and the public entry — and no
 * import closes a cycle. `npm run lint` enforces it; this test shows both that the tree obeys
 * it and that the rule fails on a wrong-way import and on a cycle (test/fixtures/layers).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type IForbiddenRuleType, type IReporterOutput } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as {
  forbidden: IForbiddenRuleType[];
};

async function violations(baseDir: string): Promise<string[]> {
  const r: IReporterOutput = await cruise(['src', 'harness'], {
    ruleSet: { forbidden: config.forbidden },
    validate: true,
    baseDir,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  if (typeof r.output === 'string') throw new Error(r.output);
  return r.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('layers', () => {
  it('the code imports only downwards and has no import cycle', async () => {
    expect(await violations(root)).toEqual([]);
  }, 60_000);

  it('the rule fails on an import that goes up a layer, and on a cycle', async () => {
    expect(await violations(join(root, 'test', 'fixtures', 'layers'))).toEqual([
      'checkers-import-below-drivers: src/trace/run.ts -> harness/sim/simulate.ts',
      'core-imports-core-only: src/core/reducer.ts -> harness/explore/search.ts',
      'no-circular: src/trace/a.ts -> src/trace/b.ts',
    ]);
  });
});
