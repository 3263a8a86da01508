/**
 * What the explorer does in one step of the cluster: an action of the world model, or a crash
 * fused with its restart (protocol.ts's `fuseCrashes`), and its label.
 */
import type { ReplicaId } from '../../../src/core/types.js';
import type { Action } from '../../model/step.js';

/**
 * The model's actions, plus a crash immediately followed by the restart (see `fuseCrashes`).
 */
export type ClusterAction = Action | { readonly kind: 'CrashRestart'; readonly replica: ReplicaId };

export function describeClusterAction(a: ClusterAction): string {
  switch (a.kind) {
    case 'Deliver':
    case 'Drop':
    case 'Duplicate':
      return `${a.kind} #${a.packet}`;
    case 'Tick':
      return `Tick ${a.node}`;
    case 'Submit':
      return `Submit ${a.client} ${JSON.stringify(a.op)}`;
    default:
      return `${a.kind} ${a.replica}`;
  }
}
