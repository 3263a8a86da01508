/**
 * The state panel of src/view/sequence.ts: one section per step (and one for the initial
 * state), each with the step's label, the messages it received and sent with their fate
 * (delivered at which step, dropped, never delivered), and every node's variables after it —
 * a card per node, changed values highlighted with the value before in the tooltip, the
 * violated invariant's culprit values marked. Every section is in the page; the inline script
 * only shows one at a time.
 */
import type { NodeState, SequenceDiagram, Snapshot } from './sequence-model.js';
import { esc } from './text.js';

interface Fate {
  readonly delivered: number[];
  dropped?: number;
  readonly duplicated: number[];
}

export function renderPanels(d: SequenceDiagram): string {
  const fates = fatesOf(d);
  const sentAt = new Map<string, number>();
  d.steps.forEach((s, i) => s.sends.forEach((m) => sentAt.set(m.id, i)));
  const sections = [section(d, 0, d.initial, {}, '<h3>Initial state</h3>')];
  let before = d.initial;
  d.steps.forEach((s, i) => {
    const head = `<h3>Step ${i + 1}${s.where === undefined ? '' : ` · ${esc(s.where)}`} · ${esc(s.node)}</h3><p class="label">${esc(s.label)}</p>`;
    const parts = [head];
    const r = s.receives;
    if (r !== undefined) {
      const at = sentAt.get(r.id);
      const origin =
        at !== undefined && at < i
          ? `sent at step ${at + 1}`
          : (r.origin ?? (s.kind === 'act' ? 'never sent' : 'sent before'));
      const verb =
        s.kind === 'drop' ? 'Dropped' : s.kind === 'duplicate' ? 'Duplicated' : 'Received';
      parts.push(
        `<p>${verb}:</p><ul class="msgs"><li>${esc(`${r.from}→${s.node} ${r.text}`)} <span class="fate${origin === 'never sent' ? ' never' : ''}">${esc(origin)}</span></li></ul>`,
      );
    }
    if (s.sends.length > 0) {
      const items = s.sends.map(
        (m) => `<li>${esc(`${m.from}→${m.to} ${m.text}`)} ${fateText(fates.get(m.id))}</li>`,
      );
      parts.push(`<p>Sent:</p><ul class="msgs">${items.join('')}</ul>`);
    }
    sections.push(section(d, i + 1, s.state, before, parts.join(''), s.node, s.inFlight));
    before = s.state;
  });
  return sections.join('\n');
}

function section(
  d: SequenceDiagram,
  k: number,
  state: Snapshot,
  before: Snapshot,
  head: string,
  actor?: string,
  inFlight?: readonly string[],
): string {
  const bad = d.violation !== null && d.violation.step === k - 1 ? d.violation : null;
  const culprit = new Set((bad?.culprits ?? []).map((c) => `${c.node}\u0000${c.variable}`));
  const verdict =
    bad === null
      ? ''
      : `<div class="verdict"><p><b>${esc(bad.heading)}</b></p><p class="msg">${esc(bad.message)}</p>${details(bad.details)}</div>`;
  const ids = [...d.nodes, ...(d.columns ?? []).map((c) => c.id)];
  const caption = new Map((d.columns ?? []).map((c) => [c.id, c.caption]));
  const cards = ids.map((id) => {
    const now = state[id] ?? {};
    const was = k === 0 ? now : (before[id] ?? {});
    const keys = [...new Set([...Object.keys(now), ...Object.keys(was)])];
    const rows = keys.map((key) => {
      const value = now[key];
      const old = was[key];
      const cls = ['v'];
      if (value !== old) cls.push('chg');
      if (culprit.has(`${id}\u0000${key}`)) cls.push('culprit');
      const tip = value !== old ? ` title="${esc(`before: ${old ?? '—'}`)}"` : '';
      return `<tr><td class="k">${esc(key)}</td><td class="${cls.join(' ')}"${tip} data-var="${esc(key)}">${esc(value ?? '—')}</td></tr>`;
    });
    const cls = ['card'];
    if (id === actor) cls.push('actor');
    if (bad !== null && (bad.node === id || bad.culprits.some((c) => c.node === id)))
      cls.push('bad');
    const title = caption.get(id) ?? id;
    const body =
      rows.length === 0
        ? `<tr><td class="k"></td><td class="v">(nothing logged)</td></tr>`
        : rows.join('');
    return `<div class="${cls.join(' ')}" data-node="${esc(id)}"><h4>${esc(title)}</h4><table>${body}</table></div>`;
  });
  const flight =
    inFlight === undefined
      ? ''
      : `<details><summary>In the network after this step (${inFlight.length})</summary><ul class="msgs">${inFlight.map((m) => `<li>${esc(m)}</li>`).join('')}</ul></details>`;
  return `<section class="step" id="s${k}">${head}${verdict}${cards.join('')}${flight}</section>`;
}

