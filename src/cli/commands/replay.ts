/** `smr replay FILE`: re-execute a counterexample; exit 1 when the violation is reproduced. */
import {
  readReplayFile,
  replayFile,
  replayPage,
  ReplayFileError,
} from '../../../harness/explore/counterexample/replay-file.js';
import { UnknownModelError } from '../../../harness/explore/model-spec.js';
import { EXIT, UsageError } from '../../errors.js';
import { assertWritableFile, writeAtomically } from '../../files.js';
import type { RegisterCommand } from './register.js';

export const registerReplay: RegisterCommand = (program, setExit) => {
  program
    .command('replay')
    .description(
      're-execute a counterexample written by smr explore, step by step, checking every invariant',
    )
    .argument('<FILE>', 'a counterexample.replay.json')
    .option('--json', 'print one JSON result object on stdout')
    .option(
      '--html <file>',
      'also write the run as a self-contained HTML page (the diagram and every state)',
    )
    .action(async (path: string, flags: { json?: boolean; html?: string }) => {
      if (flags.html !== undefined) assertWritableFile('--html', flags.html);
      let outcome;
      try {
        const file = readReplayFile(path);
        outcome = await replayFile(file);
        if (flags.html !== undefined) writeAtomically(flags.html, await replayPage(file));
      } catch (error) {
        if (error instanceof ReplayFileError || error instanceof UnknownModelError)
          throw new UsageError(error.message);
        throw error;
      }
      if (outcome.infeasible !== null && outcome.violation === null)
        throw new UsageError(`${path}: step ${outcome.infeasible} cannot be taken in this model`);
      if (flags.json) {
        process.stdout.write(
          JSON.stringify({
            file: path,
            steps: outcome.lines.length,
            violation: outcome.violation,
          }) + '\n',
        );
      } else {
        for (const line of outcome.lines) process.stdout.write(line + '\n');
        const v = outcome.violation;
        process.stdout.write(
          v === null
            ? 'no violation: the counterexample did not reproduce\n'
            : `VIOLATION ${v.invariant}${v.node === undefined ? '' : ` at ${v.node}`} at step ${v.step}: ${v.message}\n`,
        );
        if (flags.html !== undefined) process.stdout.write(`page: ${flags.html}\n`);
      }
      setExit(outcome.violation === null ? EXIT.ok : EXIT.violation);
    });
};
