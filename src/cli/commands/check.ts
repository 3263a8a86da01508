/**
 * `smr check`: the main job on embedded defaults (harness/check/main-job.ts), what a user puts
 * in CI first. Exit 0 when every part passes, 1 when one finds a violation or a wrong verdict.
 */
import {
  PARTS,
  runMainJob,
  type MainJobResult,
  type PartName,
} from '../../../harness/check/main-job.js';
import { listOption } from '../options.js';
import { EXIT } from '../../errors.js';
import { assertWritableDir } from '../../files.js';
import type { RegisterCommand } from './register.js';
import { printProgress, shardFlag } from './explore.js';

export interface CheckFlags {
  readonly json?: boolean;
  readonly out?: string;
  readonly progress?: boolean;
  readonly shard?: { index: number; count: number };
  readonly failFast?: boolean;
  readonly only?: readonly PartName[];
}

export const registerCheck: RegisterCommand = (program, setExit) => {
  program
    .command('check')
    .description(
      'the main job on embedded defaults: explore the F=1 scope, probe every node state reached, simulate every fault, walk wider scopes, check the bundled traces',
    )
    .option('--json', 'print one JSON result object on stdout')
    .option('--out <dir>', "where a counterexample's files go", 'smr-check-out')
    .option('--shard <I/N>', 'run only share I of N of the random walks (a CI matrix)', shardFlag)
    .option('--fail-fast', 'stop at the first part that fails')
    .option(
      '--only <PARTS>',
      `run only these parts, comma-separated: ${PARTS.join(',')}`,
      listOption('--only', PARTS),
    )
    .option('--no-progress', 'no progress line on stderr while the explorer runs')
    .action(async (flags: CheckFlags) => {
      setExit(await runCheck(flags));
    });
};

async function runCheck(flags: CheckFlags): Promise<number> {
  if (flags.out !== undefined) assertWritableDir('--out', flags.out);
  const shard = flags.shard;
  const json = flags.json === true;
  const result: MainJobResult = await runMainJob({
    ...(flags.out === undefined ? {} : { out: flags.out }),
    ...(shard === undefined ? {} : { shard }),
    ...(flags.failFast === true ? { failFast: true } : {}),
    ...(flags.only === undefined ? {} : { parts: flags.only }),
    ...(json ? {} : { report: (line: string) => process.stdout.write(line + '\n') }),
    ...(flags.progress === false ? {} : { onProgress: printProgress }),
  });
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      `${result.ok ? 'check passed' : 'check FAILED'} (${(result.elapsedMs / 1000).toFixed(1)} s)\n`,
    );
  return result.ok ? EXIT.ok : EXIT.violation;
}
