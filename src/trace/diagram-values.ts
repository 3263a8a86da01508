/**
 * What a trace says about each node's state, for the trace page (diagram.ts): the spec
 * variables the events logged, accumulated event by event (a function-valued variable such as
 * `accepted` is logged on some slots at a time, so its entries are merged), and the text of
 * logged values and messages, in the same words as counterexamples (`1.r1`, `c1#2 {op}`).
 */
import { canonicalEncode } from '../core/canonical.js';
import type { Json } from '../core/types.js';
import type { NodeState } from '../view/sequence.js';

/** Variables logged on part of their domain (format.ts): merged entry by entry. */
const FUNCTIONS: ReadonlySet<string> = new Set([
  'accepted',
  'chosen',
  'proposals',
  'promises',
  'sessions',
  'replies',
]);

type Record_ = { readonly [k: string]: Json };
const isRecord = (v: unknown): v is Record_ =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The latest logged value of every variable of every node. */
export class LoggedState {
  private readonly vars = new Map<string, Map<string, Json>>();
  private readonly entries = new Map<string, Map<string, Map<string, Json>>>();

  constructor(private readonly nodes: readonly string[]) {}

  log(node: string, state: Record_): void {
    let vars = this.vars.get(node);
    if (vars === undefined) this.vars.set(node, (vars = new Map()));
    for (const [k, v] of Object.entries(state)) {
      if (FUNCTIONS.has(k) && isRecord(v)) {
        let fns = this.entries.get(node);
        if (fns === undefined) this.entries.set(node, (fns = new Map()));
        let entries = fns.get(k);
        if (entries === undefined) fns.set(k, (entries = new Map()));
        for (const [key, value] of Object.entries(v)) entries.set(key, value);
        vars.set(k, null);
      } else vars.set(k, v);
    }
  }

  snapshot(): Record<string, NodeState> {
    const out: Record<string, NodeState> = {};
    for (const node of this.nodes) {
      const view: Record<string, string> = {};
      for (const [k, v] of this.vars.get(node) ?? []) {
        const entries = this.entries.get(node)?.get(k);
        view[k] =
          entries !== undefined ? entriesText(entries) : typeof v === 'string' ? v : valueText(v);
      }
      out[node] = view;
    }
    return out;
  }
}

function entriesText(entries: ReadonlyMap<string, Json>): string {
  const keys = [...entries.keys()].sort((a, b) =>
    /^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : 1,
  );
  return keys.map((k) => `${k}: ${valueText(entries.get(k) ?? null)}`).join('\n') || '—';
}

/** A logged value in the counterexamples' words: ballots `1.r1`, commands `c1#2 {op}`. */
export function valueText(v: Json): string {
  if (v === null) return 'none';
  if (!isRecord(v)) return canonicalEncode(v);
  if (typeof v['round'] === 'number' && typeof v['leader'] === 'string')
    return `${v['round']}.${v['leader']}`;
  if (typeof v['kind'] === 'string') return commandText(v);
  if ('ballot' in v && 'cmd' in v)
    return `${valueText(v['ballot'] ?? null)} ${valueText(v['cmd'] ?? null)}`;
  if (typeof v['seq'] === 'number' && 'output' in v)
    return `#${v['seq']} → ${canonicalEncode(v['output'] ?? null)}`;
  return canonicalEncode(v);
}

function commandText(c: Record_): string {
  const kind = c['kind'];
  if (kind === 'op')
    return `${str(c['client'])}#${str(c['seq'])} ${canonicalEncode(c['op'] ?? null)}`;
  if (kind === 'join' || kind === 'quit')
    return `${str(c['client'])}#${str(c['seq'])} ${String(kind).toUpperCase()} ${str(c['replica'])}`;
  return String(kind);
}

const str = (v: Json | undefined): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : canonicalEncode(v ?? null);

/** A logged message in the counterexamples' words (harness/scenario.ts renderMessage). */
export function messageText(m: Record_): string {
  const b = (x: Json | undefined) => valueText(x ?? null);
  switch (m['type']) {
    case 'Prepare':
      return `Prepare ${b(m['ballot'])} from=${str(m['fromSlot'])}`;
    case 'Promise': {
      const acc = Array.isArray(m['accepted'])
        ? m['accepted'].map((e) =>
            isRecord(e) ? `${str(e['slot'])}:${b(e['ballot'])} ${b(e['cmd'])}` : str(e),
          )
        : [];
      return `Promise ${b(m['ballot'])} [${acc.join(', ')}]${typeof m['checkpoint'] === 'number' && m['checkpoint'] > 0 ? ` checkpoint=${m['checkpoint']}` : ''}`;
    }
    case 'Accept':
      return `Accept ${b(m['ballot'])} slot=${str(m['slot'])} ${b(m['cmd'])}`;
    case 'Accepted':
      return `Accepted ${b(m['ballot'])} slot=${str(m['slot'])}`;
    case 'Decision':
      return `Decision slot=${str(m['slot'])} ${b(m['cmd'])}`;
    case 'Request':
      return `Request #${str(m['seq'])} ${canonicalEncode(m['op'] ?? null)}`;
    case 'Reply':
      return `Reply #${str(m['seq'])} ${canonicalEncode(m['output'] ?? null)}`;
    case 'Audit':
      return `Audit slot=${str(m['slot'])} ${str(m['digest'])}`;
    case 'Snapshot':
      return `Snapshot checkpoint=${str(m['slot'])} ${str(m['digest'])}`;
    default:
      return canonicalEncode(m);
  }
}
