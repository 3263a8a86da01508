/**
 * How to start `smr serve` as a child process: with the same Node, from this installation — the
 * built CLI (dist/src/cli/main.js) when running built, the sources through tsx when running
 * from them. `SMR_SERVE_ENTRY` names another JavaScript entry of the `smr` command (a bundle the
 * tests build once, which starts far faster than tsx compiling the sources per process).
 */
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ProcessCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Where to start it (tsx is found from the package root). */
  readonly cwd?: string;
}

export function smrCommand(args: readonly string[]): ProcessCommand {
  const override = process.env['SMR_SERVE_ENTRY'];
  if (override !== undefined && override !== '')
    return { file: process.execPath, args: [override, ...args] };
  const here = fileURLToPath(import.meta.url);
  const cli = join(dirname(here), '..', 'cli');
  if (here.endsWith('.ts'))
    return {
      file: process.execPath,
      args: ['--import', 'tsx', join(cli, 'main.ts'), ...args],
      cwd: join(dirname(here), '..', '..'),
    };
  const built = join(cli, 'main.js');
  // Built: dist/src/cli/main.js. Anything else (a bundle of the CLI): the script running now.
  const entry = existsSync(built) ? built : (process.argv[1] ?? built);
  return { file: process.execPath, args: [entry, ...args] };
}
