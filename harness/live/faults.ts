/**
 * The nemesis of a live run: one fault at a time, on a schedule drawn from the seed (Jepsen's
 * nemesis loop). A quiet spell (faults.every), then a fault that lasts faults.hold, then its
 * undoing, and again until the run ends — then the fault in force is undone, so operations in
 * flight can return. The same seed gives the same schedule of kinds, targets and times; what
 * the servers do under it is theirs.
 *
 * - kill: SIGKILL one node (its process group), restart it when the fault ends
 * - pause: SIGSTOP one node, SIGCONT when it ends
 * - restart-all: stop every node (the stop command, or SIGTERM), start them all when it ends
 * - partition: cut or drop (faults.partition) every link between a random minority and the rest
 * - delay: every link into and out of one node gets faults.delayMs of latency
 */
import type { Random } from '../random.js';
import type { FaultKind, FaultPlan, LinkMode } from './config.js';
import type { RunStop } from './stop.js';

export interface PlannedFault {
  readonly kind: FaultKind;
  /** The nodes it acts on (a partition: the minority side). */
  readonly nodes: readonly number[];
  readonly mode?: LinkMode;
  readonly quietMs: number;
  readonly holdMs: number;
}

/** A fault as it happened: times in the history's clock (ns since the run started). */
export interface FaultEvent {
  readonly kind: FaultKind;
  readonly nodes: readonly string[];
  readonly mode?: LinkMode;
  readonly delayMs?: number;
  readonly start: number;
  end: number | null;
}

/** The next fault, from the seed alone. */
export function planFault(rng: Random, plan: FaultPlan, n: number): PlannedFault {
  const quietMs = between(rng, plan.every) * 1000;
  const holdMs = between(rng, plan.hold) * 1000;
  const kind = rng.weighted(plan.kinds);
  const all = Array.from({ length: n }, (_, i) => i);
  switch (kind) {
    case 'kill':
    case 'pause':
    case 'delay':
      return { kind, nodes: [rng.int(n)], quietMs, holdMs };
    case 'restart-all':
      return { kind, nodes: all, quietMs, holdMs };
    case 'partition': {
      const size = 1 + rng.int(Math.max(1, Math.floor((n - 1) / 2)));
      const shuffled = shuffle(rng, all);
      return {
        kind,
        nodes: shuffled.slice(0, size).sort((a, b) => a - b),
        mode: rng.pick(plan.partition),
        quietMs,
        holdMs,
      };
    }
  }
}

export function hasFaults(plan: FaultPlan): boolean {
  return Object.values(plan.kinds).some((w) => w > 0);
}

/** What the scheduler does to the cluster. */
export interface Nemesis {
  readonly ids: readonly string[];
  kill(node: number): Promise<void>;
  restart(node: number): void;
  pause(node: number): void;
  resume(node: number): void;
  stopAll(): Promise<void>;
  startAll(): void;
  partition(minority: readonly number[], mode: LinkMode): void;
  delay(node: number, ms: number): void;
  heal(): void;
}

/** Run faults until the run stops; `onFault` hears of each start and end. */
export async function runFaults(
  plan: FaultPlan,
  rng: Random,
  nemesis: Nemesis,
  stop: RunStop,
  clock: () => number,
  onFault: (event: FaultEvent, phase: 'start' | 'end') => void,
): Promise<void> {
  if (!hasFaults(plan)) return;
  const n = nemesis.ids.length;
  while (!stop.stopped) {
    const f = planFault(rng, plan, n);
    if (!(await stop.sleep(f.quietMs))) return;
    const event: FaultEvent = {
      kind: f.kind,
      nodes: f.nodes.map((i) => nemesis.ids[i] ?? `#${i}`),
      ...(f.mode === undefined ? {} : { mode: f.mode }),
      ...(f.kind === 'delay' ? { delayMs: plan.delayMs } : {}),
      start: clock(),
      end: null,
    };
    const undo = await apply(f, plan, nemesis);
    onFault(event, 'start');
    await stop.sleep(f.holdMs);
    // At a hard stop everything is killed anyway; otherwise undo, so the servers recover.
    if (!stop.hard) undo();
    event.end = clock();
    onFault(event, 'end');
  }
}

async function apply(f: PlannedFault, plan: FaultPlan, nemesis: Nemesis): Promise<() => void> {
  const [node = 0] = f.nodes;
  switch (f.kind) {
    case 'kill':
      await nemesis.kill(node);
      return () => nemesis.restart(node);
    case 'pause':
      nemesis.pause(node);
      return () => nemesis.resume(node);
    case 'restart-all':
      await nemesis.stopAll();
      return () => nemesis.startAll();
    case 'partition':
      nemesis.partition(f.nodes, f.mode ?? 'cut');
      return () => nemesis.heal();
    case 'delay':
      nemesis.delay(node, plan.delayMs);
      return () => nemesis.heal();
  }
}

function between(rng: Random, [lo, hi]: readonly [number, number]): number {
  return lo + rng.next() * (hi - lo);
}

function shuffle<T>(rng: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
