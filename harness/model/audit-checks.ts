/**
 * AuditDetects (DESIGN.md "Audit"): a replica declares itself faulty only when its state really
 * diverged from the chosen log's, and it does so as soon as it holds the digests of an audited
 * slot from a majority of the slot's configuration that agree with the chosen log. Judged with
 * the ghost's reference digests and configurations, never with the replica's own comparison.
 */
import { majority } from '../../src/core/quorum.js';
import type { Effect, NodeId } from '../../src/core/types.js';
import type { Violation } from '../../src/spec/violation.js';
import { stateDigestOf, trueConfig } from './reconfig.js';
import type { ClusterConfig, Ghost, ReplicaNode } from './world.js';

/** The violations of an audit step: a false declaration, or a detection the replica missed. */
export function auditChecks(
  cfg: ClusterConfig,
  ghost: Ghost,
  node: NodeId,
  wasCorrupt: boolean,
  effects: readonly Effect[],
  stepped: ReplicaNode | undefined,
): Violation[] {
  const out: Violation[] = [];
  let declared = false;
  for (const e of effects) {
    if (e.kind !== 'Trace') continue;
    if (e.event.action !== 'DeclareFaulty') continue;
    declared = true;
    if (!wasCorrupt)
      out.push({
        invariant: 'AuditDetects',
        node,
        message: `${node} declared itself faulty, but its state was the chosen log's`,
      });
  }
  if (declared || !wasCorrupt || stepped === undefined || !stepped.up) return out;
  const v = stepped.state.volatile;
  if (v.repair !== null) return out;
  for (const [slot, round] of v.audits) {
    const reference = ghost.digests.get(slot);
    const config = trueConfig(cfg, ghost, slot - 1);
    if (round.own === null || reference === undefined || config === undefined) continue;
    if (round.own === reference) continue; // it was correct then: nothing to detect in this round
    let agreeing = 0;
    for (const [peer, digest] of round.peers)
      if (peer !== node && config.includes(peer) && digest === reference) agreeing++;
    if (agreeing >= majority(config.length))
      out.push({
        invariant: 'AuditDetects',
        node,
        message: `${node}'s digest of slot ${slot} differs from the chosen log's, which ${agreeing} members of {${config.join(',')}} sent it, and it did not declare itself faulty`,
      });
  }
  return out;
}

/**
 * After DeclareFaulty the replica rebuilt its state: it is corrupt exactly when what it holds
 * now differs from the chosen log's state after as many slots.
 */
export function declaredFaulty(cfg: ClusterConfig, ghost: Ghost, stepped: ReplicaNode): boolean {
  const { executed, app, sessions, membership } = stepped.state.volatile;
  if (executed === 0) return false;
  const reference = ghost.digests.get(executed);
  if (reference === undefined) return false;
  return (
    stateDigestOf(cfg.app, cfg.replicaParams, executed, app, sessions, membership) !== reference
  );
}
