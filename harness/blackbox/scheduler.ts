/**
 * The seeded scheduler of `smr test`: simulated time, the network's faults and the clients, as
 * one queue of timed events. Each event becomes at most one Cluster action; which events there
 * are and when depends only on the seed and on what the nodes answer, so a deterministic node
 * gives the same run for the same seed.
 *
 * The network: a message is delivered after 1–5 ms, in order per link, unless `reorder`
 * (1–20 ms, any order), `delay` (now and then 50–300 ms more), `loss` (5 % lost), `dup` (5 %
 * delivered twice) or a `partition` (a split of the nodes about every 0.9 s, healed after
 * 0.3–1.5 s; a message crossing it is lost) says otherwise. `crash` kills a node about every
 * 0.7 s (never more than a minority at once, so the cluster can make progress) and restarts it
 * 0.1–1 s later. Half the crashes and splits aim at the node that last answered a client (see
 * `target`). After `timeMs` comes the quiet period: partitions heal, nodes restart, nothing is
 * lost, clients start nothing new.
 *
 * The clients: each runs one operation at a time, starting at a random node, retrying the same
 * id at the next node (or the leader a refusal named) after `attemptTimeoutMs`, giving up after
 * `requestTimeoutMs`.
 */
import { Random } from '../random.js';
import { EventQueue } from './event-queue.js';
import type { Cluster, SentMessage } from './cluster.js';
import type { KvOp, NodeReply } from './protocol.js';
import type { Json } from '../../src/core/types.js';

export const TEST_FAULTS = ['loss', 'dup', 'reorder', 'delay', 'partition', 'crash'] as const;
export type TestFault = (typeof TEST_FAULTS)[number];

export interface SchedulerOptions {
  readonly clients: number;
  readonly seed: number;
  readonly faults: readonly TestFault[];
  /** Simulated milliseconds with faults and new requests. */
  readonly timeMs: number;
  /** Simulated milliseconds of quiet afterwards. */
  readonly quietMs: number;
  readonly tickMs: number;
  /** A client sends its request to another node after this long without an answer. */
  readonly attemptTimeoutMs: number;
  /** A client gives up on an operation (outcome unknown) after this long. */
  readonly requestTimeoutMs: number;
  /** Stop after this many node steps (a node that floods the network). */
  readonly maxSteps: number;
  /** Called now and then with the simulated time reached. */
  readonly onProgress?: (timeMs: number, steps: number) => void;
  /**
   * Take over a cluster that another driver ran up to `at` (an explorer schedule) and go
   * straight to the quiet period: deliver what is in flight, restart who is down, let the
   * clients retry their open operations.
   */
  readonly resume?: {
    readonly at: number;
    readonly open: readonly { client: string; id: string; op: KvOp; node: string }[];
  };
}

export interface NetworkStats {
  lost: number;
  duplicated: number;
  cut: number;
  partitions: number;
  /** The step limit stopped the run before its end. */
  stoppedAtStepLimit: boolean;
}

const KEYS = ['x', 'y', 'z'];
const RATE = { loss: 0.05, dup: 0.05, slow: 0.05, crashMeanMs: 700, splitMeanMs: 900, aimed: 0.5 };

type Event =
  | { kind: 'tick'; node: string; life: number }
  | { kind: 'deliver'; from: string; to: string; body: Json; copy: boolean }
  | { kind: 'client'; client: number; generation: number }
  | { kind: 'crash' }
  | { kind: 'restart'; node: string }
  | { kind: 'split' }
  | { kind: 'heal' }
  | { kind: 'quiet' }
  | { kind: 'end' };

interface ClientState {
  readonly name: string;
  seq: number;
  generation: number;
  current: {
    id: string;
    op: KvOp;
    node: string;
    next: string | null;
    giveUpAt: number;
  } | null;
}

export async function runScheduled(
  cluster: Cluster,
  nodes: readonly string[],
  options: SchedulerOptions,
): Promise<NetworkStats> {
  return new Scheduler(cluster, nodes, options).run();
}

