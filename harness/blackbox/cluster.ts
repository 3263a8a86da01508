/**
 * The cluster of `smr test`: N node processes behind the kit's network. It executes one action
 * at a time — start, crash, tick, deliver, request — feeding the node one event and taking its
 * one answer apart: messages go in flight, the persisted value is stored, replies update the
 * client operations. What to do next is decided elsewhere (the seeded scheduler, or a replay
 * file); this class only carries actions out and records them, so that a recorded run can be
 * executed again exactly (replay) or partly (shrinking).
 */
import { createHash } from 'node:crypto';
import { canonicalEncode } from '../../src/core/canonical.js';
import type { Json } from '../../src/core/types.js';
import { ExternalReplica } from '../difftest/external.js';
import {
  NODE_PROTOCOL_VERSION,
  parseAnswer,
  type KvOp,
  type NodeEvent,
  type NodeReply,
} from './protocol.js';

/** What the kit decides. A `deliver` names the message by link and body, never by position. */
export type Action =
  | { readonly do: 'start'; readonly node: string; readonly time: number }
  | { readonly do: 'crash'; readonly node: string; readonly time: number }
  | { readonly do: 'tick'; readonly node: string; readonly time: number }
  | {
      readonly do: 'deliver';
      readonly node: string;
      readonly time: number;
      readonly from: string;
      readonly body: Json;
      /** A duplicate: delivered again without using up the message (it was sent on this link). */
      readonly copy?: true;
    }
  | {
      readonly do: 'request';
      readonly node: string;
      readonly time: number;
      readonly client: string;
      readonly id: string;
      readonly op: KvOp;
    };

/** An action as it was executed: its step number and a short hash of the node's answer. */
export type Executed = Action & { readonly step: number; readonly answer?: string };

export interface SentMessage {
  readonly from: string;
  readonly to: string;
  readonly body: Json;
}

/** One client operation, from its first request to its outcome. */
export interface ClientOp {
  readonly id: string;
  readonly client: string;
  /** The Jepsen process: the client, renamed after each operation it gave up on. */
  readonly process: string;
  readonly op: KvOp;
  /** Step of the first request, and simulated time. */
  readonly call: number;
  readonly callTime: number;
  /** Each request of this id: where it went, and whether that node answered `fail`. */
  readonly attempts: { node: string; failed: boolean }[];
  /** The first `ok` reply. */
  ok?: { readonly value: Json; readonly step: number; readonly node: string };
}

/** The node broke the protocol (exit 2): it crashed, hung, or wrote something not allowed. */
export class NodeBrokenError extends Error {
  override readonly name = 'NodeBrokenError';
  constructor(
    readonly node: string,
    readonly step: number,
    readonly event: string,
    readonly reason: string,
  ) {
    super(`node ${node}, step ${step} (${event}): ${reason}`);
  }
}

/** A violation seen while the run goes (the others are found in the history at the end). */
export interface LiveViolation {
  readonly check: 'agreement';
  readonly message: string;
  readonly step: number;
}

export interface ClusterOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly nodes: readonly string[];
  readonly seed: number;
  readonly tickMs: number;
  readonly stepTimeoutMs: number;
  /** Receives each event and answer line (the run's transcript). */
  readonly onLine?: (direction: '>' | '<', node: string, line: string) => void;
}

const INIT_TIMEOUT_MS = 10_000;
/**
 * Runtimes that randomise hashing per process would otherwise iterate sets and maps in another
 * order in every run (Python's str hashes): the same inputs must give the same answers.
 */
const DETERMINISTIC_ENV = { PYTHONHASHSEED: '0' };

export class Cluster {
  private readonly procs = new Map<string, ExternalReplica>();
  private readonly persisted = new Map<string, Json>();
  private readonly started = new Set<string>();
  /** Messages in flight per link (`from to`), oldest first, each with its canonical body. */
  private readonly inFlight = new Map<string, { body: Json; key: string }[]>();
  /** Canonical bodies ever sent per link: what a duplicate may repeat. */
  private readonly everSent = new Map<string, Set<string>>();
  /** Request ids each node received (across restarts: the node may have logged them). */
  private readonly received = new Map<string, Set<string>>();
  private readonly processOf = new Map<string, { name: string; gaveUp: number }>();
  readonly ops = new Map<string, ClientOp>();
  readonly executed: Executed[] = [];
  readonly traces = new Map<string, Json[]>();
  readonly stats = { sent: 0, delivered: 0, crashes: 0, restarts: 0, persists: 0 };
  violation: LiveViolation | null = null;
  private readonly digest = createHash('sha256');

  constructor(private readonly options: ClusterOptions) {}

  isUp(node: string): boolean {
    return this.procs.has(node);
  }

  /** Bodies in flight on the link `from` → `to`, oldest first. */
  inFlightOn(from: string, to: string): readonly Json[] {
    return (this.inFlight.get(`${from} ${to}`) ?? []).map((m) => m.body);
  }

