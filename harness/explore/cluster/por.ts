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
 * Rule 2 is not sound for `first-reply`, where the first vote decides: it is off there. And
 * its argument is about the reference client's voting; a client reducer whose outcome depends
 * on the order of its votes would break it. So the condition is checked as it runs: the vote is
 * taken alone only if it commutes with every other reply the client could take now (both orders
 * reach the same client state and accept the same outcome); otherwise every action is explored.
 */
import { canonicalEncode } from '../../../src/core/canonical.js';
import type { ClientState } from '../../../src/core/client.js';
import type { Input } from '../../../src/core/types.js';
import type { Packet, World } from '../../model/world.js';
import { sameValue, type LocalSteps } from './local-steps.js';
import type { ClusterAction } from './action.js';
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
    if (!commutesWithOtherVotes(world, actions, packet, client, local)) continue;
    return indicesOf(
      actions,
      (b) =>
        (b.kind === 'Deliver' || b.kind === 'Drop' || b.kind === 'Duplicate') &&
        b.packet === a.packet,
    );
  }
  return undefined;
}

function commutesWithOtherVotes(
  world: World,
  actions: readonly ClusterAction[],
  packet: Packet,
  client: ClientState,
  local: LocalSteps,
): boolean {
  const receive = (p: Packet): Input => ({ kind: 'Receive', msg: p.msg });
  const after = (first: Packet, second: Packet) => {
    const one = local.stepClient(client, receive(first));
    const two = local.stepClient(one.state, receive(second));
    const outcomes = [...one.effects, ...two.effects]
      .filter((e) => e.kind === 'Complete')
      .map((e) => canonicalEncode(e as never))
      .sort();
    return { state: two.state, outcomes: outcomes.join('|') };
  };
  for (const b of actions) {
    if (b.kind !== 'Deliver' || b.packet === packet.id) continue;
    const other = world.network.find((p) => p.id === b.packet);
    if (other === undefined || other.to !== packet.to) continue;
    const ab = after(packet, other);
    const ba = after(other, packet);
    if (ab.outcomes !== ba.outcomes || !sameValue(ab.state, ba.state)) return false;
  }
  return true;
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