class Scheduler {
  private readonly rng: Random;
  private readonly queue = new EventQueue<Event>();
  private readonly faults: Set<TestFault>;
  private now = 0;
  private quiet = false;
  private groups: Map<string, number> | null = null;
  /** The node that last answered a client ok. */
  private lastServer: string | null = null;
  private readonly lives = new Map<string, number>();
  private readonly linkClear = new Map<string, number>();
  private readonly written = new Map<string, string[]>();
  private readonly clients: ClientState[];
  readonly stats: NetworkStats = {
    lost: 0,
    duplicated: 0,
    cut: 0,
    partitions: 0,
    stoppedAtStepLimit: false,
  };

  constructor(
    private readonly cluster: Cluster,
    private readonly nodes: readonly string[],
    private readonly options: SchedulerOptions,
  ) {
    this.rng = new Random(options.seed);
    this.faults = new Set(options.faults);
    this.clients = Array.from({ length: options.clients }, (_, i) => ({
      name: `c${i + 1}`,
      seq: 0,
      generation: 0,
      current: null,
    }));
  }

  async run(): Promise<NetworkStats> {
    if (this.options.resume !== undefined) return this.resume(this.options.resume);
    for (const node of this.nodes) await this.start(node);
    this.clients.forEach((c, i) => this.wakeClient(i, 20 + this.rng.int(30)));
    if (this.faults.has('crash')) this.at(this.exponential(RATE.crashMeanMs), { kind: 'crash' });
    if (this.faults.has('partition'))
      this.at(this.exponential(RATE.splitMeanMs), { kind: 'split' });
    this.at(this.options.timeMs, { kind: 'quiet' });
    this.at(this.options.timeMs + this.options.quietMs, { kind: 'end' });
    return this.loop();
  }

  private async resume(from: NonNullable<SchedulerOptions['resume']>): Promise<NetworkStats> {
    this.now = from.at;
    this.quiet = true;
    for (const node of this.nodes) {
      if (!this.cluster.isUp(node)) this.at(this.now, { kind: 'restart', node });
      else {
        const life = (this.lives.get(node) ?? 0) + 1;
        this.lives.set(node, life);
        this.at(this.now + 1 + this.rng.int(this.options.tickMs), { kind: 'tick', node, life });
      }
    }
    for (const m of this.cluster.inFlightMessages()) this.route(m);
    for (const open of from.open) {
      const index = this.clients.findIndex((c) => c.name === open.client);
      const client = this.clients[index];
      if (client === undefined) continue;
      client.current = {
        id: open.id,
        op: open.op,
        node: open.node,
        next: null,
        giveUpAt: this.now + this.options.requestTimeoutMs,
      };
      this.wakeClient(index, this.options.attemptTimeoutMs);
    }
    this.at(this.now + this.options.quietMs, { kind: 'end' });
    return this.loop();
  }

  private async loop(): Promise<NetworkStats> {
    let lastProgress = 0;
    for (;;) {
      const next = this.queue.pop();
      if (next === undefined || next.event.kind === 'end') break;
      this.now = next.time;
      await this.handle(next.event);
      if (this.cluster.violation !== null) break; // seen already: no need to go on
      if (this.cluster.executed.length >= this.options.maxSteps) {
        this.stats.stoppedAtStepLimit = true;
        break;
      }
      if (this.now - lastProgress >= 500) {
        lastProgress = this.now;
        this.options.onProgress?.(this.now, this.cluster.executed.length);
      }
    }
    return this.stats;
  }

