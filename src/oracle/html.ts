/**
 * A self-contained HTML page of a checked history, after Porcupine's visualizer: one row per
 * process, each operation a bar from its call to its return wide enough for its label (the
 * value written or read), the linearization drawn as a line through the bars with the model's
 * state after each operation on hover or click, and operations of unknown outcome (`:info`)
 * open to the end of the axis. For a non-linearizable history, every failing partition gets
 * its own timeline with the window that cannot be ordered in red, the breaking operation
 * outlined, why (real time or output) and a link that jumps to it; an undecided history is
 * shown as undecided. Inline CSS and a small inline script; readable without the script (the
 * states are also in tables and tooltips).
 */
import { esc, MONO } from '../view/text.js';
import type { Failure, LincheckResult, PartitionResult } from './lincheck.js';
import { modelByName } from './models.js';
import { isOpen, layout, linearizationPoints, statesAlong, type Bar } from './timeline-layout.js';
import type { HistoryOp, Model } from './types.js';

export interface TimelineInput {
  readonly title: string;
  readonly history: readonly HistoryOp[];
  readonly result: LincheckResult;
  /** The label of an operation, e.g. `write 3` or `read → 1`. */
  readonly describe: (index: number) => string;
  /** Extra tooltip text of an operation, e.g. its file lines. */
  readonly where?: (index: number) => string;
  /** The model the history was checked against (default: the one `result.model` names). */
  readonly model?: Model;
}

const MAX_OPS = 2000;
/** Failures drawn as timelines at most; the others are listed. */
const MAX_TIMELINES = 10;
const ROW = 30;
/** Where the linearization passes a bar: on its bottom edge, clear of the label. */
const DOT_Y = ROW - 10;

interface Section {
  readonly id: string;
  readonly ops: readonly number[];
  readonly total: number;
  readonly order: readonly number[];
  readonly category: (i: number) => string;
  readonly breaking?: number;
}

