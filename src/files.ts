/**
 * Files the CLI writes (traces, histories, timelines, counterexamples). Two promises: an
 * unwritable destination is bad usage reported before any work is done (one line, exit 2),
 * and a file is written whole or not at all (temporary file, then rename).
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  renameSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** Throws a UsageError naming `flag` and `path` unless a file can be written at `path`. */
export function assertWritableFile(flag: string, path: string): void {
  const dir = dirname(resolve(path));
  const problem = directoryProblem(dir);
  if (problem !== null) throw new UsageError(`${flag} ${path}: cannot write: ${problem}`);
  try {
    if (statSync(path).isDirectory())
      throw new UsageError(`${flag} ${path}: cannot write: is a directory`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Not there yet: fine.
  }
}

/**
 * Throws a UsageError unless `dir` is a writable directory or could be created (its nearest
 * existing ancestor is a writable directory). Creates nothing: a run that finds no
 * counterexample leaves no empty directory behind.
 */
export function assertWritableDir(flag: string, dir: string): void {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  const problem = directoryProblem(at);
  if (problem !== null) throw new UsageError(`${flag} ${dir}: cannot write: ${problem}`);
}

/** Writes `text` to a temporary file next to `path`, then renames it: never half a file. */
export function writeAtomically(path: string, text: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    throw new UsageError(`${path}: cannot write: ${reasonOf(error)}`);
  }
}

function directoryProblem(dir: string): string | null {
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a directory`;
    accessSync(dir, constants.W_OK);
    // access(2) says yes to root for read-only file systems such as /proc: try for real, with a
    // probe directory removed at once.
    try {
      rmdirSync(mkdtempSync(join(dir, '.smr-probe-')));
    } catch (error) {
      return `${dir}: nothing can be created there (${(error as { code?: string }).code ?? 'error'})`;
    }
    return null;
  } catch (error) {
    return `${dir}: ${reasonOf(error)}`;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ENOENT':
      return 'no such directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** What went wrong reading a file, in a few words ("no such file", "is a directory", …). */
export function describeIoError(error: unknown): string {
  if (error instanceof Error && 'code' in error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EISDIR') return 'is a directory';
    if (code === 'EACCES') return 'permission denied';
    return code ?? error.message;
  }
  return String(error);
}
