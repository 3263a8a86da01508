/**
 * One node's own trace file (DESIGN.md "Trace format"; per-node files are merged by clocks by
 * `smr check-trace`). What the simulator's TraceRecorder does for a whole world, for one process:
 * a Lamport clock (Lamport 1978) or a vector clock (Mattern 1989, Fidge 1988) that ticks once per
 * event and that a receive first moves past the clock its message was sent at — the sender's
 * clock after the step that sent it, carried in the frame (frame.ts).
 *
 * The file survives the process. On open it is repaired and its clock recovered:
 *  - a torn last line (no newline: the writer stopped mid-line) is cut off;
 *  - every event carries `meta.step` (the host's step number) and, for a step that persisted
 *    state, `meta.persist`: the host writes a batch's events before its log records and sends
 *    nothing before both are synced (host.ts), so a persisting step whose record never reached
 *    the log (the crash came in between) never had an effect outside the process — its events,
 *    and the later ones of the same batch, are cut (`cutAfter`);
 *  - the clock continues from the last event left; a client also finds its own state in the
 *    last event's `meta` (client.ts).
 */
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  fstatSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import type { Json, NodeId, TraceEvent } from '../core/types.js';
import type { ClockKind, ObserveLevel, TraceHeader, TraceLine } from '../trace/format.js';
import type { WireClock } from './frame.js';

/** How much of the end of a file is read to recover it: the last batch is far shorter. */
const TAIL_BYTES = 4 * 1024 * 1024;

export interface TailEvent {
  readonly offset: number;
  readonly line: TraceLine;
}

export interface TraceOpenResult {
  readonly trace: NodeTrace;
  /** The events at the end of the file after repair (at most TAIL_BYTES of them). */
  readonly tail: readonly TailEvent[];
  /** True when the file held events before (the node ran before). */
  readonly ranBefore: boolean;
  /** What the repair cut, for the log (null: nothing). */
  readonly repaired: string | null;
}

export class NodeTraceError extends Error {
  override readonly name = 'NodeTraceError';
}

type Vector = Record<NodeId, number>;

export class NodeTrace {
  private lamport = 0;
  private vc: Vector = {};
  private buffer: string[] = [];
  lines = 0;

  private constructor(
    private readonly fd: number,
    readonly node: NodeId,
    readonly observe: ObserveLevel,
    readonly clock: ClockKind,
  ) {}

  /**
   * Opens (or creates) `path` for `node`, writing `header` to a new file; an existing file must
   * have the same header. `walStep`: the last step the node's log holds (replicas), or
   * undefined (clients, which keep no log).
   */
  static open(
    path: string,
    node: NodeId,
    header: TraceHeader,
    walStep?: number | null,
  ): TraceOpenResult {
    const headerLine = JSON.stringify(header);
    let result = { tail: [] as TailEvent[], repaired: null as string | null, ranBefore: false };
    if (existsSync(path)) {
      const fd = openSync(path, 'r+');
      try {
        result = repair(fd, path, headerLine, walStep);
      } finally {
        closeSync(fd);
      }
    }
    const fd = openSync(path, 'a');
    const trace = new NodeTrace(fd, node, header.observe ?? 'full', header.clock ?? 'lamport');
    if (fstatSync(fd).size === 0) writeAll(fd, `${headerLine}\n`);
    const last = result.tail[result.tail.length - 1]?.line;
    if (last !== undefined) trace.resume(last.clock);
    return { trace, ...result };
  }

  /** A receive: the clock moves past the message's send clock. */
  receive(clock: WireClock | undefined): void {
    if (clock === undefined) return;
    if ('lamport' in clock) this.lamport = Math.max(this.lamport, clock.lamport);
    else for (const [n, c] of Object.entries(clock.vc)) this.vc[n] = Math.max(this.vc[n] ?? 0, c);
  }

