/**
 * The sequence diagram of src/view/sequence.ts as SVG. Layout: a lane per node, a row per step
 * whose height fits its box's wrapped text; message lines are drawn first so every box covers
 * the lines that pass under it, and each line ends at the receiving box's edge with an
 * arrowhead. A drop or duplication is the network's step: its box sits between the two lanes,
 * a dropped line stops there, and a copy's later delivery starts there. A message never
 * delivered is a short red stub from its send toward its receiver; a message received but not
 * sent in the steps shown (a trace window, or a forged receive) is a short arrow naming where
 * it came from, or "never sent".
 */
import type { SequenceDiagram, SequenceStep } from './sequence-model.js';
import { CHAR_PX, esc, wrap } from './text.js';

const PAD = 5;
const LEFT = 34;

/**
 * Box and lane widths: narrower from five lanes on, so that three replicas and two clients
 * fit beside the state panel on a 1500-pixel screen. `chars` is what fits a box line at the
 * label font (text.ts).
 */
interface Geometry {
  readonly box: number;
  readonly col: number;
  readonly chars: number;
}

function geometry(lanes: number): Geometry {
  const box = lanes >= 5 ? 170 : 190;
  return { box, col: box + (lanes >= 5 ? 30 : 34), chars: Math.floor((box - 2 * PAD) / CHAR_PX) };
}
const HEAD = 64;
const LINE = 14;
const GAP = 18;
const MIN_H = 24;
const STUB = 22;

interface Box {
  readonly cx: number;
  readonly top: number;
  readonly h: number;
  readonly lines: readonly { readonly text: string; readonly cls: string }[];
}

const mid = (b: Box): number => b.top + b.h / 2;

export function renderDiagramSvg(d: SequenceDiagram): string {
  const g = geometry(d.nodes.length);
  const lane = new Map(d.nodes.map((n, i) => [n, LEFT + g.col / 2 + i * g.col]));
  const laneX = (n: string): number => lane.get(n) ?? LEFT + g.col / 2;
  const width = LEFT + d.nodes.length * g.col + 10;
  const boxes: Box[] = [];
  let y = HEAD + GAP;
  for (const s of d.steps) {
    const lines = boxLines(s, g);
    const h = Math.max(MIN_H, lines.length * LINE + 2 * PAD);
    const cx =
      s.kind === 'drop' || s.kind === 'duplicate'
        ? (laneX(s.receives?.from ?? s.node) + laneX(s.node)) / 2
        : laneX(s.node);
    boxes.push({ cx, top: y, h, lines });
    y += h + GAP;
  }
  const height = y + 34;
  const bad = d.violation;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sequence diagram">`,
    `<defs>${marker('arr', '#3366aa')}${marker('arrcopy', '#3366aa')}${marker('arrred', '#b00020')}${marker('arrgrey', '#888')}${marker('arryellow', '#aa0')}</defs>`,
  );
  // Row bands: the violation's in red, the selected step's (script) in blue.
  d.steps.forEach((_, i) => {
    const b = boxes[i] as Box;
    out.push(
      `<rect class="row${bad?.step === i ? ' badrow' : ''}" data-step="${i + 1}" x="0" y="${b.top - GAP / 2}" width="${width}" height="${b.h + GAP}"/>`,
    );
  });
  out.push(...lifelines(d, boxes, laneX, height));
  out.push(...messageLines(d, boxes, laneX, g));
  d.steps.forEach((s, i) => out.push(boxSvg(s, i, boxes[i] as Box, bad?.step === i, g)));
  d.nodes.forEach((n) => {
    const x = laneX(n);
    const cls = `head${(d.clients ?? []).includes(n) ? ' client' : ''}${bad?.node === n ? ' badnode' : ''}`;
    for (const top of [14, height - 30])
      out.push(
        `<rect class="${cls}" x="${x - 50}" y="${top}" width="100" height="24" rx="4"/><text class="name" x="${x}" y="${top + 17}">${esc(n)}</text>`,
      );
  });
  out.push('</svg>');
  return out.join('\n');
}

function marker(id: string, color: string): string {
  return `<marker id="${id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`;
}

