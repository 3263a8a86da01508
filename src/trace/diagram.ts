/**
 * A checked trace as a page (`smr check-trace --html`): the same sequence diagram as an
 * explorer counterexample (src/view/sequence.ts), drawn from the events up to the one the spec
 * forbids — each event a box in its node's lane, each message from the event that sent it to
 * the one that consumed it (a receive of a message no event sent is drawn as "never sent"),
 * and beside it every node's logged state after each event, the failing event's variable and
 * the checker's expected/seen marked. A long trace shows its last events; the state panel
 * still holds everything logged before them.
 *
 * Which event sends what follows the table in format.ts: Phase1a, Phase2a, Decide and Audit
 * broadcast their message to the other replicas, Phase1b and Phase2b answer the leader with a
 * Promise or an Accepted the spec computes, Execute/ReplyFromSession/Reconfigure reply to the
 * client; a Request, a catch-up Decision and a checkpoint are drawn from the event that made
 * them available when an event consumes them.
 */
import { basename } from 'node:path';
import { canonicalEncode } from '../core/canonical.js';
import type { Json } from '../core/types.js';
import {
  renderSequencePage,
  type Culprit,
  type SequenceMessage,
  type SequenceStep,
  type Snapshot,
} from '../view/sequence.js';
import type { CheckResult } from './checker.js';
import { LoggedState, messageText, valueText } from './diagram-values.js';
import { LineReader } from './line-reader.js';
import { openTrace } from './merge.js';
import type { ParsedEvent } from './parse-event.js';
import type { ReadOptions } from './trace-file.js';

/** Actions whose logged `msg` is what they sent (or took): the rest log what they consumed. */
const SENDS: ReadonlySet<string> = new Set([
  'Phase1a',
  'Phase2a',
  'Decide',
  'Execute',
  'Checkpoint',
  'ReplyFromSession',
  'ClientRequest',
  'Reconfigure',
  'Audit',
]);

/** Events drawn at most: the last ones before (and including) the failing event. */
export const MAX_DRAWN_EVENTS = 80;

type Msg = { readonly [k: string]: Json };
const isMsg = (v: unknown): v is Msg => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Source {
  /** Index of the drawn step that sent it, or null when it was sent before the drawn events. */
  readonly step: number | null;
  readonly from: string;
  readonly where: string;
}

