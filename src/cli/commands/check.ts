/**
 * `smr check`: the main job on embedded defaults. It runs the simulator's default scenario
 * suite — both cluster sizes, every fault, several seeds — with every invariant checked after
 * every step, and prints a summary. (The explorer's F=1 scope and the bundled traces join it as
 * those capabilities land.)
 */
import { kvApp } from '../../core/apps/kv.js';
import { FAULTS, simulate, type SimResult } from '../../../harness/sim/simulate.js';
import { EXIT } from '../errors.js';
import type { RegisterCommand } from './index.js';

export const DEFAULT_SUITE = [
  { replicas: 3, clients: 2, seed: 1, steps: 5000 },
  { replicas: 3, clients: 3, seed: 2, steps: 5000 },
  { replicas: 5, clients: 2, seed: 3, steps: 5000 },
  { replicas: 5, clients: 3, seed: 4, steps: 5000 },
] as const;

export const registerCheck: RegisterCommand = (program, setExit) => {
  program
    .command('check')
    .description(
      'the main job on embedded defaults: simulate the default fault scenarios, checking every invariant',
    )
    .option('--json', 'print one JSON result object on stdout')
    .action((flags: { json?: boolean }) => {
      setExit(runCheck(flags.json === true));
    });
};

function runCheck(json: boolean): number {
  const started = Date.now();
  const runs: SimResult[] = [];
  for (const scenario of DEFAULT_SUITE) {
    const result = simulate({ ...scenario, faults: FAULTS, app: kvApp });
    runs.push(result);
    if (!json) {
      const v = result.violation;
      process.stdout.write(
        `simulate N=${result.replicas} C=${result.clients} seed=${result.seed}: ${result.steps} steps, ` +
          `${result.requests.completed} requests completed, ${result.slotsChosen} slots chosen — ` +
          (v === null ? 'ok' : `VIOLATION ${v.invariant} at step ${v.step}: ${v.message}`) +
          '\n',
      );
    }
  }
  const failed = runs.filter((r) => r.violation !== null);
  if (json)
    process.stdout.write(JSON.stringify({ ok: failed.length === 0, simulations: runs }) + '\n');
  else
    process.stdout.write(
      `${failed.length === 0 ? 'check passed' : 'check FAILED'} (${Date.now() - started} ms)\n`,
    );
  return failed.length === 0 ? EXIT.ok : EXIT.violation;
}
