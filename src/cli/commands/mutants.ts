/** `smr mutants`: the seeded bugs `smr explore --mutant NAME` must catch, with what each breaks. */
import { MUTANTS } from '../../../harness/mutants/index.js';
import { EXIT } from '../errors.js';
import type { RegisterCommand } from './index.js';

export const registerMutants: RegisterCommand = (program, setExit) => {
  program
    .command('mutants')
    .description(
      'list the seeded bugs (named variants of the reference reducer) and the invariant each should break',
    )
    .option('--json', 'print a JSON array on stdout')
    .action((flags: { json?: boolean }) => {
      const list = [...MUTANTS.values()].map((m) => ({
        name: m.name,
        breaks: m.breaks,
        description: m.description,
        ...(m.scope === undefined ? {} : { scope: m.scope }),
      }));
      if (flags.json) process.stdout.write(JSON.stringify(list) + '\n');
      else {
        const width = Math.max(...list.map((m) => m.name.length));
        for (const m of list)
          process.stdout.write(
            `${m.name.padEnd(width)}  breaks ${m.breaks.join(' | ')}\n${' '.repeat(width + 2)}${m.description}\n`,
          );
      }
      setExit(EXIT.ok);
    });
};
