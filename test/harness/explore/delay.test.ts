/**
 * Delay-bounded search (engine/delay.ts): exhaustive within the bound and blind beyond it, with
 * paths that replay, and milestone counts that follow the path. Then the cluster: the default
 * exploration's checkpoint scope reaches checkpoint, truncation and a state transfer to a
 * restarted replica, with nothing flagged on the reference.
 */
import { describe, expect, it } from 'vitest';
import { replayChoices } from '../../../harness/explore/bfs.js';
import { runDelayBounded } from '../../../harness/explore/engine/delay.js';
import {
  auditScopeOptions,
  checkpointScopeOptions,
  explore,
} from '../../../harness/explore/explore.js';
import type { Protocol } from '../../../src/spec/transition-system.js';
import type { Violation } from '../../../src/spec/violation.js';

type Pair = readonly [number, number];

/**
 * Two counters up to `cap`; the scheduler always steps counter 0 while it can. Counter 1 ahead
 * of counter 0 by `lead` takes `lead` departures from it: the bug needs exactly `lead` delays.
 */
function racing(cap: number, lead: number): Protocol<Pair, number> {
  return {
    name: 'racing',
    initialStates: () => [[0, 0]],
    actions: (w) => [0, 1].filter((i) => (w[i] as number) < cap),
    scheduled: () => 0,
    step(w, i) {
      const next: [number, number] = [w[0], w[1]];
      next[i] = (next[i] as number) + 1;
      const done = next[i] === cap ? [i === 0 ? 'zero done' : 'one done'] : [];
      return { world: next, violations: [], milestones: done };
    },
    check(w): Violation[] {
      return w[1] - w[0] >= lead ? [{ invariant: 'Agreement', message: 'counter 1 ahead' }] : [];
    },
    encode: (w) => w.join(','),
    describe: (i) => `Inc ${i}`,
  };
}

describe('delay-bounded search', () => {
  it('finds a bug that needs D departures with D delays, and not with fewer', () => {
    for (const lead of [1, 2, 3]) {
      const missed = runDelayBounded(racing(5, lead), { maxDelays: lead - 1, maxDepth: 50 });
      expect(missed.kind).toBe('complete');
      const found = runDelayBounded(racing(5, lead), { maxDelays: lead, maxDepth: 50 });
      expect(found.kind).toBe('violation');
      // The path replays to the bad state.
      const p = racing(5, lead);
      const { actions } = replayChoices(p, found.choices ?? []);
      const world = actions.reduce((w, a) => p.step(w, a).world, p.initialStates()[0] as Pair);
      expect(world[1] - world[0]).toBe(lead);
    }
  });

  it('with no delays follows the scheduler alone; with enough it is the whole state space', () => {
    const none = runDelayBounded(racing(4, 99), { maxDelays: 0, maxDepth: 50 });
    // [0,0] … [4,0], then counter 1 alone: the scheduler's single run.
    expect(none.distinct).toBe(9);
    const all = runDelayBounded(racing(4, 99), { maxDelays: 8, maxDepth: 50 });
    expect(all.distinct).toBe(25);
    // A state first met with little budget is expanded again when met with more.
    expect(runDelayBounded(racing(4, 99), { maxDelays: 4, maxDepth: 50 }).distinct).toBe(25);
  });

  it('counts the states after each milestone, and after one milestone then another', () => {
    const r = runDelayBounded(racing(2, 99), { maxDelays: 4, maxDepth: 50 });
    // States [2,x] come after "zero done"; [x,2] after "one done"; [2,2] after both, in either order.
    expect(r.milestones['zero done']).toBe(3);
    expect(r.milestones['one done']).toBe(3);
    expect(
      (r.milestones['zero done, then one done'] ?? 0) +
        (r.milestones['one done, then zero done'] ?? 0),
    ).toBeGreaterThanOrEqual(1);
  });

  it('refuses a protocol without a scheduler', () => {
    const { scheduled: _none, ...bare } = racing(2, 9);
    expect(() => runDelayBounded(bare, { maxDelays: 1, maxDepth: 9 })).toThrow(/scheduler/);
  });
});

describe('the checkpoint scope (second part of the default exploration)', () => {
  it('reaches checkpoint, truncation and a state transfer to a restarted replica, and flags nothing', async () => {
    const r = await explore(checkpointScopeOptions(3, undefined, { maxDelays: 2 }));
    expect(r.status).toBe('ok');
    expect(r.complete).toBe(true);
    expect(r.invariants).toContain('CheckpointSafety');
    expect(r.milestones?.['checkpoint']).toBeGreaterThan(0);
    expect(r.milestones?.['truncation']).toBeGreaterThan(0);
    expect(r.milestones?.['restart, then state transfer']).toBeGreaterThan(0);
  }, 60_000);
});

describe('the audit scope (third part of the default exploration)', () => {
  it('reaches an audit detection, a QUIT, a JOIN and a state transfer after a detection, and flags nothing', async () => {
    const r = await explore(auditScopeOptions(3, undefined));
    expect(r.status).toBe('ok');
    expect(r.complete).toBe(true);
    expect(r.invariants).toEqual(expect.arrayContaining(['ConfigSafety', 'AuditDetects']));
    for (const m of ['audit detection', 'QUIT', 'JOIN', 'audit detection, then state transfer'])
      expect(r.milestones?.[m], m).toBeGreaterThan(0);
  }, 60_000);

  it('counts more than thirty kinds of milestone (pairs included) without losing one', async () => {
    // The bit mask was a 31-bit number once: past thirty names, new ones were never counted.
    const r = await explore(auditScopeOptions(3, undefined));
    expect(Object.keys(r.milestones ?? {}).length).toBeGreaterThan(30);
  }, 60_000);
});
