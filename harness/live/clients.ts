/**
 * The clients of a live run: C concurrent loops, each one operation at a time through an
 * adapter process that speaks JSON lines (the user's command, started once per client):
 *
 *   → {"op": {"f": "get", "key": "k1"}}                       ← {"status": "ok", "value": 3}
 *   → {"op": {"f": "put", "key": "k1", "value": 4}}           ← {"status": "ok"}
 *   → {"op": {"f": "cas", "key": "k1", "value": [4, 5]}}      ← {"status": "ok", "value": false}
 *   → {"op": {"f": "append", "key": "k1", "value": "6,"}}     ← {"status": "info"}
 *
 * "ok": it took effect (a get's value is what it read, null for a missing key; a cas's value is
 * true when it swapped, false when the compare failed); "fail": it certainly did not take effect
 * (the request never left, say); "info": unknown — the adapter's own wait (the config's
 * opTimeout, given to it as {timeout_ms}) ran out, or the connection broke after sending.
 *
 * After an "info" the client's process retires and a new one takes its name with a suffix
 * (c1, c1.1, …; Jepsen's rule: the old operation may still take effect, so the old process
 * never calls again). An adapter that prints something that is not such an answer, exits, or
 * does not answer within opTimeout plus a grace has broken: the run stops with one line naming
 * it (exit 2), and the history so far stays on disk.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { isRecord } from '../../src/core/app.js';
import { canonicalEncode } from '../../src/core/canonical.js';
import type { Json } from '../../src/core/types.js';
import type { Random } from '../random.js';
import type { HistoryRecorder, Status } from './history.js';
import type { RunStop } from './stop.js';
import { lastLine, signalGroup, type ProcessGroups } from './supervisor.js';
import type { LiveOp, Workload } from './workload.js';

export interface AdapterSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly text: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** stderr of the adapter, appended. */
  readonly log: string;
}

type Reply =
  | { readonly kind: 'line'; readonly line: string; readonly at: number }
  | { readonly kind: 'broken'; readonly why: string }
  | { readonly kind: 'killed' };

/** One adapter process: write a line, read one line back. */
export class AdapterProcess {
  private readonly child: ChildProcess;
  private buffer = '';
  private readonly lines: { line: string; at: number }[] = [];
  private waiter: ((reply: Reply) => void) | null = null;
  private gone: Reply | null = null;
  private killed = false;

  constructor(
    readonly name: string,
    private readonly spec: AdapterSpec,
    groups: ProcessGroups,
    private readonly clock: () => number,
  ) {
    const fd = openSync(spec.log, 'a');
    try {
      this.child = groups.spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['pipe', 'pipe', fd],
      });
    } finally {
      closeSync(fd);
    }
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onData(chunk));
    this.child.stdin?.on('error', () => undefined); // reported through 'exit' instead
    this.child.on('error', (error) =>
      this.end({ kind: 'broken', why: `could not start ${spec.file}: ${error.message}` }),
    );
    this.child.on('exit', (code, signal) => {
      if (this.killed) return this.end({ kind: 'killed' });
      const tail = lastLine(spec.log);
      this.end({
        kind: 'broken',
        why: `exited (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`,
      });
    });
  }

  /** Send one line; the reply, or why there is none within `hangMs`. */
  request(line: string, hangMs: number): Promise<Reply> {
    if (this.gone !== null) return Promise.resolve(this.gone);
    this.child.stdin?.write(line + '\n');
    const next = this.lines.shift();
    if (next !== undefined) return Promise.resolve({ kind: 'line', ...next });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ kind: 'broken', why: `did not answer within ${fmtSeconds(hangMs)}` });
      }, hangMs);
      this.waiter = (reply) => {
        clearTimeout(timer);
        this.waiter = null;
        resolve(reply);
      };
    });
  }

  /** Kill it (its whole group): at the end of the run, or at a hard stop. */
  kill(): void {
    this.killed = true;
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
    if (this.gone === null) this.end({ kind: 'killed' });
  }

  private onData(chunk: string): void {
    const at = this.clock();
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim() === '') continue;
      if (this.waiter) this.waiter({ kind: 'line', line, at });
      else this.lines.push({ line, at });
    }
  }

  private end(reply: Reply): void {
    if (this.gone !== null) return;
    this.gone = reply;
    this.waiter?.(reply);
  }
}

