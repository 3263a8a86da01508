/**
 * Partial-order reduction with persistent sets (Godefroid 1996, "Partial-Order Methods for the
 * Verification of Concurrent Systems", ch. 4; ample-set conditions C0–C3 of Peled / Clarke et
 * al.). In a state where one of the rules below applies, only the returned actions are explored;
 * every other action is independent of them along every path, so each reachable bad state keeps
 * a representative. The rules are specific to the cluster, where the dependencies are known:
 *
 * 1. No client has an operation open and some client can submit: explore only the Submits. A
 *    Submit touches only its client and adds a call to the history. Replica steps never read
 *    client state, cannot learn a request before it is sent, and no return can happen before a
 *    Submit (no operation is open), so every other action commutes with it (C1). A call cannot
 *    change the linearizability verdict — the new operation may linearise anywhere after it —
 *    and a Submit reports no violation (C2, invisible). Submits raise the total submitted count,
 *    so they lie on no cycle (C3).
 * 2. A client in `majority` mode can take a reply vote that does not complete its operation:
 *    explore only that packet's actions. Votes are a set and the majority outcome does not depend
 *    on their order (two majorities cannot disagree), so it commutes with other votes, and with
 *    every replica step; not completing, it adds no return to the history (C2). A vote count
 *    only grows within an operation (C3).
 *
 * Rule 2 is not sound for `first-reply`, where the first vote decides: it is off there.
 */
import type { World } from '../../model/world.js';
import type { LocalSteps } from './local-steps.js';
import type { ClusterAction } from './protocol.js';
import type { ClusterScope } from './scope.js';

export function persistentSet(
  scope: ClusterScope,
  world: World,
  actions: readonly ClusterAction[],
  local: LocalSteps,
): readonly number[] | undefined {
  if (world.clients.every((c) => c.pending === null)) {
    const submits = indicesOf(actions, (a) => a.kind === 'Submit');
    if (submits.length > 0) return submits;
  }
  if (scope.policy !== 'majority') return undefined;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as ClusterAction;
    if (a.kind !== 'Deliver') continue;
    const packet = world.network.find((p) => p.id === a.packet);
    if (packet === undefined || packet.msg.type !== 'Reply') continue;
    const client = world.clients.find((c) => c.id === packet.to);
    const pending = client?.pending;
    if (client === undefined || pending == null) continue;
    if (packet.msg.seq !== pending.seq || pending.votes.has(packet.msg.from)) continue;
    const r = local.stepClient(client, { kind: 'Receive', msg: packet.msg });
    if (r.effects.some((e) => e.kind === 'Complete')) continue;
    return indicesOf(
      actions,
      (b) =>
        (b.kind === 'Deliver' || b.kind === 'Drop' || b.kind === 'Duplicate') &&
        b.packet === a.packet,
    );
  }
  return undefined;
}

function indicesOf(
  actions: readonly ClusterAction[],
  keep: (a: ClusterAction) => boolean,
): number[] {
  const out: number[] = [];
  actions.forEach((a, i) => {
    if (keep(a)) out.push(i);
  });
  return out;
}
