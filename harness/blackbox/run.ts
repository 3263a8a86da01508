/**
 * One run of `smr test`: start the cluster, drive it from the seed (the scheduler) or from a
 * recorded list of actions (a replay, a shrinking probe), stop every process, and judge the
 * clients' history. A node that breaks the protocol ends the run as `broken`, with what was
 * recorded up to then.
 */
import { Cluster, NodeBrokenError, outcomeOf, type Action, type Executed } from './cluster.js';
import {
  checkNodeTraces,
  clientHistory,
  judge,
  type ClientHistory,
  type TraceVerdict,
  type Verdict,
} from './checks.js';
import { runScheduled, type NetworkStats, type SchedulerOptions } from './scheduler.js';
import type { Json } from '../../src/core/types.js';
import type { StableStep } from '../explore/cluster/replay.js';
import { runPattern } from './adversary.js';

/** A run: the node command, the cluster, the scheduler's options, and the time limits. */
export interface RunSetup extends Omit<SchedulerOptions, 'onProgress' | 'resume'> {
  readonly command: string;
  readonly args: readonly string[];
  readonly replicas: number;
  /** Real milliseconds a node may take to answer one event. */
  readonly stepTimeoutMs: number;
  readonly lincheckTimeoutMs: number;
}

export interface RunResult {
  readonly setup: RunSetup;
  readonly nodes: readonly string[];
  readonly executed: readonly Executed[];
  readonly digest: string;
  readonly client: ClientHistory;
  /** Null when the node broke the protocol (then `broken` says how). */
  readonly verdict: Verdict | null;
  readonly broken: NodeBrokenError | null;
  readonly network: NetworkStats | null;
  readonly cluster: {
    sent: number;
    delivered: number;
    crashes: number;
    restarts: number;
    persists: number;
  };
  /** Operations called before the quiet period that never completed. */
  readonly stuck: number;
  readonly traces: ReadonlyMap<string, readonly Json[]>;
  /** The trace checker's report on the nodes' traces, when they emitted any. */
  readonly traceReport: string | null;
}

export type RunSource =
  | { readonly kind: 'seeded'; readonly onProgress?: (timeMs: number, steps: number) => void }
  | { readonly kind: 'actions'; readonly actions: readonly Action[] }
  /** An explorer counterexample's steps as an adversary (adversary.ts), then the quiet period. */
  | { readonly kind: 'pattern'; readonly steps: readonly StableStep[] };

export interface RunFlags {
  /** Explain a non-linearizable history (false for shrinking probes). */
  readonly explain: boolean;
  /** Check the nodes' own traces, if they emit any (default true; shrinking probes do not). */
  readonly checkTraces?: boolean;
  readonly onLine?: (direction: '>' | '<', node: string, line: string) => void;
}

export function nodeIds(replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `n${i + 1}`);
}

export async function runOnce(
  setup: RunSetup,
  source: RunSource,
  flags: RunFlags,
): Promise<RunResult> {
  const nodes = nodeIds(setup.replicas);
  const cluster = new Cluster({
    command: setup.command,
    args: setup.args,
    nodes,
    seed: setup.seed,
    tickMs: setup.tickMs,
    stepTimeoutMs: setup.stepTimeoutMs,
    ...(flags.onLine !== undefined ? { onLine: flags.onLine } : {}),
  });
  let broken: NodeBrokenError | null = null;
  let network: NetworkStats | null = null;
  try {
    if (source.kind === 'seeded') {
      network = await runScheduled(cluster, nodes, {
        ...setup,
        ...(source.onProgress !== undefined ? { onProgress: source.onProgress } : {}),
      });
    } else if (source.kind === 'pattern') {
      network = await runPattern(cluster, nodes, source.steps, setup);
    } else {
      for (const action of source.actions) {
        await cluster.execute(action);
        if (cluster.violation !== null) break;
      }
    }
  } catch (error) {
    if (!(error instanceof NodeBrokenError)) throw error;
    broken = error;
  } finally {
    cluster.close();
  }
  const client = clientHistory(cluster.ops.values());
  const traceVerdict =
    broken === null && flags.checkTraces !== false ? checkNodeTraces(cluster.traces) : null;
  if (traceVerdict?.kind === 'unreadable')
    broken = new NodeBrokenError(
      [...cluster.traces.keys()].join(', '),
      cluster.executed.length,
      'trace',
      `its trace cannot be checked: ${traceVerdict.report}`,
    );
  const quietFrom = setup.timeMs;
  const stuck = [...cluster.ops.values()].filter(
    (op) => op.callTime < quietFrom && outcomeOf(op) === 'unknown',
  ).length;
  return {
    setup,
    nodes,
    executed: cluster.executed,
    digest: cluster.runDigest(),
    client,
    verdict:
      broken === null
        ? withTraces(
            judge(client, cluster.violation, {
              explain: flags.explain,
              timeoutMs: setup.lincheckTimeoutMs,
            }),
            traceVerdict,
          )
        : null,
    traceReport: traceVerdict?.report ?? null,
    broken,
    network,
    cluster: { ...cluster.stats },
    stuck,
    traces: cluster.traces,
  };
}

/** A pass stands only if the nodes' own traces, when there are any, are valid too. */
function withTraces(verdict: Verdict, traces: TraceVerdict | null): Verdict {
  if (verdict.kind !== 'pass' || traces === null || traces.kind === 'valid') return verdict;
  const first = traces.report.split('\n')[0] ?? traces.report;
  return traces.kind === 'invalid'
    ? { kind: 'violation', check: 'trace', message: `the nodes' trace is invalid: ${first}` }
    : {
        kind: 'unknown',
        message: `the nodes' trace check is inconclusive: ${first}`,
        lincheck: verdict.lincheck,
      };
}

/** The actions of a run without the bookkeeping fields, ready to be executed again. */
export function actionsOf(executed: readonly Executed[]): Action[] {
  return executed.map(({ step: _step, answer: _answer, ...action }) => action as Action);
}
