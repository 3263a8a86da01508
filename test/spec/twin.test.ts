/**
 * The TS twin of spec/Smr.tla (issue 4, item 3): its BFS on each MC model reports the distinct
 * state count TLC reports on the same model (pinned from spec/README.md), the VIEW that drops
 * dead messages is sound, and disabled actions name the guard conjunct that failed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bfs } from '../../harness/explore/bfs.js';
import { applyAction, successors, type SpecAction } from '../../src/spec/actions.js';
import { atomicSuccessors } from '../../src/spec/atomic.js';
import { encodeView, isLive } from '../../src/spec/encode.js';
import { checkState } from '../../src/spec/invariants.js';
import { MODEL_F1, SPEC_MODEL_LIST, SPEC_MODELS } from '../../src/spec/models.js';
import { init } from '../../src/spec/state.js';
import type { Msg, SpecState } from '../../src/spec/types.js';

/** The distinct-state counts TLC reports (spec/README.md, "Models"). */
const TLC_COUNTS: { readonly [model: string]: { readonly distinct: number; readonly depth: number } } = {
  MCSmr_F1: { distinct: 45266, depth: 28 },
  MCSmr_F2: { distinct: 31786, depth: 29 },
};

describe('the README records the counts pinned here', () => {
  it('spec/README.md has one row per model with these numbers', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'spec', 'README.md'), 'utf8');
    for (const model of SPEC_MODEL_LIST) {
      const row = new RegExp(`^\\| \`${model.module}\` \\| \`${model.name}\` \\| ([\\d,]+) \\| [\\d,]+ \\| (\\d+) \\|`, 'm').exec(readme);
      expect(row, `a row for ${model.module} in spec/README.md`).not.toBeNull();
      expect(Number(row?.[1]?.replace(/,/g, ''))).toBe(TLC_COUNTS[model.module]?.distinct);
      expect(Number(row?.[2])).toBe(TLC_COUNTS[model.module]?.depth);
    }
  });
});

describe('the twin reproduces TLC (BFS over AtomicNext on the LiveView)', () => {
  for (const model of SPEC_MODEL_LIST) {
    it(`${model.module}: ${TLC_COUNTS[model.module]?.distinct} distinct states, no violation`, () => {
      const protocol = SPEC_MODELS.get(model.name)?.();
      expect(protocol).toBeDefined();
      const r = bfs(protocol!);
      expect(r.counterexample).toBeNull();
      expect(r.complete).toBe(true);
      expect(r.distinctStates).toBe(TLC_COUNTS[model.module]?.distinct);
      // TLC counts the initial state as depth 1.
      expect(r.depth + 1).toBe(TLC_COUNTS[model.module]?.depth);
    });
  }
});

