/**
 * The native trace checker: replays a trace, event by event, against the trace model of
 * spec/Smr.tla, keeping the set of candidate spec states the events so far allow (Cirstea,
 * Kuppe, Loillier, Merz 2024, "Validating traces of distributed programs against TLA+
 * specifications": the trace is valid when some behaviour of the spec matches it). With full
 * logging there is one candidate; under partial observation the set holds every state the
 * unlogged values (and up to --max-hidden unlogged internal steps) allow, de-duplicated and
 * bounded. It streams: memory holds the candidates, never the trace.
 *
 * Unlike TLC over Traceetcdraft.tla / Traceccfraft.tla it does no state-space search over the
 * whole trace, which is why it is linear in the trace and fast enough for production logs.
 */
import { InputError } from '../errors.js';
import { lookAheadForSend } from './lookahead.js';
import { openTrace, type EventSource } from './merge.js';
import { hiddenSteps, stepEvent } from './replay/events.js';
import { fingerprint, sameWorld } from './replay/equal.js';
import { Net, type SendRecord } from '../spec/net.js';
import { isPrunable, pruneHistories } from './replay/prune.js';
import { closest, isRefusal, type ModelEnv, type Refusal } from '../spec/refusal.js';
import { initialWorld, type EventInfo, type World } from '../spec/state.js';
import { describeMsg } from '../spec/receive.js';
import { checkInvariants } from '../spec/event-invariants.js';
import type { ParsedEvent } from './parse-event.js';
import type { ReadOptions } from './trace-file.js';

export interface CheckOptions extends ReadOptions {
  /** Unlogged internal steps allowed before each event (default 0). */
  readonly maxHidden?: number;
  /** Candidate states kept at most; beyond, the verdict of a failure is "inconclusive". */
  readonly maxCandidates?: number;
  /** Also check the explorer's invariants on every candidate. */
  readonly invariants?: boolean;
  /** Called every PROGRESS_EVERY events with the count so far (the CLI's progress line). */
  readonly onProgress?: (events: number) => void;
}

export interface TraceFailure {
  readonly file: string;
  readonly line: number;
  readonly node: string;
  readonly action: string;
  /** The spec conjunct (or `state.<variable>`) that failed for the closest candidate. */
  readonly conjunct: string;
  readonly expected: string;
  readonly seen: string;
  /** Set when an invariant, not a guard, failed (--invariants). */
  readonly invariant?: string;
  /** Candidates that were tried at this event. */
  readonly candidates: number;
}

export interface CheckResult {
  readonly verdict: 'valid' | 'invalid' | 'inconclusive';
  readonly files: readonly string[];
  readonly events: number;
  readonly observe: string;
  readonly clock: string;
  /** The most candidate states held at once. */
  readonly maxCandidates: number;
  readonly finalCandidates: number;
  /** True if the candidate bound was hit (a failure is then only "inconclusive"). */
  readonly truncated: boolean;
  readonly failure: TraceFailure | null;
  readonly elapsedMs: number;
  /** What the check could not cover, e.g. outputs when the header names no app. */
  readonly warnings: readonly string[];
}

export const DEFAULT_MAX_CANDIDATES = 4096;
/** How often a lone candidate's network is pruned of messages nobody can receive any more. */
const PRUNE_EVERY = 1 << 16;
const PROGRESS_EVERY = 1 << 16;
/** Actions with no parameter to guess: one successor at most, even when nothing is logged. */
const PARAMETERLESS: ReadonlySet<string> = new Set([
  'BecomeLeader',
  'Execute',
  'StepDown',
  'Restart',
  'ClientRequest',
]);

/** Checks the trace in `files` (merged when several); throws InputError on bad input. */
export function checkTrace(files: readonly string[], options: CheckOptions = {}): CheckResult {
  const source = openTrace(files, options);
  try {
    return checkSource(source, options);
  } finally {
    source.close();
  }
}

