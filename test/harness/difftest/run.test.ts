/**
 * Differential testing (issue 6): a faithful Python port of the reference replica passes, a port
 * with one seeded bug is caught at the first step where it misbehaves, and external processes
 * that crash, hang or print garbage are reported as broken — never a hang of ours.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kvApp } from '../../../src/core/apps/kv.js';
import { diffTest } from '../../../harness/difftest/run.js';
import { scheduleFromSimulation } from '../../../harness/difftest/schedule.js';
import { INPUT_FAULTS } from '../../../harness/sim/simulate.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/difftest');
const schedule = scheduleFromSimulation({
  replicas: 3,
  clients: 2,
  seed: 1,
  steps: 1500,
  faults: INPUT_FAULTS,
  app: kvApp,
});
const run = (script: string, ...args: string[]) =>
  diffTest({
    command: 'python3',
    args: [join(FIXTURES, script), ...args],
    schedule,
    app: kvApp,
    stepTimeoutMs: 5000,
    replicas: ['r1', 'r2'],
  });

describe('diff-test', () => {
  it('records a schedule with every kind of replica input', () => {
    const kinds = new Set(
      schedule.inputs.map((s) => (s.input.kind === 'Receive' ? s.input.msg.type : s.input.kind)),
    );
    for (const k of ['Tick', 'Prepare', 'Promise', 'Accept', 'Accepted', 'Decision', 'Request'])
      expect(kinds).toContain(k);
    expect(schedule.params.replicas).toEqual(['r1', 'r2', 'r3']);
  });

  it('passes the faithful external replica', async () => {
    const result = await run('replica.py');
    expect(result).toMatchObject({ verdict: 'same', replicas: ['r1', 'r2'] });
    expect(result.verdict === 'same' && result.steps).toBeGreaterThan(500);
  });

  it('catches the seeded bug at the first step where it shows: a Prepare that ties on round', async () => {
    const result = await diffTest({
      command: 'python3',
      args: [join(FIXTURES, 'replica_buggy.py')],
      schedule,
      app: kvApp,
      stepTimeoutMs: 5000,
    });
    expect(result.verdict).toBe('differ');
    if (result.verdict !== 'differ') return;
    expect(result.what).toBe('messages');
    expect(result.input.kind === 'Receive' && result.input.msg.type).toBe('Prepare');
    // The buggy acceptor promises a ballot below its promise when only the rounds tie.
    expect(result.external.sends.some((s) => s.includes('"type":"Promise"'))).toBe(true);
    expect(result.reference.sends.some((s) => s.includes('"type":"Promise"'))).toBe(false);
    // Every earlier step agreed: replaying only the steps before it finds no difference.
    const before = {
      ...schedule,
      inputs: schedule.inputs.filter(
        (s, i, all) =>
          s.replica !== result.replica ||
          all.slice(0, i + 1).filter((x) => x.replica === result.replica).length < result.step,
      ),
    };
    const clean = await diffTest({
      command: 'python3',
      args: [join(FIXTURES, 'replica_buggy.py')],
      schedule: before,
      app: kvApp,
      stepTimeoutMs: 5000,
      replicas: [result.replica],
    });
    expect(clean.verdict).toBe('same');
  });

  it.each([
    ['crash', /exited \(code 3\): Traceback: boom/],
    ['garbage', /printed a line that is not JSON/],
    ['wrong-step', /answered step 99, expected 1/],
  ])('reports an external replica that %s as broken', async (mode, reason) => {
    const result = await run('misbehave.py', mode);
    expect(result.verdict).toBe('broken');
    expect(result.verdict === 'broken' && result.reason).toMatch(reason);
  });

  it('times out an external replica that hangs', async () => {
    const result = await diffTest({
      command: 'python3',
      args: [join(FIXTURES, 'misbehave.py'), 'hang'],
      schedule,
      app: kvApp,
      stepTimeoutMs: 300,
      replicas: ['r1'],
    });
    expect(result).toMatchObject({ verdict: 'broken', replica: 'r1', step: 1 });
    expect(result.verdict === 'broken' && result.reason).toMatch(/did not answer within 300 ms/);
  });

  it('reports a command that cannot start', async () => {
    const result = await diffTest({
      command: '/nonexistent/replica',
      args: [],
      schedule,
      app: kvApp,
      stepTimeoutMs: 1000,
      replicas: ['r1'],
    });
    expect(result.verdict).toBe('broken');
    expect(result.verdict === 'broken' && result.reason).toMatch(/could not start|exited|ENOENT/);
  });
});