  /** Queues the lines of one step's events; `state` is logged on the last one (level full). */
  events(
    events: readonly TraceEvent[],
    state: () => { readonly [k: string]: Json } | undefined,
    meta: { readonly [k: string]: Json },
  ): void {
    events.forEach((event, i) => {
      const line: { -readonly [K in keyof TraceLine]: TraceLine[K] } = {
        node: this.node,
        action: event.action,
        clock: this.tick(),
      };
      if (event.slot !== undefined) line.slot = event.slot;
      if (this.observe !== 'actions') {
        if (event.msg !== undefined) line.msg = event.msg;
        if (event.applied !== undefined) line.applied = event.applied;
      }
      if (this.observe === 'full' && i === events.length - 1) {
        const s = state();
        if (s !== undefined) line.state = s;
      }
      line.meta = meta;
      this.buffer.push(JSON.stringify(line));
    });
  }

  /** The clock a message sent now carries. */
  sendClock(): WireClock {
    return this.clock === 'lamport' ? { lamport: this.lamport } : { vc: { ...this.vc } };
  }

  /** Writes the queued lines (one write; no fsync: a process crash keeps what was written). */
  flush(): void {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.lines += this.buffer.length;
    this.buffer = [];
    writeAll(this.fd, text);
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private tick(): TraceLine['clock'] {
    if (this.clock === 'lamport') return { lamport: ++this.lamport };
    this.vc[this.node] = (this.vc[this.node] ?? 0) + 1;
    const sorted: Vector = {};
    for (const n of Object.keys(this.vc).sort()) sorted[n] = this.vc[n] as number;
    return { vc: sorted };
  }

  private resume(clock: TraceLine['clock']): void {
    if ('lamport' in clock) this.lamport = clock.lamport;
    else this.vc = { ...clock.vc };
  }
}

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done);
}

/** Repairs the end of an existing file (see the module comment); returns its last events. */
function repair(
  fd: number,
  path: string,
  headerLine: string,
  walStep: number | null | undefined,
): { tail: TailEvent[]; repaired: string | null; ranBefore: boolean } {
  const size = fstatSync(fd).size;
  const start = Math.max(0, size - TAIL_BYTES);
  const buf = Buffer.alloc(size - start);
  readSync(fd, buf, 0, buf.length, start);
  const lines: { offset: number; text: string }[] = [];
  // The first line may be cut by the window: start after its end.
  let at = start > 0 ? buf.indexOf(10) + 1 : 0;
  for (;;) {
    const nl = buf.indexOf(10, at);
    if (nl < 0) break;
    lines.push({ offset: start + at, text: buf.toString('utf8', at, nl) });
    at = nl + 1;
  }
  const complete = start + at;
  const repairs: string[] = [];
  if (complete < size) repairs.push(`a torn last line (${size - complete} bytes)`);
  let offset = complete;
  if (start === 0 && lines.length === 0) {
    // The crash came while the header was written: the file held nothing yet.
    ftruncateSync(fd, 0);
    return {
      tail: [],
      repaired: complete < size ? `${path}: cut a torn header` : null,
      ranBefore: false,
    };
  }
  if (start === 0) {
    const first = lines.shift();
    if (first?.text !== headerLine)
      throw new NodeTraceError(
        `${path}: its header is not this node's (another cluster, or other --observe/--clock flags): move it away or start with the same flags`,
      );
  }
  const tail: TailEvent[] = [];
  for (const l of lines) {
    if (l.text.trim() === '') continue;
    let line: TraceLine;
    try {
      line = JSON.parse(l.text) as TraceLine;
    } catch {
      throw new NodeTraceError(
        `${path}: a line at byte ${l.offset} is not JSON: not a trace this node wrote`,
      );
    }
    tail.push({ offset: l.offset, line });
  }
  if (walStep !== undefined) {
    const cut = tail.findIndex((e) => {
      const meta = e.line.meta ?? {};
      return meta['persist'] === true && (walStep === null || (meta['step'] as number) > walStep);
    });
    if (cut >= 0) {
      const from = tail[cut] as TailEvent;
      repairs.push(`${tail.length - cut} events of steps whose log record was never written`);
      offset = from.offset;
      tail.length = cut;
    }
  }
  if (offset < size) ftruncateSync(fd, offset);
  return {
    tail,
    repaired: repairs.length === 0 ? null : `${path}: cut ${repairs.join(' and ')}`,
    ranBefore: start > 0 || tail.length > 0,
  };
}
