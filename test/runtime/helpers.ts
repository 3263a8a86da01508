/**
 * What the runtime tests share: a bundle of the `smr` CLI that child replicas run (tsx compiles
 * the sources for every process it starts, which takes seconds per replica on a loaded machine;
 * a bundle starts in a fraction of one), temporary directories, and the promise that no process
 * a test started outlives it.
 */
import { buildSync } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');

/**
 * Bundles src/cli/main.ts into node_modules/.cache (inside the package, so the CLI finds its
 * package root) and points `SMR_SERVE_ENTRY` at it; returns a clean-up.
 */
export function useServeBundle(): () => void {
  const dir = join(ROOT, 'node_modules', '.cache', 'smr-runtime-test');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `smr-${process.pid}-${Date.now()}.mjs`);
  buildSync({
    entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'error',
    // commander and friends are CommonJS: give the ESM bundle a `require`.
    banner: {
      js: "import { createRequire as __smrRequire } from 'node:module'; const require = __smrRequire(import.meta.url);",
    },
  });
  const before = process.env['SMR_SERVE_ENTRY'];
  process.env['SMR_SERVE_ENTRY'] = outfile;
  return () => {
    if (before === undefined) delete process.env['SMR_SERVE_ENTRY'];
    else process.env['SMR_SERVE_ENTRY'] = before;
    rmSync(outfile, { force: true });
  };
}

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `smr-${name}-`));
}