  /** Lose one message in flight (an explorer schedule's Drop); not a step of any node. */
  discard(from: string, to: string, body: Json): void {
    const queue = this.inFlight.get(`${from} ${to}`) ?? [];
    const key = canonicalEncode(body);
    const index = queue.findIndex((m) => m.key === key);
    if (index >= 0) queue.splice(index, 1);
  }

  /** Every message in flight, link by link, oldest first on each. */
  inFlightMessages(): SentMessage[] {
    const all: SentMessage[] = [];
    for (const [link, queue] of this.inFlight) {
      const [from, to] = link.split(' ') as [string, string];
      for (const m of queue) all.push({ from, to, body: m.body });
    }
    return all;
  }

  /** The run so far, as a short hex digest of every event and answer. */
  runDigest(): string {
    return this.digest.copy().digest('hex').slice(0, 16);
  }

  /** Whether `action` can be carried out now (a replayed step may no longer apply). */
  applies(action: Action): boolean {
    switch (action.do) {
      case 'start':
        return !this.isUp(action.node);
      case 'crash':
      case 'tick':
      case 'request':
        return this.isUp(action.node);
      case 'deliver':
        return this.isUp(action.node) && this.findMessage(action) !== null;
    }
  }

  /**
   * Carry out `action` if it applies, and return what the node sent (null when it did not
   * apply). Throws NodeBrokenError when the node breaks the protocol.
   */
  async execute(action: Action): Promise<{ sent: SentMessage[]; replies: NodeReply[] } | null> {
    if (!this.applies(action)) return null;
    const step = this.executed.length;
    if (action.do === 'crash') {
      this.procs.get(action.node)?.crash();
      this.procs.delete(action.node);
      this.stats.crashes++;
      // Messages in flight to a crashed node are lost with its connections.
      for (const [link, queue] of this.inFlight)
        if (link.endsWith(` ${action.node}`)) queue.length = 0;
      this.executed.push({ ...action, step });
      this.digest.update(`${step} crash ${action.node}\n`);
      return { sent: [], replies: [] };
    }
    const event = this.eventOf(action, step);
    if (action.do === 'start') {
      if (this.started.has(action.node)) this.stats.restarts++;
      this.started.add(action.node);
      this.procs.set(
        action.node,
        new ExternalReplica(this.options.command, this.options.args, DETERMINISTIC_ENV),
      );
    }
    if (action.do === 'deliver' && action.copy !== true) {
      const queue = this.inFlight.get(`${action.from} ${action.node}`) ?? [];
      queue.splice(this.findMessage(action) as number, 1);
    }
    if (action.do === 'deliver') this.stats.delivered++;
    if (action.do === 'request') this.noteRequest(action, step);
    const line = JSON.stringify(event);
    const answerLine = await this.exchange(action.node, line, step, action.do === 'start');
    const parsed = parseAnswer(answerLine, step);
    if (!parsed.ok) throw new NodeBrokenError(action.node, step, describe(action), parsed.reason);
    const { answer } = parsed;
    // Persist first: a crash after this step keeps it.
    if (answer.persist !== undefined) {
      this.persisted.set(action.node, answer.persist.value);
      this.stats.persists++;
    }
    const sent: SentMessage[] = [];
    for (const m of answer.send) {
      if (!this.options.nodes.includes(m.to))
        throw new NodeBrokenError(
          action.node,
          step,
          describe(action),
          `sends to ${JSON.stringify(m.to)}, which is not a node (${this.options.nodes.join(', ')})`,
        );
      const key = canonicalEncode(m.body);
      const link = `${action.node} ${m.to}`;
      let queue = this.inFlight.get(link);
      if (queue === undefined) this.inFlight.set(link, (queue = []));
      queue.push({ body: m.body, key });
      let ever = this.everSent.get(link);
      if (ever === undefined) this.everSent.set(link, (ever = new Set()));
      ever.add(key);
      sent.push({ from: action.node, to: m.to, body: m.body });
      this.stats.sent++;
    }
    for (const reply of answer.reply) this.noteReply(action, step, reply);
    if (answer.trace.length > 0) {
      const list = this.traces.get(action.node) ?? [];
      list.push(...answer.trace);
      this.traces.set(action.node, list);
    }
    const answerHash = createHash('sha256').update(answerLine).digest('hex').slice(0, 8);
    this.digest.update(`${line}\n${answerLine}\n`);
    this.executed.push({ ...action, step, answer: answerHash });
    return { sent, replies: [...answer.reply] };
  }

  /** Stop every process (the end of a run, or a broken node). */
  close(): void {
    for (const proc of this.procs.values()) proc.crash();
    this.procs.clear();
  }

  /** The index of the oldest in-flight message a `deliver` names, or null. */
  private findMessage(action: Extract<Action, { do: 'deliver' }>): number | null {
    const link = `${action.from} ${action.node}`;
    const key = canonicalEncode(action.body);
    if (action.copy === true) return this.everSent.get(link)?.has(key) === true ? 0 : null;
    const index = (this.inFlight.get(link) ?? []).findIndex((m) => m.key === key);
    return index < 0 ? null : index;
  }

