/**
 * The native checker's trace model (src/trace/model) against the TS twin of spec/Smr.tla
 * (src/spec, driven by src/trace/twin-check.ts): the same verdict, at the same line, on every
 * bundled trace and on random simulator traces at every observation level — evidence that the
 * fast model means what the spec means (the twin abstracts ops and outputs, so the native-only
 * edits of test/data/traces/native-only are valid for it).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTrace } from '../../src/trace/checker.js';
import { listBundledTraces } from '../../src/trace/corpus.js';
import { checkTraceWithTwin } from '../../src/trace/twin-check.js';
import { recordTrace, tempDir, writeLines } from './helpers.js';

const dir = tempDir();

describe('the trace model agrees with the twin of spec/Smr.tla', () => {
  it.each(listBundledTraces().map((t) => [t.name, t] as const))('%s', (_name, trace) => {
    const native = checkTrace(trace.files);
    const twin = checkTraceWithTwin(trace.files);
    expect(twin.verdict).toBe(native.verdict);
    expect(twin.failure?.line ?? null).toBe(native.failure?.line ?? null);
  });

  it('on random simulator runs, faults and observation levels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.subarray(['loss', 'dup', 'reorder', 'crash', 'partition'] as const),
        fc.constantFrom('full' as const, 'messages' as const, 'actions' as const),
        (seed, faults, observe) => {
          const steps = observe === 'actions' ? 250 : 500;
          const file = writeLines(
            dir,
            `twin-${seed}.ndjson`,
            recordTrace({ seed, steps, faults, observe }),
          );
          const native = checkTrace([file]);
          const twin = checkTraceWithTwin([file]);
          expect(native.verdict).toBe('valid');
          expect(twin.verdict).toBe('valid');
        },
      ),
      { numRuns: 15 },
    );
  });

  it('edits of ops and outputs are invisible to the twin (Smr abstracts them) but not to the model', () => {
    for (const name of ['edited-reply-output', 'edited-request-op', 'edited-state-accepted-op']) {
      const file = `test/data/traces/native-only/${name}.ndjson`;
      expect(checkTrace([file]).verdict).toBe('invalid');
      expect(checkTraceWithTwin([file]).verdict).toBe('valid');
    }
  });
});
