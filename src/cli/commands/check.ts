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
import { loadUserConfig, runUserJob, type UserCheck } from '../../../harness/check/user-job.js';
import { listOption } from '../options.js';
import { EXIT, UsageError } from '../../errors.js';
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
  readonly config?: string;
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
    .option(
      '--config <file>',
      "check your own artifacts instead: the traces and histories an smr.config.json names, each with the verdict it must get (README, 'In your CI')",
    )
    .action(async (flags: CheckFlags) => {
      setExit(await runCheck(flags));
    });
};

async function runCheck(flags: CheckFlags): Promise<number> {
  if (flags.config !== undefined) return runUserCheck(flags.config, flags);
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

/** `smr check --config FILE`: the user's traces and histories, one line each, one exit code. */
function runUserCheck(file: string, flags: CheckFlags): number {
  const kitOnly = (['shard', 'failFast', 'only'] as const).find((k) => flags[k] !== undefined);
  if (kitOnly !== undefined)
    throw new UsageError(`--config checks your artifacts; --${kebab(kitOnly)} is for the main job`);
  if (file.trim() === '') throw new UsageError('--config needs the path of an smr.config.json');
  const config = loadUserConfig(file);
  const json = flags.json === true;
  const line = (c: UserCheck) =>
    `${c.ok ? 'ok  ' : 'FAIL'}  ${c.kind} ${c.target}: expected ${c.expected}, got ${c.got} — ${c.detail} (${(c.elapsedMs / 1000).toFixed(2)} s)`;
  const result = runUserJob(config, json ? undefined : (c) => process.stdout.write(line(c) + '\n'));
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
  else {
    const failed = result.checks.filter((c) => !c.ok).length;
    process.stdout.write(
      `${failed === 0 ? 'check passed' : `check FAILED: ${failed} of ${result.checks.length} expectations not met`} (${result.checks.length} checks from ${file}, ${(result.elapsedMs / 1000).toFixed(1)} s)\n`,
    );
  }
  return result.ok ? EXIT.ok : EXIT.violation;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
