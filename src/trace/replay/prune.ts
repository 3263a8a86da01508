/**
 * Which messages in `msgs` no node can ever receive again, so the checker may forget them and
 * keep memory flat over long traces. Each rule follows from a guard of spec/Smr.tla and a
 * variable that only grows:
 * - Prepare/Accept at ballot b: Phase1b/Phase2b need `m.bal >= promised[r]` at some r # m.from,
 *   and promises only rise (they are durable).
 * - Promise/Accepted at b: ReceivePromise/ReceiveAccepted need `ballot[o] = b` at b's owner o;
 *   once o's ballot moved on and promised[o] >= b, Phase1a (which needs b > promised) can never
 *   make b its ballot again.
 * - Reply to c for seq: ClientReceive needs `m.seq = clientSeq[c]`, and clientSeq only grows.
 * Requests are kept: Phase2a may propose any request ever sent.
 */
import type { ModelEnv } from '../../spec/refusal.js';
import type { World } from '../../spec/state.js';
import type { Msg } from '../../spec/values.js';

export function isPrunable(env: ModelEnv, m: Msg, w: World): boolean {
  switch (m.type) {
    case 'Prepare':
    case 'Accept': {
      const from = env.ctx.replicaIndex.get(m.from);
      return w.replicas.every((r, i) => i === from || r.promised > m.bal);
    }
    case 'Promise':
    case 'Accepted': {
      const owner = w.replicas[env.ctx.replicaIndex.get(env.ctx.ballots.owner(m.bal)) ?? 0];
      return owner !== undefined && owner.ballot !== m.bal && owner.promised >= m.bal;
    }
    case 'Reply': {
      const c = w.clients[env.ctx.clientIndex.get(m.to) ?? -1];
      return c !== undefined && c.clientSeq > m.seq;
    }
    case 'Request':
    case 'Decision':
      return false;
  }
}
