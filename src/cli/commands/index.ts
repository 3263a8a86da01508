import { registerCheck } from './check.js';
import { registerCheckTrace } from './check-trace.js';
import { registerClient } from './client.js';
import { registerCluster } from './cluster.js';
import { registerDiffTest } from './diff-test.js';
import { registerExplore } from './explore.js';
import { registerLincheck } from './lincheck.js';
import { registerLive } from './live.js';
import { registerMutants } from './mutants.js';
import { registerReplay } from './replay.js';
import { registerServe } from './serve.js';
import { registerSimulate } from './simulate.js';
import { registerTest } from './test.js';
import { registerTlc } from './tlc.js';
import type { RegisterCommand } from './register.js';

export const COMMANDS: readonly RegisterCommand[] = [
  registerCheck,
  registerCheckTrace,
  registerClient,
  registerCluster,
  registerDiffTest,
  registerExplore,
  registerLincheck,
  registerLive,
  registerMutants,
  registerReplay,
  registerServe,
  registerSimulate,
  registerTest,
  registerTlc,
];
