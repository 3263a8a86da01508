/**
 * Reconfiguration (seed: "Reconfiguration"; DESIGN.md; Lamport's α approach): `join r` and
 * `quit r` are commands in the log, and the configuration chosen at slot i governs the slots from
 * i + α on (α is the pipeline window: a leader never proposes α or more slots past what it has
 * executed, so it always knows the configuration of a slot it proposes in). Quorums, leader
 * election and audits use the configuration of the slot.
 *
 * The deployment's replicas (`ReplicaParams.replicas`, the universe) are fixed; the
 * configuration is the subset that takes part in quorums. A replica of the deployment outside the
 * configuration is an observer: it learns and executes the log, and may be joined later.
 *
 * Everything here is a pure function of the executed log, so every replica agrees on it and it is
 * part of the replicated state (checkpoints carry it; audits digest it).
 */
import { majority } from './quorum.js';
import type { Epoch, Json, Membership, ReplicaId, Slot } from './types.js';

export type { Epoch, Membership } from './types.js';

/** A reconfiguration request, as an operator (or a faulty replica about itself) submits it. */
export interface ReconfigRequest {
  readonly change: 'join' | 'quit';
  readonly replica: ReplicaId;
}

export function initialMembership(members: readonly ReplicaId[]): Membership {
  return { epochs: [{ from: 0, members }], rejoin: [] };
}

/** The members governing `slot`. */
export function membersAt(m: Membership, slot: Slot): readonly ReplicaId[] {
  let members = (m.epochs[0] as Epoch).members;
  for (const e of m.epochs) if (e.from <= slot) members = e.members;
  return members;
}

/** The newest configuration: the one the next change modifies. */
export function latestMembers(m: Membership): readonly ReplicaId[] {
  return (m.epochs[m.epochs.length - 1] as Epoch).members;
}

/**
 * The same membership without the epochs no slot from `slot` on can use; the one governing
 * `slot` starts at `slot`. Two replicas with the same executed log have the same normal form at
 * the same slot, whatever they pruned before: that is what digests and checkpoints hold.
 */
export function normalMembership(m: Membership, slot: Slot): Membership {
  const later = m.epochs.filter((e) => e.from > slot);
  return { epochs: [{ from: slot, members: membersAt(m, slot) }, ...later], rejoin: m.rejoin };
}

/** Is this the deployment's starting membership (never changed)? Digests then leave it out. */
export function isInitialMembership(m: Membership, initial: readonly ReplicaId[]): boolean {
  return (
    m.epochs.length === 1 &&
    m.rejoin.length === 0 &&
    sameMembers((m.epochs[0] as Epoch).members, initial)
  );
}

export function sameMembers(a: readonly ReplicaId[], b: readonly ReplicaId[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** A JSON view of a membership, for digests, traces and transfers. */
export function membershipJson(m: Membership): Json {
  return {
    epochs: m.epochs.map((e) => ({ from: e.from, members: [...e.members] })),
    rejoin: [...m.rejoin],
  };
}

/** Why `value` is not a membership of `universe`, or null. */
export function checkMembershipJson(value: unknown, universe: readonly ReplicaId[]): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'is not a membership';
  const { epochs, rejoin } = value as { epochs?: unknown; rejoin?: unknown };
  if (!Array.isArray(epochs) || epochs.length === 0) return 'has no epochs';
  let last = -1;
  for (const e of epochs) {
    const { from, members } = (e ?? {}) as { from?: unknown; members?: unknown };
    if (!Number.isSafeInteger(from) || (from as number) <= last) return 'has epochs out of order';
    last = from as number;
    if (!Array.isArray(members) || members.some((r) => !universe.includes(r as string)))
      return 'names a replica outside the deployment';
  }
  if (!Array.isArray(rejoin) || rejoin.some((r) => !universe.includes(r as string)))
    return 'has a bad rejoin list';
  return null;
}

export function membershipFromJson(value: Json): Membership {
  const v = value as { epochs: { from: number; members: string[] }[]; rejoin: string[] };
  return { epochs: v.epochs.map((e) => ({ from: e.from, members: e.members })), rejoin: v.rejoin };
}

/** The outcome of executing a reconfiguration command, as its client is told. */
export type ReconfigOutcome =
  | { readonly ok: true; readonly membership: Membership; readonly output: Json }
  | { readonly ok: false; readonly output: Json };

/**
 * Execute `change` chosen at `slot`: the new configuration governs from `effectiveFrom` (the
 * reference: slot + α). Refused, and the membership left alone, for a JOIN of a member or of a
 * replica outside the deployment, a QUIT of a non-member, and a QUIT that would leave fewer than
 * F+1 members (F = the deployment's fault bound): such a configuration could no longer outvote F
 * faulty replicas at the client (seed: Quitting, "System Failure").
 */
export function applyReconfig(
  m: Membership,
  change: ReconfigRequest & { readonly selfDeclared: boolean },
  effectiveFrom: Slot,
  universe: readonly ReplicaId[],
  quitAllowed: (remaining: number, universe: number) => boolean,
): ReconfigOutcome {
  const base = latestMembers(m);
  const r = change.replica;
  const refuse = (why: string): ReconfigOutcome => ({
    ok: false,
    output: { error: `${change.change} ${r} refused: ${why}` },
  });
  if (!universe.includes(r)) return refuse('not a replica of the deployment');
  let members: readonly ReplicaId[];
  let rejoin = m.rejoin.filter((x) => x !== r);
  if (change.change === 'join') {
    if (base.includes(r)) return refuse('already a member');
    members = universe.filter((x) => x === r || base.includes(x));
  } else {
    if (!base.includes(r)) return refuse('not a member');
    if (!quitAllowed(base.length - 1, universe.length))
      return refuse(
        `system failure: ${base.length - 1} members would remain, fewer than F+1 = ${majority(universe.length)}`,
      );
    members = base.filter((x) => x !== r);
    if (change.selfDeclared) rejoin = [...rejoin, r];
  }
  const epochs = [
    ...m.epochs.filter((e) => e.from < effectiveFrom),
    { from: effectiveFrom, members },
  ];
  return {
    ok: true,
    membership: { epochs, rejoin },
    output: { [change.change]: r, from: effectiveFrom, members: [...members] },
  };
}

/** The reference QUIT rule: at least F+1 members remain (F+1 = a majority of the deployment). */
export function keepsFPlusOne(remaining: number, universe: number): boolean {
  return remaining >= majority(universe);
}

/** The operator's (or a faulty replica's) request as a client op: `{"type":"quit","replica":"r2"}`. */
export function reconfigRequestOf(op: Json): ReconfigRequest | null {
  if (typeof op !== 'object' || op === null || Array.isArray(op)) return null;
  const rec = op as { readonly [k: string]: Json };
  const type = rec['type'];
  if ((type !== 'join' && type !== 'quit') || typeof rec['replica'] !== 'string') return null;
  if (Object.keys(rec).length !== 2) return null;
  return { change: type, replica: rec['replica'] };
}

export function reconfigOp(change: 'join' | 'quit', replica: ReplicaId): Json {
  return { type: change, replica };
}
