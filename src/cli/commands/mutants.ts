/**
 * `smr mutants`: the seeded bugs and what each breaks; with `--score`, the default main job run
 * against every one of them (harness/check/score.ts). Exit 1 when a mutant is missed.
 */
import { mutationScore, type MutantScore } from '../../../harness/check/score.js';
import { MUTANTS } from '../../../harness/mutants/index.js';
import { EXIT, UsageError } from '../../errors.js';
import type { RegisterCommand } from './register.js';

interface MutantsFlags {
  readonly json?: boolean;
  readonly score?: boolean;
  readonly mutant?: string[];
}

export const registerMutants: RegisterCommand = (program, setExit) => {
  program
    .command('mutants')
    .description(
      'list the seeded bugs (named variants of the reference reducer); --score runs the default `smr check` against each',
    )
    .option(
      '--score',
      'run the default main job against every mutant: caught or missed, and how fast',
    )
    .option('--mutant <NAME...>', 'with --score: only these mutants')
    .option('--json', 'print JSON on stdout')
    .action(async (flags: MutantsFlags) => {
      setExit(flags.score === true ? await score(flags) : list(flags));
    });
};

function list(flags: MutantsFlags): number {
  const rows = [...MUTANTS.values()].map((m) => ({
    name: m.name,
    breaks: m.breaks,
    description: m.description,
  }));
  if (flags.json) process.stdout.write(JSON.stringify(rows) + '\n');
  else {
    const width = Math.max(...rows.map((m) => m.name.length));
    for (const m of rows)
      process.stdout.write(
        `${m.name.padEnd(width)}  breaks ${m.breaks.join(' | ')}\n${' '.repeat(width + 2)}${m.description}\n`,
      );
  }
  return EXIT.ok;
}

async function score(flags: MutantsFlags): Promise<number> {
  for (const name of flags.mutant ?? [])
    if (!MUTANTS.has(name))
      throw new UsageError(`--mutant: unknown mutant ${JSON.stringify(name)} (see smr mutants)`);
  const width = Math.max(...[...MUTANTS.keys()].map((n) => n.length));
  const line = (s: MutantScore): string =>
    `${s.caught ? 'caught' : 'MISSED'}  ${s.mutant.padEnd(width)}  ` +
    (s.caught
      ? `by ${s.part ?? '?'} (${s.invariant ?? '?'}) in ${(s.timeToViolationMs / 1000).toFixed(1)} s` +
        (s.counterexampleLength === undefined
          ? ''
          : `, ${s.counterexampleLength} ${s.part === 'probes' ? 'inputs' : 'steps'}`)
      : `after ${(s.timeToViolationMs / 1000).toFixed(1)} s: every part passed`);
  const result = await mutationScore({
    ...(flags.mutant !== undefined ? { only: flags.mutant } : {}),
    ...(flags.json ? {} : { onScore: (s: MutantScore) => process.stdout.write(line(s) + '\n') }),
  });
  if (flags.json) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      `mutation score: ${result.caught} of ${result.total} caught by the default main job (${(result.elapsedMs / 1000).toFixed(1)} s)\n`,
    );
  return result.caught === result.total ? EXIT.ok : EXIT.violation;
}
