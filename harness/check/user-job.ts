/**
 * `smr check --config smr.config.json`: the user's own artifacts in one run with one summary and
 * one exit code (issue 17) — recorded traces with the verdict each must get, and client
 * histories with their model and the verdict each must get. What `smr check` alone runs (the
 * main job) checks the kit; this checks the user's system.
 *
 * The config (JSON; paths and globs relative to the config file's directory):
 *
 *   {
 *     "traces": [
 *       { "each": "traces/nightly/*.ndjson", "expect": "valid" },
 *       { "files": ["run7/r1.ndjson", "run7/r2.ndjson", "run7/r3.ndjson", "run7/c1.ndjson"],
 *         "expect": "valid", "maxHidden": 2 },
 *       { "files": ["known-bad.ndjson"], "expect": "invalid", "line": 56 }
 *     ],
 *     "histories": [
 *       { "file": "jepsen/etcd.edn", "model": "etcd", "expect": "linearizable", "timeout": 60 }
 *     ]
 *   }
 *
 * `each` checks every matching file as its own trace; `files` is one trace (several files are
 * per-node files, merged by their clocks). A history's `file` may be a glob: each match is
 * checked on its own; `model` defaults to the one guessed from the operations. An expectation that is not met is a failure (exit
 * 1); a glob that matches nothing, a file that cannot be read or parsed, or a malformed config
 * is bad input (exit 2, one line naming the config entry or the file).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { globSync } from 'tinyglobby';
import { InputError } from '../../src/errors.js';
import { describeIoError } from '../../src/files.js';
import { parseHistory, validateForModel } from '../../src/oracle/formats/index.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { inferModelName, MODEL_NAMES, modelByName } from '../../src/oracle/models.js';
import { checkTrace } from '../../src/trace/checker.js';

type TraceVerdict = 'valid' | 'invalid';
type HistoryVerdict = 'linearizable' | 'not-linearizable';

interface TraceEntry {
  readonly files: readonly string[];
  readonly expect: TraceVerdict;
  readonly line?: number;
  readonly maxHidden?: number;
}

interface HistoryEntry {
  readonly file: string;
  readonly model?: string;
  readonly expect: HistoryVerdict;
  readonly timeout: number;
}

export interface UserConfig {
  readonly file: string;
  readonly traces: readonly TraceEntry[];
  readonly histories: readonly HistoryEntry[];
}

/** One check of the config and how it went. */
export interface UserCheck {
  readonly kind: 'trace' | 'history';
  /** What was checked: the file, or the per-node files joined with " + ". */
  readonly target: string;
  readonly expected: string;
  /** The verdict it got ('unknown'/'inconclusive' when the checker could not decide). */
  readonly got: string;
  readonly ok: boolean;
  /** The checker's first line about it (where an invalid trace fails, why a history breaks). */
  readonly detail: string;
  readonly elapsedMs: number;
}

export interface UserJobResult {
  readonly ok: boolean;
  readonly config: string;
  readonly checks: readonly UserCheck[];
  readonly elapsedMs: number;
}

