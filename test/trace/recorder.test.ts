/**
 * The one writer (src/trace/recorder.ts) at the three observation levels of issue 5 §5 —
 * `full` (messages and state), `messages`, `actions` — through `smr simulate --observe`, and
 * the state views it logs, which must be the spec's variables (checked by replaying them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/trace/checker.js';
import { parse, recordTrace, smr, tempDir, writeLines } from './helpers.js';

const dir = tempDir();

describe('recording at three observation levels', () => {
  it.each(['full', 'messages', 'actions'] as const)(
    'smr simulate --observe %s writes a trace the checker accepts',
    async (level) => {
      const file = join(dir, `${level}.ndjson`);
      const r = await smr(
        'simulate',
        '--seed',
        '12',
        '--steps',
        '600',
        '--faults',
        'loss,dup',
        '--observe',
        level,
        '--trace',
        file,
      );
      expect(r.code).toBe(0);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(parse(lines[0] as string)).toMatchObject({
        format: 'smr-trace',
        version: 2,
        observe: level,
        clock: 'lamport',
      });
      const events = lines.slice(1).map(parse);
      const withMsg = events.filter((e) => e['msg'] !== undefined).length;
      const withState = events.filter((e) => e['state'] !== undefined).length;
      if (level === 'full') expect(withState).toBeGreaterThan(events.length / 3);
      else expect(withState).toBe(0);
      if (level === 'actions') {
        expect(withMsg).toBe(0);
        for (const e of events)
          expect(Object.keys(e).every((k) => ['node', 'action', 'clock', 'slot'].includes(k))).toBe(
            true,
          );
      } else expect(withMsg).toBeGreaterThan(events.length / 2);
      expect(checkTrace([file], { maxCandidates: 20_000 }).verdict).toBe('valid');
    },
  );

  it('the same run at every level has the same events in the same order', () => {
    const strip = (lines: string[]) =>
      lines.slice(1).map((l) => {
        const e = parse(l);
        return `${e.node} ${e.action} ${JSON.stringify(e['clock'])}`;
      });
    const full = strip(recordTrace({ seed: 5, steps: 400, observe: 'full' }));
    expect(strip(recordTrace({ seed: 5, steps: 400, observe: 'messages' }))).toEqual(full);
    expect(strip(recordTrace({ seed: 5, steps: 400, observe: 'actions' }))).toEqual(full);
  });

  it("a full trace logs state on a step's last event, in the spec's terms", () => {
    const lines = recordTrace({ seed: 6, steps: 500, faults: ['crash'], observe: 'full' });
    const events = lines.slice(1).map(parse);
    const replicaStates = events
      .filter((e) => e.node.startsWith('r') && e['state'] !== undefined)
      .map((e) => e['state'] as Record<string, unknown>);
    for (const s of replicaStates) {
      expect(Object.keys(s)).toEqual(
        expect.arrayContaining([
          'promised',
          'role',
          'ballot',
          'prepareFrom',
          'nextSlot',
          'executed',
          'app',
        ]),
      );
      // The spec resets a follower's ballot and a non-leader's next slot; so does the view.
      if (s['role'] === 'follower') expect(s['ballot']).toBeNull();
      if (s['role'] !== 'leader') expect(s['nextSlot']).toBe(0);
    }
    const clientStates = events
      .filter((e) => e.node.startsWith('c') && e['state'] !== undefined)
      .map((e) => e['state']);
    expect(clientStates.length).toBeGreaterThan(0);
    for (const s of clientStates)
      expect(s).toMatchObject({ clientSeq: expect.any(Number), pending: expect.any(Boolean) });
  });

  it('a wrong value in any logged state variable is caught at its line', () => {
    const lines = recordTrace({ seed: 7, steps: 400, observe: 'full' });
    const edits: [string, (s: Record<string, unknown>) => void][] = [
      ['promised', (s) => void (s['promised'] = { round: 9, leader: 'r3' })],
      ['role', (s) => void (s['role'] = s['role'] === 'leader' ? 'follower' : 'leader')],
      ['executed', (s) => void (s['executed'] = (s['executed'] as number) + 1)],
      ['app', (s) => void (s['app'] = { edited: 'yes' })],
    ];
    for (const [name, edit] of edits) {
      const i = lines.findIndex(
        (l, k) => k > 40 && parse(l).node === 'r2' && parse(l)['state'] !== undefined,
      );
      const e = parse(lines[i] as string);
      edit(e['state'] as Record<string, unknown>);
      const copy = [...lines];
      copy[i] = JSON.stringify(e);
      const r = checkTrace([writeLines(dir, `state-${name}.ndjson`, copy)]);
      expect(r.failure, name).toMatchObject({ line: i + 1, conjunct: `state.${name}` });
    }
  });

  it('a Restart shows the durable log again on the slots the node logged before', () => {
    // A restart touches no slot itself; without this a recovery that lost accepted values or
    // the chosen log would leave no trace (harness/mutants forget-*-on-restart).
    const lines = recordTrace({ seed: 10, steps: 600, faults: ['crash'] });
    const logged = new Map<string, Set<string>>();
    let restarts = 0;
    for (let i = 1; i < lines.length; i++) {
      const e = parse(lines[i] as string);
      if (e.action === 'Restart' && (logged.get(e.node)?.size ?? 0) > 0) {
        restarts++;
        // The state is logged on the last event of the restart's step, an event of the same node.
        const end = lines
          .slice(i)
          .map(parse)
          .find((x) => x['state'] !== undefined);
        expect(end?.node).toBe(e.node);
        const shown = Object.keys((end?.['state'] as { accepted?: object }).accepted ?? {});
        const before = logged.get(e.node) ?? new Set<string>();
        const again = shown.filter((slot) => before.has(slot));
        expect(again.length).toBe(Math.min(8, before.size));
      }
      const accepted = (e['state'] as { accepted?: object } | undefined)?.accepted;
      for (const slot of Object.keys(accepted ?? {})) {
        if (!logged.has(e.node)) logged.set(e.node, new Set());
        logged.get(e.node)?.add(slot);
      }
    }
    expect(restarts).toBeGreaterThan(0);
    expect(checkTrace([writeLines(dir, 'restarts.ndjson', lines)]).verdict).toBe('valid');
  });
});
