/**
 * The deterministic simulator: N replicas and C clients driven by a seeded scheduler with fault
 * injection (loss, duplication, reordering, delay, crash/restart, partitions that heal). Every
 * invariant that applies is checked after every step. Same options ⇒ same run, byte for byte.
 */
import type { AnyApp } from '../../src/core/app.js';
import type { ClientRules, ReplyPolicy } from '../../src/core/client.js';
import type { ReplicaRules } from '../../src/core/replica/rules.js';
import type { HistoryOp } from '../../src/oracle/types.js';
import type { Json, NodeId, TraceEvent } from '../../src/core/types.js';
import { makeHeader, type ClockKind, type ObserveLevel } from '../../src/trace/format.js';
import { TraceRecorder } from '../../src/trace/recorder.js';
import { CHECKED_INVARIANTS } from '../model/invariants.js';
import { type InvariantName, type Violation } from '../../src/spec/violation.js';
import { applyAction, type Action, type Transition } from '../model/step.js';
import {
  initialWorld,
  makeConfig,
  mayCorrupt,
  type ClusterConfig,
  type Packet,
  type World,
} from '../model/world.js';
import { Random } from '../random.js';
import { StepRefinement } from '../refinement/local.js';
import { LinearizabilityMonitor } from './linearizability.js';
import { randomOp } from './workload.js';
import { reconfigOp } from '../../src/core/membership.js';

/**
 * `reconfig` is an operator who now and then asks a client to JOIN or QUIT a random replica (a
 * request that may well be refused: a member joining, the last F+1 members quitting).
 */
export const FAULTS = [
  'loss',
  'dup',
  'reorder',
  'delay',
  'crash',
  'partition',
  'corrupt',
  'reconfig',
] as const;
export type FaultName = (typeof FAULTS)[number];
/**
 * Faults whose runs consist of node inputs only and stay inside what Smr.tla models: `corrupt`
 * rewrites a replica's app state from outside, which no external process under `smr diff-test`
 * can be fed, and `reconfig` (like the audit `corrupt` turns on) is not in the spec yet.
 */
export const INPUT_FAULTS: readonly FaultName[] = FAULTS.filter(
  (f) => f !== 'corrupt' && f !== 'reconfig',
);

export interface SimOptions {
  readonly replicas: number;
  readonly clients: number;
  readonly seed: number;
  readonly steps: number;
  readonly faults: readonly FaultName[];
  readonly app: AnyApp;
  readonly rules?: ReplicaRules;
  readonly clientRules?: ClientRules;
  readonly policy?: ReplyPolicy;
  /** A leader proposes CHECKPOINT every this many executed slots (default the core's 64; 0 never). */
  readonly checkpointEvery?: number;
  /** App parts per state-transfer chunk (default the core's 64). */
  readonly transferChunk?: number;
  /**
   * Audit every this many executed slots (default: 4 with the `corrupt` fault, else 0 = never;
   * src/core/replica/audit.ts). The per-step check against the twin leaves out the steps that
   * receive an audit or run in a changed configuration (harness/refinement/local.ts); the trace
   * checker covers them when no replica was corrupted.
   */
  readonly auditEvery?: number;
  /** Check every node step against the spec twin (default true, unless the audit runs). */
  readonly stepRefinement?: boolean;
  /** From this step on no new faults: partitions heal, crashed replicas restart, no loss. */
  readonly quietAfter?: number;
  /** From this step on clients submit no new requests (to see every pending one answered). */
  readonly stopRequestsAfter?: number;
  /** Receives the run as trace lines (header first). */
  readonly onTraceLine?: (line: string) => void;
  /** What the trace logs: `full` (default), `messages` or `actions` (src/trace/recorder.ts). */
  readonly observe?: ObserveLevel;
  /** The trace's clocks: `lamport` (default) or `vc` (vector clocks). */
  readonly traceClock?: ClockKind;
  /** Chooses client operations; defaults to the reference workload of the app. */
  readonly workload?: (rng: Random) => Json;
  /** Called every 1,024 steps (the CLI turns it into a progress line at most once a second). */
  readonly onProgress?: (p: { step: number; steps: number; completed: number }) => void;
  /** Receives the client-visible history at the end (the `smr lincheck` input, `--history`). */
  readonly onHistory?: (history: readonly HistoryOp[]) => void;
  /** Sees every transition with the world it started from (for schedules and debugging). */
  readonly onTransition?: (action: Action, before: World, t: Transition) => void;
}

