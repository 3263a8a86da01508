/**
 * A counterexample as a self-contained HTML sequence diagram: one lifeline per node, one row
 * per step, an arrow from where a message was sent to each delivery of it, crashes and restarts
 * on the lifelines, and the violated invariant highlighted. No scripts, no external assets: a
 * file a user opens in any browser, or attaches to a bug report.
 */

export interface DiagramStep {
  /** The step's label (spec actions first). */
  readonly label: string;
  /** The node that acted, if any. */
  readonly node?: string;
  readonly kind: string;
  /** The packet delivered or dropped in this step. */
  readonly consumed?: { readonly id: number; readonly text: string };
  readonly sent: readonly { readonly id: number; readonly from: string; readonly text: string }[];
  /** Spec actions the node performed. */
  readonly events: readonly string[];
  /** Duplicate: the copy's id. */
  readonly copy?: number;
}

export interface Diagram {
  readonly title: string;
  readonly subtitle: string;
  readonly nodes: readonly string[];
  readonly steps: readonly DiagramStep[];
  readonly violation: {
    readonly invariant: string;
    readonly message: string;
    readonly node?: string;
    /** Index of the step that exposed it; -1 for the initial state. */
    readonly step: number;
  } | null;
}

const COL = 170;
const ROW = 46;
const LEFT = 110;
const TOP = 70;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderSequenceDiagram(d: Diagram): string {
  const x = new Map(d.nodes.map((n, i) => [n, LEFT + i * COL]));
  const xOf = (n: string | undefined): number => x.get(n ?? '') ?? LEFT;
  const y = (i: number): number => TOP + (i + 1) * ROW;
  const width = LEFT + d.nodes.length * COL;
  const height = y(d.steps.length) + ROW * 2;
  const svg: string[] = [];
  const sentAt = new Map<number, { row: number; from: string }>();
  const bad = d.violation;

  if (bad !== null && bad.step >= 0)
    svg.push(
      `<rect class="bad" x="0" y="${y(bad.step) - ROW / 2}" width="${width}" height="${ROW}"/>`,
    );
  d.nodes.forEach((n) => {
    const nx = xOf(n);
    const mark = bad?.node === n ? ' badnode' : '';
    svg.push(`<line class="life" x1="${nx}" y1="${TOP}" x2="${nx}" y2="${height - ROW}"/>`);
    svg.push(
      `<rect class="head${mark}" x="${nx - 50}" y="${TOP - 40}" width="100" height="28" rx="4"/>`,
    );
    svg.push(`<text class="name" x="${nx}" y="${TOP - 21}">${esc(n)}</text>`);
  });
  d.steps.forEach((s, i) => {
    const sy = y(i);
    svg.push(`<text class="num" x="12" y="${sy + 4}">${i + 1}</text>`);
    if (s.consumed !== undefined) {
      const origin = sentAt.get(s.consumed.id);
      if (origin !== undefined) {
        const x1 = xOf(origin.from);
        const x2 = xOf(s.node);
        const dropped = s.kind === 'Drop';
        svg.push(
          `<line class="msg${dropped ? ' lost' : ''}" x1="${x1}" y1="${y(origin.row)}" x2="${x2}" y2="${sy}" marker-end="url(#arrow)"><title>${esc(s.consumed.text)}</title></line>`,
        );
        svg.push(
          `<text class="label" x="${(x1 + x2) / 2}" y="${(y(origin.row) + sy) / 2 - 4}">${esc(clip(s.consumed.text, 34))}</text>`,
        );
      }
    }
    if (s.copy !== undefined && s.consumed !== undefined) {
      const origin = sentAt.get(s.consumed.id);
      if (origin !== undefined) sentAt.set(s.copy, origin);
    }
    for (const p of s.sent) sentAt.set(p.id, { row: i, from: p.from });
    const nx = xOf(s.node);
    const text = s.events.length > 0 ? s.events.join(', ') : s.kind;
    const cls = ['Crash', 'Restart', 'Corrupt', 'Drop', 'Duplicate'].includes(s.kind)
      ? s.kind.toLowerCase()
      : 'act';
    if (s.node !== undefined) {
      svg.push(
        `<rect class="${cls}" x="${nx - 60}" y="${sy - 11}" width="120" height="22" rx="3"><title>${esc(s.label)}</title></rect>`,
      );
      svg.push(`<text class="act" x="${nx}" y="${sy + 4}">${esc(clip(text, 20))}</text>`);
    } else {
      svg.push(
        `<text class="note" x="${LEFT - 60}" y="${sy + 4}">${esc(clip(s.label, 60))}</text>`,
      );
    }
  });
  if (bad !== null) {
    svg.push(
      `<text class="verdict" x="${LEFT - 60}" y="${height - ROW / 2}">${esc(`${bad.invariant} violated${bad.step >= 0 ? ` at step ${bad.step + 1}` : ' in the initial state'}: ${clip(bad.message, 150)}`)}</text>`,
    );
  }
  const rows = d.steps
    .map(
      (s, i) =>
        `<tr${bad?.step === i ? ' class="badrow"' : ''}><td>${i + 1}</td><td>${esc(s.label)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px;margin:0 0 4px} p.sub{color:#555;margin:0 0 16px}
.verdictbox{background:#fde8e8;border:1px solid #d33;padding:8px 12px;margin:0 0 16px;border-radius:4px}
svg{border:1px solid #ddd;background:#fff}
.life{stroke:#bbb;stroke-dasharray:4 4} .head{fill:#eef3fb;stroke:#5b7db1} .badnode{fill:#fbd5d5;stroke:#c00}
.name{text-anchor:middle;font-weight:600} .num{fill:#888;font-size:11px}
.msg{stroke:#3366aa;stroke-width:1.3} .msg.lost{stroke:#aaa;stroke-dasharray:3 3}
.label{fill:#3366aa;font-size:10px;text-anchor:middle}
rect.act{fill:#fff;stroke:#666} text.act{text-anchor:middle;font-size:11px}
rect.crash{fill:#fdd;stroke:#c00} rect.restart{fill:#dfd;stroke:#080} rect.corrupt{fill:#f0dcff;stroke:#80c}
rect.drop{fill:#eee;stroke:#999} rect.duplicate{fill:#ffe;stroke:#aa0}
.note{font-size:11px;fill:#555} .bad{fill:#fde8e8} .verdict{fill:#c00;font-weight:600}
table{border-collapse:collapse;margin-top:16px} td{border-top:1px solid #eee;padding:3px 8px;vertical-align:top;font:12px ui-monospace,monospace}
tr.badrow td{background:#fde8e8}
</style></head><body>
<h1>${esc(d.title)}</h1><p class="sub">${esc(d.subtitle)}</p>
${bad === null ? '' : `<div class="verdictbox"><b>${esc(bad.invariant)}</b> — ${esc(bad.message)}</div>`}
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#3366aa"/></marker></defs>
${svg.join('\n')}
</svg>
<table>${rows}</table>
</body></html>
`;
}