export function renderTimeline(input: TimelineInput): string {
  const { result } = input;
  const model = input.model ?? modelByName(result.model);
  const sections: string[] = [];
  if (result.verdict === 'not-linearizable' && result.failures.length > 0) {
    const drawn = drawnFailures(result.failures);
    result.failures.forEach((f, k) => {
      if (drawn.has(k)) sections.push(failureSection(input, model, f, k));
    });
    const rest = result.failures.map((f, k) => ({ f, k })).filter(({ k }) => !drawn.has(k));
    if (rest.length > 0) sections.push(moreFailures(input, rest));
  } else {
    const all = input.history.map((_, i) => i);
    const witness = result.verdict === 'linearizable' ? (result.witness ?? []) : [];
    const intro =
      result.verdict === 'linearizable'
        ? witness.length > 0
          ? `<p>The line through the bars is one linearization (the witness): the order in which the operations appear to take effect. Hover or click a bar for the model's state after it; the table below lists them all. Operations of unknown outcome that the witness leaves out did not take effect.</p>`
          : '<p>No linearization was asked for (witness).</p>'
        : `<p>Undecided: the search ran out of its budget (${esc(result.exhausted ?? 'steps')}) before it could say. Nothing is known to be wrong; the operations are shown as recorded.</p>`;
    const category = result.verdict === 'linearizable' ? 'lin' : 'undecided';
    sections.push(
      `<section id="history">${intro}${timeline(input, model, {
        id: 'h',
        ops: crop(all, input.history, undefined),
        total: all.length,
        order: witness,
        category: () => category,
      })}</section>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<style>${CSS}</style></head><body>
<h1>${esc(input.title)}</h1>
${summary(input)}
${legend(result.verdict)}
${sections.join('\n')}
<div id="opinfo" class="opinfo" hidden></div>
<script>${SCRIPT}</script>
</body></html>
`;
}

/**
 * Which failures get a timeline: each partition's first, then the others, MAX_TIMELINES at
 * most (`--all` on a run with hundreds of violations lists the rest, one row each).
 */
function drawnFailures(failures: readonly Failure[]): Set<number> {
  const first = new Set(
    failures.map((f) => failures.findIndex((g) => g.partition === f.partition)),
  );
  const order = [...first, ...failures.map((_, k) => k).filter((k) => !first.has(k))];
  return new Set(order.slice(0, MAX_TIMELINES));
}

function summary(input: TimelineInput): string {
  const { result, history } = input;
  const css =
    result.verdict === 'linearizable' ? 'good' : result.verdict === 'unknown' ? 'unknownv' : 'bad';
  const words =
    result.verdict === 'linearizable'
      ? 'linearizable'
      : result.verdict === 'unknown'
        ? 'unknown (undecided within the budget)'
        : 'NOT linearizable';
  const unknown = history.filter(isOpen).length;
  const head = `<p><span class="verdict ${css}">${esc(words)}</span> against model <code>${esc(result.model)}</code>: ${history.length} operations${unknown > 0 ? ` (${unknown} of unknown outcome)` : ''}, ${result.partitions.length} partition${result.partitions.length === 1 ? '' : 's'}.</p>`;
  const drawn = drawnFailures(result.failures);
  const failing = result.failures.map((f, k) => ({ f, k })).filter(({ k }) => drawn.has(k));
  const undrawn = result.failures.length - failing.length;
  const jumps =
    failing.length === 0
      ? ''
      : `<p class="jumps">${failing
          .map(
            ({ f, k }) =>
              `<a href="#break-${k}">jump to the break${f.partition === undefined ? '' : ` in ${esc(f.partition)}`}</a> (operation #${f.breakingOp}, ${f.window.reason === 'real-time' ? 'real time' : 'output'})`,
          )
          .join(
            ' · ',
          )}${undrawn > 0 ? ` · <a href="#more-failures">${undrawn} more, listed</a>` : ''}</p>`;
  return head + jumps + partitionTable(result);
}

function partitionTable(result: LincheckResult): string {
  if (result.partitions.length <= 1) return '';
  const failureOf = new Map<string | undefined, number>();
  result.failures.forEach((f, k) => {
    if (!failureOf.has(f.partition)) failureOf.set(f.partition, k);
  });
  const verdictText = (p: PartitionResult) =>
    p.verdict === 'unknown'
      ? `unknown (${p.undecided === 'not-needed' ? 'not decided: the verdict was settled' : p.undecided === 'not-started' ? 'never started' : 'budget ran out'})`
      : p.verdict;
  const rows = [...result.partitions]
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, 200)
    .map((p) => {
      const k = failureOf.get(p.key);
      const v = p.violations;
      const link = k === undefined ? '' : ` <a href="#failure-${k}">explained below</a>`;
      return `<tr class="${p.verdict}"><td><code>${esc(p.key ?? '(whole history)')}</code></td><td>${p.ops.length}</td><td>${esc(verdictText(p))}${link}</td><td>${v === undefined ? '' : `${v.complete ? '' : 'at least '}${v.count}`}</td></tr>`;
    });
  const more =
    result.partitions.length > 200
      ? `<p class="note">…and ${result.partitions.length - 200} more partitions.</p>`
      : '';
  return `<details${result.failures.length > 0 ? ' open' : ''}><summary>Partitions (${result.partitions.length})</summary><table class="parts"><tr><th>partition</th><th>operations</th><th>verdict</th><th>violations</th></tr>${rows.join('')}</table>${more}</details>`;
}

const rank = (p: PartitionResult) =>
  p.verdict === 'not-linearizable' ? 0 : p.verdict === 'unknown' ? 1 : 2;

function failureSection(input: TimelineInput, model: Model | undefined, f: Failure, k: number) {
  const { history, result } = input;
  const scope = result.partitions.find((p) => p.key === f.partition)?.ops ?? [];
  const windowOps = new Set(f.window.ops);
  const prefixOps = new Set(f.prefix.ops);
  const o = history[f.breakingOp] as HistoryOp;
  const where = f.partition === undefined ? '' : ` in partition <code>${esc(f.partition)}</code>`;
  const v = result.partitions.find((p) => p.key === f.partition)?.violations;
  const count =
    v === undefined || (v.count === 1 && v.complete)
      ? ''
      : ` This partition holds ${v.complete ? '' : 'at least '}${v.count} violations; ${result.failures.filter((x) => x.partition === f.partition).length > 1 ? 'each is explained in turn.' : 'the first is explained (--all explains every one).'}`;
  const reason =
    f.window.reason === 'real-time'
      ? `<b>real time</b>: its output fits some order of the window, but none that respects real time: it returned a value that had already been replaced before it was called, as a stale read does.`
      : `<b>output</b>: no order of the window gives its output at all — a lost update, or a value nobody wrote.`;
  const rows = f.window.ops
    .map((i) => {
      const op = history[i] as HistoryOp;
      const mark = i === f.breakingOp ? ' (breaking)' : '';
      const pending = f.window.pending.includes(i) ? ' [outcome unknown]' : '';
      return `<tr><td>#${i}${mark}</td><td>${esc(op.process)}</td><td class="mono">${esc(input.describe(i))}${pending}</td><td>${esc(input.where?.(i) ?? '')}</td></tr>`;
    })
    .join('');
  const body = timeline(input, model, {
    id: `f${k}`,
    ops: crop(scope, history, f),
    total: scope.length,
    order: f.prefix.order,
    category: (i) => (windowOps.has(i) ? 'window' : prefixOps.has(i) ? 'prefix' : 'later'),
    breaking: f.breakingOp,
  });
  return `<section class="failure" id="failure-${k}">
<h2>Not linearizable${where}</h2>
<p>The history stops being linearizable when operation #${f.breakingOp} (<code>${esc(o.process)}: ${esc(input.describe(f.breakingOp))}</code>) returns — <a href="#break-${k}">jump to the break</a>.${count}</p>
<p class="reason">Why, ${reason}</p>
<p>Smallest window found that cannot be ordered (${f.window.ops.length} operations${f.window.minimal ? ', 1-minimal: leave out any one and the rest can be ordered' : ''}):</p>
<table class="window"><tr><th>op</th><th>process</th><th>operation</th><th>where</th></tr>${rows}</table>
<p>The ${f.prefix.ops.length} operations called before that return are linearizable${f.prefix.exact ? '' : ' (as far as the budget let the search pin it down)'}; the line through the bars is one linearization of them, and the model's state after each is on its bar (hover or click) and in the table below.</p>
${body}
</section>`;
}

