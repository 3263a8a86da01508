/**
 * The TLC runner without Java: the jar lookup, the model list, and the whole run (SANY, then
 * TLC with its flags, a temporary metadir, output parsing) against a stand-in `java` that prints
 * captured output and exits with TLC's code.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultSpecDir, findJar, JAR_ENV, listModels, runTlc } from '../../../harness/tlc/run.js';

const work = mkdtempSync(join(tmpdir(), 'smr-tlc-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A `java` that answers SANY with `sanyCode` and TLC with a fixture and `tlcCode`; it logs its args. */
function fakeJava(fixture: string, tlcCode: number, sanyCode = 0, touch = ''): string {
  const out = join(work, `${fixture}.out`);
  writeFileSync(
    out,
    readFileSync(join(import.meta.dirname, '..', '..', 'data', 'tlc', `${fixture}.txt`)),
  );
  const script = join(work, `java-${fixture}-${tlcCode}-${sanyCode}`);
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `echo "$@" >> "${join(work, 'args.log')}"`,
      'case "$*" in',
      `  *tla2sany.SANY*) echo "SANY output"; exit ${sanyCode} ;;`,
      'esac',
      touch === '' ? '' : `touch "${touch}"`,
      `cat "${out}"`,
      `exit ${tlcCode}`,
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

describe('findJar', () => {
  it(`reads ${JAR_ENV} and accepts only an existing file`, () => {
    const jar = join(work, 'tla2tools.jar');
    writeFileSync(jar, '');
    expect(findJar({ [JAR_ENV]: jar })).toBe(jar);
    expect(findJar({})).toBeNull();
    expect(findJar({ [JAR_ENV]: '' })).toBeNull();
    expect(findJar({ [JAR_ENV]: join(work, 'missing.jar') })).toBeNull();
    expect(findJar({ [JAR_ENV]: work })).toBeNull();
  });
});

describe('the package spec directory', () => {
  it('holds Smr.tla and the MC models', () => {
    expect(listModels(defaultSpecDir())).toEqual(expect.arrayContaining(['MCSmr_F1', 'MCSmr_F2']));
  });
});

describe('runTlc with a stand-in java', () => {
  const specDir = mkdtempSync(join(work, 'spec-'));
  writeFileSync(join(specDir, 'MCX.tla'), '---- MODULE MCX ----\n====\n');
  writeFileSync(join(specDir, 'MCX.cfg'), '');

  it('parses a violation, passes -tool, -workers, -noGenerateSpecTE and a temporary -metadir', async () => {
    const r = await runTlc({
      jar: 'tla.jar',
      specDir,
      module: 'MCX',
      workers: 3,
      java: fakeJava('invariant-violated', 12),
    });
    expect(r).toMatchObject({
      module: 'MCX',
      status: 'safety',
      exitCode: 12,
      tool: 'tlc',
      distinctStates: 11,
      depth: 5,
    });
    expect(r.violation?.name).toBe('Small');
    expect(r.trace).toHaveLength(5);
    expect(r.strayFiles).toEqual([]);
    const args = readFileSync(join(work, 'args.log'), 'utf8').trim().split('\n');
    expect(args[0]).toBe('-cp tla.jar tla2sany.SANY -error-codes MCX.tla');
    expect(args[1]).toMatch(
      /^-XX:\+UseParallelGC -cp tla\.jar tlc2\.TLC -tool -workers 3 -noGenerateSpecTE -metadir \S+smr-tlc-\S+ -config MCX\.cfg MCX$/,
    );
  });

  it('an ok run', async () => {
    const r = await runTlc({ jar: 'tla.jar', specDir, module: 'MCX', java: fakeJava('ok', 0) });
    expect(r).toMatchObject({ status: 'ok', exitCode: 0, distinctStates: 12 });
  });

  it('stops at SANY when the spec does not parse', async () => {
    const r = await runTlc({
      jar: 'tla.jar',
      specDir,
      module: 'MCX',
      java: fakeJava('ok', 0, 255),
    });
    expect(r).toMatchObject({
      status: 'parse-error',
      exitCode: 255,
      tool: 'sany',
      errors: ['SANY output'],
    });
  });

  it('reports TLC artifacts left next to the spec', async () => {
    const r = await runTlc({
      jar: 'tla.jar',
      specDir,
      module: 'MCX',
      java: fakeJava('ok', 0, 0, join(specDir, 'MCX_TTrace_1700000000.tla')),
    });
    expect(r.strayFiles).toEqual(['MCX_TTrace_1700000000.tla']);
  });

  it('says when java cannot be run', async () => {
    await expect(
      runTlc({ jar: 'tla.jar', specDir, module: 'MCX', java: join(work, 'no-such-java') }),
    ).rejects.toThrow(/cannot run/);
  });
});