export function renderTracePage(
  files: readonly string[],
  result: CheckResult,
  options: ReadOptions & { readonly maxEvents?: number } = {},
): string {
  const failure = result.failure;
  const isLast = (ev: ParsedEvent) =>
    failure !== null && ev.file === failure.file && ev.line === failure.line;
  // Pass 1: how many events lead up to the failure, to draw only the last of them.
  let total = 0;
  walk(files, options, (ev) => {
    total++;
    return !isLast(ev);
  });
  const start = Math.max(0, total - (options.maxEvents ?? MAX_DRAWN_EVENTS));
  const source = openTrace(files, options);
  const { ctx } = source;
  source.close();
  const nodes = [...ctx.replicas, ...ctx.clients];
  const logged = new LoggedState(nodes);
  let initial: Snapshot = logged.snapshot();
  const steps: (SequenceStep & { sends: SequenceMessage[] })[] = [];
  const sources = new Map<string, Source>();
  const consumedRequests = new Set<string>();
  const readers = new Map<string, LineReader>();
  let index = 0;
  try {
    walk(files, options, (ev) => {
      const raw = rawLine(readers, ev);
      const drawn = index >= start;
      const here = drawn ? steps.length : null;
      const where = `${files.length > 1 ? `${basename(ev.file)} ` : ''}line ${ev.line}`;
      const sends: SequenceMessage[] = [];
      const msg = isMsg(raw['msg']) ? raw['msg'] : undefined;
      // What the event consumed, and from which earlier event.
      let receives: SequenceStep['receives'];
      const consume = (key: string, from: string, text: string) => {
        const src = sources.get(key);
        const id = `${key}→${ev.node}`;
        if (src?.step !== null && src?.step !== undefined) {
          const sender = steps[src.step];
          if (sender !== undefined && !sender.sends.some((m) => m.id === id))
            sender.sends.push({ id, from: src.from, to: ev.node, text });
          receives = { id, from: src.from, text };
        } else
          receives = {
            id,
            from,
            text,
            ...(src === undefined ? {} : { origin: src.where }),
          };
      };
      const offer = (key: string, to: readonly string[], text: string, silent = false) => {
        sources.set(key, { step: here, from: ev.node, where });
        if (!silent)
          for (const r of to) sends.push({ id: `${key}→${r}`, from: ev.node, to: r, text });
      };
      const others = ctx.replicas.filter((r) => r !== ev.node);
      const text = msg === undefined ? '' : messageText(msg);
      const from = typeof msg?.['from'] === 'string' ? msg['from'] : '?';
      const ballot = valueText(msg?.['ballot'] ?? null);
      switch (ev.action) {
        case 'Phase1a':
        case 'Audit':
          if (msg !== undefined) offer(keyOf(msg), others, text);
          break;
        case 'Phase2a':
          if (msg !== undefined) {
            const cmd = isMsg(msg['cmd']) ? msg['cmd'] : undefined;
            if (cmd?.['kind'] === 'op') {
              const req = `Request|${String(cmd['client'])}|${String(cmd['seq'])}`;
              if (!consumedRequests.has(`${ev.node}|${req}`) && sources.has(req)) {
                consumedRequests.add(`${ev.node}|${req}`);
                consume(
                  req,
                  String(cmd['client']),
                  `Request #${String(cmd['seq'])} ${canonicalEncode(cmd['op'] ?? null)}`,
                );
              }
            }
            offer(keyOf(msg), others, text);
          }
          break;
        case 'Phase1b':
          if (msg !== undefined) {
            consume(keyOf(msg), from, text);
            offer(`Promise|${ev.node}|${ballot}`, [from], `Promise ${ballot}`);
          }
          break;
        case 'Phase2b':
          if (msg !== undefined) {
            consume(keyOf(msg), from, text);
            const slot = String(msg['slot']);
            offer(
              `Accepted|${ev.node}|${ballot}|${slot}`,
              [from],
              `Accepted ${ballot} slot=${slot}`,
            );
          }
          break;
        case 'ReceivePromise':
          if (msg !== undefined) consume(`Promise|${from}|${ballot}`, from, text);
          break;
        case 'ReceiveAccepted':
          if (msg !== undefined)
            consume(`Accepted|${from}|${ballot}|${String(msg['slot'])}`, from, text);
          break;
        case 'Decide':
          if (msg !== undefined) offer(`Decision|${ev.node}|${String(msg['slot'])}`, others, text);
          break;
        case 'Learn':
          if (msg !== undefined) {
            consume(`Decision|${from}|${String(msg['slot'])}`, from, text);
            const key = `Decision|${ev.node}|${String(msg['slot'])}`;
            if (!sources.has(key)) offer(key, [], text, true);
          }
          break;
        case 'Checkpoint':
          if (msg !== undefined)
            offer(`Snapshot|${ev.node}|${String(msg['slot'])}`, [], text, true);
          break;
        case 'InstallCheckpoint':
          if (msg !== undefined) consume(`Snapshot|${from}|${String(msg['slot'])}`, from, text);
          break;
        case 'ClientRequest':
          if (msg !== undefined) offer(`Request|${ev.node}|${String(msg['seq'])}`, [], text, true);
          break;
        case 'ReceiveAudit':
        case 'ClientReceive':
          if (msg !== undefined) consume(keyOf(msg), from, text);
          break;
        case 'ReplyFromSession':
        case 'Execute':
        case 'Reconfigure':
          if (msg !== undefined && raw['applied'] !== false) {
            const to = typeof msg['to'] === 'string' ? msg['to'] : '?';
            offer(keyOf(msg), [to], text);
          }
          break;
        default:
          break;
      }
      if (isMsg(raw['state'])) logged.log(ev.node, raw['state']);
      if (drawn) {
        const slot = ev.slot === undefined ? '' : ` slot ${ev.slot}`;
        const skipped = ev.action === 'Execute' && raw['applied'] === false ? ' (skipped)' : '';
        steps.push({
          label: `${ev.action}(${ev.node}${ev.slot === undefined ? '' : `, slot ${ev.slot}`})${msg === undefined ? '' : ` ${text}`}`,
          node: ev.node,
          kind: ev.action === 'Restart' ? 'restart' : 'act',
          actions: [`${ev.action}${slot}${skipped}`],
          ...(receives === undefined ? {} : { receives }),
          ...(msg !== undefined && SENDS.has(ev.action) ? { cause: `→ ${text}` } : {}),
          sends,
          where,
          state: logged.snapshot(),
        });
      } else initial = logged.snapshot();
      index++;
      return !isLast(ev);
    });
  } finally {
    for (const r of readers.values()) r.close();
  }
  const f = failure;
  const last = steps.length - 1;
  const at = f === null ? -1 : last;
  const state = steps[at]?.state ?? initial;
  const name = files.join(' + ');
  const verdict =
    result.verdict === 'valid'
      ? 'valid'
      : `${result.verdict} at ${f === null ? '?' : `line ${f.line} (${f.node} ${f.action})`}`;
  return renderSequencePage({
    title: `smr check-trace: ${verdict}`,
    subtitle: `${name} — ${result.events.toLocaleString('en-US')} events checked (observe ${result.observe}, ${result.clock} clocks); replicas ${ctx.replicas.join(', ')}, clients ${ctx.clients.join(', ')}, app ${ctx.app?.name ?? 'none'}`,
    nodes,
    clients: ctx.clients,
    initial,
    steps,
    notes: [
      ...(start > 0
        ? [
            `Showing events ${start + 1}–${total} of the ${total} up to ${f === null ? 'the end' : 'the failing one'}; the state panel includes what the ${start} before them logged.`,
          ]
        : []),
      result.observe === 'full'
        ? 'States are what the events logged; a message line joins the event that sent it to the one that consumed it.'
        : `This trace logs no state (observe ${result.observe}): the state panel has nothing to show; a message line joins the event that sent it to the one that consumed it.`,
      ...result.warnings.map((w) => `warning: ${w}`),
    ],
    violation:
      f === null
        ? null
        : {
            heading:
              f.invariant !== undefined
                ? `invariant ${f.invariant} is violated`
                : `${result.verdict}: no candidate state of the spec can take this event`,
            message: `${f.file}:${f.line}: ${f.node} ${f.action} — ${f.conjunct}`,
            node: f.node,
            step: at,
            culprits: culprits(f.node, f.conjunct, `${f.expected} ${f.seen}`, state),
            details: [
              { label: 'event', value: `${f.file}:${f.line}: ${f.node} ${f.action}` },
              {
                label:
                  f.candidates === 1 ? 'the candidate' : `closest of ${f.candidates} candidates`,
                value: f.conjunct,
              },
              { label: 'expected', value: f.expected },
              { label: 'seen', value: f.seen },
            ],
          },
  });
}

