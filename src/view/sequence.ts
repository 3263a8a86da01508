/**
 * One page for every run of the protocol an engineer must read: an explorer counterexample,
 * the same counterexample re-run by `smr replay`, and a trace `smr check-trace` judged (up to
 * the event the spec forbids). The producers (harness/explore/counterexample/html.ts,
 * src/trace/diagram.ts) turn their runs into a `SequenceDiagram`; this renders it.
 *
 * What the page shows, after TLC's error traces (the state at every step) and ShiViz/DSLabs
 * (stepping through a run): a sequence diagram — one lifeline per node, one box per step with
 * its full label, message lines under the boxes ending at box edges with arrowheads, messages
 * dropped, duplicated or never delivered drawn apart — and beside it the state of every node
 * after the selected step, what changed highlighted, the violated invariant's culprit values
 * marked. One self-contained file: inline CSS and SVG, a small inline script for keyboard and
 * click stepping. Without the script every step's state is still in the page, one after another.
 */
import { renderDiagramSvg } from './sequence-svg.js';
import { renderPanels, renderCulprits } from './sequence-panel.js';
import { STEPPER_SCRIPT } from './script.js';
import { esc, MONO } from './text.js';
import type { SequenceDiagram } from './sequence-model.js';

export type {
  Culprit,
  NodeState,
  SequenceDiagram,
  SequenceMessage,
  SequenceStep,
  SequenceViolation,
  Snapshot,
  StepKind,
} from './sequence-model.js';