/** An adapter's answer, checked: the status and the model output, or why it is no answer. */
export function parseAnswer(
  op: LiveOp,
  line: string,
): { status: Status; output?: Json } | { error: string } {
  let answer: unknown;
  try {
    answer = JSON.parse(line);
  } catch {
    return { error: `printed a line that is not JSON: ${quote(line)}` };
  }
  const said = `answered ${quote(line)} to ${describe(op)}`;
  if (!isRecord(answer as Json)) return { error: `${said}: an answer is an object {"status": …}` };
  const record = answer as Record<string, Json>;
  const status = record['status'];
  if (status !== 'ok' && status !== 'fail' && status !== 'info')
    return { error: `${said}: "status" must be "ok", "fail" or "info"` };
  if (status !== 'ok') return { status };
  const value = record['value'];
  if (op.f === 'get') {
    if (value === undefined || (value !== null && typeof value === 'object'))
      return {
        error: `${said}: an ok get gives "value", the value read (a string, number or boolean; null for a missing key)`,
      };
    return { status, output: value };
  }
  if (op.f === 'cas') {
    if (typeof value !== 'boolean')
      return {
        error: `${said}: an ok cas gives "value": true (swapped) or false (the compare failed)`,
      };
    return { status, output: value };
  }
  return { status, output: null };
}

export function describe(op: LiveOp): string {
  return op.f === 'get'
    ? `get ${op.key}`
    : `${op.f} ${op.key} ${canonicalEncode(op.value as Json)}`;
}

function quote(line: string): string {
  return JSON.stringify(line.length > 120 ? `${line.slice(0, 120)}…` : line);
}

export function fmtSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

export interface ClientContext {
  readonly recorder: HistoryRecorder;
  readonly stop: RunStop;
  readonly groups: ProcessGroups;
  /** The adapter command for client `index` (0-based). */
  readonly adapter: (index: number) => AdapterSpec;
  /** How long an adapter may take before it counts as hung. */
  readonly hangMs: number;
  /** Mean pause between two operations of one client, ms (0: none). */
  readonly thinkMs: number;
}

/** One client: operations one at a time until the run stops. */
export async function runClient(
  ctx: ClientContext,
  index: number,
  workload: Workload,
  rng: Random,
): Promise<void> {
  const base = `c${index + 1}`;
  let name = base;
  let generation = 0;
  let adapter: AdapterProcess | null = null;
  const unsubscribe = ctx.stop.onHard(() => adapter?.kill());
  try {
    while (!ctx.stop.stopped) {
      if (ctx.thinkMs > 0 && !(await ctx.stop.sleep(rng.next() * 2 * ctx.thinkMs))) break;
      adapter ??= new AdapterProcess(base, ctx.adapter(index), ctx.groups, () =>
        ctx.recorder.now(),
      );
      const op = workload.next();
      const id = ctx.recorder.invoke(name, op as unknown as Json);
      const reply = await adapter.request(JSON.stringify({ op }), ctx.hangMs);
      if (reply.kind === 'killed') break; // a hard stop: the operation stays open
      if (reply.kind === 'broken') {
        ctx.recorder.complete(id, 'info');
        ctx.stop.broken(`adapter ${base} (${ctx.adapter(index).text}) ${reply.why}`);
        break;
      }
      const answer = parseAnswer(op, reply.line);
      if ('error' in answer) {
        ctx.recorder.complete(id, 'info', undefined, reply.at);
        ctx.stop.broken(`adapter ${base} (${ctx.adapter(index).text}) ${answer.error}`);
        break;
      }
      ctx.recorder.complete(id, answer.status, answer.output, reply.at);
      if (answer.status === 'ok') workload.observe(op, answer.output ?? null);
      if (answer.status === 'info') name = `${base}.${++generation}`;
    }
  } finally {
    unsubscribe();
    adapter?.kill();
  }
}
