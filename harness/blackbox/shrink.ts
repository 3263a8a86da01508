/**
 * Shrinking a failing run of `smr test`. The recorded actions are executed again, fewer each
 * time, keeping any cut that still ends in a violation:
 *  1. the shortest failing prefix, by binary search (a history only gains operations as a run
 *     goes on, and a non-linearizable history stays so when operations are added);
 *  2. one probe with only the requests of the operations the violation's window names (the
 *     rest of the clients' traffic is most of a run's steps);
 *  3. then chunks of actions left out, halving the chunk size (delta debugging), while the
 *     budget lasts. A left-out delivery is a lost message, a left-out tick a slower clock, a
 *     left-out request an operation never issued; steps that no longer apply (a message that
 *     was not sent this time) are skipped, so every probe is a possible run of the network.
 *  4. the prefix again.
 * A node must be deterministic for this to converge; it never accepts a passing probe.
 */
import type { Action } from './cluster.js';
import { actionsOf, runOnce, type RunResult, type RunSetup } from './run.js';

/** The request ids of the operations a linearizability failure cannot order, if known. */
function windowIds(run: RunResult): Set<string> | null {
  const verdict = run.verdict;
  if (verdict?.kind !== 'violation' || verdict.lincheck === undefined) return null;
  const failure = verdict.lincheck.failures[0];
  if (failure === undefined) return null;
  return new Set(failure.window.ops.map((i) => run.client.ops[i]?.id ?? ''));
}

export interface ShrinkBudget {
  /** Wall-clock milliseconds for all probes together. */
  readonly timeMs: number;
  readonly clock?: () => number;
}

export interface ShrinkOutcome {
  readonly actions: readonly Action[];
  /** The last failing probe: its executed actions are `actions`. */
  readonly result: RunResult;
  readonly probes: number;
  readonly complete: boolean;
}

export async function shrinkRun(
  setup: RunSetup,
  failing: RunResult,
  budget: ShrinkBudget,
  onProbe?: (probes: number, length: number) => void,
): Promise<ShrinkOutcome> {
  const clock = budget.clock ?? Date.now;
  const deadline = clock() + budget.timeMs;
  let best = failing;
  let actions = actionsOf(failing.executed);
  let probes = 0;
  const fails = async (candidate: readonly Action[]): Promise<RunResult | null> => {
    probes++;
    const result = await runOnce(
      setup,
      { kind: 'actions', actions: candidate },
      { explain: false, checkTraces: false },
    );
    onProbe?.(probes, candidate.length);
    return result.verdict?.kind === 'violation' ? result : null;
  };
  const outOfTime = () => clock() >= deadline;

  const shortestPrefix = async (): Promise<void> => {
    let lo = 0; // a prefix known to pass (the empty run has no history)
    let hi = actions.length; // known to fail
    while (hi - lo > 1 && !outOfTime()) {
      const mid = (lo + hi) >> 1;
      const result = await fails(actions.slice(0, mid));
      if (result !== null) {
        hi = mid;
        best = result;
      } else lo = mid;
    }
    actions = actions.slice(0, hi);
  };

  await shortestPrefix();
  // One probe first: only the requests of the operations the violation's window names.
  const involved = windowIds(failing);
  if (involved !== null && !outOfTime()) {
    const candidate = actions.filter((a) => a.do !== 'request' || involved.has(a.id));
    const result = candidate.length < actions.length ? await fails(candidate) : null;
    if (result !== null) {
      best = result;
      actions = actionsOf(result.executed);
    }
  }
  for (let chunk = actions.length >> 1; chunk >= 1 && !outOfTime(); chunk >>= 1) {
    for (let at = 0; at < actions.length && !outOfTime();) {
      const candidate = [...actions.slice(0, at), ...actions.slice(at + chunk)];
      const result = await fails(candidate);
      if (result !== null) {
        best = result;
        actions = actionsOf(result.executed); // what applied, in the order it ran
      } else at += chunk;
    }
  }
  const complete = !outOfTime(); // every chunk size down to one step was tried
  if (complete) await shortestPrefix();
  return { actions, result: best, probes, complete };
}
