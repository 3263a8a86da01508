/**
 * What in `msgs`, `decided` and `snapshots` no node can ever use again, so the checker may
 * forget it and keep memory flat over long traces. Each rule follows from a guard of
 * spec/Smr.tla and variables that only grow (promises and checkpoints are durable; Known(r, s)
 * only becomes true):
 * - Prepare at ballot b: Phase1b needs `m.bal >= promised[r]` at some r # m.from.
 * - Accept at b for slot s: Phase2b also needs `m.slot >= ckpt[r].slot`.
 * - Promise at b: ReceivePromise needs `ballot[o] = b` at b's owner o; once o's ballot moved on
 *   and promised[o] >= b, Phase1a (which needs b > promised) can never make b its ballot again.
 * - Accepted at b for slot s: likewise, or once o knows s chosen and has no proposal for it (a
 *   proposal for a known slot is never made again: Phase2a takes NextFree, BecomeLeader open
 *   slots).
 * - Reply to c for seq: ClientReceive needs `m.seq = clientSeq[c]`, and clientSeq only grows.
 * - A decided entry of slot s once every replica knows s (Learn needs ~Known(r, s)); a snapshot
 *   once every checkpoint is at or past it (InstallCheckpoint needs c.slot > executed[r], and
 *   executed[r] >= ckpt[r].slot).
 * - Request (c, seq) once every replica's checkpoint shows a later request of c executed:
 *   Phase2a needs `sessions[r][c].seq < seq` and ReplyFromSession `sessions[r][c].seq = seq`,
 *   and a session never falls below the checkpoint's (Restart and InstallCheckpoint start from
 *   one).
 */
import type { ModelEnv } from '../../spec/refusal.js';
import { known, type ReplicaVars, type World } from '../../spec/state.js';
import type { Msg } from '../../spec/values.js';

export function isPrunable(env: ModelEnv, m: Msg, w: World): boolean {
  switch (m.type) {
    case 'Prepare': {
      const from = env.ctx.replicaIndex.get(m.from);
      return w.replicas.every((r, i) => i === from || r.promised > m.bal);
    }
    case 'Accept': {
      const from = env.ctx.replicaIndex.get(m.from);
      return w.replicas.every((r, i) => i === from || r.promised > m.bal || r.ckpt.slot > m.slot);
    }
    case 'Promise': {
      const owner = w.replicas[env.ctx.replicaIndex.get(env.ctx.ballots.owner(m.bal)) ?? 0];
      return owner !== undefined && owner.ballot !== m.bal && owner.promised >= m.bal;
    }
    case 'Accepted': {
      const owner = w.replicas[env.ctx.replicaIndex.get(env.ctx.ballots.owner(m.bal)) ?? 0];
      if (owner === undefined) return false;
      if (owner.ballot !== m.bal && owner.promised >= m.bal) return true;
      return known(owner, m.slot) && !owner.proposals.has(m.slot);
    }
    case 'Reply': {
      const c = w.clients[env.ctx.clientIndex.get(m.to) ?? -1];
      return c !== undefined && c.clientSeq > m.seq;
    }
    case 'Request':
      return w.replicas.every((r) => (r.ckpt.sessions.get(m.from)?.seq ?? 0) > m.seq);
    case 'Decision':
    case 'Snapshot':
      return false;
    case 'Audit':
      // Audit's `m \notin msgs` reads them: a replica audits a slot once, replays included.
      return false;
  }
}

/** `w` without the decided entries and snapshots nobody can use any more (see above). */
export function pruneHistories(w: World): World {
  let lowest = Infinity;
  for (const r of w.replicas) lowest = Math.min(lowest, knownPrefix(r));
  let lowestCkpt = Infinity;
  for (const r of w.replicas) lowestCkpt = Math.min(lowestCkpt, r.ckpt.slot);
  const decided = w.decided.dropBelow(lowest);
  const snapshots = w.snapshots.some((c) => c.slot <= lowestCkpt)
    ? w.snapshots.filter((c) => c.slot > lowestCkpt)
    : w.snapshots;
  return decided === w.decided && snapshots === w.snapshots ? w : { ...w, decided, snapshots };
}

/** Every slot below this is known chosen by the replica (its ChosenPrefix). */
const knownPrefix = (r: ReplicaVars): number => r.chosenPrefix;
