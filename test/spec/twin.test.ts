/**
 * The TS twin of spec/Smr.tla (issues 4 and 13): one function per TLA+ action (src/spec), the
 * same functions the trace checker and the refinement checks run. Its BFS on each MC model
 * reports the distinct-state count TLC reports on the same model (pinned from spec/README.md),
 * the VIEW that drops dead messages is sound, and disabled actions name the conjunct that failed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bfs } from '../../harness/explore/bfs.js';
import { checkState } from '../../src/spec/invariants.js';
import { MODEL_F1, SPEC_MODEL_LIST, SPEC_MODELS } from '../../src/spec/models.js';
import { ModelSteps, refused, type ModelAction } from '../../src/spec/protocol.js';
import type { GhostState } from '../../src/spec/invariants.js';
import {
  acceptedKey,
  acceptKey,
  jsonKey,
  opCmd,
  prepareKey,
  promiseKey,
  replyKey,
  requestKey,
  type Msg,
} from '../../src/spec/values.js';

/** The distinct-state counts TLC reports (spec/README.md, "Models"). */
const TLC_COUNTS: { readonly [model: string]: { readonly distinct: number; readonly depth: number } } = {
  MCSmr_F1: { distinct: 168326, depth: 28 },
  MCSmr_F2: { distinct: 281975, depth: 29 },
  MCSmr_Ckpt: { distinct: 117880, depth: 30 },
  MCSmr_Reconfig_F1: { distinct: 299967, depth: 39 },
  MCSmr_Reconfig_F2: { distinct: 398747, depth: 29 },
  MCSmr_Join_F2: { distinct: 174452, depth: 30 },
};

/**
 * Every model but MCSmr_Ckpt takes from one to five minutes here, longer than a vitest worker
 * may hold its event loop (60 s) on a loaded machine: in the default run their BFS is bounded (every state reached is checked, the count is not), and SMR_FULL_TWIN=1 runs
 * them to the end and compares the count with TLC's (spec/README.md says when that was done).
 */
const FULL = process.env['SMR_FULL_TWIN'] === '1';
const BOUNDED: ReadonlySet<string> = new Set([
  'MCSmr_F1',
  'MCSmr_F2',
  'MCSmr_Reconfig_F1',
  'MCSmr_Reconfig_F2',
  'MCSmr_Join_F2',
]);
const BOUND = 40_000;

describe('the README records the counts pinned here', () => {
  it('spec/README.md has one row per model with these numbers', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'spec', 'README.md'), 'utf8');
    for (const model of SPEC_MODEL_LIST) {
      const row = new RegExp(
        `^\\| \`${model.module}\` \\| \`${model.name}\` \\| ([\\d,]+) \\| [\\d,]+ \\| (\\d+) \\|`,
        'm',
      ).exec(readme);
      expect(row, `a row for ${model.module} in spec/README.md`).not.toBeNull();
      expect(Number(row?.[1]?.replace(/,/g, ''))).toBe(TLC_COUNTS[model.module]?.distinct);
      expect(Number(row?.[2])).toBe(TLC_COUNTS[model.module]?.depth);
    }
  });
});

describe('the twin reproduces TLC (BFS over AtomicNext on the LiveView)', () => {
  for (const model of SPEC_MODEL_LIST) {
    const bounded = BOUNDED.has(model.module) && !FULL;
    const title = bounded
      ? `${model.module}: the first ${BOUND} states, no violation (SMR_FULL_TWIN=1 for the count)`
      : `${model.module}: ${TLC_COUNTS[model.module]?.distinct} distinct states, no violation`;
    it(title, () => {
      const protocol = SPEC_MODELS.get(model.name)?.();
      expect(protocol).toBeDefined();
      if (bounded) {
        console.log(
          `notice: ${model.module} checked on its first ${BOUND} states only; set SMR_FULL_TWIN=1 to compare its count with TLC's`,
        );
        const r = bfs(protocol!, { maxStates: BOUND });
        expect(r.counterexample).toBeNull();
        expect(r.distinctStates).toBeGreaterThanOrEqual(BOUND);
        return;
      }
      const r = bfs(protocol!);
      expect(r.counterexample).toBeNull();
      expect(r.complete).toBe(true);
      expect(r.distinctStates).toBe(TLC_COUNTS[model.module]?.distinct);
      // TLC counts the initial state as depth 1.
      expect(r.depth + 1).toBe(TLC_COUNTS[model.module]?.depth);
    }, FULL ? 3_600_000 : 120_000);
  }
});

const steps = new ModelSteps(MODEL_F1);