/** Read and validate the config; every path resolved and every glob expanded. */
export function loadUserConfig(file: string): UserConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(file, undefined, `cannot read: ${describeIoError(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new InputError(file, undefined, `not JSON: ${(error as Error).message}`);
  }
  const bad = (where: string, what: string): never => {
    throw new InputError(file, undefined, `${where}: ${what}`);
  };
  if (!isRecord(raw))
    return bad('the config', 'must be an object with "traces" and/or "histories"');
  const unknownKey = Object.keys(raw).find((k) => k !== 'traces' && k !== 'histories');
  if (unknownKey !== undefined)
    bad(`"${unknownKey}"`, 'unknown key (the config has "traces" and "histories")');
  const base = dirname(file);
  const resolve = (path: string) => (isAbsolute(path) ? path : join(base, path));
  const expand = (where: string, pattern: string): string[] => {
    const found = globSync([pattern], { cwd: base, absolute: false, onlyFiles: true })
      .sort()
      .map(resolve);
    if (found.length === 0) bad(where, `${JSON.stringify(pattern)} matches no file`);
    return found;
  };

  const traces: TraceEntry[] = [];
  listOf(raw['traces'], 'traces', bad).forEach((entry, i) => {
    const where = `traces[${i}]`;
    if (!isRecord(entry)) return bad(where, 'must be an object');
    allowOnly(entry, ['each', 'files', 'expect', 'line', 'maxHidden'], where, bad);
    const expect = entry['expect'];
    if (expect !== 'valid' && expect !== 'invalid')
      bad(`${where}.expect`, 'must be "valid" or "invalid"');
    const line = optionalInt(entry['line'], `${where}.line`, 1, bad);
    if (line !== undefined && expect !== 'invalid')
      bad(`${where}.line`, 'only an expected "invalid" fails at a line');
    const maxHidden = optionalInt(entry['maxHidden'], `${where}.maxHidden`, 0, bad, 8);
    const common = {
      expect: expect as TraceVerdict,
      ...(line === undefined ? {} : { line }),
      ...(maxHidden === undefined ? {} : { maxHidden }),
    };
    const each = entry['each'];
    const files = entry['files'];
    if ((each === undefined) === (files === undefined))
      bad(where, 'give either "each" (a glob: every file its own trace) or "files" (one trace)');
    if (each !== undefined) {
      if (typeof each !== 'string') return bad(`${where}.each`, 'must be a glob string');
      for (const f of expand(`${where}.each`, each)) traces.push({ ...common, files: [f] });
    } else {
      const list = listOf(files, `${where}.files`, bad);
      if (list.length === 0) bad(`${where}.files`, 'names no file');
      const paths = list.flatMap((f, k) =>
        typeof f === 'string'
          ? expand(`${where}.files[${k}]`, f)
          : bad(`${where}.files[${k}]`, 'must be a path'),
      );
      traces.push({ ...common, files: paths });
    }
  });

  const histories: HistoryEntry[] = [];
  listOf(raw['histories'], 'histories', bad).forEach((entry, i) => {
    const where = `histories[${i}]`;
    if (!isRecord(entry)) return bad(where, 'must be an object');
    allowOnly(entry, ['file', 'model', 'expect', 'timeout'], where, bad);
    const expect = entry['expect'];
    if (expect !== 'linearizable' && expect !== 'not-linearizable')
      bad(`${where}.expect`, 'must be "linearizable" or "not-linearizable"');
    const model = entry['model'];
    if (model !== undefined && (typeof model !== 'string' || modelByName(model) === undefined))
      bad(`${where}.model`, `must be one of ${MODEL_NAMES.join(', ')}`);
    const timeout = entry['timeout'] ?? 60;
    if (typeof timeout !== 'number' || !(timeout > 0) || timeout > 86_400)
      bad(`${where}.timeout`, 'must be seconds, > 0 and ≤ 86400');
    const pattern = entry['file'];
    if (typeof pattern !== 'string') return bad(`${where}.file`, 'must be a path or a glob');
    for (const f of expand(`${where}.file`, pattern)) {
      histories.push({
        file: f,
        expect: expect as HistoryVerdict,
        timeout: timeout as number,
        ...(typeof model === 'string' ? { model } : {}),
      });
    }
  });
  if (traces.length === 0 && histories.length === 0)
    bad('the config', 'names no traces and no histories');
  return { file, traces, histories };
}

/** Run every check of the config, in order; `report` gets one line per check as it ends. */
export function runUserJob(config: UserConfig, report?: (check: UserCheck) => void): UserJobResult {
  const started = performance.now();
  const checks: UserCheck[] = [];
  const done = (check: UserCheck) => {
    checks.push(check);
    report?.(check);
  };
  for (const entry of config.traces) done(checkOneTrace(entry));
  for (const entry of config.histories) done(checkOneHistory(entry));
  return {
    ok: checks.every((c) => c.ok),
    config: config.file,
    checks,
    elapsedMs: performance.now() - started,
  };
}

function checkOneTrace(entry: TraceEntry): UserCheck {
  const started = performance.now();
  const r = checkTrace(entry.files, { maxHidden: entry.maxHidden ?? 0 });
  const failedAt = r.failure === null ? undefined : r.failure.line;
  const lineOk = entry.line === undefined || failedAt === entry.line;
  const ok = r.verdict === entry.expect && lineOk;
  const f = r.failure;
  const detail =
    f === null
      ? `${r.events.toLocaleString('en-US')} events${r.warnings.length > 0 ? `; warning: ${r.warnings.join('; ')}` : ''}`
      : `${f.file}:${f.line}: ${f.node} ${f.action}: ${f.invariant === undefined ? f.conjunct : `invariant ${f.invariant}`}${lineOk ? '' : ` (expected to fail at line ${entry.line})`}`;
  return {
    kind: 'trace',
    target: entry.files.join(' + '),
    expected: entry.line === undefined ? entry.expect : `${entry.expect} at line ${entry.line}`,
    got: r.verdict,
    ok,
    detail,
    elapsedMs: performance.now() - started,
  };
}

function checkOneHistory(entry: HistoryEntry): UserCheck {
  const started = performance.now();
  let text: string;
  try {
    text = readFileSync(entry.file, 'utf8');
  } catch (error) {
    throw new InputError(entry.file, undefined, `cannot read: ${describeIoError(error)}`);
  }
  const parsed = parseHistory(text, entry.file);
  const name = entry.model ?? inferModelName(parsed.ops.map((op) => op.input));
  const model = name === undefined ? undefined : modelByName(name);
  if (model === undefined)
    throw new InputError(
      entry.file,
      undefined,
      `cannot guess the model from the operations; give "model" (${MODEL_NAMES.join(', ')})`,
    );
  validateForModel(parsed, model, entry.file);
  const r = checkLinearizability(parsed.ops, model, { timeoutMs: entry.timeout * 1000 });
  const failure = r.failures[0];
  const detail =
    r.verdict === 'not-linearizable' && failure !== undefined
      ? `breaks when operation #${failure.breakingOp} (line ${parsed.lines[failure.breakingOp]?.call ?? '?'}) returns${failure.partition === undefined ? '' : `, partition ${failure.partition}`}`
      : r.verdict === 'unknown'
        ? `undecided within ${entry.timeout} s (${r.steps.toLocaleString('en-US')} steps)`
        : `${parsed.ops.length.toLocaleString('en-US')} operations, model ${model.name}`;
  return {
    kind: 'history',
    target: entry.file,
    expected: entry.expect,
    got: r.verdict,
    ok: r.verdict === entry.expect,
    detail,
    elapsedMs: performance.now() - started,
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function listOf(value: unknown, where: string, bad: (w: string, m: string) => never): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return bad(where, 'must be a list');
  return value;
}

function allowOnly(
  entry: Record<string, unknown>,
  keys: readonly string[],
  where: string,
  bad: (w: string, m: string) => never,
): void {
  const extra = Object.keys(entry).find((k) => !keys.includes(k));
  if (extra !== undefined) bad(`${where}.${extra}`, `unknown key (expected ${keys.join(', ')})`);
}

function optionalInt(
  value: unknown,
  where: string,
  min: number,
  bad: (w: string, m: string) => never,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    return bad(where, `must be an integer from ${min} to ${max}`);
  return value;
}
