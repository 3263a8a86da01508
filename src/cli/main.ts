#!/usr/bin/env node
import { EXIT } from '../errors.js';
import { runCli } from './program.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`smr: internal error: ${String(error)}\n`);
    process.exitCode = EXIT.badInput;
  },
);