export interface SimResult {
  readonly seed: number;
  readonly steps: number;
  readonly replicas: number;
  readonly clients: number;
  readonly faults: readonly FaultName[];
  readonly requests: { submitted: number; completed: number; failed: number; pending: number };
  readonly slotsChosen: number;
  readonly messages: { sent: number; delivered: number; dropped: number; duplicated: number };
  readonly crashes: number;
  readonly restarts: number;
  readonly partitions: number;
  readonly corruptions: number;
  readonly rejectedInputs: number;
  /** Checkpoints taken, truncations, and checkpoints installed by state transfer. */
  readonly checkpoints: { taken: number; truncations: number; transfers: number };
  /** The most log entries (accepted + chosen) any replica held at once. */
  readonly maxRetainedLog: number;
  /**
   * Audit rounds sent, replicas that declared themselves faulty, and the QUIT and JOIN commands
   * executed (counted once per slot) or refused.
   */
  readonly audit: {
    every: number;
    rounds: number;
    detections: number;
    quits: number;
    joins: number;
    refused: number;
  };
  /** Whether every node step was checked against the spec twin, or why not. */
  readonly refinement: string;
  readonly traceEvents: number;
  /** Linearizability checks that ran out of their deterministic budget (not counted as passes). */
  readonly inconclusiveChecks: number;
  readonly invariantsChecked: readonly InvariantName[];
  readonly violation: (Violation & { step: number; action: string }) | null;
}

/** Probabilities per step (or per sent message, for loss/dup) when a fault is enabled. */
const RATES = {
  loss: 0.05,
  dup: 0.05,
  crash: 0.003,
  restart: 0.03,
  split: 0.003,
  heal: 0.02,
  corrupt: 0.002,
  /** The share of client requests that are an operator's JOIN or QUIT. */
  reconfig: 0.1,
  maxDelay: 30,
};

export function simulate(options: SimOptions): SimResult {
  const base = makeConfig({
    replicas: options.replicas,
    clients: options.clients,
    app: options.app,
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.clientRules ? { clientRules: options.clientRules } : {}),
    clientParams: { policy: options.policy ?? 'majority' },
    replicaParams: {
      ...(options.checkpointEvery !== undefined
        ? { checkpointEvery: options.checkpointEvery }
        : {}),
      ...(options.transferChunk !== undefined ? { transferChunk: options.transferChunk } : {}),
      auditEvery: auditEveryOf(options),
    },
  });
  // Every step is checked against the spec twin too (harness/refinement/local.ts).
  const cfg =
    options.stepRefinement === false ? base : { ...base, stepChecks: new StepRefinement(base) };
  const sim = new Simulation(cfg, options);
  return sim.run();
}

/** The audit period a run uses: as given, else 4 with the corrupt fault, else never. */
export function auditEveryOf(options: Pick<SimOptions, 'auditEvery' | 'faults'>): number {
  return options.auditEvery ?? (options.faults.includes('corrupt') ? 4 : 0);
}

/** Whether a run's node steps are checked against the spec twin, or why not. */
export function refinementOf(options: SimOptions): string {
  if (options.stepRefinement === false) return 'not checked (turned off)';
  if (auditEveryOf(options) > 0)
    return 'checked, except the steps that receive an audit, declare a replica faulty, execute a JOIN or QUIT, or run in a changed configuration (checked through the trace instead when no replica was corrupted)';
  return 'checked';
}