/** The text of a step's box: its actions, then what made it happen; every line whole. */
function boxLines(s: SequenceStep, g: Geometry): Box['lines'] {
  const lines: { text: string; cls: string }[] = [];
  const add = (text: string, cls: string) => {
    for (const line of wrap(text, g.chars)) lines.push({ text: line, cls });
  };
  const r = s.receives;
  if (s.kind === 'drop' || s.kind === 'duplicate') {
    add(s.kind === 'drop' ? '× dropped' : '×2 duplicated', 'act');
    if (r !== undefined) add(`${r.from}→${s.node}: ${r.text}`, 'cause');
    return lines;
  }
  for (const a of s.actions) add(a, 'act');
  if (r !== undefined) add(`← ${r.from}: ${r.text}`, 'cause');
  if (s.cause !== undefined) add(s.cause, 'cause');
  if (lines.length === 0) add(s.label, 'cause');
  return lines;
}

function boxSvg(s: SequenceStep, i: number, b: Box, bad: boolean, g: Geometry): string {
  const x = b.cx - g.box / 2;
  const cls = `box${s.kind === 'act' ? '' : ` ${s.kind}`}${bad ? ' badbox' : ''}`;
  const text = b.lines
    .map(
      (l, k) =>
        `<text class="ln ${l.cls}" x="${x + PAD}" y="${b.top + PAD + LINE * k + 11}">${esc(l.text)}</text>`,
    )
    .join('');
  const all = b.lines.map((l) => l.text).join(' ');
  return `<a href="#s${i + 1}" class="step" data-step="${i + 1}" data-text="${esc(all)}"><title>${esc(`${i + 1}. ${s.label}`)}</title><rect class="${cls}" x="${x}" y="${b.top}" width="${g.box}" height="${b.h}" rx="3"/>${text}</a>`;
}

/** Lifelines, with the stretch a replica is down drawn in red. */
function lifelines(
  d: SequenceDiagram,
  boxes: readonly Box[],
  laneX: (n: string) => number,
  height: number,
): string[] {
  const out = d.nodes.map(
    (n) => `<line class="life" x1="${laneX(n)}" y1="38" x2="${laneX(n)}" y2="${height - 30}"/>`,
  );
  const downSince = new Map<string, number>();
  const segment = (n: string, from: number, to: number) =>
    out.push(
      `<line class="down" x1="${laneX(n)}" y1="${from}" x2="${laneX(n)}" y2="${to}"><title>${esc(n)} is down</title></line>`,
    );
  d.steps.forEach((s, i) => {
    const b = boxes[i] as Box;
    if (s.kind === 'crash') downSince.set(s.node, b.top + b.h);
    if (s.kind === 'restart') {
      const from = downSince.get(s.node);
      if (from !== undefined) segment(s.node, from, b.top);
      downSince.delete(s.node);
    }
  });
  for (const [n, from] of downSince) segment(n, from, height - 30);
  return out;
}

interface Origin {
  readonly cx: number;
  readonly y: number;
  readonly step: number;
}

