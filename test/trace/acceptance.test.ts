/**
 * Issue 5 "Done when": a fresh `smr simulate --seed 3 --trace FILE` validates (here with fewer
 * steps than the 50,000 — bench/README.md records the full run); changing any
 * single accepted value, deleting a delivered message's send, or swapping two causally ordered
 * events makes it fail at the right line with a reason. fast-check picks which.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkTrace } from '../../src/trace/checker.js';
import { parse, smr, tempDir, writeLines, type Event } from './helpers.js';

let dir: string;
let base: string[];

beforeAll(async () => {
  dir = tempDir();
  const file = join(dir, 't.ndjson');
  const r = await smr(
    'simulate',
    '--seed',
    '3',
    '--steps',
    '3000',
    '--faults',
    'loss,dup,crash',
    '--trace',
    file,
  );
  expect(r.code).toBe(0);
  base = readFileSync(file, 'utf8').trimEnd().split('\n');
});

/** The verdict on edited lines: 0 valid, 1 invalid, 2 bad input; and the line it names. */
function verdict(lines: readonly string[]): { exit: number; line: number | null; reason: string } {
  const file = writeLines(dir, 'edited.ndjson', lines);
  try {
    const r = checkTrace([file]);
    return {
      exit: r.verdict === 'valid' ? 0 : 1,
      line: r.failure?.line ?? null,
      reason: r.failure?.conjunct ?? '',
    };
  } catch (error) {
    if (error instanceof InputError)
      return { exit: 2, line: error.line ?? null, reason: error.reason };
    throw error;
  }
}

const events = (): Event[] => base.slice(1).map(parse);
/** 1-based file line of events()[i]. */
const lineOf = (i: number): number => i + 2;

describe('smr simulate --seed 3 --trace FILE; smr check-trace FILE', () => {
  it('a fresh simulator trace (fully observed) validates', async () => {
    const r = await smr('check-trace', join(dir, 't.ndjson'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^valid: /);
  });

  it('changing any single accepted value fails at that line', () => {
    const all = events();
    const carriers = all.flatMap((e, i) => {
      const m = e['msg'] as { type?: string; cmd?: unknown } | undefined;
      return m?.cmd !== undefined && ['Phase2a', 'Phase2b', 'Decide', 'Learn'].includes(e.action)
        ? [i]
        : [];
    });
    expect(carriers.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(
        fc.constantFrom(...carriers),
        fc.constantFrom('seq', 'client', 'kind'),
        (i, what) => {
          const e = structuredClone(all[i]) as Event & { msg: { cmd: Record<string, unknown> } };
          const cmd = e.msg.cmd;
          if (what === 'kind')
            e.msg.cmd =
              cmd['kind'] === 'noop'
                ? { kind: 'op', client: 'c1', seq: 999, op: null }
                : { kind: 'noop' };
          else if (cmd['kind'] !== 'op')
            return; // a no-op or a checkpoint has no client or seq
          else if (what === 'seq') cmd['seq'] = (cmd['seq'] as number) + 100;
          else cmd['client'] = cmd['client'] === 'c1' ? 'c2' : 'c1';
          const lines = [...base];
          lines[i + 1] = JSON.stringify(e);
          const v = verdict(lines);
          expect(v.exit, `${e.action} at line ${lineOf(i)}`).toBe(1);
          expect(v.line).toBe(lineOf(i));
          expect(v.reason).not.toBe('');
        },
      ),
      { numRuns: 40 },
    );
  });

  it("deleting a delivered message's send fails no later than the first receive of it", () => {
    const all = events();
    const key = (m: unknown): string => JSON.stringify(m);
    const sends = new Map<string, number[]>();
    all.forEach((e, i) => {
      if (
        ['Phase1a', 'Phase2a', 'Execute', 'ReplyFromSession', 'ClientRequest'].includes(e.action) &&
        e['msg'] !== undefined
      )
        sends.set(key(e['msg']), [...(sends.get(key(e['msg'])) ?? []), i]);
    });
    const receivers: Record<string, string> = {
      Prepare: 'Phase1b',
      Accept: 'Phase2b',
      Reply: 'ClientReceive',
    };
    const cases = [...sends.entries()].flatMap(([k, at]) => {
      if (at.length !== 1) return [];
      const sent = at[0] as number;
      const type = (JSON.parse(k) as { type: string }).type;
      const receive = all.findIndex(
        (e, i) => i > sent && e.action === receivers[type] && key(e['msg']) === k,
      );
      return receive < 0 ? [] : [[sent, receive] as const];
    });
    expect(cases.length).toBeGreaterThan(20);
    fc.assert(
      fc.property(fc.constantFrom(...cases), ([sent, receive]) => {
        const lines = base.filter((_, j) => j !== sent + 1);
        const v = verdict(lines);
        expect(v.exit).toBe(1);
        // After the deletion the receive sits one line up; an event of the sender that needed
        // the deleted step (its state, a vote for the proposal) may fail first.
        expect(v.line).toBeGreaterThanOrEqual(lineOf(sent));
        expect(v.line).toBeLessThanOrEqual(lineOf(receive) - 1);
      }),
      { numRuns: 40 },
    );
  });

  it('swapping two causally ordered events fails between the two lines', () => {
    const all = events();
    // Causally ordered: consecutive events of one node, or a send and the receive of it.
    const pairs: (readonly [number, number])[] = [];
    const last = new Map<string, number>();
    all.forEach((e, i) => {
      const prev = last.get(e.node);
      if (prev !== undefined) pairs.push([prev, i]);
      last.set(e.node, i);
    });
    fc.assert(
      fc.property(fc.constantFrom(...pairs), ([a, b]) => {
        const lines = [...base];
        lines[a + 1] = base[b + 1] as string;
        lines[b + 1] = base[a + 1] as string;
        const v = verdict(lines);
        // At the later line the node's clock goes backwards; an event in between may fail
        // first, when it receives what the moved-down event sends (a receive before its send).
        expect(v.exit).not.toBe(0);
        expect(v.line).toBeGreaterThanOrEqual(lineOf(a));
        expect(v.line).toBeLessThanOrEqual(lineOf(b));
        expect(v.reason).not.toBe('');
      }),
      { numRuns: 60 },
    );
  });

  it('swapping a send with the receive of its message is a receive before its send (exit 2)', () => {
    const all = events();
    const i = all.findIndex((e) => e.action === 'Phase2a');
    const j = all.findIndex(
      (e, k) =>
        k > i &&
        e.action === 'Phase2b' &&
        JSON.stringify(e['msg']) === JSON.stringify(all[i]?.['msg']),
    );
    const lines = [...base];
    lines[i + 1] = base[j + 1] as string;
    lines[j + 1] = base[i + 1] as string;
    const v = verdict(lines);
    expect(v.exit).toBe(2);
    expect(v.line).toBe(lineOf(i));
    expect(v.reason).toMatch(/a receive before its send/);
  });
});
