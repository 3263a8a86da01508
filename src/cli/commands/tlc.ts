/**
 * `smr tlc [MODEL] [--json] [--workers N] [--must-fail]`: model-check spec/MCSmr_*.tla with TLC
 * (harness/tlc). Exit 0 when every model checks, 1 when TLC reports a violation or an error in
 * the spec, 2 without a jar (TLA2TOOLS_JAR) or on bad usage.
 */
import { rmSync } from 'node:fs';
import type { Command } from 'commander';
import { editedCopy, MUST_FAIL_EDITS, type MustFailEdit } from '../../../harness/tlc/edits.js';
import {
  defaultSpecDir,
  findJar,
  JAR_MISSING,
  listModels,
  runTlc,
  type TlcResult,
} from '../../../harness/tlc/run.js';
import { SPEC_MODEL_LIST } from '../../spec/models.js';
import { EXIT, UsageError } from '../../errors.js';
import { intOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface TlcFlags {
  json?: boolean;
  workers: number;
  specDir?: string;
  mustFail?: boolean;
}

export const registerTlc: RegisterCommand = (program: Command, setExit) => {
  program
    .command('tlc')
    .description(
      'model-check the TLA+ spec (spec/MCSmr_*.tla) with TLC; needs TLA2TOOLS_JAR and Java',
    )
    .argument(
      '[MODEL]',
      `a model: ${SPEC_MODEL_LIST.map((m) => m.name).join(', ')} or a module name such as MCSmr_F1 (default: every model)`,
    )
    .option('--workers <N>', 'TLC worker threads', intOption('--workers', { min: 1, max: 64 }), 2)
    .option('--json', 'print one JSON result object on stdout')
    .option(
      '--spec-dir <DIR>',
      'the directory holding Smr.tla and the models (default: the package spec/)',
    )
    .option(
      '--must-fail',
      'check that every edit listed in spec/README.md makes TLC report its invariant',
    )
    .action(async (model: string | undefined, flags: TlcFlags) => {
      setExit(await runTlcCommand(model, flags));
    });
};

/** MODEL as given: F1 → MCSmr_F1, or a module name. */
export function resolveModels(specDir: string, model: string | undefined): string[] {
  const all = listModels(specDir);
  if (model === undefined) return all;
  const twin = SPEC_MODEL_LIST.find((m) => m.name === model);
  const module = twin?.module ?? model.replace(/\.(tla|cfg)$/, '');
  if (!all.includes(module))
    throw new UsageError(`unknown model ${JSON.stringify(model)} (models: ${all.join(', ')})`);
  return [module];
}

async function runTlcCommand(model: string | undefined, flags: TlcFlags): Promise<number> {
  const jar = findJar();
  if (jar === null) {
    process.stderr.write(`smr: tlc: ${JAR_MISSING}\n`);
    return EXIT.badInput;
  }
  const specDir = flags.specDir ?? defaultSpecDir();
  if (flags.mustFail) return runMustFail(jar, specDir, flags);
  const modules = resolveModels(specDir, model);
  const results: TlcResult[] = [];
  for (const module of modules) {
    if (!flags.json)
      process.stderr.write(`smr: tlc: checking ${module} with ${flags.workers} workers…\n`);
    const result = await runTlc({ jar, specDir, module, workers: flags.workers });
    results.push(result);
    if (!flags.json) process.stdout.write(summarize(result));
  }
  const ok = results.every((r) => r.status === 'ok' && r.strayFiles.length === 0);
  if (flags.json)
    process.stdout.write(`${JSON.stringify({ ok, jar, specDir, models: results })}\n`);
  return ok ? EXIT.ok : EXIT.violation;
}

function summarize(r: TlcResult): string {
  const seconds = (r.elapsedMs / 1000).toFixed(1);
  const counts =
    r.distinctStates === undefined
      ? ''
      : `${r.distinctStates} distinct states, ${r.generatedStates ?? '?'} generated, depth ${r.depth ?? '?'}`;
  const lines = [
    `${r.module}: ${r.status} (${r.tool} exit ${r.exitCode}) ${counts} in ${seconds} s`,
  ];
  const twin = SPEC_MODEL_LIST.find((m) => m.module === r.module);
  if (twin !== undefined && r.status === 'ok')
    lines.push(
      `  twin: smr explore --model spec --constants ${twin.name} must report the same count`,
    );
  if (r.violation !== undefined)
    lines.push(`  violated: ${r.violation.name ?? r.violation.kind} (${r.violation.kind})`);
  for (const s of r.trace) lines.push(`  ${s.index}: ${s.label}`);
  for (const e of r.errors.slice(0, 5))
    if (r.violation === undefined) lines.push(`  ${e.split('\n').join('\n  ')}`);
  if (r.strayFiles.length > 0)
    lines.push(`  stray files next to the spec: ${r.strayFiles.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

interface EditOutcome {
  readonly edit: MustFailEdit;
  readonly reported: string | null;
  readonly ok: boolean;
  readonly result: TlcResult;
}

async function runMustFail(jar: string, specDir: string, flags: TlcFlags): Promise<number> {
  const outcomes: EditOutcome[] = [];
  for (const edit of MUST_FAIL_EDITS) {
    const dir = editedCopy(specDir, edit);
    try {
      if (!flags.json) process.stderr.write(`smr: tlc: edit ${edit.id} on ${edit.module}…\n`);
      const result = await runTlc({
        jar,
        specDir: dir,
        module: edit.module,
        workers: flags.workers,
      });
      const reported = result.violation?.name ?? null;
      const outcome = { edit, reported, ok: reported === edit.breaks, result };
      outcomes.push(outcome);
      if (!flags.json) {
        const mark = outcome.ok ? 'fails as it must' : 'DOES NOT fail as listed';
        process.stdout.write(
          `${edit.id} (${edit.module}): ${mark}: TLC reports ${reported ?? result.status}, expected ${edit.breaks}\n`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ok = outcomes.every((o) => o.ok);
  if (flags.json) {
    const edits = outcomes.map((o) => ({
      id: o.edit.id,
      module: o.edit.module,
      expected: o.edit.breaks,
      reported: o.reported,
      ok: o.ok,
      distinctStates: o.result.distinctStates,
      traceLength: o.result.trace.length,
      elapsedMs: o.result.elapsedMs,
    }));
    process.stdout.write(`${JSON.stringify({ ok, edits })}\n`);
  }
  return ok ? EXIT.ok : EXIT.violation;
}
