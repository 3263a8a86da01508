/**
 * `smr lincheck FILE`: is a recorded client history linearizable? Exit 0 yes, 1 no, 2 bad input
 * or usage, 3 unknown within the budget (DESIGN.md CLI contract; issue 6).
 */
import { readFile } from 'node:fs/promises';
import { canonicalEncode } from '../../core/canonical.js';
import { isRecord } from '../../core/app.js';
import type { Json } from '../../core/types.js';
import {
  HISTORY_FORMATS,
  parseHistory,
  validateForModel,
  type HistoryFormat,
  type ParsedHistory,
} from '../../oracle/formats/index.js';
import { renderTimeline } from '../../oracle/html.js';
import { checkLinearizability, type Failure, type LincheckResult } from '../../oracle/lincheck.js';
import { inferModelName, MODEL_NAMES, modelByName } from '../../oracle/models.js';
import type { Model } from '../../oracle/types.js';
import { EXIT, InputError, UsageError } from '../../errors.js';
import { assertWritableFile, describeIoError, writeAtomically } from '../../files.js';
import { choiceOption, intOption, numberOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface LincheckFlags {
  readonly model?: string;
  readonly format?: HistoryFormat;
  readonly timeout: number;
  readonly maxSteps?: number;
  readonly witness?: boolean;
  readonly html?: string;
  readonly json?: boolean;
  readonly all?: boolean;
  readonly explain: boolean;
}

/** How many operations of a long linearization the human output lists. */
const SHOWN = 12;

export const registerLincheck: RegisterCommand = (program, setExit) => {
  program
    .command('lincheck')
    .description(
      'check that a history of client operations is linearizable ' +
        '(exit 0 yes, 1 no, 2 bad input, 3 unknown within the budget)',
    )
    .argument('<file>', 'the history: our JSON or NDJSON, a Jepsen log, or Jepsen EDN')
    .option('--model <name>', `${MODEL_NAMES.join(', ')} (default: guessed from the operations)`)
    .option(
      '--format <format>',
      `${HISTORY_FORMATS.join(', ')} (default: detected)`,
      choiceOption('--format', HISTORY_FORMATS),
    )
    .option(
      '--timeout <seconds>',
      'wall-clock budget, 0 for none',
      numberOption('--timeout', { min: 0 }),
      60,
    )
    .option('--max-steps <n>', 'deterministic search budget', intOption('--max-steps', { min: 1 }))
    .option('--witness', 'print a linearization order')
    .option('--html <file>', 'write a self-contained HTML timeline')
    .option('--json', 'print one machine-readable result object on stdout')
    .option(
      '--all',
      'decide every partition and explain every failure (default: stop at the first partition found not linearizable)',
    )
    .option('--no-explain', 'the verdict only: no prefix and window for a failure')
    .action(async (file: string, flags: LincheckFlags) => {
      setExit(await runLincheck(file, flags));
    });
};

async function runLincheck(file: string, flags: LincheckFlags): Promise<number> {
  if (flags.html !== undefined) assertWritableFile('--html', flags.html);
  const parsed = parseHistory(await readText(file), file, flags.format);
  const model = chooseModel(flags.model, parsed);
  validateForModel(parsed, model, file);
  const started = performance.now();
  let reported = started;
  const result = checkLinearizability(parsed.ops, model, {
    witness: flags.witness === true || flags.html !== undefined,
    all: flags.all === true,
    explain: flags.explain,
    timeoutMs: flags.timeout > 0 ? flags.timeout * 1000 : undefined,
    maxSteps: flags.maxSteps,
    onProgress: (steps) => {
      const now = performance.now();
      if (now - reported < 1000) return;
      reported = now;
      process.stderr.write(
        `lincheck: ${steps.toLocaleString('en')} steps, ${((now - started) / 1000).toFixed(1)} s\n`,
      );
    },
  });
  const elapsedMs = Math.round(performance.now() - started);
  const label = (i: number) => describe(model, parsed, i);
  if (flags.html !== undefined) {
    writeAtomically(
      flags.html,
      renderTimeline({
        title: `lincheck ${file}`,
        history: parsed.ops,
        result,
        describe: label,
        where: (i) => where(parsed, i),
      }),
    );
  }
  process.stdout.write(
    flags.json === true
      ? `${JSON.stringify({ ...toJson(file, parsed, result, label), elapsedMs })}\n`
      : human(file, parsed, result, flags, label),
  );
  return result.verdict === 'linearizable'
    ? EXIT.ok
    : result.verdict === 'unknown'
      ? EXIT.unknown
      : EXIT.violation;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot read: ${describeIoError(error)}`);
  }
}

function chooseModel(name: string | undefined, parsed: ParsedHistory): Model {
  const chosen = name ?? inferModelName(parsed.ops.map((op) => op.input));
  if (chosen === undefined) {
    throw new UsageError(
      `cannot guess the model from the operations; pass --model (${MODEL_NAMES.join(', ')})`,
    );
  }
  const model = modelByName(chosen);
  if (model === undefined) {
    throw new UsageError(
      `--model: unknown model ${JSON.stringify(chosen)} (expected one of: ${MODEL_NAMES.join(', ')})`,
    );
  }
  return model;
}

function describe(model: Model, parsed: ParsedHistory, i: number): string {
  const op = parsed.ops[i];
  if (op === undefined) return '?';
  const output = op.ret === null ? undefined : op.output;
  return (
    model.describe?.(op.input, output) ??
    `${canonicalEncode(op.input)} → ${output === undefined ? '?' : canonicalEncode(output)}`
  );
}

/**
 * Operations with an unknown outcome, by kind (the input's `f` or `type`), and how many the model
 * left out as never needed; and a warning when every operation that writes is unknown — then
 * reads can only be checked against the initial state, which usually means the recorder lost the
 * outputs (a timeout everywhere, or a missing field).
 */
function unknownOutcomes(parsed: ParsedHistory, result: LincheckResult) {
  const kindOf = (input: Json): string => {
    const kind = isRecord(input) ? (input['f'] ?? input['type']) : undefined;
    return typeof kind === 'string' ? kind : '?';
  };
  const byKind: Record<string, number> = {};
  let total = 0;
  let writes = 0;
  let unknownWrites = 0;
  for (const op of parsed.ops) {
    const kind = kindOf(op.input);
    const writing = kind !== 'read' && kind !== 'get';
    if (writing) writes++;
    if (op.output !== undefined) continue;
    total++;
    byKind[kind] = (byKind[kind] ?? 0) + 1;
    if (writing) unknownWrites++;
  }
  const dropped = result.partitions.reduce((n, p) => n + (p.dropped?.length ?? 0), 0);
  const partitions = new Set(
    result.partitions.flatMap((p, k) =>
      [...p.ops, ...(p.dropped ?? [])].some((i) => parsed.ops[i]?.output === undefined) ? [k] : [],
    ),
  ).size;
  const everyWriteUnknown = writes > 0 && unknownWrites === writes;
  return { total, byKind, partitions, dropped, everyWriteUnknown };
}

function unknownLines(parsed: ParsedHistory, result: LincheckResult): string[] {
  const u = unknownOutcomes(parsed, result);
  if (u.total === 0) return [];
  const kinds = Object.entries(u.byKind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const out = [
    `unknown outcomes: ${u.total} (${kinds}) in ${u.partitions} partition${u.partitions === 1 ? '' : 's'}${u.dropped > 0 ? `; ${u.dropped} left out as never needed (unobserved unknown writes)` : ''}`,
  ];
  if (u.everyWriteUnknown)
    out.push(
      'warning: every operation that writes has an unknown outcome — did the recorder lose the outputs?',
    );
  return out;
}

/** Where an operation is in the file, and its call and return times. */
function where(parsed: ParsedHistory, i: number): string {
  const lines = parsed.lines[i];
  const op = parsed.ops[i];
  if (lines === undefined || op === undefined) return '';
  const times = `called ${op.call}, ${op.ret === null ? 'never returned' : `returned ${op.ret}`}`;
  if (lines.ret === null) return `line ${lines.call}; ${times}`;
  return `${lines.ret === lines.call ? `line ${lines.call}` : `lines ${lines.call}–${lines.ret}`}; ${times}`;
}

function human(
  file: string,
  parsed: ParsedHistory,
  result: LincheckResult,
  flags: LincheckFlags,
  label: (i: number) => string,
): string {
  const out: string[] = [];
  const row = (i: number) =>
    `#${i}  ${parsed.ops[i]?.process ?? '?'}  ${label(i)}  (${where(parsed, i)})`;
  const count = `${parsed.ops.length} operation${parsed.ops.length === 1 ? '' : 's'}, ${result.partitions.length} partition${result.partitions.length === 1 ? '' : 's'}, model ${result.model}, ${result.steps.toLocaleString('en')} steps`;
  if (result.verdict === 'linearizable') {
    out.push(`${file}: linearizable (${count})`);
    if (flags.witness === true) {
      out.push(`linearization (unknown-outcome operations left out did not take effect):`);
      (result.witness ?? []).forEach((op, k) => out.push(`  ${k + 1}. ${row(op)}`));
    }
  } else if (result.verdict === 'unknown') {
    const why =
      result.exhausted === 'timeout'
        ? '--timeout'
        : result.exhausted === 'memory'
          ? 'memory'
          : '--max-steps';
    const open = result.partitions.filter((p) => p.verdict === 'unknown').length;
    out.push(
      `${file}: unknown: the search ran out of ${why} with ${open} partition${open === 1 ? '' : 's'} undecided (${count})`,
    );
    out.push(...undecidedLines(result));
  } else {
    out.push(`${file}: NOT linearizable (${count})`);
    for (const failure of result.failures) out.push(...explainLines(failure, row));
    out.push(...violationLines(result, flags.all === true));
    const skipped = result.partitions.filter((p) => p.undecided === 'not-needed').length;
    if (skipped > 0)
      out.push(
        `${skipped} other partition${skipped === 1 ? '' : 's'} not decided: the verdict was settled (--all decides every one)`,
      );
  }
  out.push(...unknownLines(parsed, result));
  if (flags.html !== undefined) out.push(`timeline: ${flags.html}`);
  return `${out.join('\n')}\n`;
}

/** Which partitions the budget left undecided: searched until it ran out, or never started. */
function undecidedLines(result: LincheckResult): string[] {
  const name = (p: LincheckResult['partitions'][number]) =>
    `${p.key ?? '(whole history)'} (${p.ops.length} operations, ${p.steps.toLocaleString('en')} steps)`;
  const out: string[] = [];
  if (result.partitions.length <= 1) return out;
  const tried = result.partitions.filter((p) => p.undecided === 'exhausted');
  const never = result.partitions.filter((p) => p.undecided === 'not-started');
  const decided = result.partitions.length - tried.length - never.length;
  const list = (ps: typeof tried) =>
    ps.length <= SHOWN
      ? ps.map(name).join(', ')
      : `${ps.slice(0, SHOWN).map(name).join(', ')}, … ${ps.length - SHOWN} more`;
  out.push(`  decided linearizable: ${decided} partition${decided === 1 ? '' : 's'}`);
  if (tried.length > 0) out.push(`  searched until the budget ran out: ${list(tried)}`);
  if (never.length > 0) out.push(`  never started: ${list(never)}`);
  return out;
}

/** How many violations each failing partition holds, beyond the one explained. */
function violationLines(result: LincheckResult, all: boolean): string[] {
  const out: string[] = [];
  for (const p of result.partitions) {
    const v = p.violations;
    if (v === undefined || (v.count === 1 && v.complete)) continue;
    const where = p.key === undefined ? '' : `partition ${p.key}: `;
    const count = `${v.complete ? '' : 'at least '}${v.count} violation${v.count === 1 ? '' : 's'}`;
    const how =
      'breaking operations whose outcome had to be forgotten, one at a time, for the rest to be linearizable';
    const budget = v.complete ? '' : '; the explanation budget ran out';
    out.push(
      `${where}${count} (${how}${budget})${all ? '' : '; the first is explained, --all explains every one'}`,
    );
  }
  return out;
}

function explainLines(failure: Failure, row: (i: number) => string): string[] {
  const out: string[] = [];
  const where = failure.partition === undefined ? '' : `partition ${failure.partition}: `;
  out.push(`${where}breaks when ${row(failure.breakingOp)} returns`);
  const { prefix, window } = failure;
  const open = prefix.ops.length - prefix.order.length;
  out.push(
    `  longest linearizable prefix${prefix.exact ? '' : ' found (budget ran out)'}: the ${prefix.ops.length} operations called before that${open > 0 ? ` (${open} still open or forgotten, left out of the order)` : ''}; one linearization:`,
  );
  const skipped = Math.max(0, prefix.order.length - SHOWN);
  if (skipped > 0) out.push(`    … ${skipped} earlier`);
  prefix.order.slice(skipped).forEach((op, k) => out.push(`    ${skipped + k + 1}. ${row(op)}`));
  const why =
    window.reason === 'real-time'
      ? 'its output fits some order of these, but none that respects real time'
      : 'no order of these gives its output';
  out.push(
    `  window that cannot be ordered (${window.ops.length} operations${window.minimal ? ', 1-minimal' : ''}; ${why}):`,
  );
  for (const op of window.ops) {
    const pending = window.pending.includes(op) ? '  [outcome unknown]' : '';
    out.push(`    ${row(op)}${op === failure.breakingOp ? '  <- breaks' : ''}${pending}`);
  }
  return out;
}

function toJson(
  file: string,
  parsed: ParsedHistory,
  result: LincheckResult,
  label: (i: number) => string,
) {
  const op = (i: number) => ({
    index: i,
    process: parsed.ops[i]?.process,
    op: label(i),
    line: parsed.lines[i]?.call,
    retLine: parsed.lines[i]?.ret,
  });
  return {
    file,
    format: parsed.format,
    model: result.model,
    verdict: result.verdict,
    operations: parsed.ops.length,
    steps: result.steps,
    ...(result.exhausted === undefined ? {} : { exhausted: result.exhausted }),
    partitions: result.partitions.map((p) => ({
      key: p.key ?? null,
      verdict: p.verdict,
      operations: p.ops.length,
      steps: p.steps,
      ...(p.undecided === undefined ? {} : { undecided: p.undecided }),
      ...(p.dropped === undefined ? {} : { dropped: p.dropped.length }),
      ...(p.violations === undefined ? {} : { violations: p.violations }),
    })),
    unknownOutcomes: unknownOutcomes(parsed, result),
    ...(result.witness === undefined ? {} : { witness: result.witness }),
    failures: result.failures.map((f) => ({
      partition: f.partition ?? null,
      breaking: op(f.breakingOp),
      prefix: { operations: f.prefix.ops.length, order: f.prefix.order, exact: f.prefix.exact },
      window: {
        ops: f.window.ops.map(op),
        pending: f.window.pending,
        minimal: f.window.minimal,
        reason: f.window.reason,
      },
    })),
  };
}
