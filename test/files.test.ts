/**
 * Output files (brief: "nothing is lost or half-written"): an unwritable destination is a
 * one-line usage error before any work is done, and files appear whole or not at all.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { assertWritableDir, assertWritableFile, writeAtomically } from '../src/files.js';
import { smr } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output files', () => {
  it('refuses a file in a missing directory, a directory, and a path under a regular file', () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    expect(() => assertWritableFile('--trace', join(dir, 'missing', 't.ndjson'))).toThrow(
      /--trace .*: cannot write: .*no such directory/,
    );
    expect(() => assertWritableFile('--trace', dir)).toThrow(/is a directory/);
    expect(() => assertWritableDir('--out', join(file, 'cx'))).toThrow(UsageError);
    expect(() => assertWritableFile('--trace', join(dir, 'new.ndjson'))).not.toThrow();
    expect(() => assertWritableDir('--out', join(dir, 'a', 'b'))).not.toThrow();
    expect(readdirSync(dir)).toEqual(['plain.txt']); // checking creates nothing
  });

  it('writes whole files and leaves no temporary file behind', () => {
    const path = join(dir, 'out.json');
    writeAtomically(path, '{"ok":true}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"ok":true}\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(() => writeAtomically(join(dir, 'missing', 'x'), '')).toThrow(/cannot write/);
  });

  it('smr simulate refuses an unwritable --history before simulating (exit 2, one line)', async () => {
    const r = await smr('simulate', '--history', join(dir, 'missing', 'h.json'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