class Simulation {
  private readonly rng: Random;
  private world: World;
  private readonly faults: ReadonlySet<FaultName>;
  private readonly holdUntil = new Map<number, number>();
  private partition: ReadonlyMap<NodeId, number> | null = null;
  private readonly recorder: TraceRecorder | null;
  private readonly lin: LinearizabilityMonitor;
  private readonly stats = {
    sent: 0,
    delivered: 0,
    dropped: 0,
    duplicated: 0,
    crashes: 0,
    restarts: 0,
    partitions: 0,
    corruptions: 0,
    rejected: 0,
    checkpoints: 0,
    truncations: 0,
    transfers: 0,
    maxRetainedLog: 0,
    auditRounds: 0,
    detections: 0,
    quits: 0,
    joins: 0,
    refused: 0,
  };
  /** Slots whose JOIN/QUIT was counted (every replica executes each). */
  private readonly reconfigured = new Set<number>();
  private step = 0;
  private violation: SimResult['violation'] = null;

  constructor(
    private readonly cfg: ClusterConfig,
    private readonly options: SimOptions,
  ) {
    this.rng = new Random(options.seed);
    this.world = initialWorld(cfg);
    this.faults = new Set(options.faults);
    this.lin = new LinearizabilityMonitor(cfg.app);
    const { onTraceLine } = options;
    this.recorder = onTraceLine
      ? new TraceRecorder(
          makeHeader(cfg.replicas, cfg.clients, {
            seed: options.seed,
            steps: options.steps,
            faults: [...options.faults],
            app: cfg.app.name,
            policy: cfg.clientParams.policy,
            electionTicks: cfg.replicaParams.electionTicks,
            heartbeatTicks: cfg.replicaParams.heartbeatTicks,
            window: cfg.replicaParams.window,
            ...(cfg.replicaParams.auditEvery ? { auditEvery: cfg.replicaParams.auditEvery } : {}),
            ...(cfg.replicaParams.members !== undefined
              ? { members: [...cfg.replicaParams.members] }
              : {}),
          }),
          onTraceLine,
          {
            observe: options.observe ?? 'full',
            clock: options.traceClock ?? 'lamport',
            app: cfg.app,
          },
        )
      : null;
  }

  run(): SimResult {
    for (this.step = 0; this.step < this.options.steps && this.violation === null; this.step++) {
      const noisy = this.step < (this.options.quietAfter ?? Infinity);
      this.injectFaults(noisy);
      if (this.violation === null) this.apply(this.chooseAction(), noisy);
      if ((this.step & 1023) === 1023) this.reportProgress();
    }
    this.options.onHistory?.(this.world.ghost.history);
    return this.result();
  }

  private reportProgress(): void {
    const report = this.options.onProgress;
    if (report === undefined) return;
    const completed = this.world.ghost.history.filter((op) => op.ret !== null).length;
    report({ step: this.step + 1, steps: this.options.steps, completed });
  }

  private has(fault: FaultName, noisy: boolean): boolean {
    return noisy && this.faults.has(fault);
  }

  private injectFaults(noisy: boolean): void {
    const f = Math.floor((this.cfg.replicas.length - 1) / 2);
    const down = this.world.replicas.filter((n) => !n.up);
    if (down.length > 0 && (!noisy || this.rng.chance(RATES.restart))) {
      this.stats.restarts++;
      this.apply({ kind: 'Restart', replica: this.rng.pick(down).state.id }, noisy);
    } else if (this.has('crash', noisy) && down.length < f && this.rng.chance(RATES.crash)) {
      this.stats.crashes++;
      this.apply(
        { kind: 'Crash', replica: this.rng.pick(this.world.replicas.filter((n) => n.up)).state.id },
        noisy,
      );
    }
    // Non-malicious corruption of at most F replicas' app states at once; a restart heals one.
    const ghost = this.world.ghost;
    if (this.has('corrupt', noisy) && ghost.corrupted.size < f && this.rng.chance(RATES.corrupt)) {
      const healthy = this.world.replicas.filter((n) => n.up && mayCorrupt(ghost, n.state.id, f));
      if (healthy.length > 0) {
        this.stats.corruptions++;
        this.apply({ kind: 'Corrupt', replica: this.rng.pick(healthy).state.id }, noisy);
      }
    }
    if (this.partition !== null && (!noisy || this.rng.chance(RATES.heal))) this.partition = null;
    else if (
      this.partition === null &&
      this.has('partition', noisy) &&
      this.rng.chance(RATES.split)
    ) {
      this.stats.partitions++;
      const sides = new Map<NodeId, number>();
      for (const id of [...this.cfg.replicas, ...this.cfg.clients]) sides.set(id, this.rng.int(2));
      this.partition = sides;
    }
  }