/** The culprit values at the violation's step, and its details, for the verdict box. */
export function renderCulprits(d: SequenceDiagram): string {
  const bad = d.violation;
  if (bad === null) return '';
  const state: Snapshot = bad.step < 0 ? d.initial : (d.steps[bad.step]?.state ?? {});
  const caption = new Map((d.columns ?? []).map((c) => [c.id, c.caption]));
  const rows = bad.culprits.map((c) => {
    const whole = (state[c.node] as NodeState | undefined)?.[c.variable] ?? '—';
    // A long log shows only the entry at stake (the panel has the rest).
    const lines = whole.split('\n').filter((l) => l.startsWith(`${c.entry}: `));
    const value = c.entry === undefined || lines.length === 0 ? whole : lines.join('\n');
    return `<tr><td>${esc(caption.get(c.node) ?? c.node)}</td><td>${esc(c.variable)}</td><td class="v culprit">${esc(value)}</td></tr>`;
  });
  const table =
    rows.length === 0
      ? ''
      : `<p>The values involved, after the step:</p><table class="kv culprits"><tr><th>node</th><th>variable</th><th>value</th></tr>${rows.join('')}</table>`;
  return details(bad.details) + table;
}

function details(list: readonly { label: string; value: string }[] | undefined): string {
  if (list === undefined || list.length === 0) return '';
  return `<table class="kv details">${list.map((x) => `<tr><th>${esc(x.label)}</th><td class="v">${esc(x.value)}</td></tr>`).join('')}</table>`;
}

function fatesOf(d: SequenceDiagram): Map<string, Fate> {
  const fates = new Map<string, Fate>();
  const fate = (id: string): Fate => {
    let f = fates.get(id);
    if (f === undefined) {
      f = { delivered: [], duplicated: [] };
      fates.set(id, f);
    }
    return f;
  };
  d.steps.forEach((s, i) => {
    const id = s.receives?.id;
    if (id === undefined) return;
    if (s.kind === 'drop') fate(id).dropped = i;
    else if (s.kind === 'duplicate') fate(id).duplicated.push(i);
    else fate(id).delivered.push(i);
  });
  return fates;
}

function fateText(f: Fate | undefined): string {
  const parts: string[] = [];
  if (f !== undefined) {
    if (f.delivered.length > 0)
      parts.push(`delivered at step ${f.delivered.map((i) => i + 1).join(', ')}`);
    if (f.duplicated.length > 0)
      parts.push(`duplicated at step ${f.duplicated.map((i) => i + 1).join(', ')}`);
    if (f.dropped !== undefined) parts.push(`dropped at step ${f.dropped + 1}`);
  }
  if (parts.length === 0 || (f?.delivered.length === 0 && f.dropped === undefined))
    parts.push('never delivered');
  const never = parts.includes('never delivered');
  return `<span class="fate${never ? ' never' : ''}">${esc(parts.join('; '))}</span>`;
}
