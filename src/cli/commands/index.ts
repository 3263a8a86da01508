import type { Command } from 'commander';
import { registerCheck } from './check.js';
import { registerCheckTrace } from './check-trace.js';
import { registerDiffTest } from './diff-test.js';
import { registerExplore } from './explore.js';
import { registerLincheck } from './lincheck.js';
import { registerMutants } from './mutants.js';
import { registerReplay } from './replay.js';
import { registerSimulate } from './simulate.js';
import { registerTlc } from './tlc.js';

/** A subcommand registers itself and reports its exit code through `setExit`. */
export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  registerCheck,
  registerCheckTrace,
  registerDiffTest,
  registerExplore,
  registerLincheck,
  registerMutants,
  registerReplay,
  registerSimulate,
  registerTlc,
];
