/**
 * Partial observation (issue 5 §3): the candidate set keeps every spec state the unlogged
 * values allow; unlogged internal steps are allowed up to --max-hidden K; a message sent but
 * never received (loss) needs nothing. And --invariants checks the explorer's invariants on the
 * candidates.
 */
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/trace/checker.js';
import { checkInvariants } from '../../src/spec/event-invariants.js';
import { openTrace } from '../../src/trace/merge.js';
import type { ModelEnv } from '../../src/spec/refusal.js';
import { SlotVector } from '../../src/spec/slot-vector.js';
import { initialWorld, type ReplicaVars } from '../../src/spec/state.js';
import { opCmd } from '../../src/spec/values.js';
import { parse, recordTrace, smr, tempDir, writeLines } from './helpers.js';

const dir = tempDir();

describe('partial observation', () => {
  it('messages-level traces with loss (sends never received) are valid with one candidate', () => {
    const file = writeLines(
      dir,
      'loss.ndjson',
      recordTrace({ seed: 21, steps: 800, faults: ['loss', 'partition'], observe: 'messages' }),
    );
    expect(checkTrace([file])).toMatchObject({ verdict: 'valid', maxCandidates: 1 });
  });

  it('action-only traces are checked over several candidates', () => {
    const file = writeLines(
      dir,
      'actions.ndjson',
      recordTrace({ seed: 22, steps: 500, faults: ['dup'], observe: 'actions' }),
    );
    const r = checkTrace([file]);
    expect(r.verdict).toBe('valid');
    expect(r.maxCandidates).toBeGreaterThan(1);
  });

  /** The first event of `action` whose node's next event needs it (so deleting it matters). */
  function deletable(lines: string[], action: string, next: readonly string[]): number {
    for (let k = 6; k < lines.length; k++) {
      const e = parse(lines[k] as string);
      if (e.action !== action) continue;
      const after = lines
        .slice(k + 1)
        .map(parse)
        .find((x) => x.node === e.node);
      if (after !== undefined && next.includes(after.action)) return k;
    }
    return -1;
  }

  it.each([
    ['BecomeLeader', ['Phase2a', 'ReceiveAccepted']],
    ['StepDown', ['Phase1a']],
    ['Execute', ['Execute']],
  ] as const)('an unlogged %s needs --max-hidden 1', (action, next) => {
    const lines = recordTrace({
      seed: 23,
      steps: 1500,
      faults: ['crash', 'partition', 'loss'],
      observe: 'messages',
    });
    const i = deletable(lines, action, next);
    expect(i).toBeGreaterThan(0);
    const file = writeLines(
      dir,
      `hidden-${action}.ndjson`,
      lines.filter((_, k) => k !== i),
    );
    const strict = checkTrace([file]);
    expect(strict.verdict).toBe('invalid');
    expect(strict.failure?.line).toBeGreaterThanOrEqual(i + 1);
    expect(checkTrace([file], { maxHidden: 1 }).verdict).toBe('valid');
  });

  it('two unlogged steps in a row need --max-hidden 2', () => {
    const lines = recordTrace({
      seed: 23,
      steps: 1500,
      faults: ['crash', 'partition', 'loss'],
      observe: 'messages',
    });
    // Two Executes of one replica in a row, followed by a third: drop the first two.
    const i = lines.findIndex((l, k) => {
      const [a, b, c] = [l, lines[k + 1], lines[k + 2]].map((x) =>
        x === undefined ? undefined : parse(x),
      );
      return (
        k > 5 &&
        a?.action === 'Execute' &&
        b?.action === 'Execute' &&
        c?.action === 'Execute' &&
        a.node === b.node &&
        b.node === c.node
      );
    });
    expect(i).toBeGreaterThan(0);
    const file = writeLines(
      dir,
      'hidden-2.ndjson',
      lines.filter((_, k) => k !== i && k !== i + 1),
    );
    expect(checkTrace([file], { maxHidden: 1 }).verdict).toBe('invalid');
    expect(checkTrace([file], { maxHidden: 2 }).verdict).toBe('valid');
  });

  it('the CLI takes --max-hidden and --invariants', async () => {
    const lines = recordTrace({
      seed: 23,
      steps: 1500,
      faults: ['crash', 'partition', 'loss'],
      observe: 'messages',
    });
    const i = deletable(lines, 'BecomeLeader', ['Phase2a', 'ReceiveAccepted']);
    expect(i).toBeGreaterThan(0);
    const file = writeLines(
      dir,
      'cli-hidden.ndjson',
      lines.filter((_, k) => k !== i),
    );
    expect((await smr('check-trace', file)).code).toBe(1);
    const r = await smr('check-trace', '--max-hidden', '1', '--invariants', '--json', file);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'valid', failure: null });
    expect((await smr('check-trace', '--max-hidden', 'x', file)).code).toBe(2);
  });
});

describe('--invariants on the candidates', () => {
  it('a valid trace satisfies them', () => {
    const file = writeLines(
      dir,
      'inv.ndjson',
      recordTrace({ seed: 26, steps: 800, faults: ['loss', 'crash'], observe: 'full' }),
    );
    expect(checkTrace([file], { invariants: true }).verdict).toBe('valid');
  });

  it('without an app in the header, outputs are taken from the trace and checked for agreement', () => {
    const lines = recordTrace({ seed: 27, steps: 400, observe: 'full' });
    const header = { ...parse(lines[0] as string), params: {} };
    const file = writeLines(dir, 'inv-noapp.ndjson', [JSON.stringify(header), ...lines.slice(1)]);
    expect(checkTrace([file], { invariants: true }).verdict).toBe('valid');
  });

  it('Agreement and PrefixConsistency are reported on a candidate that breaks them', () => {
    const ctx = openTrace(['traces/valid/seed1-full-no-faults.ndjson']);
    ctx.close();
    const env: ModelEnv = { ctx: ctx.ctx, n: 3, causal: () => true, dead: () => false };
    const w = initialWorld(ctx.ctx);
    const a = opCmd('c1', 1, { type: 'get', key: 'x' }, '"a"');
    const b = opCmd('c2', 1, { type: 'get', key: 'y' }, '"b"');
    const r = (i: number, cmd: typeof a, app: unknown): ReplicaVars => ({
      ...(w.replicas[i] as ReplicaVars),
      chosen: SlotVector.empty<typeof a>().set(0, cmd),
      chosenPrefix: 1,
      executed: 1,
      app,
    });
    const broken = {
      ...w,
      replicas: [
        r(0, a, new Map()),
        r(1, b, new Map([['y', { value: '1', version: 1 }]])),
        w.replicas[2] as ReplicaVars,
      ],
    };
    const ev = (action: string, node: string) => ({
      node,
      action,
      slot: 0,
      applied: undefined,
      msg:
        action === 'Learn'
          ? { type: 'Decision' as const, from: 'r1', slot: 0, cmd: b, key: 'k' }
          : undefined,
      lamport: 1,
      vc: null,
      file: 'f',
      line: 2,
    });
    expect(checkInvariants(env, broken, ev('Learn', 'r2'))?.invariant).toBe('Agreement');
    expect(checkInvariants(env, broken, ev('Execute', 'r2'))?.invariant).toBe('PrefixConsistency');
    expect(checkInvariants(env, w, ev('Execute', 'r2'))).toBeNull();
  });
});