export function checkSource(source: EventSource, options: CheckOptions = {}): CheckResult {
  const started = performance.now();
  const maxHidden = options.maxHidden ?? 0;
  const cap = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const env = makeEnv(source);
  let frontier: World[] = [initialWorld(source.ctx)];
  let events = 0;
  let maxSeen = 1;
  let truncated = false;
  const finish = (failure: TraceFailure | null): CheckResult => ({
    verdict:
      failure === null
        ? 'valid'
        : truncated && failure.invariant === undefined
          ? 'inconclusive'
          : 'invalid',
    files: source.files,
    events,
    observe: source.ctx.observe,
    clock: source.ctx.clock,
    maxCandidates: maxSeen,
    finalCandidates: failure === null ? frontier.length : 0,
    truncated,
    failure,
    elapsedMs: performance.now() - started,
    warnings: warningsFor(source),
  });
  for (let ev = source.next(); ev !== null; ev = source.next()) {
    events++;
    env.transient =
      frontier.length === 1 &&
      maxHidden === 0 &&
      (ev.msg !== undefined || PARAMETERLESS.has(ev.action));
    let { worlds, best } = stepAll(env, frontier, ev);
    env.transient = false;
    // Lazily: only an event no candidate can take makes the checker look for unlogged steps.
    for (let k = 1, layer = frontier; worlds.length === 0 && k <= maxHidden; k++) {
      layer = dedup(
        env,
        layer.flatMap((w) => hiddenSteps(env, w)),
        cap,
      );
      const retry = stepAll(env, layer, ev);
      worlds = retry.worlds;
      if (retry.best !== undefined) best = closest(best, retry.best);
    }
    if (worlds.length === 0) {
      const refusal = best as Refusal;
      if (refusal.missing !== undefined)
        lookAheadForSend(source, ev, refusal.missing, describeMsg(env, refusal.missing));
      return finish(failureOf(ev, refusal, frontier.length));
    }
    const next = dedup(env, worlds, cap);
    if (next.length < worlds.length && worlds.length > cap) truncated = true;
    frontier = commit(next);
    if (frontier.length > maxSeen) maxSeen = frontier.length;
    if (options.invariants === true) {
      for (const w of frontier) {
        const broken = checkInvariants(env, w, ev);
        if (broken !== null)
          return finish({
            ...failureOf(ev, broken.refusal, frontier.length),
            invariant: broken.invariant,
          });
      }
    }
    if (events % PROGRESS_EVERY === 0) options.onProgress?.(events);
    if (frontier.length === 1 && events % PRUNE_EVERY === 0) {
      const w = pruneHistories(frontier[0] as World);
      w.net.prune((m) => isPrunable(env, m, w));
      frontier = [w];
    }
  }
  if (events === 0) {
    throw new InputError(
      source.files[0] ?? 'check-trace',
      undefined,
      'the trace has a header but no events: nothing was checked',
    );
  }
  return finish(null);
}

/** What a valid verdict does not cover for this trace. */
function warningsFor(source: EventSource): string[] {
  return source.ctx.app === null
    ? [
        'the header names no app (params.app): outputs were not recomputed, so replies that differ from what the app returns, or between replicas, go unnoticed',
      ]
    : [];
}

function makeEnv(source: EventSource): ModelEnv {
  const env: ModelEnv = {
    ctx: source.ctx,
    n: source.ctx.replicas.length,
    causal: (record: SendRecord, ev: EventInfo, guessing: boolean): boolean => {
      if (ev.hidden === true || record.line === 0 || causallyBefore(record, ev)) return true;
      if (guessing) return false;
      const lamport = ev.vc === null;
      const sent = lamport
        ? `Lamport clock ${record.lamport}`
        : `${record.node}'s vector entry ${record.vcOwn}`;
      const here = lamport
        ? `Lamport clock ${ev.lamport}`
        : `vector entry ${record.node}=${ev.vc?.[record.node] ?? 0}`;
      throw new InputError(
        ev.file,
        ev.line,
        `clock anomaly: ${ev.node} ${ev.action} receives a ${record.msg.type} sent at ${record.file}:${record.line} (${sent}), but this event's ${here} is not after it: a receive before its send`,
      );
    },
    dead: (m, w) => isPrunable(env, m, w),
  };
  return env;
}