export function renderSequencePage(d: SequenceDiagram): string {
  const bad = d.violation;
  const start = bad === null ? d.steps.length : bad.step + 1;
  const verdict =
    bad === null
      ? ''
      : `<div class="verdict" id="verdict"><p><b>${esc(bad.heading)}</b>${bad.step >= 0 ? ` at <a href="#s${bad.step + 1}">step ${bad.step + 1}</a>` : ' in the initial state'}${bad.node === undefined ? '' : ` (${esc(bad.node)})`}</p><p class="msg">${esc(bad.message)}</p>${renderCulprits(d)}</div>`;
  const notes = (d.notes ?? []).map((n) => `<p class="sub">${esc(n)}</p>`).join('');
  const rows = d.steps
    .map(
      (s, i) =>
        `<tr data-step="${i + 1}"${bad?.step === i ? ' class="badrow"' : ''}><td><a href="#s${i + 1}">${i + 1}</a></td><td>${esc(s.where ?? '')}</td><td>${esc(s.node)}</td><td>${esc(s.label)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>${CSS}</style></head>
<body data-start="${start}">
<header><h1>${esc(d.title)}</h1><p class="sub">${esc(d.subtitle)}</p>${notes}
${verdict}
${LEGEND}
<p class="help">Click a step, or use <kbd>↑</kbd>/<kbd>↓</kbd> (<kbd>j</kbd>/<kbd>k</kbd>) to step through the run, <kbd>v</kbd> to jump to the violation; the panel shows every node's state after the step.</p></header>
<main>
<div class="left">
<div class="diagram">${renderDiagramSvg(d)}</div>
<h2>Steps</h2>
<table class="steps"><tr><th>#</th><th>where</th><th>node</th><th>step</th></tr>
${rows}</table>
</div>
<aside id="panel">${renderPanels(d)}</aside>
</main>
${bad === null ? '' : `<p class="foot"><b>${esc(bad.heading)}</b>: ${esc(bad.message)}</p>`}
<script>${STEPPER_SCRIPT}</script>
</body></html>
`;
}

const sample = (line: string) =>
  `<svg width="44" height="12" viewBox="0 0 44 12" aria-hidden="true">${line}</svg>`;
const LEGEND = `<p class="legend">${[
  [
    sample(
      '<line class="msg" x1="2" y1="6" x2="36" y2="6"/><path d="M36,2 L44,6 L36,10 z" fill="#3366aa"/>',
    ),
    'delivered',
  ],
  [
    sample(
      '<line class="msg copy" x1="2" y1="6" x2="36" y2="6"/><path d="M36,2 L44,6 L36,10 z" fill="#3366aa"/>',
    ),
    'a duplicated copy, delivered',
  ],
  [
    sample('<line class="msg dropped" x1="2" y1="6" x2="36" y2="6"/>'),
    'dropped (ends at the drop)',
  ],
  [
    sample(
      '<line class="msg never" x1="2" y1="6" x2="30" y2="6"/><circle class="stub" cx="34" cy="6" r="3"/>',
    ),
    'never delivered',
  ],
  [
    sample(
      '<line class="msg unsent" x1="2" y1="6" x2="36" y2="6"/><path d="M36,2 L44,6 L36,10 z" fill="#b00020"/>',
    ),
    'received but never sent',
  ],
  [sample('<line class="down" x1="2" y1="6" x2="42" y2="6"/>'), 'replica down'],
]
  .map(([svg, text]) => `<span>${svg ?? ''} ${text ?? ''}</span>`)
  .join('')}</p>`;

const CSS = `
p.legend{font-size:12px;color:#444;margin:4px 0} p.legend span{margin-right:14px;white-space:nowrap}
p.legend svg{vertical-align:middle}
p.legend .msg{stroke:#3366aa;stroke-width:1.3} p.legend .copy{stroke-dasharray:8 3 2 3}
p.legend .dropped{stroke:#888;stroke-dasharray:4 3} p.legend .never,p.legend .unsent{stroke:#b00020;stroke-dasharray:3 3}
p.legend .stub{fill:#fff;stroke:#b00020} p.legend .down{stroke:#c00;stroke-width:3;stroke-dasharray:2 4}
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1d1d1f}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:20px 0 6px}
p.sub{color:#555;margin:0 0 4px} p.help{color:#666;font-size:12px;margin:6px 0 10px}
kbd{border:1px solid #bbb;border-radius:3px;padding:0 3px;font-size:11px;background:#f6f6f6}
.verdict{background:#fde8e8;border:1px solid #d33;padding:8px 12px;margin:10px 0;border-radius:4px}
.verdict p{margin:2px 0} .verdict .msg{font-family:${MONO};font-size:12px;white-space:pre-wrap;overflow-wrap:anywhere}
.verdict table{margin-top:6px}
table.kv{border-collapse:collapse} table.kv td,table.kv th{border:1px solid #e3c4c4;padding:2px 6px;text-align:left;vertical-align:top;font-size:12px}
table.kv td.v{font-family:${MONO};white-space:pre-wrap;overflow-wrap:anywhere}
main{display:grid;grid-template-columns:minmax(0,1fr) 400px;gap:12px;align-items:start}
.left{min-width:0} .diagram{overflow-x:auto;border:1px solid #ddd;background:#fff}
aside{border:1px solid #ddd;background:#fbfbfd;padding:0 10px}
body.js aside{position:sticky;top:0;max-height:100vh;overflow-y:auto}
body.js section.step{display:none} body.js section.step.on{display:block}
section.step{border-bottom:1px solid #ddd;padding:6px 0}
section.step:target{background:#eef4ff}
section.step h3{font-size:14px;margin:4px 0} section.step .label{font-family:${MONO};font-size:12px;overflow-wrap:anywhere}
.card{border:1px solid #ddd;border-radius:4px;margin:6px 0;background:#fff}
.card.actor{border-color:#5b7db1;box-shadow:0 0 0 1px #5b7db1}
.card.bad{border-color:#c00;box-shadow:0 0 0 1px #c00}
.card h4{margin:0;padding:2px 6px;font-size:12px;background:#eef3fb}
.card.bad h4{background:#fbd5d5}
.card table{border-collapse:collapse;width:100%}
.card td{border-top:1px solid #eee;padding:1px 6px;vertical-align:top;font-size:12px}
.card td.k{color:#555;width:92px;white-space:nowrap}
.card td.v{font-family:${MONO};font-size:11px;white-space:pre-wrap;overflow-wrap:anywhere}
td.chg{background:#fff3bf} td.culprit{background:#ffc9c9;outline:2px solid #c00;outline-offset:-2px}
ul.msgs{margin:2px 0 4px 16px;padding:0;font-family:${MONO};font-size:11px;overflow-wrap:anywhere}
.fate{color:#666;font-family:system-ui,sans-serif}
.fate.never{color:#b00020;font-weight:600}
svg text{font-family:${MONO};font-size:11px}
svg .name{font-family:system-ui,sans-serif;font-size:13px;font-weight:600;text-anchor:middle}
svg .num{fill:#888;font-family:system-ui,sans-serif}
svg .life{stroke:#bbb;stroke-dasharray:4 4} svg .down{stroke:#c00;stroke-width:3;stroke-dasharray:2 4}
svg .head{fill:#eef3fb;stroke:#5b7db1} svg .head.client{fill:#eefbf0;stroke:#4a8a56} svg .head.badnode{fill:#fbd5d5;stroke:#c00}
svg .row{fill:transparent} svg .row.badrow{fill:#fde8e8} svg .row.cur{fill:#dbe8ff}
svg .box{fill:#fff;stroke:#666} svg .box.crash{fill:#fdd;stroke:#c00} svg .box.restart{fill:#dfd;stroke:#080}
svg .box.corrupt{fill:#f0dcff;stroke:#80c} svg .box.drop{fill:#f2f2f2;stroke:#888;stroke-dasharray:4 3}
svg .box.duplicate{fill:#fffbe0;stroke:#aa0;stroke-dasharray:4 3} svg .box.badbox{stroke:#c00;stroke-width:2.5}
svg a:hover .box, svg a.cur .box{stroke:#2457b5;stroke-width:2.5}
svg .act{font-weight:700} svg .cause{fill:#444}
svg .msg{stroke:#3366aa;stroke-width:1.3;fill:none} svg .msg.copy{stroke-dasharray:8 3 2 3}
svg .msg.dropped{stroke:#888;stroke-dasharray:4 3} svg .msg.dupl{stroke:#aa0;stroke-dasharray:2 3}
svg .msg.never{stroke:#b00020;stroke-dasharray:3 3} svg .msg.unsent{stroke:#b00020;stroke-dasharray:6 3}
svg .stub{fill:#fff;stroke:#b00020} svg .stubtext{fill:#b00020;font-size:10px}
svg .unsenttext{fill:#b00020;font-size:10px;font-weight:700} svg .earliertext{fill:#3366aa;font-size:10px}
table.steps{border-collapse:collapse} table.steps td,table.steps th{border-top:1px solid #eee;padding:2px 8px;vertical-align:top;text-align:left}
table.steps td{font-family:${MONO};font-size:12px} table.steps tr.badrow td{background:#fde8e8}
table.steps tr.cur td{background:#dbe8ff}
p.foot{color:#b00020;overflow-wrap:anywhere}
`;
