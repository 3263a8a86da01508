/**
 * `smr check-trace FILE...`: validate a recorded execution against the spec (issue 5): every
 * event is replayed through the twin's actions (src/spec), the same functions the model checker
 * and the refinement checks run. Several files are merged by their clocks into one trace. Exit 0 valid, 1 invalid (the spec forbids
 * it), 2 bad input (one line: file:line: reason), 3 inconclusive (the candidate bound was hit).
 */
import { checkTrace, DEFAULT_MAX_CANDIDATES, type CheckResult } from '../../trace/checker.js';
import { renderTracePage } from '../../trace/diagram.js';
import { formatResult } from '../../trace/report.js';
import { checkTraceWithTlc, DEFAULT_TLC_TIMEOUT_MS } from '../../../harness/tlc/trace-backend.js';
import { EXIT, UsageError } from '../../errors.js';
import { assertWritableFile, writeAtomically } from '../../files.js';
import { intOption } from '../options.js';
import type { RegisterCommand } from './register.js';

interface CheckTraceFlags {
  maxHidden: number;
  maxCandidates: number;
  invariants?: boolean;
  partial?: boolean;
  tlc?: boolean;
  tlcTimeout: number;
  json?: boolean;
  html?: string;
}

export const registerCheckTrace: RegisterCommand = (program, setExit) => {
  program
    .command('check-trace')
    .description(
      'check recorded traces (NDJSON, schema/trace.schema.json) against the spec; several files are merged by their clocks',
    )
    .argument('<files...>', 'trace files (one trace, or one file per node)')
    .option(
      '--max-hidden <K>',
      'allow up to K unlogged internal steps before each event',
      intOption('--max-hidden', { min: 0, max: 8 }),
      0,
    )
    .option(
      '--max-candidates <N>',
      'keep at most N candidate spec states under partial observation',
      intOption('--max-candidates', { min: 1, max: 1_000_000 }),
      DEFAULT_MAX_CANDIDATES,
    )
    .option('--invariants', "also check the explorer's invariants on every candidate state")
    .option(
      '--partial',
      'per-node files knowingly leave out nodes the header names (default: refused, exit 2)',
    )
    .option('--tlc', 'validate with TLC over spec/TraceSmr.tla instead (needs TLA2TOOLS_JAR)')
    .option(
      '--tlc-timeout <seconds>',
      'with --tlc: how long TLC may run before the verdict is inconclusive (exit 3)',
      intOption('--tlc-timeout', { min: 1, max: 86_400 }),
      DEFAULT_TLC_TIMEOUT_MS / 1000,
    )
    .option('--json', 'print one JSON result object on stdout')
    .option(
      '--html <file>',
      "also write a self-contained HTML page: the sequence diagram up to the event the spec forbids, and every node's logged state",
    )
    .action(async (files: string[], flags: CheckTraceFlags) => {
      setExit(await runCheckTrace(files, flags));
    });
};

async function runCheckTrace(files: string[], flags: CheckTraceFlags): Promise<number> {
  if (flags.html !== undefined) {
    if (flags.tlc === true) throw new UsageError('--html draws the native check; leave out --tlc');
    assertWritableFile('--html', flags.html);
  }
  if (flags.tlc === true) {
    if (files.length !== 1) throw new UsageError('--tlc checks one trace file at a time');
    const result = await checkTraceWithTlc(files[0] as string, {
      timeoutMs: flags.tlcTimeout * 1000,
    });
    if (flags.json === true) process.stdout.write(JSON.stringify(result) + '\n');
    else process.stdout.write(result.summary + '\n');
    if (result.verdict === 'valid') return EXIT.ok;
    return result.verdict === 'inconclusive' ? EXIT.unknown : EXIT.violation;
  }
  const progress = process.stderr.isTTY === true ? progressLine() : undefined;
  const result: CheckResult = checkTrace(files, {
    maxHidden: flags.maxHidden,
    maxCandidates: flags.maxCandidates,
    invariants: flags.invariants === true,
    partial: flags.partial === true,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.done();
  if (flags.html !== undefined)
    writeAtomically(
      flags.html,
      renderTracePage(files, result, { partial: flags.partial === true }),
    );
  if (flags.json === true) process.stdout.write(JSON.stringify(result) + '\n');
  else
    process.stdout.write(
      formatResult(result) + (flags.html === undefined ? '' : `page: ${flags.html}\n`),
    );
  if (result.verdict === 'valid') return EXIT.ok;
  return result.verdict === 'inconclusive' ? EXIT.unknown : EXIT.violation;
}

/** A progress line on stderr, once the check has run for a second (DESIGN.md CLI contract). */
function progressLine(): { update: (events: number) => void; done: () => void } {
  const started = Date.now();
  let shown = false;
  return {
    update(events) {
      const ms = Date.now() - started;
      if (ms < 1000) return;
      shown = true;
      process.stderr.write(
        `\rcheck-trace: ${events.toLocaleString('en-US')} events, ${Math.round(events / (ms / 1000)).toLocaleString('en-US')}/s`,
      );
    },
    done() {
      if (shown) process.stderr.write('\n');
    },
  };
}
