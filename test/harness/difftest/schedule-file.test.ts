/**
 * Differential testing on an explorer counterexample (issue 6: "the same schedule (from the
 * simulator, or a counterexample trace)"): the explorer's minimised counterexample for a mutant
 * becomes a short schedule of replica inputs; the faithful Python port behaves like the
 * reference on it, the buggy port is caught on it, and unusable files are bad input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore } from '../../../harness/explore/explore.js';
import { scopeFromFlags } from '../../../src/cli/commands/explore.js';
import { diffTest } from '../../../harness/difftest/run.js';
import { scheduleFromReplayFile, ScheduleFileError } from '../../../harness/difftest/schedule.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/difftest');
const dir = mkdtempSync(join(tmpdir(), 'smr-difftest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function counterexampleOf(mutant: string): Promise<string> {
  const out = join(dir, mutant);
  const r = await explore({
    spec: {
      model: 'core',
      scope: scopeFromFlags({ mutant }),
      symmetry: true,
      por: true,
      determinism: true,
      refinement: false,
    },
    out,
  });
  expect(r.status).toBe('violation');
  return r.counterexample?.files?.replay ?? '';
}

describe('diff-test --schedule (an explorer counterexample)', () => {
  it('feeds every replica the deliveries, ticks and restarts of the counterexample', async () => {
    const { schedule, app } = await scheduleFromReplayFile(
      await counterexampleOf('forget-accepted-on-restart'),
    );
    expect(app.name).toBe('kv');
    expect(schedule.params).toMatchObject({ electionTicks: 1, heartbeatTicks: 0 });
    const kinds = schedule.inputs.map((s) => s.input.kind);
    expect(kinds).toContain('Restart');
    expect(kinds).toContain('Tick');
    expect(kinds).toContain('Receive');
  }, 60_000);

  it('the faithful port matches the reference; the buggy port is caught on the same schedule', async () => {
    const { schedule, app } = await scheduleFromReplayFile(
      await counterexampleOf('ballot-ignores-replica-id'),
    );
    const run = (script: string) =>
      diffTest({
        command: 'python3',
        args: [join(FIXTURES, script)],
        schedule,
        app,
        stepTimeoutMs: 5000,
      });
    expect(await run('replica.py')).toMatchObject({ verdict: 'same' });
    const buggy = await run('replica_buggy.py');
    expect(buggy).toMatchObject({ verdict: 'differ', what: 'messages' });
    expect(
      buggy.verdict === 'differ' && buggy.input.kind === 'Receive' && buggy.input.msg.type,
    ).toBe('Prepare');
  }, 60_000);

  it('refuses files that are not core counterexamples', async () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"format":"nope"}');
    await expect(scheduleFromReplayFile(junk)).rejects.toThrow(ScheduleFileError);
    await expect(scheduleFromReplayFile(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});
