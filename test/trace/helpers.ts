/** Shared helpers for the trace tests: run `smr` in-process, record traces, temp files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvApp } from '../../src/core/apps/index.js';
import type { ClockKind, ObserveLevel } from '../../src/trace/format.js';
import { simulate, type FaultName } from '../../harness/sim/simulate.js';

export { smr } from '../helpers/cli.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'smr-trace-test-'));
}

export function writeLines(
  dir: string,
  name: string,
  lines: readonly string[] | string | Buffer,
): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    typeof lines === 'string' || Buffer.isBuffer(lines) ? lines : lines.join('\n') + '\n',
  );
  return file;
}

export interface RecordOptions {
  readonly seed: number;
  readonly steps: number;
  readonly faults?: readonly FaultName[];
  readonly replicas?: number;
  readonly observe?: ObserveLevel;
  readonly clock?: ClockKind;
}

/** A simulator run as trace lines (header first). */
export function recordTrace(o: RecordOptions): string[] {
  const lines: string[] = [];
  simulate({
    replicas: o.replicas ?? 3,
    clients: 2,
    seed: o.seed,
    steps: o.steps,
    faults: o.faults ?? [],
    app: kvApp,
    observe: o.observe ?? 'full',
    traceClock: o.clock ?? 'lamport',
    onTraceLine: (l) => void lines.push(l),
  });
  return lines;
}

export type Event = Record<string, unknown> & { node: string; action: string };

export const parse = (line: string): Event => JSON.parse(line) as Event;
