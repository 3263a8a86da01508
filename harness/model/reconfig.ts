/**
 * The ghost's side of audit and reconfiguration (DESIGN.md "Audit", "Reconfiguration"): the
 * configuration of every slot as the chosen log defines it, computed here with the reference
 * rules (slot + α, at least F+1 members) whatever rules the replicas run, so a mutant's
 * configuration cannot vouch for itself; and the digests the invariants compare replicas with.
 */
import type { AnyApp } from '../../src/core/app.js';
import {
  applyReconfig,
  keepsFPlusOne,
  membersAt,
  type Membership,
} from '../../src/core/membership.js';
import { checkpointDigest, digestedMembership } from '../../src/core/replica/checkpoint.js';
import type { ReplicaParams } from '../../src/core/replica/state.js';
import type {
  Checkpoint,
  ClientId,
  Json,
  ReconfigCommand,
  ReplicaId,
  Session,
  Slot,
} from '../../src/core/types.js';
import type { ClusterConfig, Ghost } from './world.js';

/** A chosen JOIN/QUIT executed as a correct replica with the reference rules executes it. */
export function referenceReconfig(
  cfg: ClusterConfig,
  m: Membership,
  slot: Slot,
  cmd: ReconfigCommand,
): { readonly membership: Membership; readonly output: Json } {
  const out = applyReconfig(
    m,
    { change: cmd.kind, replica: cmd.replica, selfDeclared: cmd.client === cmd.replica },
    slot + cfg.replicaParams.window,
    cfg.replicas,
    keepsFPlusOne,
  );
  return { membership: out.ok ? out.membership : m, output: out.output };
}

/**
 * The configuration governing `slot`, as the chosen log defines it; undefined while some slot
 * below slot − α + 1 is not chosen yet (then no correct leader could have used it either).
 */
export function trueConfig(
  cfg: ClusterConfig,
  ghost: Ghost,
  slot: Slot,
): readonly ReplicaId[] | undefined {
  if (slot >= ghost.reference.executed + cfg.replicaParams.window) return undefined;
  return membersAt(ghost.reference.membership, slot);
}

/** The digest of a state after `executed` slots, as audits and checkpoints digest it. */
export function stateDigestOf(
  app: AnyApp,
  params: ReplicaParams,
  executed: Slot,
  state: unknown,
  sessions: ReadonlyMap<ClientId, Session>,
  membership: Membership,
): string {
  return checkpointDigest(
    app,
    executed,
    state,
    sessions,
    digestedMembership(params, membership, executed),
  );
}

/** The digest of what a checkpoint holds (its own claim aside). */
export function heldDigest(app: AnyApp, params: ReplicaParams, cp: Checkpoint): string {
  return stateDigestOf(app, params, cp.slot, cp.app, cp.sessions, cp.membership);
}
