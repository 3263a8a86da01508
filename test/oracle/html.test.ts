import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../src/oracle/html.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { registerModel } from '../../src/oracle/models.js';
import type { HistoryOp } from '../../src/oracle/types.js';

const stale: HistoryOp[] = [
  { process: 'a<b>', input: { f: 'write', value: 1 }, output: null, call: 0, ret: 1 },
  { process: 'b', input: { f: 'write', value: 2 }, output: null, call: 2, ret: 3 },
  { process: 'c', input: { f: 'read' }, output: 1, call: 4, ret: 5 },
  { process: 'd', input: { f: 'read' }, output: undefined, call: 4, ret: null },
];
const describeOp = (h: readonly HistoryOp[]) => (i: number) =>
  registerModel.describe?.(h[i]?.input ?? null, h[i]?.output) ?? '';

describe('renderTimeline (self-contained HTML)', () => {
  it('marks the window and the breaking op, escapes text, and loads nothing', () => {
    const result = checkLinearizability(stale, registerModel);
    const html = renderTimeline({
      title: 'stale <read>',
      history: stale,
      result,
      describe: describeOp(stale),
      where: (i) => `line ${i}`,
    });
    expect(html).toContain('<title>stale &#60;read&#62;</title>');
    expect(html).toContain('a&#60;b&#62;');
    expect(html.match(/<div class="op window breaking"/g)).toHaveLength(1);
    expect(html.match(/<div class="op window/g)).toHaveLength(3);
    expect(html).toContain('<div class="op prefix unknown"');
    expect(html).toMatch(/when operation #2 \(.*\) returns/);
    expect(html).toContain('id="break-0"');
    expect(html).toContain('<a href="#break-0">jump to the break</a>');
    // Self-contained: links only within the page, one inline script, nothing loaded.
    expect(html).not.toMatch(/\bsrc=|href="(?!#)|@import|url\(/);
  });

  it('draws an unknown verdict as unknown, not as a linearizable prefix', () => {
    const result = checkLinearizability(stale, registerModel, { maxSteps: 1 });
    expect(result.verdict).toBe('unknown');
    const html = renderTimeline({
      title: 't',
      history: stale,
      result,
      describe: describeOp(stale),
    });
    expect(html).toContain('unknown (undecided within the budget)');
    expect(html).not.toMatch(/<div class="op (prefix|window|lin)/);
    expect(html.match(/<div class="op undecided/g)).toHaveLength(4);
  });

  it('numbers a witness for a linearizable history and crops huge ones', () => {
    const history: HistoryOp[] = [];
    for (let i = 0; i < 2500; i++) {
      history.push({
        process: `p${i % 4}`,
        input: { f: 'write', value: i },
        output: null,
        call: 2 * i,
        ret: 2 * i + 1,
      });
    }
    const result = checkLinearizability(history, registerModel, { witness: true });
    const html = renderTimeline({ title: 't', history, result, describe: describeOp(history) });
    // The witness as a line through the bars, each point with the model's state after it.
    expect(html).toContain('<title>1. #0 write 0 — state after: 0</title>');
    expect(html).toContain('linearized 1st; model state after it: 0');
    expect(html).toContain('Showing 2000 of 2500 operations');
  });
});
