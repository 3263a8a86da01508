/**
 * The bundled traces (traces/ in the package): valid/ holds traces the spec allows, invalid/
 * traces it forbids, each with NAME.why.md saying why and at which line it must fail. A
 * directory holds one trace split into per-node files. `smr check` and `npm test` call
 * `checkBundledTraces` and compare every verdict with the expected one.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { checkTrace, type CheckOptions } from './checker.js';
import { packageRoot } from './package-root.js';

export interface BundledTrace {
  /** `valid/NAME` or `invalid/NAME`. */
  readonly name: string;
  readonly files: readonly string[];
  readonly expected: 'valid' | 'invalid';
  /** For invalid traces: the line NAME.why.md says it fails at. */
  readonly expectedLine: number | null;
}

export interface BundledVerdict extends BundledTrace {
  readonly verdict: 'valid' | 'invalid' | 'inconclusive' | 'bad-input';
  /** The line of the first event no candidate could take (or of the bad input). */
  readonly line: number | null;
  /** The verdict (and line) are the expected ones. */
  readonly ok: boolean;
  /** One line: the reason for an invalid verdict or the input error. */
  readonly detail: string;
}

export function bundledTracesDir(): string {
  return join(packageRoot(), 'traces');
}

/** Every bundled trace, in name order. */
export function listBundledTraces(dir: string = bundledTracesDir()): BundledTrace[] {
  const out: BundledTrace[] = [];
  for (const expected of ['valid', 'invalid'] as const) {
    const sub = join(dir, expected);
    if (!existsSync(sub)) continue;
    for (const entry of readdirSync(sub).sort()) {
      const path = join(sub, entry);
      let files: string[];
      if (statSync(path).isDirectory()) {
        files = readdirSync(path)
          .filter((f) => f.endsWith('.ndjson'))
          .sort()
          .map((f) => join(path, f));
      } else if (entry.endsWith('.ndjson')) {
        files = [path];
      } else continue;
      const base = entry.replace(/\.ndjson$/, '');
      out.push({
        name: `${expected}/${base}`,
        files,
        expected,
        expectedLine: expectedLineOf(join(sub, `${base}.why.md`)),
      });
    }
  }
  return out;
}

function expectedLineOf(why: string): number | null {
  if (!existsSync(why)) return null;
  const match = /^Fails at: line (\d+)/m.exec(readFileSync(why, 'utf8'));
  return match ? Number(match[1]) : null;
}

/** Checks every bundled trace with the native checker; never throws on a bad trace. */
export function checkBundledTraces(
  dir: string = bundledTracesDir(),
  options: CheckOptions = {},
): BundledVerdict[] {
  return listBundledTraces(dir).map((trace) => {
    try {
      const r = checkTrace(trace.files, options);
      const f = r.failure;
      const line = f?.line ?? null;
      const ok =
        r.verdict === trace.expected &&
        (trace.expected === 'valid' || trace.expectedLine === null || trace.expectedLine === line);
      const detail =
        f === null
          ? `${r.events} events`
          : `${f.file}:${f.line}: ${f.node} ${f.action}: ${f.invariant ?? f.conjunct}`;
      return { ...trace, verdict: r.verdict, line, ok, detail };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return {
        ...trace,
        verdict: 'bad-input',
        line: error.line ?? null,
        ok: false,
        detail: error.message,
      };
    }
  });
}
