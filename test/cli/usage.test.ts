/**
 * Edges of the command line (issue 17): a missing or unknown command, an unbounded 7-replica
 * exploration, a replay file that is not one the cluster can take, a TLA2TOOLS_JAR that is not
 * tla2tools.jar and an --out nothing can be created in are usage errors (one line, exit 2),
 * never success, an internal error, or a long run that fails at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { smr } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'smr-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('usage errors exit 2 with one line', () => {
  it('no command, and help for a command that does not exist', async () => {
    const none = await smr();
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('smr: a command is required');
    const help = await smr('help', 'nosuch');
    expect(help).toMatchObject({
      code: 2,
      stderr: 'smr: help: unknown command "nosuch" (smr --help lists them)\n',
    });
    expect((await smr('help', 'lincheck')).code).toBe(0);
  });

  it('explore --replicas 7 without a bound', async () => {
    const r = await smr('explore', '--replicas', '7');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--replicas 7: the default scopes are for 3 and 5 replicas/);
  });

  it('a replay file with an unknown step, or an impossible scope', async () => {
    const out = join(dir, 'cx');
    expect(
      (await smr('explore', '--mutant', 'no-session-dedup', '--out', out, '--no-progress')).code,
    ).toBe(1);
    const file = JSON.parse(readFileSync(join(out, 'counterexample.replay.json'), 'utf8')) as {
      steps: unknown[];
      spec: { scope: Record<string, unknown> };
    };
    const explode = join(dir, 'explode.json');
    writeFileSync(
      explode,
      JSON.stringify({ ...file, steps: [...file.steps.slice(0, 2), { kind: 'Explode' }] }),
    );
    const r = await smr('replay', explode);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/steps\[2\]: unknown kind "Explode"/);
    const huge = join(dir, 'huge.json');
    writeFileSync(
      huge,
      JSON.stringify({
        ...file,
        spec: { ...file.spec, scope: { ...file.spec.scope, replicas: 1e300 } },
      }),
    );
    const h = await smr('replay', huge);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/spec\.scope: .*replicas/);
  }, 60_000);

  it('an --out where nothing can be created is refused before any work', async () => {
    const r = await smr('explore', '--out', '/proc/nonexistent/x', '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^smr: --out \/proc\/nonexistent\/x: cannot write: /);
  });

  const java = spawnSync('java', ['-version']).status === 0;
  it.skipIf(!java)('a TLA2TOOLS_JAR that is not tla2tools.jar (needs java)', async () => {
    const jar = join(dir, 'fake.jar');
    writeFileSync(jar, 'not a jar');
    const saved = process.env['TLA2TOOLS_JAR'];
    process.env['TLA2TOOLS_JAR'] = jar;
    try {
      const r = await smr('tlc');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not a usable tla2tools\.jar/);
    } finally {
      if (saved === undefined) delete process.env['TLA2TOOLS_JAR'];
      else process.env['TLA2TOOLS_JAR'] = saved;
    }
  });
});
