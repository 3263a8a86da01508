import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHistory } from '../../src/oracle/formats/index.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { modelByName, registerModel } from '../../src/oracle/models.js';
import type { HistoryOp, Model } from '../../src/oracle/types.js';

const load = (name: string) =>
  parseHistory(readFileSync(new URL(`../data/lincheck/${name}`, import.meta.url), 'utf8'), name)
    .ops;

/** `n` rounds of: w writes i, then r reads i (each after the previous returned): linearizable. */
function writesThenReads(n: number): HistoryOp[] {
  const history: HistoryOp[] = [];
  for (let i = 0; i < n; i++) {
    history.push({
      process: 'w',
      input: { f: 'write', value: i },
      output: null,
      call: 4 * i,
      ret: 4 * i + 1,
    });
    history.push({
      process: 'r',
      input: { f: 'read' },
      output: i,
      call: 4 * i + 2,
      ret: 4 * i + 3,
    });
  }
  return history;
}

describe('explanations: first breaking return, longest prefix, smallest window', () => {
  it.each([
    // file, model, breaking op, prefix size, window, reason
    ['register-stale-read.log', 'register', 2, 3, [0, 1, 2], 'real-time'],
    ['register-lost-update.edn', 'register', 2, 3, [0, 1, 2], 'output'],
    ['register-write-skew.ndjson', 'register', 6, 7, [3, 4, 5, 6], 'real-time'],
    ['kv-write-skew.ndjson', 'kv', 3, 2, [0, 3], 'real-time'],
    ['app-kv-lost-append.json', 'app:kv', 1, 2, [0, 1], 'output'],
    ['counter-lost-update.ndjson', 'app:counter', 1, 2, [0, 1], 'output'],
    ['info-contradiction.edn', 'register', 2, 3, [0, 1, 2], 'real-time'],
  ] as const)('%s', (file, modelName, breaking, prefixSize, window, reason) => {
    const result = checkLinearizability(load(file), modelByName(modelName) as Model);
    expect(result.verdict).toBe('not-linearizable');
    const [failure] = result.failures;
    expect(failure).toMatchObject({
      breakingOp: breaking,
      prefix: { exact: true },
      window: { ops: window, minimal: true, reason },
    });
    expect(failure?.prefix.ops).toHaveLength(prefixSize);
  });

  it('finds a late stale read in a long history with a 3-op window', () => {
    const history = writesThenReads(400);
    history.push({ process: 'r', input: { f: 'read' }, output: 398, call: 1700, ret: 1701 });
    const [failure] = checkLinearizability(history, registerModel).failures;
    expect(failure?.breakingOp).toBe(800);
    expect(failure?.prefix.ops).toHaveLength(801);
    expect(failure?.window).toMatchObject({
      ops: [796, 798, 800],
      minimal: true,
      reason: 'real-time',
    });
  });

  it('says so when the explanation budget runs out', () => {
    const history = writesThenReads(60);
    history.push({ process: 'r', input: { f: 'read' }, output: 3, call: 1000, ret: 1001 });
    const [failure] = checkLinearizability(history, registerModel, {
      maxExplainSteps: 50,
    }).failures;
    expect(failure?.prefix.exact).toBe(false);
    expect(failure?.window.minimal).toBe(false);
    expect(failure?.window.ops).toContain(120);
    expect(checkLinearizability(history, registerModel, { explain: false }).failures).toEqual([]);
  });
});
