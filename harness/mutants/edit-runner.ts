/**
 * Runs `smr check` on copies of this package with one core edit applied (core-edits.ts), the
 * way a reviewer injects a bug by hand: copy the sources, edit src/core, run the CLI from the
 * sources with tsx. Each copy shares node_modules with this package through a symlink.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CoreEdit } from './core-edits.js';

/** What a copy needs to run the CLI from source. */
const COPIED = ['src', 'harness', 'spec', 'schema', 'traces', 'package.json', 'tsconfig.json'];

export interface EditVerdict {
  readonly name: string;
  readonly kind: CoreEdit['kind'];
  /** `smr check` exited 1 (a violation): the bug was caught. */
  readonly caught: boolean;
  readonly exitCode: number | null;
  readonly elapsedMs: number;
  /** The check's JSON result (when it printed one). */
  readonly result?: unknown;
  readonly stderr: string;
}

/** Copy the package into a fresh directory and apply `edit`; throws if an edit does not apply. */
export function prepareCopy(root: string, edit: CoreEdit): string {
  const dir = mkdtempSync(join(tmpdir(), `smr-edit-${edit.name}-`));
  for (const entry of COPIED)
    if (existsSync(join(root, entry)))
      cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const e of edit.edits) {
    const path = join(dir, e.file);
    const text = readFileSync(path, 'utf8');
    const at = text.indexOf(e.find);
    if (at < 0 || text.indexOf(e.find, at + 1) >= 0)
      throw new Error(`${edit.name}: the text to replace must occur exactly once in ${e.file}`);
    writeFileSync(path, text.slice(0, at) + e.replace + text.slice(at + e.find.length));
  }
  return dir;
}

/** Run `smr check --json` from the sources in `dir`. */
export function runCheckIn(
  dir: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string; elapsedMs: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'check', '--json', '--no-progress', ...args],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}

export async function checkEdit(
  root: string,
  edit: CoreEdit,
  options: { readonly args?: readonly string[]; readonly timeoutMs?: number } = {},
): Promise<EditVerdict> {
  const dir = prepareCopy(root, edit);
  try {
    const run = await runCheckIn(dir, options.args ?? [], options.timeoutMs ?? 300_000);
    let result: unknown;
    try {
      result = JSON.parse(run.stdout);
    } catch {
      result = undefined;
    }
    return {
      name: edit.name,
      kind: edit.kind,
      caught: run.code === 1,
      exitCode: run.code,
      elapsedMs: run.elapsedMs,
      ...(result === undefined ? {} : { result }),
      stderr: run.stderr.slice(-2000),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Check every edit, `parallel` at a time, in list order of results. */
export async function checkEdits(
  root: string,
  edits: readonly CoreEdit[],
  options: {
    readonly parallel?: number;
    readonly args?: readonly string[];
    readonly timeoutMs?: number;
    readonly onVerdict?: (v: EditVerdict) => void;
  } = {},
): Promise<EditVerdict[]> {
  const out: EditVerdict[] = new Array<EditVerdict>(edits.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < edits.length) {
      const i = next++;
      const v = await checkEdit(root, edits[i] as CoreEdit, options);
      out[i] = v;
      options.onVerdict?.(v);
    }
  };
  await Promise.all(Array.from({ length: options.parallel ?? 2 }, worker));
  return out;
}
