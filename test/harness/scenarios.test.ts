/**
 * Datadriven scenarios (STYLE.md §7): each file under test/data/scenarios is a script of
 * directives with the transcript each must produce. Regenerate with `REWRITE=1 npx vitest run
 * test/harness/scenarios.test.ts` and read the diff before committing it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatScenario, parseScenario, ScenarioRunner } from '../../harness/scenario.js';

const DIR = join(import.meta.dirname, '../data/scenarios');
const REWRITE = process.env['REWRITE'] === '1';

describe('datadriven scenarios', () => {
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    it(file, () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const header = text.slice(0, text.search(/^[^#\n]/m));
      const blocks = parseScenario(text);
      const runner = new ScenarioRunner();
      const actual = blocks.map((b) => runner.run(b.directive));
      if (REWRITE) {
        writeFileSync(join(DIR, file), formatScenario(header, blocks, actual));
        return;
      }
      blocks.forEach((b, i) => {
        expect(actual[i], `${file}:${b.line}: ${b.directive}`).toBe(b.expected);
      });
    });
  }
});
