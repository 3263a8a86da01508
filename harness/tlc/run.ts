/**
 * Run SANY and TLC on a model of spec/ (`smr tlc`, the live twin test). The jar is found through
 * TLA2TOOLS_JAR and never downloaded. TLC runs with `-tool` (parseable output), a temporary
 * `-metadir` and `-noGenerateSpecTE`, so nothing is left next to the spec; the runner checks that.
 */
import { InputError } from '../../src/errors.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseErrorsOf,
  parseTlcOutput,
  statusOfExitCode,
  type TlcOutput,
  type TlcStatus,
} from './parse.js';

export const JAR_ENV = 'TLA2TOOLS_JAR';

/** What TLC writes next to a spec when not told otherwise: trace-explorer modules, state dirs. */
export const TLC_ARTIFACT = /_TTrace_\d+\.(tla|cfg|bin)$|^states$|\.(st|fp)$/;

export const JAR_MISSING =
  `tla2tools.jar not found: set ${JAR_ENV}=/path/to/tla2tools.jar ` +
  '(from https://github.com/tlaplus/tlaplus/releases; Java 11+ on PATH)';

/** The jar named by TLA2TOOLS_JAR, or null when unset or not a file. */
export function findJar(env: NodeJS.ProcessEnv = process.env): string | null {
  const path = env[JAR_ENV];
  if (path === undefined || path === '') return null;
  try {
    return statSync(path).isFile() ? resolve(path) : null;
  } catch {
    return null;
  }
}

/** The spec/ directory of this package (it ships in `files`), found from this module upwards. */
export function defaultSpecDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'spec', 'Smr.tla'))) return join(dir, 'spec');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find spec/Smr.tla above the smr-oracle package');
    dir = up;
  }
}

/** The models of a spec directory: every MC*.tla with its .cfg next to it. */
export function listModels(specDir: string): string[] {
  return readdirSync(specDir)
    .filter((f) => /^MC.*\.tla$/.test(f) && existsSync(join(specDir, f.replace(/\.tla$/, '.cfg'))))
    .map((f) => f.replace(/\.tla$/, ''))
    .sort();
}

export interface TlcRunOptions {
  readonly jar: string;
  readonly specDir: string;
  /** The module name, e.g. MCSmr_F1 (its .cfg must sit next to it). */
  readonly module: string;
  readonly workers?: number;
  readonly java?: string;
  readonly timeoutMs?: number;
}

export interface TlcResult extends Omit<TlcOutput, 'messages'> {
  readonly module: string;
  readonly status: TlcStatus;
  /** TLC's exit code, or SANY's (-error-codes) when parsing failed. */
  readonly exitCode: number;
  readonly tool: 'sany' | 'tlc';
  readonly elapsedMs: number;
  /** TLC artifacts (trace-explorer specs, state files) left next to the spec (there should be none). */
  readonly strayFiles: readonly string[];
}

interface Ran {
  readonly code: number;
  readonly output: string;
}

function run(java: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(java, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(new Error(`cannot run ${java}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const output = Buffer.concat(chunks).toString('utf8');
      done({ code: code ?? (signal === 'SIGKILL' ? 124 : 1), output });
    });
  });
}

/** SANY with -error-codes: 0 ok, 4 semantic error, 255 parse error. */
export async function runSany(options: TlcRunOptions): Promise<Ran> {
  const { jar, specDir, module } = options;
  const args = ['-cp', jar, 'tla2sany.SANY', '-error-codes', `${module}.tla`];
  return run(options.java ?? 'java', args, specDir, options.timeoutMs ?? 120_000);
}

/** SANY, then (if it parses) TLC on `module` with its .cfg. */
export async function runTlc(options: TlcRunOptions): Promise<TlcResult> {
  const { jar, specDir, module } = options;
  const started = Date.now();
  const before = new Set(readdirSync(specDir));
  const stray = (): string[] =>
    readdirSync(specDir).filter((f) => !before.has(f) && TLC_ARTIFACT.test(f));
  const sany = await runSany(options);
  // Java could not run SANY from the jar at all: the jar is wrong, not the spec (exit 2).
  const broken =
    /Could not find or load main class|Invalid or corrupt jarfile|Unable to access jarfile/.exec(
      sany.output,
    );
  if (sany.code !== 0 && broken !== null)
    throw new InputError(
      jar,
      undefined,
      `not a usable tla2tools.jar (${JAR_ENV}; java: ${sany.output.trim().split('\n')[0]})`,
    );
  if (sany.code !== 0) {
    return {
      module,
      status: 'parse-error',
      exitCode: sany.code,
      tool: 'sany',
      elapsedMs: Date.now() - started,
      trace: [],
      errors:
        parseErrorsOf(sany.output).length > 0 ? parseErrorsOf(sany.output) : [sany.output.trim()],
      strayFiles: stray(),
    };
  }
  const metadir = mkdtempSync(join(tmpdir(), 'smr-tlc-'));
  try {
    const args = [
      '-XX:+UseParallelGC',
      '-cp',
      jar,
      'tlc2.TLC',
      '-tool',
      '-workers',
      String(options.workers ?? 2),
      '-noGenerateSpecTE',
      '-metadir',
      metadir,
      '-config',
      `${module}.cfg`,
      module,
    ];
    const ran = await run(options.java ?? 'java', args, specDir, options.timeoutMs ?? 600_000);
    const { messages: _messages, ...parsed } = parseTlcOutput(ran.output);
    return {
      module,
      status: statusOfExitCode(ran.code),
      exitCode: ran.code,
      tool: 'tlc',
      elapsedMs: Date.now() - started,
      ...parsed,
      strayFiles: stray(),
    };
  } finally {
    rmSync(metadir, { recursive: true, force: true });
  }
}
