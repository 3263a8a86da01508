/**
 * `smr check-trace --tlc`: the same question answered by TLC over spec/TraceSmr.tla, the way
 * etcd and CCF validate traces. The trace is parsed and merged by the native reader (so bad
 * input is the same exit-2 error), projected for TLC (tlc-project.ts), and TLC runs through the
 * spec's runner (harness/tlc/run.ts) on a copy of the spec with a generated config that names
 * the projection by absolute path. TLC's search depth says how far the longest behaviour got,
 * hence the first event no behaviour matched.
 */
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findJar, JAR_MISSING, runTlc } from './run.js';
import { InputError, UsageError } from '../../src/errors.js';
import { openTrace } from '../../src/trace/merge.js';
import { packageRoot } from '../../src/trace/package-root.js';
import { projectForTlc } from './trace-project.js';

export interface TlcResult {
  /** 'inconclusive': TLC did not finish within the time allowed. */
  readonly verdict: 'valid' | 'invalid' | 'inconclusive';
  readonly engine: 'tlc';
  readonly files: readonly string[];
  readonly events: number;
  /** The first event no behaviour matched (file:line of the original trace), when invalid. */
  readonly failure: { readonly src: string; readonly node: string; readonly action: string } | null;
  readonly distinctStates: number | null;
  readonly tlcExitCode: number;
  readonly elapsedMs: number;
  readonly summary: string;
}

export interface TlcOptions {
  /** Path to tla2tools.jar; default $TLA2TOOLS_JAR. */
  readonly jar?: string;
  /** How long TLC may run (default 600 s); past it the verdict is 'inconclusive'. */
  readonly timeoutMs?: number;
}

export const DEFAULT_TLC_TIMEOUT_MS = 600_000;

const SPEC_FILES = ['Smr.tla', 'Consensus.tla', 'TraceSmr.tla'];
/** The exit code run.ts reports for a TLC it killed at the time limit. */
const TIMED_OUT = 124;

export async function checkTraceWithTlc(
  file: string | readonly string[],
  options: TlcOptions = {},
): Promise<TlcResult> {
  const jar = options.jar ?? findJar();
  if (jar === undefined || jar === null || jar === '')
    throw new UsageError(`--tlc: ${JAR_MISSING}`);
  const files = typeof file === 'string' ? [file] : file;
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'smr-trace-tlc-'));
  try {
    const source = openTrace(files);
    const projection = join(dir, 'trace.tlc.ndjson');
    // Written line by line: a long trace's projection does not fit in one string.
    const fd = openSync(projection, 'w');
    // Where each event came from, to name the first one no behaviour matches.
    const where: { src: string; node: string; action: string }[] = [];
    let partial: boolean;
    try {
      if (source.ctx.policy !== 'majority')
        throw new UsageError(
          `--tlc: spec/Smr.tla models majority voting, the trace uses ${source.ctx.policy}`,
        );
      partial = projectForTlc(source, (line, ev) => {
        writeSync(fd, `${line}\n`);
        if (ev !== undefined)
          where.push({ src: `${ev.file}:${ev.line}`, node: ev.node, action: ev.action });
      }).partial;
    } finally {
      closeSync(fd);
      source.close();
    }
    const specDir = join(packageRoot(), 'spec');
    for (const name of SPEC_FILES) copyFileSync(join(specDir, name), join(dir, name));
    let cfg = readFileSync(join(specDir, 'TraceSmr.cfg'), 'utf8').replace(
      /TraceFile = "[^"]*"/,
      `TraceFile = ${JSON.stringify(projection)}`,
    );
    // TraceMatched (etcd's) holds only when TLC follows one behaviour; with unlogged messages
    // it branches, and the postcondition alone decides (see TraceSmr.tla).
    if (partial) cfg = cfg.replace(/PROPERTIES\s+TraceMatched/, '');
    writeFileSync(join(dir, 'TraceSmr.cfg'), cfg);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TLC_TIMEOUT_MS;
    const run = await runTlc({ jar, specDir: dir, module: 'TraceSmr', workers: 1, timeoutMs });
    const elapsedMs = performance.now() - started;
    const events = where.length;
    const base = {
      engine: 'tlc' as const,
      files,
      events,
      distinctStates: run.distinctStates ?? null,
      tlcExitCode: run.exitCode,
      elapsedMs,
    };
    if (run.status === 'ok') {
      const summary = `valid (TLC): ${files.join(' + ')} — ${events} events, ${run.distinctStates ?? '?'} distinct states, ${(elapsedMs / 1000).toFixed(1)} s`;
      return { ...base, verdict: 'valid', failure: null, summary };
    }
    if (run.exitCode === TIMED_OUT) {
      const summary = `inconclusive (TLC): ${files.join(' + ')} — TLC did not finish within ${Math.round(timeoutMs / 1000)} s on ${events} events (--tlc-timeout allows more; without --tlc the native checker validates the same trace against the same spec)`;
      return { ...base, verdict: 'inconclusive', failure: null, summary };
    }
    const unmatched = run.errors.some((e) => /TraceMatched|Postcondition TraceAccepted/.test(e));
    if (!unmatched)
      throw new InputError(
        files[0] ?? 'check-trace',
        undefined,
        `TLC could not check this trace (${run.status}, exit ${run.exitCode}): ${run.errors.join(' / ').slice(0, 300) || 'no error message'}`,
      );
    // Depth d: the longest behaviour has d states, i.e. it matched d - 1 events; TraceLog[d] is
    // the first event none could match.
    const failure = run.depth !== undefined ? (where[run.depth - 1] ?? null) : null;
    const at =
      failure === null ? files.join(' + ') : `${failure.src}: ${failure.node} ${failure.action}`;
    const summary = `invalid (TLC): ${at} — no behaviour of spec/Smr.tla matches the trace from this event on`;
    return {
      ...base,
      verdict: 'invalid',
      failure: failure && { src: failure.src, node: failure.node, action: failure.action },
      summary,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
