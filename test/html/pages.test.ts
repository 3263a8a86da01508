/**
 * The page renderers without a browser (issue 20): labels wrap but never lose a character,
 * the lincheck time axis gives every label room and keeps real-time order, the network's own
 * steps (drop, duplication) and messages never delivered are drawn apart from deliveries, the
 * subtitle names the scope that ran, and a spec model's page has a lane per node.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeScope } from '../../harness/explore/counterexample/html.js';
import { renderSpecPage } from '../../harness/explore/counterexample/spec-page.js';
import { DEFAULT_SCOPE } from '../../harness/explore/cluster/scope.js';
import { renderTimeline } from '../../src/oracle/html.js';
import { checkLinearizability } from '../../src/oracle/lincheck.js';
import { kvModel, registerModel } from '../../src/oracle/models.js';
import {
  isOpen,
  layout,
  linearizationPoints,
  statesAlong,
} from '../../src/oracle/timeline-layout.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import { SPEC_MODELS } from '../../src/spec/models.js';
import { renderSequencePage, type SequenceDiagram } from '../../src/view/sequence.js';
import { textWidth, wrap } from '../../src/view/text.js';

const bare = (s: string) => s.replace(/\s+/g, '');

describe('wrap (src/view/text.ts)', () => {
  it('keeps every character, and no line is longer than asked', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 1, max: 40 }),
        (text, max) => {
          const lines = wrap(text, max);
          expect(lines.every((l) => [...l].length <= max)).toBe(true);
          expect(bare(lines.join(' '))).toBe(bare(text));
        },
      ),
    );
  });

  it('breaks at spaces when a word fits', () => {
    expect(wrap('Accept 1.r1 slot=0 c1#1 {"key":"x"}', 12)).toEqual([
      'Accept 1.r1',
      'slot=0 c1#1',
      '{"key":"x"}',
    ]);
  });
});

/** Histories of a few processes, each one operation at a time, some outcomes unknown. */
const histories = fc
  .array(
    fc.record({
      process: fc.constantFrom('p1', 'p2', 'p3'),
      gap: fc.integer({ min: 0, max: 3 }),
      length: fc.integer({ min: 0, max: 5 }),
      label: fc.string({ maxLength: 30 }),
      open: fc.constantFrom('no', 'no', 'no', 'info', 'never'),
    }),
    { maxLength: 30 },
  )
  .map((specs) => {
    const free = new Map<string, number>();
    const ops: HistoryOp[] = [];
    const labels: string[] = [];
    for (const s of specs) {
      const call = (free.get(s.process) ?? 0) + s.gap;
      if (free.get(s.process) === Infinity) continue;
      const ret = s.open === 'never' ? null : call + s.length;
      free.set(s.process, ret === null ? Infinity : ret + 1);
      ops.push({
        process: s.process,
        input: { f: 'write', value: labels.length },
        output: s.open === 'no' ? null : undefined,
        call,
        ret,
      });
      labels.push(s.label);
    }
    return { ops, labels };
  });

