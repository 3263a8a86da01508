/**
 * The installed package's root (where spec/, schema/ and traces/ ship), found from this module's
 * own location so it works from src/ (tsx) and from dist/src/ (the published build).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
        if (name === 'smr-oracle') return (cached = dir);
      } catch {
        // Not ours (or unreadable): keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the smr-oracle package root');
    dir = parent;
  }
}
