/**
 * One causal order from one or more trace files. A single file is read in file order (a
 * producer that logs every node into one file knows the order). Several files (typically one
 * per node) are merged as they stream: by Lamport clock then node id, or, with vector clocks, by
 * the sum of the vector then node id — a linear extension of happened-before, since an event's
 * vector is ≥ every vector before it in each entry and > in one (Mattern 1989, Fidge 1988).
 * A clock that does not advance on a node, or a merged file whose clocks go backwards, is a
 * clock anomaly: InputError with file:line (exit 2). Receives before their sends are caught
 * where the message is matched (the checker's `causal`).
 */
import { InputError } from '../errors.js';
import type { ParsedEvent } from './parse-event.js';
import { sameSystem, type TraceContext } from './parse-header.js';
import { TraceFile, type ReadOptions } from './trace-file.js';

export interface EventSource {
  readonly ctx: TraceContext;
  readonly files: readonly string[];
  next(): ParsedEvent | null;
  close(): void;
}

export function openTrace(files: readonly string[], options: ReadOptions = {}): EventSource {
  if (files.length === 0) throw new InputError('check-trace', undefined, 'no trace files given');
  const opened: TraceFile[] = [];
  try {
    for (const file of files) opened.push(new TraceFile(file, options));
  } catch (error) {
    for (const f of opened) f.close();
    throw error;
  }
  const first = opened[0] as TraceFile;
  for (const f of opened.slice(1)) {
    const problem = sameSystem(first.ctx, f.ctx);
    if (problem !== null) {
      for (const g of opened) g.close();
      throw new InputError(f.file, 1, `cannot merge with ${first.file}: ${problem}`);
    }
  }
  if (options.partial !== true) {
    const missing = missingNodes(opened);
    if (missing.length > 0) {
      for (const g of opened) g.close();
      throw new InputError(
        first.file,
        1,
        `the per-node files cover ${covered(opened).join(', ')}, but the header also names ${missing.join(', ')}: give every node's file (or --partial to check without them)`,
      );
    }
  }
  return opened.length === 1 ? new SingleFile(first) : new MergedFiles(opened, first.ctx);
}

/**
 * Nodes the header names (replicas and clients) that no file covers, when every file says
 * which nodes it holds (`nodes`): a file left out would otherwise read as a protocol violation
 * ("Phase2a of a request never made") instead of the input problem it is.
 */
function missingNodes(files: readonly TraceFile[]): string[] {
  if (files.some((f) => f.ctx.header.nodes === undefined)) return [];
  const have = new Set(covered(files));
  const ctx = (files[0] as TraceFile).ctx;
  return [...ctx.replicas, ...ctx.clients].filter((n) => !have.has(n));
}

function covered(files: readonly TraceFile[]): string[] {
  return [...new Set(files.flatMap((f) => f.ctx.header.nodes ?? []))];
}

/** Per-node clock discipline: every node's clock advances with each of its events. */
class NodeClocks {
  private readonly last = new Map<string, ParsedEvent>();

  check(ev: ParsedEvent): void {
    const prev = this.last.get(ev.node);
    this.last.set(ev.node, ev);
    if (prev === undefined) return;
    const where = `${prev.file}:${prev.line}`;
    if (ev.vc === null) {
      if (ev.lamport > prev.lamport) return;
      throw new InputError(
        ev.file,
        ev.line,
        `clock anomaly: ${ev.node}'s Lamport clock ${ev.lamport} does not advance past ${prev.lamport} (its previous event, ${where})`,
      );
    }
    const own = ev.vc[ev.node] ?? 0;
    const before = prev.vc?.[ev.node] ?? 0;
    if (own <= before)
      throw new InputError(
        ev.file,
        ev.line,
        `clock anomaly: ${ev.node}'s own vector-clock entry ${own} does not advance past ${before} (its previous event, ${where})`,
      );
    for (const [node, count] of Object.entries(prev.vc ?? {})) {
      if ((ev.vc[node] ?? 0) < count)
        throw new InputError(
          ev.file,
          ev.line,
          `clock anomaly: ${ev.node}'s vector-clock entry for ${node} goes back from ${count} to ${ev.vc[node] ?? 0} (previous event ${where})`,
        );
    }
  }
}

class SingleFile implements EventSource {
  readonly ctx: TraceContext;
  readonly files: readonly string[];
  private readonly clocks = new NodeClocks();

  constructor(private readonly file: TraceFile) {
    this.ctx = file.ctx;
    this.files = [file.file];
  }

  next(): ParsedEvent | null {
    const ev = this.file.next();
    if (ev !== null) this.clocks.check(ev);
    return ev;
  }

  close(): void {
    this.file.close();
  }
}

interface Head {
  readonly file: TraceFile;
  event: ParsedEvent | null;
  key: number;
}

class MergedFiles implements EventSource {
  readonly files: readonly string[];
  private readonly heads: Head[];
  private readonly clocks = new NodeClocks();

  constructor(
    private readonly opened: readonly TraceFile[],
    readonly ctx: TraceContext,
  ) {
    this.files = opened.map((f) => f.file);
    this.heads = opened.map((file) => {
      const event = file.nextIn(ctx);
      return { file, event, key: event === null ? 0 : keyOf(event) };
    });
  }

  next(): ParsedEvent | null {
    let best: Head | undefined;
    for (const h of this.heads) {
      if (h.event === null) continue;
      if (
        best === undefined ||
        h.key < best.key ||
        (h.key === best.key && h.event.node < (best.event as ParsedEvent).node)
      )
        best = h;
    }
    if (best === undefined) return null;
    const ev = best.event as ParsedEvent;
    const following = best.file.nextIn(this.ctx);
    if (following !== null) {
      const key = keyOf(following);
      if (key < best.key)
        throw new InputError(
          following.file,
          following.line,
          `clock anomaly: clock ${key} after ${best.key} (line ${ev.line}); files merged by clock must have non-decreasing clocks`,
        );
      best.key = key;
    }
    best.event = following;
    this.clocks.check(ev);
    return ev;
  }

  close(): void {
    for (const f of this.opened) f.close();
  }
}

function keyOf(ev: ParsedEvent): number {
  if (ev.vc === null) return ev.lamport;
  let sum = 0;
  for (const node in ev.vc) sum += ev.vc[node] as number;
  return sum;
}