  private async handle(event: Event): Promise<void> {
    switch (event.kind) {
      case 'tick':
        if (this.lives.get(event.node) !== event.life) return; // a tick of an earlier life
        await this.step({ do: 'tick', node: event.node, time: this.now });
        this.at(this.now + this.options.tickMs, event);
        return;
      case 'deliver': {
        if (this.cutBetween(event.from, event.to)) {
          this.stats.cut++;
          return;
        }
        const action = {
          do: 'deliver' as const,
          node: event.to,
          time: this.now,
          from: event.from,
          body: event.body,
        };
        await this.step(event.copy ? { ...action, copy: true as const } : action);
        return;
      }
      case 'client':
        await this.client(event.client, event.generation);
        return;
      case 'crash':
        await this.crash();
        return;
      case 'restart':
        if (!this.cluster.isUp(event.node)) await this.start(event.node);
        return;
      case 'split':
        this.split();
        return;
      case 'heal':
        this.groups = null;
        if (!this.quiet && this.faults.has('partition'))
          this.at(this.now + this.exponential(RATE.splitMeanMs), { kind: 'split' });
        return;
      case 'quiet':
        this.quiet = true;
        this.groups = null;
        for (const node of this.nodes) if (!this.cluster.isUp(node)) await this.start(node);
        return;
      case 'end':
        return;
    }
  }

  private async start(node: string): Promise<void> {
    const life = (this.lives.get(node) ?? 0) + 1;
    this.lives.set(node, life);
    await this.step({ do: 'start', node, time: this.now });
    // Nodes tick out of phase, so that they do not all time out at once.
    this.at(this.now + 1 + this.rng.int(this.options.tickMs), { kind: 'tick', node, life });
  }

  private async crash(): Promise<void> {
    if (this.quiet) return;
    const up = this.nodes.filter((n) => this.cluster.isUp(n));
    const down = this.nodes.length - up.length;
    // Keep a majority up: the cluster can always make progress between faults.
    if (down < Math.floor((this.nodes.length - 1) / 2) && up.length > 0) {
      const node = this.target(up);
      this.lives.set(node, (this.lives.get(node) ?? 0) + 1);
      await this.cluster.execute({ do: 'crash', node, time: this.now });
      this.at(this.now + 100 + this.rng.int(900), { kind: 'restart', node });
    }
    this.at(this.now + this.exponential(RATE.crashMeanMs), { kind: 'crash' });
  }

  private split(): void {
    if (this.quiet || this.nodes.length < 2) return; // one node has nothing to be cut from
    const groups = new Map<string, number>();
    const serving = this.target(this.nodes);
    if (serving === this.lastServer) {
      // Cut off the node that serves clients, with a minority: it may not know it was replaced.
      const others = this.nodes.filter((n) => n !== serving);
      const minority = Math.floor((this.nodes.length - 1) / 2);
      const alone = new Set([
        serving,
        ...others.filter(() => this.rng.chance(0.5)).slice(0, minority - 1),
      ]);
      for (const node of this.nodes) groups.set(node, alone.has(node) ? 1 : 0);
    } else {
      // A random non-trivial split: each node on side 0 or 1, both sides used.
      do for (const node of this.nodes) groups.set(node, this.rng.int(2));
      while (new Set(groups.values()).size < 2);
    }
    this.groups = groups;
    this.stats.partitions++;
    this.at(this.now + 300 + this.rng.int(1200), { kind: 'heal' });
  }

  /**
   * Where a fault lands: half the time on the node that last answered a client (most likely a
   * leader: crashing or isolating it forces the elections and half-replicated entries that
   * classic bugs need), else anywhere.
   */
  private target(candidates: readonly string[]): string {
    const aimed = this.lastServer !== null && candidates.includes(this.lastServer);
    return aimed && this.rng.chance(RATE.aimed)
      ? (this.lastServer as string)
      : this.rng.pick(candidates);
  }

  private cutBetween(a: string, b: string): boolean {
    return this.groups !== null && this.groups.get(a) !== this.groups.get(b);
  }

  /** Execute one node action and route what it produced. */
  private async step(action: Parameters<Cluster['execute']>[0]): Promise<void> {
    const result = await this.cluster.execute(action);
    if (result === null) return;
    for (const message of result.sent) this.route(message);
    for (const reply of result.replies) this.onReply(action.node, reply);
  }