  private chooseAction(): Action {
    const deliverable = this.deliverable();
    const accepting = this.step < (this.options.stopRequestsAfter ?? Infinity);
    const idle = accepting ? this.world.clients.filter((c) => c.pending === null) : [];
    const tickable = [
      ...this.world.replicas.filter((n) => n.up).map((n) => n.state.id),
      ...this.cfg.clients,
    ];
    switch (
      this.rng.weighted({
        deliver: deliverable.length > 0 ? 10 : 0,
        tick: 3,
        submit: idle.length > 0 ? 1 : 0,
      })
    ) {
      case 'deliver': {
        const packet = this.rng.pick(deliverable);
        return this.crossesPartition(packet)
          ? { kind: 'Drop', packet: packet.id }
          : { kind: 'Deliver', packet: packet.id };
      }
      case 'submit': {
        const client = this.rng.pick(idle).id;
        if (this.faults.has('reconfig') && this.rng.chance(RATES.reconfig))
          return { kind: 'Submit', client, op: this.operatorOp() };
        const op = this.options.workload
          ? this.options.workload(this.rng)
          : randomOp(this.cfg.app, this.rng);
        return { kind: 'Submit', client, op };
      }
      case 'tick':
        return { kind: 'Tick', node: this.rng.pick(tickable) };
    }
  }

  /** An operator's JOIN or QUIT of a random replica of the deployment. */
  private operatorOp(): Json {
    return reconfigOp(this.rng.chance(1 / 3) ? 'join' : 'quit', this.rng.pick(this.cfg.replicas));
  }

  /** Packets that may be delivered now: not held back, and in channel order unless reordering. */
  private deliverable(): Packet[] {
    const reorder = this.faults.has('reorder');
    const heads = new Set<string>();
    const out: Packet[] = [];
    for (const p of this.world.network) {
      const channel = `${p.from}>${p.to}`;
      if (!reorder && heads.has(channel)) continue;
      heads.add(channel);
      if ((this.holdUntil.get(p.id) ?? 0) <= this.step) out.push(p);
    }
    return out;
  }

  private crossesPartition(p: Packet): boolean {
    return this.partition !== null && this.partition.get(p.from) !== this.partition.get(p.to);
  }

  private apply(action: Action, noisy: boolean): void {
    const t = applyAction(this.cfg, this.world, action);
    this.options.onTransition?.(action, this.world, t);
    this.world = t.world;
    this.recorder?.record(t);
    this.count(action, t);
    if (action.kind === 'Drop') this.recorder?.dropped(action.packet);
    this.lin.observe(this.world.ghost.history);
    const violation = t.violations[0] ?? this.lin.violation();
    if (violation) {
      this.violation = { ...violation, step: this.step, action: describeAction(action) };
      return;
    }
    for (const p of t.sent) this.disturb(p, noisy);
  }