  private eventOf(action: Exclude<Action, { do: 'crash' }>, step: number): NodeEvent {
    const { time } = action;
    switch (action.do) {
      case 'start':
        return {
          type: 'init',
          protocol: NODE_PROTOCOL_VERSION,
          step,
          time,
          node: action.node,
          nodes: this.options.nodes,
          // Each node, and each incarnation of it, gets its own seed, the same in every replay.
          seed:
            this.options.seed * 1000 +
            this.options.nodes.indexOf(action.node) * 100 +
            this.stats.restarts,
          persisted: this.persisted.get(action.node) ?? null,
          params: { tick_ms: this.options.tickMs },
        };
      case 'tick':
        return { type: 'tick', step, time };
      case 'deliver':
        return { type: 'message', step, time, from: action.from, body: action.body };
      case 'request':
        return { type: 'request', step, time, client: action.client, id: action.id, op: action.op };
    }
  }

  private async exchange(node: string, line: string, step: number, init: boolean): Promise<string> {
    const proc = this.procs.get(node) as ExternalReplica;
    this.options.onLine?.('>', node, line);
    const timeout = init
      ? Math.max(this.options.stepTimeoutMs, INIT_TIMEOUT_MS)
      : this.options.stepTimeoutMs;
    try {
      const answer = await proc.exchange(line, timeout);
      this.options.onLine?.('<', node, answer);
      return answer;
    } catch (error) {
      const tail = proc.stderrTail();
      throw new NodeBrokenError(
        node,
        step,
        describe(JSON.parse(line) as NodeEvent),
        `${(error as Error).message}${tail && !(error as Error).message.includes(tail) ? ` (stderr: ${tail})` : ''}`,
      );
    }
  }

  private noteRequest(action: Extract<Action, { do: 'request' }>, step: number): void {
    let got = this.received.get(action.node);
    if (got === undefined) this.received.set(action.node, (got = new Set()));
    got.add(action.id);
    const known = this.ops.get(action.id);
    if (known !== undefined) {
      known.attempts.push({ node: action.node, failed: false });
      return;
    }
    // A client that starts a new operation while its last one is open gave up on that one: like
    // Jepsen, it goes on as a new process, so a process never has two operations open.
    let proc = this.processOf.get(action.client);
    if (proc === undefined)
      this.processOf.set(action.client, (proc = { name: action.client, gaveUp: 0 }));
    const last = [...this.ops.values()].findLast((o) => o.client === action.client);
    if (last !== undefined && outcomeOf(last) === 'unknown') {
      proc.gaveUp++;
      proc.name = `${action.client}.${proc.gaveUp}`;
    }
    this.ops.set(action.id, {
      id: action.id,
      client: action.client,
      process: proc.name,
      op: action.op,
      call: step,
      callTime: action.time,
      attempts: [{ node: action.node, failed: false }],
    });
  }

  private noteReply(action: Action, step: number, reply: NodeReply): void {
    const op = this.ops.get(reply.id);
    if (op === undefined || this.received.get(action.node)?.has(reply.id) !== true)
      throw new NodeBrokenError(
        action.node,
        step,
        describe(action),
        `replies to request ${JSON.stringify(reply.id)}, which this node never received`,
      );
    if (reply.status === 'fail') {
      const attempt = op.attempts.find((a) => a.node === action.node && !a.failed);
      if (attempt !== undefined) attempt.failed = true;
      return;
    }
    if (op.ok === undefined) {
      op.ok = { value: reply.value, step, node: action.node };
      return;
    }
    // Puts and appends answer with anything; a read or a cas must answer the same everywhere.
    const compared = op.op.f === 'get' || op.op.f === 'cas';
    if (
      compared &&
      this.violation === null &&
      canonicalEncode(op.ok.value) !== canonicalEncode(reply.value)
    )
      this.violation = {
        check: 'agreement',
        step,
        message: `request ${op.id} (${describeOp(op.op)}) was answered ${JSON.stringify(op.ok.value)} by ${op.ok.node} at step ${op.ok.step} and ${JSON.stringify(reply.value)} by ${action.node} at step ${step}`,
      };
  }
}

/** ok: answered; fail: every request of it was refused (it never took effect); else unknown. */
export function outcomeOf(op: ClientOp): 'ok' | 'fail' | 'unknown' {
  if (op.ok !== undefined) return 'ok';
  return op.attempts.every((a) => a.failed) ? 'fail' : 'unknown';
}

export function describeOp(op: KvOp): string {
  switch (op.f) {
    case 'get':
      return `get ${op.key}`;
    case 'cas':
      return `cas ${op.key} ${JSON.stringify(op.value[0])}→${JSON.stringify(op.value[1])}`;
    default:
      return `${op.f} ${op.key} ${JSON.stringify(op.value)}`;
  }
}

function describe(action: Action | NodeEvent): string {
  if ('do' in action) {
    switch (action.do) {
      case 'deliver':
        return `message from ${action.from}`;
      case 'request':
        return `request ${action.id}`;
      case 'start':
        return 'init';
      default:
        return action.do;
    }
  }
  switch (action.type) {
    case 'message':
      return `message from ${action.from}`;
    case 'request':
      return `request ${action.id}`;
    default:
      return action.type;
  }
}
