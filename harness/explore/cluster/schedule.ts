/**
 * What the delay-bounded search (engine/delay.ts) needs from the cluster: the fair scheduler it
 * departs from, and the milestones a step reaches (checkpoint, truncation, restart, state
 * transfer), which the search counts.
 */
import type { Transition } from '../../model/step.js';
import type { World } from '../../model/world.js';
import type { ClusterAction } from './action.js';

/** The events a search reports reaching (Successor.milestones), by trace action. */
const MILESTONES: ReadonlyMap<string, string> = new Map([
  ['Checkpoint', 'checkpoint'],
  ['Truncate', 'truncation'],
  ['InstallCheckpoint', 'state transfer'],
  ['DeclareFaulty', 'audit detection'],
]);

export function milestonesOf(action: ClusterAction, t: Transition): string[] {
  const out = new Set<string>();
  if (action.kind === 'Restart' || action.kind === 'CrashRestart') out.add('restart');
  for (const e of t.events) {
    const m = MILESTONES.get(e.event.action);
    if (m !== undefined) out.add(m);
    // A QUIT or JOIN that took effect (a refused one changes no configuration).
    if (e.event.action === 'Reconfigure' && e.event.applied === true) {
      const msg = e.event.msg;
      const output = msg?.type === 'Reply' ? msg.output : null;
      if (typeof output === 'object' && output !== null && !Array.isArray(output))
        out.add('quit' in output ? 'QUIT' : 'JOIN');
    }
  }
  return [...out];
}

/**
 * The delay-bounded search's fair scheduler (engine/delay.ts): the oldest deliverable message
 * first (FIFO by the order messages were first sent), then a restart of a replica that is down,
 * then a client's next request, then a tick of the first replica that can tick — time passes
 * only when nothing else can happen. Faults (crash, loss, duplication, corruption) are never
 * scheduled: each is a delay.
 */
export function scheduledAction(world: World, actions: readonly ClusterAction[]): number {
  const order: readonly ClusterAction['kind'][] = ['Deliver', 'Restart', 'Submit', 'Tick'];
  for (const kind of order) {
    let best = -1;
    let bestId = Infinity;
    actions.forEach((a, k) => {
      if (a.kind !== kind) return;
      const id = a.kind === 'Deliver' ? a.packet : k;
      if (id < bestId) {
        best = k;
        bestId = id;
      }
    });
    if (best >= 0) return best;
  }
  return -1;
}
