/**
 * Merging per-node files (issue 5 §2): by Lamport clock then node, or by vector clocks (any
 * linearisation consistent with causality — Mattern/Fidge). A trace split into one file per
 * node gets the verdict of the whole trace, whatever order the files are given in; clock
 * anomalies are input errors naming file:line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { checkTrace } from '../../src/trace/checker.js';
import { parse, recordTrace, tempDir, writeLines } from './helpers.js';

const dir = tempDir();

function split(lines: readonly string[], name: string): string[] {
  const header = parse(lines[0] as string) as unknown as { replicas: string[]; clients: string[] };
  const files: string[] = [];
  for (const node of [...header.replicas, ...header.clients]) {
    const own = lines.slice(1).filter((l) => parse(l).node === node);
    files.push(
      writeLines(dir, `${name}-${node}.ndjson`, [
        JSON.stringify({ ...header, nodes: [node] }),
        ...own,
      ]),
    );
  }
  return files;
}

function errorOf(files: readonly string[]): InputError {
  try {
    checkTrace(files);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an input error');
}

describe('per-node files merged by their clocks', () => {
  it('a split trace is valid in any file order, with Lamport and with vector clocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom('lamport' as const, 'vc' as const),
        fc.constantFrom('full' as const, 'messages' as const),
        (seed, clock, observe) => {
          const lines = recordTrace({
            seed,
            steps: 400,
            faults: ['loss', 'dup', 'reorder', 'crash'],
            clock,
            observe,
          });
          const files = split(lines, `s${seed}-${clock}`);
          expect(checkTrace(files).verdict).toBe('valid');
          expect(checkTrace([...files].reverse()).verdict).toBe('valid');
        },
      ),
      { numRuns: 12 },
    );
  });

  it('vector clocks are consistent: each node advances its own entry on every event', () => {
    const lines = recordTrace({ seed: 4, steps: 300, clock: 'vc' });
    const last = new Map<string, number>();
    for (const l of lines.slice(1)) {
      const e = JSON.parse(l) as { node: string; clock: { vc: Record<string, number> } };
      const own = e.clock.vc[e.node] ?? 0;
      expect(own).toBeGreaterThan(last.get(e.node) ?? 0);
      last.set(e.node, own);
    }
  });

  it('a clock that goes backwards within a merged file is an input error at that line', () => {
    const files = split(recordTrace({ seed: 9, steps: 300 }), 'back');
    const r1 = files[0] as string;
    const text = readFileSync(r1, 'utf8').trimEnd().split('\n');
    const e = JSON.parse(text[3] as string) as { clock: { lamport: number } };
    e.clock.lamport = 0;
    text[3] = JSON.stringify(e);
    writeLines(dir, 'back-r1.ndjson', text);
    const error = errorOf(files);
    expect(error.file).toBe(join(dir, 'back-r1.ndjson'));
    expect(error.line).toBe(4);
    expect(error.reason).toMatch(/^clock anomaly: /);
  });

  it('a receive whose Lamport clock is not after its send is a receive before its send', () => {
    const files = split(recordTrace({ seed: 11, steps: 300 }), 'early');
    // Lower r2's clocks so its first Phase1b sorts before r1's Phase1a that sent the Prepare.
    const r2 = files[1] as string;
    const text = readFileSync(r2, 'utf8').trimEnd().split('\n');
    const shifted = text.map((l, i) => {
      if (i === 0) return l;
      const e = JSON.parse(l) as { clock: { lamport: number } };
      e.clock.lamport = Math.max(0, e.clock.lamport - 2);
      return JSON.stringify(e);
    });
    writeLines(dir, 'early-r2.ndjson', shifted);
    const error = errorOf(files);
    expect(error.file).toBe(join(dir, 'early-r2.ndjson'));
    expect(error.reason).toMatch(/a receive before its send/);
  });

  it('files of different systems are not merged', () => {
    const a = split(recordTrace({ seed: 2, steps: 100 }), 'sysa');
    const b = split(recordTrace({ seed: 2, steps: 100, replicas: 5 }), 'sysb');
    const error = errorOf([a[0] as string, b[0] as string]);
    expect(error).toMatchObject({ line: 1 });
    expect(error.reason).toMatch(/cannot merge/);
  });

  it('per-node files that leave out a node the header names are refused, naming it (issue 17)', () => {
    const files = split(recordTrace({ seed: 3, steps: 200 }), 'partial');
    const replicasOnly = files.filter((f) => /-r\d\.ndjson$/.test(f));
    const error = errorOf(replicasOnly);
    expect(error.reason).toMatch(/header also names c1, c2: give every node's file/);
    // Said to be partial, the files are checked as they are (the clients' events are absent).
    expect(() => checkTrace(replicasOnly, { partial: true })).not.toThrow();
  });
});

describe('results that checked nothing, or less than asked, say so (issue 17)', () => {
  it('a trace with only its header is an input error, not "valid, 0 events"', () => {
    const lines = recordTrace({ seed: 4, steps: 50 });
    const file = writeLines(dir, 'header-only.ndjson', [lines[0] as string]);
    expect(() => checkTrace([file])).toThrow(/header but no events: nothing was checked/);
  });

  it('a header without params.app gives a valid verdict with a warning that outputs went unchecked', () => {
    const lines = recordTrace({ seed: 5, steps: 100 });
    const header = parse(lines[0] as string) as unknown as { params: Record<string, unknown> };
    const { app: _app, ...params } = header.params;
    const file = writeLines(dir, 'no-app.ndjson', [
      JSON.stringify({ ...header, params }),
      ...lines.slice(1),
    ]);
    const result = checkTrace([file]);
    expect(result.verdict).toBe('valid');
    expect(result.warnings.join(' ')).toMatch(
      /names no app \(params.app\): outputs were not recomputed/,
    );
    expect(checkTrace(split(lines, 'with-app')).warnings).toEqual([]);
  });
});
