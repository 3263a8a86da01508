/**
 * A self-contained HTML timeline of a checked history (no scripts, no external assets), in the
 * spirit of Porcupine's visualizer: one row per process, each operation a bar from its call to
 * its return. For a non-linearizable history it shows the failing partition, with the window
 * that cannot be ordered in red, the breaking operation outlined, and the positions of a
 * linearization of the prefix before it; for a linearizable one, the witness order if known.
 */
import type { Failure, LincheckResult } from './lincheck.js';
import type { HistoryOp } from './types.js';

export interface TimelineInput {
  readonly title: string;
  readonly history: readonly HistoryOp[];
  readonly result: LincheckResult;
  /** The label of an operation, e.g. `write 3` or `read → 1`. */
  readonly describe: (index: number) => string;
  /** Extra tooltip text of an operation, e.g. its file lines. */
  readonly where?: (index: number) => string;
}

const MAX_OPS = 2000;
const UNIT = 26; // px per distinct instant
const ROW = 30; // px per process
const LABEL_WIDTH = 110;

export function renderTimeline(input: TimelineInput): string {
  const { history, result } = input;
  const failure = result.failures[0];
  const scope = failure
    ? (result.partitions.find((p) => p.key === failure.partition)?.ops ?? [])
    : history.map((_, i) => i);
  const shown = crop(scope, history, failure);
  const order = failure ? failure.prefix.order : (result.witness ?? []);
  const position = new Map(order.map((op, i) => [op, i + 1]));
  const windowOps = new Set(failure?.window.ops ?? []);
  const prefixOps = new Set(failure?.prefix.ops ?? scope);

  const times = [
    ...new Set(shown.flatMap((i) => [op(history, i).call, op(history, i).ret ?? Number.NaN])),
  ]
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => a - b);
  const rank = new Map(times.map((t, i) => [t, i]));
  const end = times.length + 1;
  const processes = [...new Set(shown.map((i) => op(history, i).process))];
  const row = new Map(processes.map((p, i) => [p, i]));

  const bars = shown.map((i) => {
    const o = op(history, i);
    const from = rank.get(o.call) ?? 0;
    const to = o.ret === null ? end : (rank.get(o.ret) ?? end);
    const unknown = o.output === undefined || o.ret === null;
    const classes = [
      'op',
      windowOps.has(i) ? 'window' : prefixOps.has(i) ? 'prefix' : 'later',
      unknown ? 'unknown' : '',
      failure?.breakingOp === i ? 'breaking' : '',
    ].filter((c) => c !== '');
    const badge = position.has(i) ? `<b>${position.get(i)}</b>` : '';
    const tip = `#${i} ${o.process}: ${input.describe(i)}${input.where ? ` (${input.where(i)})` : ''}`;
    const style = `left:${LABEL_WIDTH + from * UNIT}px;top:${(row.get(o.process) ?? 0) * ROW + 4}px;width:${Math.max(1, to - from) * UNIT - 4}px`;
    return `<div class="${classes.join(' ')}" style="${style}" title="${escape(tip)}">${badge}${escape(input.describe(i))}</div>`;
  });
  const labels = processes.map(
    (p, i) => `<div class="proc" style="top:${i * ROW + 4}px">${escape(p)}</div>`,
  );
  const width = LABEL_WIDTH + (end + 1) * UNIT;
  const height = processes.length * ROW + 8;
  const note =
    shown.length < scope.length
      ? `<p class="note">Showing ${shown.length} of ${scope.length} operations, around the failure.</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(input.title)}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px}
.verdict{font-weight:bold}.bad{color:#b00020}.good{color:#1b7f3b}.unknownv{color:#a66b00}
.scroll{overflow:auto;border:1px solid #ccc;background:#fafafa}
.lane{position:relative}
.proc{position:absolute;left:4px;width:${LABEL_WIDTH - 8}px;height:${ROW - 8}px;line-height:${ROW - 8}px;font-weight:bold;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.op{position:absolute;height:${ROW - 10}px;line-height:${ROW - 10}px;padding:0 3px;box-sizing:border-box;border-radius:3px;font-size:11px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.prefix{background:#cfe3ff;border:1px solid #5b8bd0}
.later{background:#e8e8e8;border:1px solid #aaa;color:#666}
.window{background:#ffc9c9;border:1px solid #d33}
.breaking{border:3px solid #8b0000}
.unknown{background-image:repeating-linear-gradient(45deg,transparent 0 6px,rgba(0,0,0,.08) 6px 12px);border-style:dashed}
.op b{display:inline-block;min-width:14px;margin-right:3px;padding:0 2px;border-radius:6px;background:#fff;color:#333;font-size:10px;text-align:center;line-height:14px}
.legend span{display:inline-block;padding:0 6px;margin-right:8px;border-radius:3px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left}
.note{color:#666}
</style></head><body>
<h1>${escape(input.title)}</h1>
${summary(result, failure, input)}
<p class="legend"><span class="prefix">linearizable prefix (numbers: a linearization)</span><span class="window">window that cannot be ordered</span><span class="window breaking">breaking operation</span><span class="later">after the failure</span><span class="unknown later">unknown outcome</span></p>
${note}<div class="scroll"><div class="lane" style="width:${width}px;height:${height}px">
${labels.join('\n')}
${bars.join('\n')}
</div></div>
</body></html>
`;
}

function summary(
  result: LincheckResult,
  failure: Failure | undefined,
  input: TimelineInput,
): string {
  const css =
    result.verdict === 'linearizable' ? 'good' : result.verdict === 'unknown' ? 'unknownv' : 'bad';
  const head = `<p><span class="verdict ${css}">${escape(result.verdict)}</span> against model <code>${escape(result.model)}</code>, ${input.history.length} operations, ${result.partitions.length} partition(s).</p>`;
  if (failure === undefined) return head;
  const rows = failure.window.ops
    .map((i) => {
      const o = op(input.history, i);
      const mark = i === failure.breakingOp ? ' (breaking)' : '';
      return `<tr><td>#${i}${mark}</td><td>${escape(o.process)}</td><td>${escape(input.describe(i))}</td><td>${escape(input.where?.(i) ?? '')}</td></tr>`;
    })
    .join('');
  const partition =
    failure.partition === undefined
      ? ''
      : ` in partition <code>${escape(failure.partition)}</code>`;
  return `${head}<p>The history stops being linearizable${partition} when operation #${failure.breakingOp} returns; the ${failure.prefix.ops.length} operations called before that are linearizable.</p>
<p>Smallest window found that cannot be ordered (${failure.window.ops.length} operations${failure.window.minimal ? ', 1-minimal' : ''}):</p>
<table><tr><th>op</th><th>process</th><th>operation</th><th>where</th></tr>${rows}</table>`;
}

/** Keep at most MAX_OPS operations, those called nearest the breaking operation. */
function crop(
  scope: readonly number[],
  history: readonly HistoryOp[],
  failure: Failure | undefined,
): number[] {
  if (scope.length <= MAX_OPS) return [...scope];
  const sorted = [...scope].sort((a, b) => op(history, a).call - op(history, b).call || a - b);
  const center = failure === undefined ? 0 : Math.max(0, sorted.indexOf(failure.breakingOp));
  const from = Math.max(0, Math.min(center - MAX_OPS / 2, sorted.length - MAX_OPS));
  const kept = new Set(sorted.slice(from, from + MAX_OPS));
  for (const i of failure?.window.ops ?? []) kept.add(i);
  return [...kept].sort((a, b) => a - b);
}

function op(history: readonly HistoryOp[], i: number): HistoryOp {
  return history[i] as HistoryOp;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