describe('the lincheck time axis (src/oracle/timeline-layout.ts)', () => {
  it('gives every bar room for its label, keeps real-time order, and runs unknown outcomes to the end', () => {
    fc.assert(
      fc.property(histories, ({ ops, labels }) => {
        const all = ops.map((_, i) => i);
        const { bars, end, width } = layout(ops, all, (i) => labels[i] ?? '');
        expect(Math.max(0, ...[...bars.values()].map((b) => b.x + b.width))).toBeLessThanOrEqual(
          end + 1e-6,
        );
        expect(width).toBeGreaterThanOrEqual(end);
        for (const i of all) {
          const bar = bars.get(i);
          const o = ops[i] as HistoryOp;
          expect(bar?.width).toBeGreaterThanOrEqual(textWidth(labels[i] ?? ''));
          // Never returned: the bar runs to the end; :info: a tail does.
          if (o.ret === null) expect((bar?.x ?? 0) + (bar?.width ?? 0)).toBeCloseTo(end, 6);
          expect(bar?.tail).toBe(isOpen(o) && o.ret !== null);
          for (const j of all) {
            const p = ops[j] as HistoryOp;
            // a returned before b was called: a's bar ends before b's starts.
            if (o.ret !== null && o.ret < p.call)
              expect((bar?.x ?? 0) + (bar?.width ?? 0)).toBeLessThanOrEqual(
                (bars.get(j)?.x ?? 0) + 1e-6,
              );
          }
        }
      }),
    );
  });

  it('draws the linearization through the bars, and steps the model along it', () => {
    // write 2 times out first, yet takes effect last: read → 2 comes after read → 1.
    const ops: HistoryOp[] = [
      {
        process: 'c',
        input: { f: 'write', key: 'x', value: 2 },
        output: undefined,
        call: 0,
        ret: 1,
      },
      { process: 'a', input: { f: 'write', key: 'x', value: 1 }, output: null, call: 2, ret: 3 },
      { process: 'b', input: { f: 'read', key: 'x' }, output: 1, call: 4, ret: 5 },
      { process: 'b', input: { f: 'read', key: 'x' }, output: 2, call: 6, ret: 7 },
    ];
    const order = [1, 2, 0, 3];
    const { bars, end } = layout(ops, [0, 1, 2, 3], () => 'op');
    const points = linearizationPoints(order, bars, end);
    points.forEach((p, k) => {
      const bar = bars.get(p.op);
      expect(p.x).toBeGreaterThanOrEqual(bar?.x ?? 0);
      expect(p.x).toBeLessThanOrEqual(bar?.open === true ? end : (bar?.x ?? 0) + (bar?.width ?? 0));
      if (k > 0) expect(p.x).toBeGreaterThan(points[k - 1]?.x ?? 0);
    });
    // The :info write's point lies on its tail, past its bar.
    expect(points[2]?.x).toBeGreaterThan((bars.get(0)?.x ?? 0) + (bars.get(0)?.width ?? 0));
    const states = statesAlong(kvModel, ops, order);
    expect(states.initial).toBe('{}');
    expect(order.map((i) => states.after.get(i))).toEqual([
      '{"x": 1}',
      '{"x": 1}',
      '{"x": 2}',
      '{"x": 2}',
    ]);
  });
});