describe('the VIEW is sound: a step on a dead message never changes it', () => {
  it(`holds on the first 4000 states of ${MODEL_F1.module}, for every Spec action`, () => {
    const k = MODEL_F1.constants;
    const crashable = new Set(MODEL_F1.crashable);
    const seen = new Set<string>();
    let frontier: SpecState[] = [init(k)];
    let checked = 0;
    let deadSteps = 0;
    while (frontier.length > 0 && seen.size < 4000) {
      const next: SpecState[] = [];
      for (const s of frontier) {
        const view = encodeView(k, s);
        for (const { action, state } of successors(k, s)) {
          if (!('msg' in action) || isLive(k, s, action.msg)) continue;
          deadSteps++;
          expect(encodeView(k, state), `${action.action} on a dead message`).toBe(view);
        }
        for (const { state } of atomicSuccessors(k, crashable, s)) {
          const v = encodeView(k, state);
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

  it('a Promise dies when its candidate leads, a Prepare once every other replica promised', () => {
    const k = MODEL_F1.constants;
    const prepare: Msg = { type: 'Prepare', from: 'r1', bal: 0, fromSlot: 0 };
    const promise: Msg = { type: 'Promise', from: 'r2', bal: 0, accepted: [] };
    let s = init(k);
    const take = (a: SpecAction): void => {
      const r = applyAction(k, s, a);
      if (!r.ok) throw new Error(`${a.action}: ${r.guard}`);
      s = r.state;
    };
    take({ action: 'Phase1a', node: 'r1', ballot: 0 });
    take({ action: 'Phase1b', node: 'r2', msg: prepare });
    expect([isLive(k, s, prepare), isLive(k, s, promise)]).toEqual([true, true]);
    take({ action: 'ReceivePromise', node: 'r1', msg: promise });
    take({ action: 'BecomeLeader', node: 'r1' });
    expect(isLive(k, s, promise)).toBe(false);
    expect(isLive(k, s, prepare)).toBe(true); // r3 may still promise
    take({ action: 'Phase1b', node: 'r3', msg: prepare });
    expect(isLive(k, s, prepare)).toBe(false);
  });
});

describe('actions report the guard conjunct that fails (for the trace checker)', () => {
  const k = MODEL_F1.constants;
  const s0 = init(k);
  const guard = (s: SpecState, a: SpecAction): string => {
    const r = applyAction(k, s, a);
    return r.ok ? 'enabled' : r.guard;
  };
  it('names the conjunct as written in Smr.tla', () => {
    expect(guard(s0, { action: 'Phase1a', node: 'r1', ballot: 1 })).toBe('Owner(b) = r');
    expect(guard(s0, { action: 'BecomeLeader', node: 'r1' })).toBe('role[r] = "candidate"');
    expect(guard(s0, { action: 'Execute', node: 'r2' })).toBe('executed[r] \\in ChosenSlots(r)');
    expect(guard(s0, { action: 'StepDown', node: 'r2' })).toBe('role[r] # "follower"');
    const prepare: Msg = { type: 'Prepare', from: 'r1', bal: 0, fromSlot: 0 };
    expect(guard(s0, { action: 'Phase1b', node: 'r2', msg: prepare })).toBe('m \\in msgs');
    expect(guard(s0, { action: 'ClientReceive', node: 'c1', msg: { type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: 1 } })).toBe('pending[c]');
  });

  it('walks a decision through the actions, every state satisfying the invariants', () => {
    let s = s0;
    const steps: SpecAction[] = [
      { action: 'ClientRequest', node: 'c1' },
      { action: 'Phase1a', node: 'r1', ballot: 0 },
      { action: 'Phase1b', node: 'r2', msg: { type: 'Prepare', from: 'r1', bal: 0, fromSlot: 0 } },
      { action: 'ReceivePromise', node: 'r1', msg: { type: 'Promise', from: 'r2', bal: 0, accepted: [] } },
      { action: 'BecomeLeader', node: 'r1' },
      { action: 'Phase2a', node: 'r1', slot: 0, cmd: { kind: 'op', client: 'c1', seq: 1 } },
      { action: 'Phase2b', node: 'r3', msg: { type: 'Accept', from: 'r1', bal: 0, slot: 0, cmd: { kind: 'op', client: 'c1', seq: 1 } } },
      { action: 'ReceiveAccepted', node: 'r1', msg: { type: 'Accepted', from: 'r3', bal: 0, slot: 0 } },
      { action: 'Decide', node: 'r1', slot: 0 },
      { action: 'Execute', node: 'r1' },
      { action: 'Learn', node: 'r2', slot: 0, cmd: { kind: 'op', client: 'c1', seq: 1 } },
      { action: 'Execute', node: 'r2' },
      { action: 'ClientReceive', node: 'c1', msg: { type: 'Reply', from: 'r1', to: 'c1', seq: 1, output: 1 } },
      { action: 'ClientReceive', node: 'c1', msg: { type: 'Reply', from: 'r2', to: 'c1', seq: 1, output: 1 } },
      { action: 'Restart', node: 'r1' },
      { action: 'Execute', node: 'r1' },
      { action: 'ReplyFromSession', node: 'r1', msg: { type: 'Request', from: 'c1', seq: 1 } },
    ];
    for (const a of steps) {
      const r = applyAction(k, s, a);
      expect(r.ok ? 'enabled' : r.guard, a.action).toBe('enabled');
      if (r.ok) s = r.state;
      expect(checkState(k, s)).toBeNull();
    }
    expect(s.done).toEqual([{ client: 'c1', seq: 1, output: 1 }]);
    expect(s.replicas[0]?.executed).toBe(1);
  });
});