  private route(m: SentMessage): void {
    const faulty = !this.quiet;
    if (faulty && this.faults.has('loss') && this.rng.chance(RATE.loss)) {
      this.stats.lost++;
      return;
    }
    const deliver = (copy: boolean) => {
      const link = `${m.from} ${m.to}`;
      let time = this.now + 1 + this.rng.int(this.faults.has('reorder') ? 20 : 5);
      if (faulty && this.faults.has('delay') && this.rng.chance(RATE.slow))
        time += 50 + this.rng.int(250);
      if (!this.faults.has('reorder')) {
        time = Math.max(time, this.linkClear.get(link) ?? 0);
        this.linkClear.set(link, time);
      }
      this.at(time, { kind: 'deliver', from: m.from, to: m.to, body: m.body, copy });
    };
    deliver(false);
    if (faulty && this.faults.has('dup') && this.rng.chance(RATE.dup)) {
      this.stats.duplicated++;
      deliver(true);
    }
  }

  private onReply(node: string, reply: NodeReply): void {
    const index = this.clients.findIndex((c) => c.current?.id === reply.id);
    const client = this.clients[index];
    if (client?.current === undefined || client.current === null) return; // a late answer
    if (reply.status === 'ok') {
      client.current = null;
      this.lastServer = node;
      this.wakeClient(index, this.rng.int(20));
    } else if (client.current.node === node) {
      client.current.next = reply.leader ?? null;
      this.wakeClient(index, 5);
    }
  }

  private async client(index: number, generation: number): Promise<void> {
    const client = this.clients[index] as ClientState;
    if (client.generation !== generation) return; // superseded
    const up = this.nodes.filter((n) => this.cluster.isUp(n));
    let current = client.current;
    if (current === null) {
      if (this.quiet) return;
      const id = `${client.name}:${++client.seq}`;
      current = {
        id,
        op: this.operation(id),
        // Each operation starts at a random node (then follows redirects), so that every node,
        // a deposed leader too, keeps being asked.
        node: this.rng.pick(this.nodes),
        next: null,
        giveUpAt: this.now + this.options.requestTimeoutMs,
      };
      client.current = current;
    } else if (this.now >= current.giveUpAt) {
      client.current = null; // outcome unknown; the cluster renames the process
      this.wakeClient(index, this.rng.int(20));
      return;
    } else {
      // No answer in time, or refused: the next node, or the one the refusal named.
      const after = this.nodes[(this.nodes.indexOf(current.node) + 1) % this.nodes.length];
      current.node = current.next ?? (after as string);
      current.next = null;
    }
    // A client cannot reach a crashed node (connection refused): it tries a live one.
    if (!this.cluster.isUp(current.node) && up.length > 0) current.node = this.rng.pick(up);
    // The timeout first: an answer within this very step wakes the client sooner instead.
    this.wakeClient(index, Math.min(this.options.attemptTimeoutMs, current.giveUpAt - this.now));
    if (this.cluster.isUp(current.node))
      await this.step({
        do: 'request',
        node: current.node,
        time: this.now,
        client: client.name,
        id: current.id,
        op: current.op,
      });
  }

  private wakeClient(index: number, delay: number): void {
    const client = this.clients[index] as ClientState;
    client.generation++;
    this.at(this.now + Math.max(1, delay), {
      kind: 'client',
      client: index,
      generation: client.generation,
    });
  }

  /** The next operation: reads, writes, appends and compare-and-sets over a few keys. */
  private operation(id: string): KvOp {
    const key = this.rng.pick(KEYS);
    const written = this.written.get(key) ?? [];
    const kind = this.rng.weighted({ get: 40, put: 20, append: 25, cas: 15 });
    const remember = (v: string) => this.written.set(key, [...written.slice(-3), v]);
    switch (kind) {
      case 'get':
        return { f: 'get', key };
      case 'put':
        remember(id);
        return { f: 'put', key, value: id };
      case 'append':
        return { f: 'append', key, value: ` ${id}` };
      case 'cas': {
        const expected =
          written.length === 0 || this.rng.chance(0.2) ? null : this.rng.pick(written);
        remember(id);
        return { f: 'cas', key, value: [expected, id] };
      }
    }
  }

  private exponential(meanMs: number): number {
    return Math.max(1, Math.round(-Math.log(1 - this.rng.next()) * meanMs));
  }

  private at(time: number, event: Event): void {
    this.queue.push(time, event);
  }
}