/** Walks the merged events while `go` says so. */
function walk(files: readonly string[], options: ReadOptions, go: (ev: ParsedEvent) => boolean) {
  const source = openTrace(files, options);
  try {
    for (let ev = source.next(); ev !== null; ev = source.next()) if (!go(ev)) break;
  } finally {
    source.close();
  }
}

/** The event's line as JSON: each file is read once, in step with the merged order. */
function rawLine(readers: Map<string, LineReader>, ev: ParsedEvent): Msg {
  let reader = readers.get(ev.file);
  if (reader === undefined) readers.set(ev.file, (reader = new LineReader(ev.file)));
  let text: string | null = null;
  while (reader.lineNumber < ev.line) text = reader.next();
  const value: unknown = text === null ? null : JSON.parse(text);
  return isMsg(value) ? value : {};
}

function keyOf(msg: Msg): string {
  return `${String(msg['type'])}|${canonicalEncode(msg)}`;
}

/** Spec variables a failed conjunct names, among those the node logged. */
const SPEC_NAMES: readonly [RegExp, string][] = [
  [/\bpromised\b/, 'promised'],
  [/\bpromises\b/, 'promises'],
  [/\baccepted\b/, 'accepted'],
  [/\bchosen\b|ChosenSlots|ChosenPrefix/, 'chosen'],
  [/\brole\b/, 'role'],
  [/\bballot\b/, 'ballot'],
  [/\bprepareFrom\b/, 'prepareFrom'],
  [/\bproposals\b|\bvotes\b/, 'proposals'],
  [/\bnextSlot\b/, 'nextSlot'],
  [/\bexecuted\b/, 'executed'],
  [/\bsessions\b/, 'sessions'],
  [/\bapp\b/, 'app'],
  [/\bckpt\b|checkpoint/, 'ckpt'],
  [/\bclientSeq\b/, 'clientSeq'],
  [/\bpending\b/, 'pending'],
  [/\breplies\b/, 'replies'],
];

/**
 * The failing node's variables the failed conjunct is about: `state.accepted.10` names one
 * (and its entry), a guard names them in TLA+ (`m.bal >= promised[r]`). A slot the checker's
 * words name picks the entry of a per-slot variable.
 */
function culprits(node: string, conjunct: string, words: string, state: Snapshot): Culprit[] {
  const has = (v: string) => state[node]?.[v] !== undefined;
  const out: Culprit[] = [];
  const direct = /^state\.(\w+)(?:\.(\S+))?/.exec(conjunct);
  const slot = direct?.[2] ?? /\bslot (\d+)/.exec(words)?.[1];
  const add = (variable: string) => {
    if (!has(variable) || out.some((c) => c.variable === variable)) return;
    out.push({ node, variable, ...(slot === undefined ? {} : { entry: slot }) });
  };
  if (direct?.[1] !== undefined) add(direct[1]);
  for (const [pattern, variable] of SPEC_NAMES) if (pattern.test(conjunct)) add(variable);
  return out;
}