describe('the VIEW is sound: a step on a dead message never changes it', () => {
  it(`holds on the first 4000 states of ${MODEL_F1.module}, for every action of Next`, () => {
    const seen = new Set<string>();
    let frontier: GhostState[] = [steps.initial()];
    let checked = 0;
    let deadSteps = 0;
    while (frontier.length > 0 && seen.size < 4000) {
      const next: GhostState[] = [];
      for (const s of frontier) {
        const view = steps.view(s);
        for (const { action, state } of steps.successors(s)) {
          if (action.msg === undefined || action.action === 'Phase1a' || action.action === 'Phase2a')
            continue;
          if (action.action === 'Learn' || steps.isLive(s.w, action.msg)) continue;
          deadSteps++;
          expect(steps.view(state), `${action.action} on a dead message`).toBe(view);
        }
        for (const { state } of steps.atomicSuccessors(s)) {
          const v = steps.view(state);
          if (!seen.has(v)) {
            seen.add(v);
            next.push(state);
          }
        }
        checked++;
      }
      frontier = next;
    }
    expect(checked).toBeGreaterThan(1000);
    expect(deadSteps).toBeGreaterThan(100);
  });
});

const prepare = (from: string, bal: number): Msg => ({
  type: 'Prepare',
  from,
  bal,
  fromSlot: 0,
  key: prepareKey(from, bal, 0),
});
const UNIT = { type: 'inc' };
const request = (c: string): Msg => ({
  type: 'Request',
  from: c,
  seq: 1,
  op: UNIT,
  opKey: jsonKey(UNIT),
  key: requestKey(c, 1, jsonKey(UNIT)),
});
const cmd1 = opCmd('c1', 1, UNIT, jsonKey(UNIT));

describe('actions report the conjunct that fails, with what they expected', () => {
  const s0 = steps.initial();
  const conjunct = (s: GhostState, a: ModelAction): string => {
    const r = steps.take(s, a);
    return refused(r) ? r.conjunct : 'enabled';
  };
  it('names the conjunct as written in Smr.tla', () => {
    expect(conjunct(s0, { action: 'Phase1a', node: 'r1', msg: prepare('r1', 1) })).toBe('Owner(b) = r');
    expect(conjunct(s0, { action: 'BecomeLeader', node: 'r1' })).toBe('role[r] = "candidate"');
    expect(conjunct(s0, { action: 'Execute', node: 'r2' })).toBe('executed[r] \\in ChosenSlots(r)');
    expect(conjunct(s0, { action: 'StepDown', node: 'r2' })).toBe('role[r] # "follower"');
    expect(conjunct(s0, { action: 'Phase1b', node: 'r2', msg: prepare('r1', 0) })).toBe('m \\in msgs');
    const reply: Msg = { type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: 1, outKey: '1', key: replyKey('r1', 'c1', 1, '1') };
    expect(conjunct(s0, { action: 'ClientReceive', node: 'c1', msg: reply })).toBe('pending[c]');
  });

  it('walks a decision through the actions, every state satisfying the invariants', () => {
    let s = s0;
    const accept: Msg = { type: 'Accept', from: 'r1', bal: 0, slot: 0, cmd: cmd1, key: acceptKey('r1', 0, 0, cmd1) };
    const reply = (from: string): Msg => ({ type: 'Reply', from, to: 'c1', seq: 1, output: 1, outKey: '1', key: replyKey(from, 'c1', 1, '1') });
    const walk: ModelAction[] = [
      { action: 'ClientRequest', node: 'c1', msg: request('c1') },
      { action: 'Phase1a', node: 'r1', msg: prepare('r1', 0) },
      { action: 'Phase1b', node: 'r2', msg: prepare('r1', 0) },
      { action: 'ReceivePromise', node: 'r1', msg: { type: 'Promise', from: 'r2', bal: 0, accepted: [], ckpt: 0, key: promiseKey('r2', 0, [], 0) } },
      { action: 'BecomeLeader', node: 'r1' },
      { action: 'Phase2a', node: 'r1', msg: accept },
      { action: 'Phase2b', node: 'r3', msg: accept },
      { action: 'ReceiveAccepted', node: 'r1', msg: { type: 'Accepted', from: 'r3', bal: 0, slot: 0, key: acceptedKey('r3', 0, 0) } },
      { action: 'Decide', node: 'r1', slot: 0 },
      { action: 'Execute', node: 'r1' },
      { action: 'Learn', node: 'r2', msg: { type: 'Decision', from: 'r1', slot: 0, cmd: cmd1, key: 'Decision' } },
      { action: 'Execute', node: 'r2' },
      { action: 'ClientReceive', node: 'c1', msg: reply('r1') },
      { action: 'ClientReceive', node: 'c1', msg: reply('r2') },
      { action: 'Restart', node: 'r1' },
      { action: 'Execute', node: 'r1' },
    ];
    for (const a of walk) {
      const r = steps.take(s, a);
      expect(refused(r) ? `${r.conjunct} (expected ${r.expected}, seen ${r.seen})` : 'enabled', a.action).toBe('enabled');
      if (!refused(r)) s = r;
      expect(checkState(MODEL_F1.constants, s)).toBeNull();
    }
    expect(s.done).toEqual([{ client: 'c1', seq: 1, output: '1' }]);
    expect(s.w.replicas[0]?.executed).toBe(1);
  });
});
