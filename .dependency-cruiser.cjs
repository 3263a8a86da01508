/**
 * The layers of the code, bottom to top, and the one rule between them: a module imports only
 * from its own layer or the ones below, and nothing closes a cycle (README "Layout"). Type-only
 * imports count. `npm run lint` runs this (`depcruise src harness`).
 *
 *   1. core     src/core                        the protocol: pure reducers
 *   2. spec     src/spec                        the TLA+ twin, the shared model-checking contract
 *      shared   src/errors.ts, src/files.ts     bad-input errors and atomic files, for everyone
 *               src/view                        the HTML pages' renderers (plain data in, HTML out)
 *   3. checkers src/trace, src/oracle           trace checker, linearizability
 *               harness/model, refinement, conformance, mutants, random.ts
 *                                               the world model and what judges a core run
 *   4. drivers  harness/explore, sim, tlc, difftest, check, blackbox, live, soak, scenario.ts
 *               src/runtime                     searches, simulations, TLC, external processes,
 *                                               and the real host of the core (TCP, WAL, timers)
 *   5. entry    src/cli, src/index.ts           the `smr` command and the library's one entry
 */
const CORE = '^src/core/';
const SPEC = '^src/spec/';
const SHARED = '^(src/(errors|files)[.]ts$|src/view/)';
const CHECKERS =
  '^(src/(trace|oracle)/|harness/(model|refinement|conformance|mutants)/|harness/random[.]ts$)';
const DRIVERS =
  '^harness/(explore|sim|tlc|difftest|check|blackbox|live|soak)/|^harness/scenario[.]ts$|^src/runtime/';
const ENTRY = '^src/(cli/|index[.]ts$)';

const below = (...layers) => `(${layers.join('|')})`;
const ours = '^(src|harness)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes two modules one: break it by moving what both need down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-core-only',
      severity: 'error',
      comment: 'src/core is the bottom layer: the pure protocol depends on nothing of ours.',
      from: { path: CORE },
      to: { path: ours, pathNot: CORE },
    },
    {
      name: 'shared-imports-shared-only',
      severity: 'error',
      from: { path: SHARED },
      to: { path: ours, pathNot: SHARED },
    },
    {
      name: 'spec-imports-core-only',
      severity: 'error',
      comment: 'The twin sits on the core; the checkers and drivers sit on it.',
      from: { path: SPEC },
      to: { path: ours, pathNot: below(CORE, SPEC) },
    },
    {
      name: 'checkers-import-below-drivers',
      severity: 'error',
      comment:
        'Checkers and the world model judge runs; they never start one: no explorer, simulator, TLC runner or CLI.',
      from: { path: CHECKERS },
      to: { path: ours, pathNot: below(CORE, SPEC, SHARED, CHECKERS) },
    },
    {
      name: 'drivers-import-below-entry',
      severity: 'error',
      comment: 'Drivers are used by the CLI and the public entry, never the reverse.',
      from: { path: DRIVERS },
      to: { path: ENTRY },
    },
    {
      name: 'every-module-has-a-layer',
      severity: 'error',
      comment: 'A new folder must be given a layer here.',
      from: { path: ours, pathNot: below(CORE, SPEC, SHARED, CHECKERS, DRIVERS, ENTRY) },
      to: {},
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
  },
};
