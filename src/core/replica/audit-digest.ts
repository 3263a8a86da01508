/**
 * The sending half of the audit (seed step 6; audit.ts has the rest): after executing a multiple
 * of `auditEvery` slots, a replica keeps the digest of its state and sends it to every peer.
 */
import type { ReplicaId, Slot } from '../types.js';
import type { StepBuilder } from './builder.js';
import { stateDigest } from './checkpoint.js';
import type { AuditRound } from './state.js';

/**
 * How many audit rounds a replica keeps behind its executed slot, and how far ahead of it it
 * keeps its peers' digests for the rounds it has yet to reach.
 */
export const AUDIT_ROUNDS = 4;

/**
 * Audit: this replica just executed slot `executed − 1`, governed by `members`; on an audit slot
 * it records its digest and sends it. A replica repairing itself does not audit; a silent replay (after a restart or a
 * repair) records its digest without sending it again.
 */
export function auditExecuted(b: StepBuilder, quiet: boolean, members: readonly ReplicaId[]): void {
  const every = b.base.params.auditEvery ?? 0;
  const slot = b.v.executed;
  if (every <= 0 || slot % every !== 0 || b.v.repair !== null) return;
  const digest = stateDigest(b);
  const peers = b.v.audits.get(slot)?.peers ?? new Map<string, string>();
  const round = { own: digest, members, peers };
  b.setVolatile({ audits: keepRecent(new Map(b.v.audits).set(slot, round)) });
  // Only members audit: an observer (or a replica that quit) compares, but has no vote.
  if (quiet || !members.includes(b.id)) return;
  const msg = { type: 'Audit', from: b.id, slot, digest, echo: false } as const;
  b.trace({ action: 'Audit', slot, msg });
  b.broadcast(msg);
}

/** The newest AUDIT_ROUNDS rounds. */
export function keepRecent(audits: ReadonlyMap<Slot, AuditRound>): ReadonlyMap<Slot, AuditRound> {
  if (audits.size <= AUDIT_ROUNDS) return audits;
  const keep = [...audits.keys()].sort((x, y) => y - x).slice(0, AUDIT_ROUNDS);
  return new Map(keep.sort((x, y) => x - y).map((s) => [s, audits.get(s) as AuditRound]));
}