/** Lamport: the send's clock is smaller. Vector clocks: the receive has seen the send. */
function causallyBefore(record: SendRecord, ev: EventInfo): boolean {
  if (ev.vc === null) return record.lamport < 0 || record.lamport < ev.lamport;
  if (record.vcOwn < 0) return true;
  const seen = ev.vc[record.node] ?? 0;
  return record.node === ev.node ? record.vcOwn < seen : record.vcOwn <= seen;
}

function stepAll(
  env: ModelEnv,
  frontier: readonly World[],
  ev: ParsedEvent,
): { worlds: World[]; best: Refusal | undefined } {
  const worlds: World[] = [];
  let best: Refusal | undefined;
  for (const w of frontier) {
    const result = stepEvent(env, w, ev);
    if (isRefusal(result)) best = closest(best, result);
    else for (const x of result) worlds.push(x);
  }
  return { worlds, best };
}

/** Exact de-duplication (bucketed by a hash), then the bound. */
function dedup(env: ModelEnv, worlds: World[], cap: number): World[] {
  if (worlds.length <= 1) return worlds;
  const buckets = new Map<number, World[]>();
  const out: World[] = [];
  for (const w of worlds) {
    const key = fingerprint(w);
    const bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, [w]);
    else if (bucket.some((x) => sameWorld(env, x, w))) continue;
    else bucket.push(w);
    out.push(w);
  }
  if (out.length <= cap) return out;
  // Prefer candidates that needed fewer unlogged steps: the simplest explanations first.
  return out.sort((a, b) => a.hidden - b.hidden).slice(0, cap);
}

/**
 * Makes each candidate's sends part of its `msgs`. A lone candidate owns the whole chain (every
 * other state that shared it is gone), so its sends go straight into the root. With several,
 * what every candidate sent also goes into the root (which only live candidates read), and each
 * candidate's own sends into a child layer over what it shares — so layers stay small.
 */
function commit(worlds: World[]): World[] {
  if (worlds.length === 1) {
    const w = worlds[0] as World;
    let net = w.net;
    if (net.depth > 0) {
      const root = net.root();
      const pending = [...net.above(root)].reverse();
      for (const r of pending) root.add(r);
      net = root;
    }
    for (const r of w.sent) net.add(r);
    return [
      {
        replicas: w.replicas,
        clients: w.clients,
        net,
        sent: [],
        decided: w.decided,
        snapshots: w.snapshots,
        hidden: 0,
      },
    ];
  }
  const common = sentByAll(worlds);
  if (common.size > 0) {
    const root = (worlds[0] as World).net.root();
    for (const r of common.values()) root.add(r);
  }
  return worlds.map((w) => {
    const own = w.sent.filter((r) => !common.has(r.msg.key));
    if (own.length === 0)
      return w.sent.length === 0 && w.hidden === 0 ? w : { ...w, sent: [], hidden: 0 };
    const child = new Net(w.net.depth > 16 ? squash(w.net) : w.net);
    for (const r of own) child.add(r);
    return { ...w, net: child, sent: [], hidden: 0 };
  });
}

/** The messages every candidate sent in this event, by key. */
function sentByAll(worlds: readonly World[]): Map<string, SendRecord> {
  const first = worlds[0] as World;
  const common = new Map<string, SendRecord>();
  for (const r of first.sent) common.set(r.msg.key, r);
  for (const w of worlds.slice(1)) {
    if (common.size === 0) break;
    const keys = new Set(w.sent.map((r) => r.msg.key));
    for (const k of common.keys()) if (!keys.has(k)) common.delete(k);
  }
  return common;
}

/** A deep chain becomes one layer over the root (the root is shared, the layers above are not). */
function squash(net: Net): Net {
  const root = net.root();
  const layer = new Net(root);
  for (const r of [...net.above(root)].reverse()) layer.add(r);
  return layer;
}

function failureOf(ev: ParsedEvent, refusal: Refusal, candidates: number): TraceFailure {
  return {
    file: ev.file,
    line: ev.line,
    node: ev.node,
    action: ev.action,
    conjunct: refusal.conjunct,
    expected: refusal.expected,
    seen: refusal.seen,
    candidates,
  };
}