  private count(action: Action, t: Transition): void {
    for (const e of t.events) {
      if (e.event.action === 'Checkpoint') this.stats.checkpoints++;
      else if (e.event.action === 'Truncate') this.stats.truncations++;
      else if (e.event.action === 'InstallCheckpoint') this.stats.transfers++;
      else if (e.event.action === 'Audit') this.stats.auditRounds++;
      else if (e.event.action === 'DeclareFaulty') this.stats.detections++;
      else if (e.event.action === 'Reconfigure') this.countReconfig(e.event);
    }
    // The log a replica keeps (accepted and chosen entries): bounded when checkpoints truncate.
    const stepped =
      t.node === undefined ? undefined : this.world.replicas.find((r) => r.state.id === t.node);
    if (stepped !== undefined) {
      const d = stepped.state.durable;
      this.stats.maxRetainedLog = Math.max(
        this.stats.maxRetainedLog,
        d.accepted.size + d.chosen.size,
      );
    }
    this.stats.sent += t.sent.length;
    this.stats.rejected += t.rejected.length;
    if (action.kind === 'Deliver') this.stats.delivered++;
    if (action.kind === 'Drop') this.stats.dropped++;
  }

  private countReconfig(event: TraceEvent): void {
    const slot = event.slot as number;
    if (this.reconfigured.has(slot)) return;
    this.reconfigured.add(slot);
    const cmd = this.world.ghost.chosen.get(slot);
    if (event.applied !== true) this.stats.refused++;
    else if (cmd?.kind === 'quit') this.stats.quits++;
    else if (cmd?.kind === 'join') this.stats.joins++;
  }

  /** Loss, duplication and delay strike messages as they are sent. */
  private disturb(p: Packet, noisy: boolean): void {
    if (this.has('delay', noisy))
      this.holdUntil.set(p.id, this.step + this.rng.int(RATES.maxDelay));
    if (this.has('loss', noisy) && this.rng.chance(RATES.loss)) {
      this.apply({ kind: 'Drop', packet: p.id }, noisy);
    } else if (this.has('dup', noisy) && this.rng.chance(RATES.dup)) {
      const copyId = this.world.nextPacketId;
      this.apply({ kind: 'Duplicate', packet: p.id }, noisy);
      this.recorder?.duplicated(p.id, copyId);
      this.stats.duplicated++;
    }
  }

  private result(): SimResult {
    const history = this.world.ghost.history;
    const completed = history.filter((op) => op.ret !== null);
    const failed = completed.filter((op) => op.output === undefined).length;
    const slots = this.world.ghost.chosen.size;
    return {
      seed: this.options.seed,
      steps: this.step,
      replicas: this.cfg.replicas.length,
      clients: this.cfg.clients.length,
      faults: [...this.options.faults],
      requests: {
        submitted: history.length,
        completed: completed.length - failed,
        failed,
        pending: history.length - completed.length,
      },
      slotsChosen: slots,
      messages: {
        sent: this.stats.sent,
        delivered: this.stats.delivered,
        dropped: this.stats.dropped,
        duplicated: this.stats.duplicated,
      },
      crashes: this.stats.crashes,
      restarts: this.stats.restarts,
      partitions: this.stats.partitions,
      corruptions: this.stats.corruptions,
      rejectedInputs: this.stats.rejected,
      checkpoints: {
        taken: this.stats.checkpoints,
        truncations: this.stats.truncations,
        transfers: this.stats.transfers,
      },
      maxRetainedLog: this.stats.maxRetainedLog,
      audit: {
        every: this.cfg.replicaParams.auditEvery ?? 0,
        rounds: this.stats.auditRounds,
        detections: this.stats.detections,
        quits: this.stats.quits,
        joins: this.stats.joins,
        refused: this.stats.refused,
      },
      refinement: refinementOf(this.options),
      traceEvents: this.recorder?.lines ?? 0,
      inconclusiveChecks: this.lin.inconclusive,
      invariantsChecked: CHECKED_INVARIANTS,
      violation: this.violation,
    };
  }
}

export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'Deliver':
    case 'Drop':
    case 'Duplicate':
      return `${a.kind} packet ${a.packet}`;
    case 'Tick':
      return `Tick ${a.node}`;
    case 'Crash':
    case 'Restart':
    case 'Corrupt':
      return `${a.kind} ${a.replica}`;
    case 'Submit':
      return `Submit ${a.client} ${JSON.stringify(a.op)}`;
  }
}
