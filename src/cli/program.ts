/**
 * The `smr` command. Each subcommand lives in commands/ and registers itself on the program;
 * this file owns only the exit-code contract: every error becomes one line on stderr.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, InputError, UsageError } from '../errors.js';
import { COMMANDS } from './commands/index.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../trace/package-root.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
}

/** Runs `smr` with these arguments; resolves to the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command('smr')
    .description('smr-oracle: verification kit for State Machine Replication')
    .version(packageVersion(), '-V, --version', 'print the smr-oracle version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      // One prefix for every error line, commander's own included ("error: unknown option").
      outputError: (s, write) => write(s.replace(/^error: /, 'smr: ')),
    });
  program.addHelpText(
    'afterAll',
    '\nExit codes: 0 ok, 1 a violation (invalid trace, non-linearizable history, a difference),\n2 bad input or usage (one line on stderr), 3 no verdict within the bounds.',
  );
  let exitCode: number = EXIT.ok;
  for (const register of COMMANDS) {
    register(program, (code) => {
      exitCode = code;
    });
  }
  // No command, or help for one that does not exist, is a usage error (exit 2), not success.
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    process.stderr.write('smr: a command is required (smr --help lists them)\n');
    return EXIT.badInput;
  }
  const [first, second] = argv;
  if (first === 'help' && second !== undefined && !second.startsWith('-')) {
    const known = program.commands.some((c) => c.name() === second || c.aliases().includes(second));
    if (!known) {
      process.stderr.write(
        `smr: help: unknown command ${JSON.stringify(second)} (smr --help lists them)\n`,
      );
      return EXIT.badInput;
    }
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version requests are not errors; commander already printed its message.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return EXIT.ok;
    }
    return EXIT.badInput;
  }
  if (error instanceof UsageError || error instanceof InputError) {
    process.stderr.write(`smr: ${error.message}\n`);
    return EXIT.badInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`smr: internal error: ${message}\n`);
  if (process.env['SMR_DEBUG'] && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.badInput;
}
