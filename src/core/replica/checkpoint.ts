/**
 * Checkpoints (seed: checkpoints; DESIGN.md "Checkpoints"): executing a CHECKPOINT command keeps
 * a copy of the state after its slot — app, sessions and a digest of both — as durable state.
 * Replicas vouch for their checkpoints to each other; once F+1 hold the same digest the
 * checkpoint is stable (PBFT's stable checkpoint) and the log below it is truncated. A replica
 * that restarts resumes from its checkpoint; one that lags behind a peer's truncation gets the
 * checkpoint by state transfer (transfer.ts).
 */
import type { AnyApp } from '../app.js';
import { digestOf } from '../canonical.js';
import type {
  AcceptedValue,
  Checkpoint,
  ClientId,
  Command,
  ReplicaId,
  Session,
  SessionEntry,
  CheckpointVoteMsg,
  Slot,
  SnapshotChunkMsg,
} from '../types.js';
import {
  isInitialMembership,
  membershipJson,
  normalMembership,
  type Membership,
} from '../membership.js';
import type { StepBuilder } from './builder.js';
import { startingMembers, type ReplicaParams } from './state.js';

/**
 * The digest a checkpoint (and an audit) is checked against: its slot, the app's digest, the
 * sessions, and the configuration in normal form at `slot` — left out while it is still the
 * deployment's starting one, so that digests from before reconfiguration existed stay valid.
 */
export function checkpointDigest(
  app: AnyApp,
  slot: Slot,
  state: unknown,
  sessions: ReadonlyMap<ClientId, Session>,
  membership: Membership | null = null,
): string {
  const table = [...sessions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return digestOf({
    slot,
    app: app.digest(state),
    sessions: table,
    ...(membership === null ? {} : { config: membershipJson(membership) }),
  });
}

/** The membership a digest at `slot` covers: its normal form, or null for the starting one. */
export function digestedMembership(
  params: ReplicaParams,
  m: Membership,
  slot: Slot,
): Membership | null {
  const normal = normalMembership(m, slot);
  return isInitialMembership(normal, startingMembers(params)) ? null : normal;
}

/** The digest of this replica's state now (after `executed` slots). */
export function stateDigest(b: StepBuilder): string {
  const { app, sessions, membership, executed } = b.v;
  return checkpointDigest(
    b.ctx.app,
    executed,
    app,
    sessions,
    digestedMembership(b.base.params, membership, executed),
  );
}

/** Checkpoint: the command in `slot` is a CHECKPOINT; keep the state after it and vouch for it. */
export function takeCheckpoint(b: StepBuilder, slot: Slot): void {
  b.setVolatile({ executed: slot + 1 });
  const { app, sessions } = b.v;
  const membership = normalMembership(b.v.membership, slot + 1);
  const cp: Checkpoint = { slot: slot + 1, app, sessions, membership, digest: stateDigest(b) };
  b.setDurable({ checkpoint: cp });
  b.setVolatile({ membership });
  b.trace({
    action: 'Checkpoint',
    slot,
    msg: { type: 'Snapshot', from: b.id, slot: cp.slot, digest: cp.digest },
  });
  vouch(b);
}

/** Tell every peer which checkpoint this replica holds, then truncate if it is stable. */
export function vouch(b: StepBuilder): void {
  const cp = b.durable.checkpoint;
  if (cp === null) return;
  b.broadcast({ type: 'CheckpointVote', from: b.id, slot: cp.slot, digest: cp.digest });
  truncateIfStable(b);
}

/** A peer's checkpoint vote: remember the latest one, and truncate if this makes ours stable. */
export function onCheckpointVote(b: StepBuilder, msg: CheckpointVoteMsg): void {
  const known = b.v.votes.get(msg.from);
  if (known !== undefined && known.slot >= msg.slot) return;
  b.setVolatile({
    votes: new Map(b.v.votes).set(msg.from, { slot: msg.slot, digest: msg.digest }),
  });
  truncateIfStable(b);
}

/** Is this replica's checkpoint vouched for by F other replicas (F+1 with its own)? */
export function isStable(b: StepBuilder): boolean {
  const cp = b.durable.checkpoint;
  if (cp === null) return false;
  let vouchers = 1;
  for (const v of b.v.votes.values()) if (v.slot === cp.slot && v.digest === cp.digest) vouchers++;
  return b.ctx.rules.checkpointStable(vouchers, b.deployment.length);
}

/** Truncate: once the checkpoint is stable, forget the accepted and chosen entries it covers. */
export function truncateIfStable(b: StepBuilder): void {
  const cp = b.durable.checkpoint;
  if (cp === null || !isStable(b)) return;
  const below = b.ctx.rules.truncationPoint(cp.slot, b.durable);
  const accepted = dropBelow<AcceptedValue>(b.durable.accepted, below);
  const chosen = dropBelow<Command>(b.durable.chosen, below);
  if (accepted === b.durable.accepted && chosen === b.durable.chosen) return;
  b.setDurable({ accepted, chosen });
  b.trace({ action: 'Truncate' });
}

function dropBelow<V>(map: ReadonlyMap<Slot, V>, below: Slot): ReadonlyMap<Slot, V> {
  let any = false;
  for (const slot of map.keys()) if (slot < below) any = true;
  if (!any) return map;
  const out = new Map<Slot, V>();
  for (const [slot, v] of map) if (slot >= below) out.set(slot, v);
  return out;
}

/** Send this replica's checkpoint to `to`, leaving out the parts `to` has at the same version. */
export function sendCheckpoint(
  b: StepBuilder,
  to: ReplicaId,
  versions: { readonly [part: string]: number } | undefined,
): void {
  const cp = b.durable.checkpoint;
  if (cp === null) return;
  const all = b.ctx.app.snapshot(cp.app);
  const parts = versions === undefined ? all : all.filter((p) => versions[p.name] !== p.version);
  const size = Math.max(1, b.base.params.transferChunk);
  const count = Math.max(1, Math.ceil(parts.length / size));
  const sessions: SessionEntry[] = [...cp.sessions]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([client, s]) => ({ client, seq: s.seq, output: s.output }));
  for (let index = 0; index < count; index++) {
    const chunk: SnapshotChunkMsg = {
      type: 'SnapshotChunk',
      from: b.id,
      slot: cp.slot,
      digest: cp.digest,
      index,
      count,
      parts: parts.slice(index * size, (index + 1) * size),
      ...(index === 0 ? { names: all.map((p) => p.name), sessions } : {}),
      ...(index === 0 && !isInitialMembership(cp.membership, startingMembers(b.base.params))
        ? { membership: membershipJson(cp.membership) }
        : {}),
    };
    b.send(to, chunk);
  }
}

/** The versions of this replica's app parts, for a catch-up request (none after a failed transfer). */
export function partVersions(b: StepBuilder): { readonly [part: string]: number } | undefined {
  if (b.v.wholeTransfer) return undefined;
  const out: Record<string, number> = {};
  for (const p of b.ctx.app.snapshot(b.v.app)) out[p.name] = p.version;
  return out;
}