function messageLines(
  d: SequenceDiagram,
  boxes: readonly Box[],
  laneX: (n: string) => number,
  g: Geometry,
): string[] {
  const out: string[] = [];
  const sentAt = new Map<string, Origin>();
  const sentTo = new Map<string, { from: string; to: string; text: string }>();
  const fated = new Set<string>();
  const edge = (cx: number, toward: number) => cx + (toward >= cx ? 1 : -1) * (g.box / 2);
  const line = (o: Origin, b: Box, to: number, cls: string, end: string, tip: string): string => {
    const x1 = edge(o.cx, b.cx);
    const x2 = edge(b.cx, o.cx);
    const y2 = mid(b);
    if (o.cx === b.cx) {
      // Same lane: a loop out to the right.
      const xr = o.cx + g.box / 2 + 24;
      return `<path class="msg ${cls}" data-to="${to + 1}" d="M${o.cx + g.box / 2},${o.y} H${xr} V${y2} H${o.cx + g.box / 2}" marker-end="url(#${end})"><title>${esc(tip)}</title></path>`;
    }
    return `<line class="msg ${cls}" data-to="${to + 1}" x1="${x1}" y1="${o.y}" x2="${x2}" y2="${y2}" marker-end="url(#${end})"><title>${esc(tip)}</title></line>`;
  };
  d.steps.forEach((s, i) => {
    const b = boxes[i] as Box;
    const r = s.receives;
    if (r !== undefined) {
      const o = sentAt.get(r.id);
      const what = `${r.from}→${s.node} ${r.text}`;
      if (s.kind === 'drop') {
        fated.add(r.id);
        if (o !== undefined)
          out.push(line(o, b, i, 'dropped', 'arrgrey', `dropped at step ${i + 1}: ${what}`));
      } else if (s.kind === 'duplicate') {
        if (o !== undefined)
          out.push(line(o, b, i, 'dupl', 'arryellow', `duplicated at step ${i + 1}: ${what}`));
        if (s.copy !== undefined) {
          sentAt.set(s.copy, { cx: b.cx, y: mid(b), step: i });
          sentTo.set(s.copy, { from: r.from, to: s.node, text: r.text });
        }
      } else {
        fated.add(r.id);
        if (o !== undefined) {
          const copy = d.steps[o.step]?.kind === 'duplicate';
          out.push(
            line(
              o,
              b,
              i,
              copy ? 'copy' : '',
              'arr',
              `${copy ? 'a copy of ' : ''}${what}, sent at step ${o.step + 1}, delivered at step ${i + 1}`,
            ),
          );
        } else out.push(...incoming(b, laneX(r.from), r.origin, what, g));
      }
    }
    for (const m of s.sends) {
      sentAt.set(m.id, { cx: b.cx, y: mid(b), step: i });
      sentTo.set(m.id, m);
    }
  });
  // Messages never delivered: a stub toward the receiver, one below the other per direction.
  const fan = new Map<string, number>();
  for (const [id, o] of sentAt) {
    const m = sentTo.get(id);
    if (m === undefined || fated.has(id) || m.to === m.from) continue;
    const to = laneX(m.to);
    const dir = to >= o.cx ? 1 : -1;
    const key = `${o.step}|${dir}`;
    const k = fan.get(key) ?? 0;
    fan.set(key, k + 1);
    const x1 = o.cx + dir * (g.box / 2);
    const x2 = x1 + dir * STUB;
    const y2 = o.y + 6 + 11 * k;
    const tip = `never delivered: ${m.from}→${m.to} ${m.text} (sent at step ${o.step + 1})`;
    out.push(
      `<g class="never" data-to="${esc(m.to)}"><title>${esc(tip)}</title><line class="msg never" x1="${x1}" y1="${o.y}" x2="${x2}" y2="${y2}"/><circle class="stub" cx="${x2 + dir * 3}" cy="${y2}" r="3"/><text class="stubtext" x="${x2 + dir * 8}" y="${y2 + 3}"${dir < 0 ? ' text-anchor="end"' : ''}>${esc(m.to)}</text></g>`,
    );
  }
  return out;
}

/** A receive with no send in the diagram: a short arrow saying where it was sent, or that it never was. */
function incoming(
  b: Box,
  fromX: number,
  origin: string | undefined,
  what: string,
  g: Geometry,
): string[] {
  const dir = fromX >= b.cx ? 1 : -1;
  const x2 = b.cx + dir * (g.box / 2);
  const x1 = x2 + dir * 40;
  const y = mid(b);
  const cls = origin === undefined ? 'unsent' : 'earlier';
  const label = origin === undefined ? 'never sent' : `from ${origin}`;
  const tip = origin === undefined ? `${what}: never sent` : `${what}, sent at ${origin}`;
  return [
    `<g class="${cls}"><title>${esc(tip)}</title><line class="msg ${origin === undefined ? 'unsent' : ''}" x1="${x1}" y1="${y - 14}" x2="${x2}" y2="${y}" marker-end="url(#${origin === undefined ? 'arrred' : 'arr'})"/><text class="${origin === undefined ? 'unsenttext' : 'earliertext'}" x="${x1}" y="${y - 18}"${dir < 0 ? ' text-anchor="end"' : ''}>${esc(label)}</text></g>`,
  ];
}
