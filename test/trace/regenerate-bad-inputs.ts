/**
 * Regenerates test/data/traces/bad/ — malformed traces, each a one-line input error (exit 2) —
 * and test/data/traces/native-only/ — traces the native checker rejects but TLC's projection
 * cannot see (ops and outputs, which spec/Smr.tla abstracts). Run:
 *   npx tsx test/trace/regenerate-bad-inputs.ts --rewrite
 * then read the diff of expected.json: it records what the checker says today.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../../src/errors.js';
import { checkTrace } from '../../src/trace/checker.js';

const HERE = import.meta.dirname;
const REPO = join(HERE, '..', '..');
const DATA = join(REPO, 'test', 'data', 'traces');
const BASE = join(REPO, 'traces', 'valid', 'seed1-full-no-faults.ndjson');

type Edit = (lines: string[]) => string[] | Buffer;

const event = (lines: string[], i: number): Record<string, unknown> =>
  JSON.parse(lines[i] as string) as Record<string, unknown>;
const put = (lines: string[], i: number, e: unknown): string[] => {
  const out = [...lines];
  out[i] = JSON.stringify(e);
  return out;
};
const firstOf = (lines: string[], action: string): number =>
  lines.findIndex((l, i) => i > 0 && (JSON.parse(l) as { action: string }).action === action);

const BAD: Readonly<Record<string, Edit>> = {
  empty: () => [],
  'no-header': (l) => l.slice(1),
  'foreign-header': (l) => [JSON.stringify({ resourceSpans: [] }), ...l.slice(1)],
  'version-3': (l) => [JSON.stringify({ ...event(l, 0), version: 3 }), ...l.slice(1)],
  'checkpoint-in-version-1': (l) => {
    const i = firstOf(l, 'Execute');
    const { slot, node, clock } = event(l, i);
    return put([JSON.stringify({ ...event(l, 0), version: 1 }), ...l.slice(1)], i, {
      node,
      action: 'Checkpoint',
      clock,
      slot,
    });
  },
  'bad-json': (l) => [...l.slice(0, 3), '{"node": "r1", "action":', ...l.slice(4)],
  'truncated-last-line': (l) => [...l.slice(0, 20), (l[20] as string).slice(0, 40)],
  'unknown-action': (l) => put(l, 5, { ...event(l, 5), action: 'Phase3' }),
  'unknown-node': (l) => put(l, 5, { ...event(l, 5), node: 'r9' }),
  'unknown-field': (l) => put(l, 5, { ...event(l, 5), term: 3 }),
  'slot-not-integer': (l) => {
    const i = firstOf(l, 'Phase2b');
    return put(l, i, { ...event(l, i), slot: '0' });
  },
  'ballot-round-string': (l) => {
    const i = firstOf(l, 'Phase1a');
    const e = event(l, i) as { msg: { ballot: { round: unknown } } };
    e.msg.ballot.round = '1';
    return put(l, i, e);
  },
  'msg-of-wrong-type': (l) => {
    const i = firstOf(l, 'Phase2b');
    return put(l, i, { ...event(l, i), msg: event(l, firstOf(l, 'Phase1a'))['msg'] });
  },
  'client-action-on-replica': (l) => {
    const i = firstOf(l, 'ClientRequest');
    return put(l, i, { ...event(l, i), node: 'r1' });
  },
  'state-unknown-variable': (l) => {
    const i = firstOf(l, 'Execute');
    return put(l, i, { ...event(l, i), state: { term: 2 } });
  },
  'duplicated-event': (l) => [...l.slice(0, 8), l[7] as string, ...l.slice(8)],
  'clock-backwards': (l) => {
    const i = firstOf(l, 'Phase2a');
    return put(l, i, { ...event(l, i), clock: { lamport: 0 } });
  },
  'receive-before-send': (l) => {
    // The first Phase2b (r2 consumes the Accept) moved above the Phase2a that sends it.
    const send = firstOf(l, 'Phase2a');
    const receive = firstOf(l, 'Phase2b');
    const out = [...l];
    const [moved] = out.splice(receive, 1);
    out.splice(send, 0, moved as string);
    return out;
  },
  'vector-clock-in-lamport-trace': (l) => put(l, 3, { ...event(l, 3), clock: { vc: { r1: 1 } } }),
  'not-utf8': (l) => {
    const text = Buffer.from([...l.slice(0, 4), ''].join('\n'));
    return Buffer.concat([
      text,
      Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]),
      Buffer.from(l.slice(4).join('\n') + '\n'),
    ]);
  },
};

/** Edits the spec (and TLC) cannot see but the native checker computes: app outputs and ops. */
const NATIVE_ONLY: Readonly<Record<string, Edit>> = {
  'edited-reply-output': (l) => {
    const i = l.findIndex(
      (x, j) =>
        j > 0 &&
        (JSON.parse(x) as { action: string; applied?: boolean }).action === 'Execute' &&
        (JSON.parse(x) as { applied?: boolean }).applied === true,
    );
    const e = event(l, i) as { msg: { output: unknown } };
    e.msg.output = 'not what the app returns';
    return put(l, i, e);
  },
  'edited-state-accepted-op': (l) => {
    // The logged accepted value's op: Smr (so TLC's projection and the twin) has no ops.
    const i = firstOf(l, 'Phase2b');
    const e = event(l, i) as { state: { accepted: Record<string, { cmd: { op?: unknown } }> } };
    for (const entry of Object.values(e.state.accepted))
      entry.cmd.op = { type: 'put', key: 'zz', value: 'changed' };
    return put(l, i, e);
  },
  'edited-request-op': (l) => {
    const i = firstOf(l, 'Phase2b');
    const e = event(l, i) as { msg: { cmd: { op?: unknown } } };
    e.msg.cmd.op = { type: 'put', key: 'zz', value: 'changed' };
    return put(l, i, e);
  },
};

function regenerate(): void {
  const base = readFileSync(BASE, 'utf8').trimEnd().split('\n');
  const expected: Record<string, unknown> = {};
  for (const [group, edits] of [
    ['bad', BAD],
    ['native-only', NATIVE_ONLY],
  ] as const) {
    const dir = join(DATA, group);
    mkdirSync(dir, { recursive: true });
    const outcomes: Record<string, unknown> = {};
    for (const [name, edit] of Object.entries(edits)) {
      const file = join(dir, `${name}.ndjson`);
      const out = edit(base);
      writeFileSync(
        file,
        Buffer.isBuffer(out)
          ? out
          : out.length === 0
            ? ''
            : out.join('\n') + (name === 'truncated-last-line' ? '' : '\n'),
      );
      try {
        const r = checkTrace([relative(REPO, file)]);
        outcomes[name] = {
          exit: r.verdict === 'valid' ? 0 : 1,
          line: r.failure?.line ?? null,
          reason: r.failure?.conjunct ?? null,
        };
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        outcomes[name] = { exit: 2, line: error.line ?? null, reason: error.reason };
      }
    }
    expected[group] = outcomes;
    writeFileSync(join(dir, 'expected.json'), JSON.stringify(outcomes, null, 2) + '\n');
  }
  console.log(JSON.stringify(expected, null, 2));
}

if (process.argv.includes('--rewrite')) regenerate();
else console.log('usage: npx tsx test/trace/regenerate-bad-inputs.ts --rewrite');