describe('the lincheck page (src/oracle/html.ts)', () => {
  it('draws at most ten failures and lists the rest, each partition first', () => {
    const history: HistoryOp[] = [];
    for (const key of ['x', 'y']) {
      const t = key === 'x' ? 0 : 1000;
      history.push({
        process: `w${key}`,
        input: { f: 'write', key, value: 1 },
        output: null,
        call: t,
        ret: t + 1,
      });
      history.push({
        process: `w${key}`,
        input: { f: 'write', key, value: 2 },
        output: null,
        call: t + 2,
        ret: t + 3,
      });
      for (let k = 0; k < 12; k++)
        history.push({
          process: `r${key}`,
          input: { f: 'read', key },
          output: 1,
          call: t + 4 + 2 * k,
          ret: t + 5 + 2 * k,
        });
    }
    const result = checkLinearizability(history, kvModel, { all: true });
    expect(result.failures.length).toBe(24);
    const html = renderTimeline({
      title: 't',
      history,
      result,
      describe: (i) =>
        registerModel.describe?.(history[i]?.input ?? null, history[i]?.output) ?? '',
    });
    expect(html.match(/<section class="failure"/g)).toHaveLength(10);
    expect(html).toContain('<h2>14 more violations, not drawn</h2>');
    // Both partitions get a timeline, and every drawn break has its link and its target.
    expect(html).toMatch(/Not linearizable in partition <code>&#34;x&#34;<\/code>/);
    expect(html).toMatch(/Not linearizable in partition <code>&#34;y&#34;<\/code>/);
    for (const [, k] of html.matchAll(/href="#break-(\d+)"/g))
      expect(html).toContain(`id="break-${k}"`);
  });
});

describe('the sequence page (src/view/sequence.ts)', () => {
  const none = {};
  const diagram: SequenceDiagram = {
    title: 't',
    subtitle: 's',
    nodes: ['r1', 'r2'],
    initial: none,
    steps: [
      {
        label: 'Phase1a(r1) ← Tick r1',
        node: 'r1',
        kind: 'act',
        actions: ['Phase1a'],
        cause: 'Tick',
        sends: [
          { id: '1', from: 'r1', to: 'r2', text: 'Prepare 1.r1' },
          { id: '2', from: 'r1', to: 'r2', text: 'Prepare 1.r1 (second)' },
          { id: '3', from: 'r1', to: 'r2', text: 'Prepare 1.r1 (third)' },
        ],
        state: { r1: { role: 'candidate' }, r2: { role: 'follower' } },
      },
      {
        label: 'Drop r1→r2 Prepare 1.r1',
        node: 'r2',
        kind: 'drop',
        actions: [],
        receives: { id: '1', from: 'r1', text: 'Prepare 1.r1' },
        sends: [],
        state: { r1: { role: 'candidate' }, r2: { role: 'follower' } },
      },
      {
        label: 'Duplicate r1→r2 Prepare 1.r1 (second)',
        node: 'r2',
        kind: 'duplicate',
        actions: [],
        receives: { id: '2', from: 'r1', text: 'Prepare 1.r1 (second)' },
        copy: '4',
        sends: [],
        state: { r1: { role: 'candidate' }, r2: { role: 'follower' } },
      },
      {
        label: 'Phase1b(r2) ← Deliver r1→r2 Prepare 1.r1 (second)',
        node: 'r2',
        kind: 'act',
        actions: ['Phase1b'],
        receives: { id: '4', from: 'r1', text: 'Prepare 1.r1 (second)' },
        sends: [],
        state: { r1: { role: 'candidate' }, r2: { role: 'follower', promised: '1.r1' } },
      },
    ],
    violation: {
      heading: 'Bad violated',
      message: 'r2 promised',
      node: 'r2',
      step: 3,
      culprits: [{ node: 'r2', variable: 'promised' }],
    },
  };
  const html = renderSequencePage(diagram);

  it('draws a drop, a duplication, a copy delivered and a message never delivered apart', () => {
    expect(html).toMatch(/<line class="msg dropped" data-to="2"/);
    expect(html).toMatch(/<line class="msg dupl" data-to="3"/);
    expect(html).toMatch(/<line class="msg copy" data-to="4"/);
    // The third Prepare, and the original of the duplicated one (only its copy was delivered).
    expect(html.match(/<g class="never"/g)).toHaveLength(2);
    expect(html).toContain('dropped at step 2');
    expect(html).toContain('duplicated at step 3');
    expect(html).toMatch(/Prepare 1\.r1 \(third\) <span class="fate never">never delivered/);
  });

  it('marks what changed and the culprit, and lists the culprit values in the verdict', () => {
    expect(html).toContain(
      '<td class="v chg culprit" title="before: —" data-var="promised">1.r1</td>',
    );
    expect(html).toMatch(
      /<table class="kv culprits">.*<td>r2<\/td><td>promised<\/td><td class="v culprit">1\.r1<\/td>/s,
    );
    expect(html).toContain('<body data-start="4">');
  });
});

describe('counterexample pages', () => {
  it('the subtitle names only the faults the scope allows', () => {
    expect(describeScope(DEFAULT_SCOPE)).toContain('faults loss, dup, crash (≤ 1)');
    const noCrash = describeScope({ ...DEFAULT_SCOPE, maxCrashes: 0 });
    expect(noCrash).toContain('faults loss, dup,');
    expect(noCrash).not.toContain('crash');
  });

  it('a spec model gets a lane per replica and client, messages between them', () => {
    const protocol = (SPEC_MODELS.get('F1') as () => Parameters<typeof renderSpecPage>[1])();
    let state = protocol.initialStates()[0];
    const choices = [0];
    for (let i = 0; i < 12; i++) {
      const actions = protocol.actions(state);
      const k = (i * 7) % actions.length;
      choices.push(k);
      state = protocol.step(state, actions[k]).world;
    }
    const html = renderSpecPage('F1', protocol, choices, {
      invariant: 'Agreement',
      message: 'test',
      node: 'r1',
    });
    for (const n of ['r1', 'r2', 'r3', 'c1', 'c2']) expect(html).toContain(`>${n}</text>`);
    const lanes = new Set([...html.matchAll(/<rect class="box[^"]*" x="(\d+)/g)].map((m) => m[1]));
    expect(lanes.size).toBeGreaterThanOrEqual(3);
    expect(html).toMatch(/<line class="msg " data-to=/);
  });
});
