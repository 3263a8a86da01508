/**
 * A node's own trace file across crashes (src/runtime/node-trace.ts): a torn last line is cut,
 * the events of a persisting step whose log record never reached the disk are cut (nothing of
 * that step left the process), and the clock goes on from the last event, so the per-node files
 * still merge (Lamport 1978: a node's clock only moves forward).
 */
import { readFileSync, rmSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeHeader, type TraceHeader } from '../../src/trace/format.js';
import { NodeTrace } from '../../src/runtime/node-trace.js';
import { tempDir } from './helpers.js';

const dir = tempDir('node-trace');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const header: TraceHeader = makeHeader(
  ['r1', 'r2', 'r3'],
  ['c1'],
  { app: 'kv' },
  { observe: 'actions', clock: 'lamport', nodes: ['r1'] },
);

function write(path: string, steps: { step: number; persist: boolean; n: number }[]): void {
  const { trace } = NodeTrace.open(path, 'r1', header, null);
  for (const s of steps)
    trace.events(
      Array.from({ length: s.n }, () => ({ action: 'Phase1a' as const })),
      () => undefined,
      s.persist ? { step: s.step, persist: true } : { step: s.step },
    );
  trace.close();
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('node trace files', () => {
  it('go on with the clock of their last event', () => {
    const path = join(dir, 'clock.ndjson');
    write(path, [{ step: 1, persist: true, n: 3 }]);
    const { trace, ranBefore } = NodeTrace.open(path, 'r1', header, 1);
    expect(ranBefore).toBe(true);
    trace.receive({ lamport: 1 });
    expect(trace.sendClock()).toEqual({ lamport: 3 });
    trace.receive({ lamport: 10 });
    trace.events([{ action: 'Restart' }], () => undefined, { step: 2 });
    trace.close();
    expect(JSON.parse(lines(path).at(-1) as string).clock).toEqual({ lamport: 11 });
  });

  it('cut a torn last line', () => {
    const path = join(dir, 'torn.ndjson');
    write(path, [{ step: 1, persist: false, n: 2 }]);
    appendFileSync(path, '{"node":"r1","act');
    const { trace, repaired, tail } = NodeTrace.open(path, 'r1', header, null);
    trace.close();
    expect(repaired).toMatch(/a torn last line \(17 bytes\)/);
    expect(tail).toHaveLength(2);
    expect(lines(path)).toHaveLength(3);
  });

  it('cut the events of a persisting step the log does not hold, and what followed', () => {
    const path = join(dir, 'steps.ndjson');
    write(path, [
      { step: 1, persist: true, n: 1 },
      { step: 2, persist: false, n: 2 },
      { step: 3, persist: true, n: 2 },
      { step: 4, persist: false, n: 1 },
    ]);
    // The log holds step 1 only: step 3's record was lost with the crash.
    const { trace, repaired, tail } = NodeTrace.open(path, 'r1', header, 1);
    trace.close();
    expect(repaired).toMatch(/cut 3 events of steps whose log record was never written/);
    expect(tail.map((e) => e.line.meta?.['step'])).toEqual([1, 2, 2]);
    expect(lines(path)).toHaveLength(4);
  });

  it('refuse a file of another cluster or other flags', () => {
    const path = join(dir, 'other.ndjson');
    write(path, [{ step: 1, persist: false, n: 1 }]);
    const vc = { ...header, clock: 'vc' as const };
    expect(() => NodeTrace.open(path, 'r1', vc, null)).toThrow(/its header is not this node's/);
  });
});
