/**
 * Installing the kit into someone else's project (issue 17): `npm pack` the package, install
 * the tarball into an empty temporary project, and run what a user runs there — the CLI under
 * its collision-free name `smr-oracle` (and the `smr` alias) on a bundled trace, and the
 * library import. Needs the built dist/ (`npm ci` builds it through `prepare`) and npm; the
 * dependencies come from npm's cache when `npm ci` filled it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const built = existsSync(join(root, 'dist/src/cli/main.js'));
if (!built) console.warn('install test skipped: dist/ is not built (npm run build)');

const dir = mkdtempSync(join(tmpdir(), 'smr-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const npm = (args: readonly string[], cwd: string): string =>
  execFileSync('npm', [...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!built)('the packed kit, installed into another project', () => {
  it('runs as smr-oracle and smr, and imports as a library', () => {
    // --ignore-scripts: pack the dist/ that is here rather than building it again.
    const packed = JSON.parse(
      npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = join(dir, (packed[0] as { filename: string }).filename);
    const paths = (packed[0]?.files ?? []).map((f) => f.path);
    expect(paths).toContain('dist/src/cli/main.js');
    expect(paths).toContain('traces/valid/seed1-full-no-faults.ndjson');
    expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/'))).toBe(false);

    const project = join(dir, 'user-project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), '{"name":"user-project","private":true}\n');
    npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], project);

    const trace = 'node_modules/smr-oracle/traces/valid/seed1-full-no-faults.ndjson';
    for (const bin of ['smr-oracle', 'smr']) {
      const run = spawnSync(join(project, 'node_modules/.bin', bin), ['check-trace', trace], {
        cwd: project,
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^valid: /);
    }
    const library = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const kit = await import('smr-oracle'); console.log(typeof kit.checkLinearizability, typeof kit.checkTrace);",
      ],
      { cwd: project, encoding: 'utf8' },
    );
    expect(library.stderr).toBe('');
    expect(library.stdout.trim()).toBe('function function');
  }, 180_000);
});