function moreFailures(input: TimelineInput, rest: readonly { f: Failure; k: number }[]): string {
  const rows = rest.map(({ f, k }) => {
    const o = input.history[f.breakingOp] as HistoryOp;
    return `<tr id="failure-${k}"><td><code>${esc(f.partition ?? '(whole history)')}</code></td><td>#${f.breakingOp} ${esc(o.process)}: <span class="mono">${esc(input.describe(f.breakingOp))}</span></td><td>${f.window.reason === 'real-time' ? 'real time' : 'output'}</td><td>${f.window.ops.map((i) => `#${i}`).join(' ')}</td></tr>`;
  });
  return `<section id="more-failures"><h2>${rest.length} more violation${rest.length === 1 ? '' : 's'}, not drawn</h2><table><tr><th>partition</th><th>breaking operation</th><th>why</th><th>window</th></tr>${rows.join('')}</table></section>`;
}

function timeline(input: TimelineInput, model: Model | undefined, s: Section): string {
  const { history } = input;
  const { bars, end, width } = layout(history, s.ops, input.describe);
  const shownSet = new Set(s.ops);
  const order = s.order.filter((i) => shownSet.has(i));
  const states = model === undefined ? undefined : statesAlong(model, history, s.order);
  const position = new Map(s.order.map((op, i) => [op, i + 1]));
  const processes = [...new Set(s.ops.map((i) => (history[i] as HistoryOp).process))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const lane = new Map(processes.map((p, i) => [p, i]));
  const y = (i: number) => (lane.get((history[i] as HistoryOp).process) ?? 0) * ROW;
  const html = s.ops.map((i) => {
    const o = history[i] as HistoryOp;
    const bar = bars.get(i) as Bar;
    const classes = ['op', s.category(i)];
    if (isOpen(o)) classes.push('unknown');
    if (i === s.breaking) classes.push('breaking');
    const k = position.get(i);
    const info = [
      `#${i} ${o.process}: ${input.describe(i)}`,
      `called ${o.call}, ${o.ret === null ? 'never returned' : o.output === undefined ? `returned at ${o.ret} with an unknown outcome (:info)` : `returned ${o.ret}`}${isOpen(o) ? ' — it may take effect at any time after its call, or never' : ''}`,
      ...(input.where === undefined ? [] : [input.where(i)]),
      k === undefined
        ? i === s.breaking
          ? 'breaks linearizability: no order of what came before admits it'
          : s.order.length > 0
            ? 'not in the linearization shown'
            : ''
        : `linearized ${k}${ordinal(k)}; model state after it: ${states?.after.get(i) ?? '?'}`,
    ].filter((x) => x !== '');
    const id = i === s.breaking ? ` id="break-${s.id.slice(1)}"` : '';
    const tail = bar.tail
      ? `<div class="tail" data-op="${i}" title="${esc(`#${i} ${input.describe(i)}: returned :info — may take effect any time after its call, or never`)}" style="left:${bar.x + bar.width}px;top:${y(i) + 4}px;width:${end - bar.x - bar.width}px"></div>`
      : '';
    return `${tail}<div class="${classes.join(' ')}"${id} data-op="${i}" data-info="${esc(info.join('\n'))}" title="${esc(info.join('\n'))}" style="left:${bar.x}px;top:${y(i) + 4}px;width:${bar.width}px"><span>${esc(input.describe(i))}</span></div>`;
  });
  const points = linearizationPoints(order, bars, end);
  const line =
    points.length === 0
      ? ''
      : `<svg class="lin" width="${width}" height="${processes.length * ROW + 8}"><polyline points="${points.map((p) => `${p.x},${y(p.op) + DOT_Y}`).join(' ')}"/>${points
          .map(
            (p) =>
              `<circle cx="${p.x}" cy="${y(p.op) + DOT_Y}" r="3.5" data-info="${esc(`${position.get(p.op)}. #${p.op} ${input.describe(p.op)} — model state after: ${states?.after.get(p.op) ?? '?'}`)}"><title>${esc(`${position.get(p.op)}. #${p.op} ${input.describe(p.op)} — state after: ${states?.after.get(p.op) ?? '?'}`)}</title></circle>`,
          )
          .join('')}</svg>`;
  const names = processes
    .map((p) => `<div class="proc" title="${esc(p)}">${esc(p)}</div>`)
    .join('');
  const note =
    s.ops.length < s.total
      ? `<p class="note">Showing ${s.ops.length} of ${s.total} operations, around the failure.</p>`
      : '';
  const table =
    s.order.length === 0 || states === undefined
      ? ''
      : `<details${s.order.length <= 60 ? ' open' : ''}><summary>Linearization${s.breaking === undefined ? '' : ' of the prefix'}, with the model's state after each operation (${s.order.length})</summary><table class="states"><tr><th>#</th><th>op</th><th>process</th><th>operation</th><th>model state after</th></tr><tr><td>0</td><td></td><td></td><td>(initial)</td><td class="mono">${esc(states.initial)}</td></tr>${s.order
          .map(
            (op, k) =>
              `<tr><td>${k + 1}</td><td>#${op}</td><td>${esc((history[op] as HistoryOp).process)}</td><td class="mono">${esc(input.describe(op))}</td><td class="mono">${esc(states.after.get(op) ?? '?')}</td></tr>`,
          )
          .join(
            '',
          )}${s.breaking === undefined ? '' : `<tr class="brk"><td>—</td><td>#${s.breaking}</td><td>${esc((history[s.breaking] as HistoryOp).process)}</td><td class="mono">${esc(input.describe(s.breaking))}</td><td>cannot be added to this linearization, or to any other of the prefix</td></tr>`}</table></details>`;
  return `${note}<div class="tl"><div class="names">${names}</div><div class="scroll"><div class="lane" style="width:${width}px;height:${processes.length * ROW + 8}px">${line}${html.join('\n')}</div></div></div>${table}`;
}

const ordinal = (k: number) =>
  k % 100 >= 11 && k % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][k % 10] ?? 'th');

/** Keep at most MAX_OPS operations, those called nearest the breaking operation. */
function crop(
  scope: readonly number[],
  history: readonly HistoryOp[],
  failure: Failure | undefined,
): number[] {
  if (scope.length <= MAX_OPS) return [...scope];
  const call = (i: number) => (history[i] as HistoryOp).call;
  const sorted = [...scope].sort((a, b) => call(a) - call(b) || a - b);
  const center = failure === undefined ? 0 : Math.max(0, sorted.indexOf(failure.breakingOp));
  const from = Math.max(0, Math.min(center - MAX_OPS / 2, sorted.length - MAX_OPS));
  const kept = new Set(sorted.slice(from, from + MAX_OPS));
  for (const i of failure?.window.ops ?? []) kept.add(i);
  return [...kept].sort((a, b) => a - b);
}

function legend(verdict: LincheckResult['verdict']): string {
  // Not `op` bars: a bar clips its text to its interval, a legend entry never does.
  const item = (cls: string, text: string) => `<span class="key ${cls}">${text}</span>`;
  const items =
    verdict === 'linearizable'
      ? [item('lin', 'linearized')]
      : verdict === 'unknown'
        ? [item('undecided', 'undecided')]
        : [
            item('prefix', 'before the break (linearizable)'),
            item('window', 'window that cannot be ordered'),
            item('window breaking', 'breaking operation'),
            item('later', 'after the break'),
          ];
  items.push(
    item('unknown undecided', 'unknown outcome (:info): may take effect any time after its call'),
  );
  if (verdict !== 'unknown')
    items.push(
      `<span><svg width="40" height="10" aria-hidden="true"><polyline points="2,8 20,2 38,8" class="linsample"/></svg> the linearization</span>`,
    );
  return `<p class="legend">${items.join('')}</p>`;
}

const CSS = `
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px} h2{font-size:16px;margin:18px 0 6px}
code,.mono{font-family:${MONO};font-size:12px}
.verdict{font-weight:bold}.bad{color:#b00020}.good{color:#1b7f3b}.unknownv{color:#a66b00}
.jumps a{font-weight:600}
.reason{background:#fff4e5;border-left:4px solid #e08a00;padding:4px 8px}
section.failure{border-top:2px solid #d33;margin-top:16px}
.tl{display:flex;border:1px solid #ccc;background:#fafafa}
.names{flex:none;width:96px;border-right:1px solid #ddd;padding-top:4px;background:#f0f0f0}
.proc{height:${ROW}px;line-height:${ROW - 8}px;padding:0 6px;font-weight:bold;overflow:hidden;white-space:nowrap}
.scroll{overflow:auto;flex:1}
.lane{position:relative}
.op{position:absolute;height:${ROW - 10}px;padding:0 6px;box-sizing:border-box;border-radius:3px;font:11px/${ROW - 12}px ${MONO};white-space:nowrap;overflow:hidden;cursor:pointer}
.op span{position:relative}
.op:hover,.op.sel{outline:2px solid #2457b5;z-index:2}
.lin{background:#d7f0dc;border:1px solid #4a8a56}
.prefix{background:#cfe3ff;border:1px solid #5b8bd0}
.later{background:#e8e8e8;border:1px solid #aaa;color:#555}
.undecided{background:#f1ecdd;border:1px solid #b59f5b}
.window{background:#ffc9c9;border:1px solid #d33}
.breaking{box-shadow:0 0 0 3px #8b0000;scroll-margin:80px}
.unknown{background-image:repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.09) 6px 12px);border-right:2px dashed #777;border-top-right-radius:0;border-bottom-right-radius:0}
.tail{position:absolute;height:${ROW - 10}px;box-sizing:border-box;border-bottom:2px dashed #999;pointer-events:none}
svg.lin{position:absolute;left:0;top:4px;pointer-events:none;z-index:1;overflow:visible;background:none;border:0}
svg.lin polyline,.linsample{fill:none;stroke:#222;stroke-width:1.5;stroke-opacity:.7}
svg.lin circle{fill:#fff;stroke:#222;stroke-width:1.5;pointer-events:all;cursor:pointer}
.legend span{display:inline-block;position:static;padding:0 6px;margin:0 8px 4px 0;border-radius:3px;height:auto;line-height:18px;font:12px system-ui,sans-serif;cursor:default}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
tr.brk td{background:#ffc9c9}
tr.not-linearizable td{background:#ffe3e3}
.note{color:#666}
.opinfo{position:fixed;right:16px;bottom:16px;max-width:560px;background:#fff;border:1px solid #2457b5;box-shadow:0 2px 8px rgba(0,0,0,.2);padding:8px 12px;white-space:pre-wrap;font:12px ${MONO};z-index:10}
`;

/**
 * Click a bar or a dot: its details (the model's state after it) in a box; on load, each
 * failing timeline scrolls sideways to its breaking operation.
 */
const SCRIPT = `
(function () {
  var box = document.getElementById('opinfo');
  var sel = null;
  document.addEventListener('click', function (e) {
    var t = e.target;
    while (t && t.getAttribute && !t.getAttribute('data-info')) t = t.parentNode;
    if (!t || !t.getAttribute) { box.hidden = true; return; }
    if (sel && sel.classList) sel.classList.remove('sel');
    sel = t;
    if (t.classList) t.classList.add('sel');
    box.textContent = t.getAttribute('data-info');
    box.hidden = false;
  });
  var breaks = document.querySelectorAll('.op.breaking');
  for (var i = 0; i < breaks.length; i++) {
    var s = breaks[i].parentNode.parentNode;
    s.scrollLeft = Math.max(0, breaks[i].offsetLeft - s.clientWidth / 3);
  }
})();
`;
