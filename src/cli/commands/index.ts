import { registerCheck } from './check.js';
import { registerCheckTrace } from './check-trace.js';
import { registerDiffTest } from './diff-test.js';
import { registerExplore } from './explore.js';
import { registerLincheck } from './lincheck.js';
import { registerMutants } from './mutants.js';
import { registerReplay } from './replay.js';
import { registerSimulate } from './simulate.js';
import { registerTest } from './test.js';
import { registerTlc } from './tlc.js';
import type { RegisterCommand } from './register.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerCheck,
  registerCheckTrace,
  registerDiffTest,
  registerExplore,
  registerLincheck,
  registerMutants,
  registerReplay,
  registerSimulate,
  registerTest,
  registerTlc,
];
