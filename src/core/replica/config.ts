/**
 * The configuration of a slot, as this replica knows it (membership.ts): the executed
 * membership, plus the JOIN/QUIT commands chosen but not yet executed. A replica knows the
 * configuration of every slot below its chosen prefix + α; a leader proposes only there.
 */
import { applyReconfig, type Membership } from '../membership.js';
import type { Command, ReconfigCommand, ReplicaId, Slot } from '../types.js';
import type { StepBuilder } from './builder.js';
import { chosenPrefix } from './state.js';

export const isReconfig = (cmd: Command): cmd is ReconfigCommand =>
  cmd.kind === 'join' || cmd.kind === 'quit';

/** Execute a chosen JOIN/QUIT on `m` (the reference: it governs from slot + α). */
export function reconfigure(
  b: StepBuilder,
  m: Membership,
  slot: Slot,
  cmd: ReconfigCommand,
): ReturnType<typeof applyReconfig> {
  const { rules } = b.ctx;
  return applyReconfig(
    m,
    { change: cmd.kind, replica: cmd.replica, selfDeclared: cmd.client === cmd.replica },
    rules.effectiveFrom(slot, b.base.params.window),
    b.base.params.replicas,
    rules.quitAllowed,
  );
}

/**
 * The membership after every chosen slot below `slot` that this replica has not executed. A
 * JOIN or QUIT that execution will skip as a duplicate (its client's session, or an earlier
 * slot, already holds that request or a later one) changes nothing here either (Smr.tla's Dup).
 */
export function knownMembership(b: StepBuilder, upTo: Slot): Membership {
  let m = b.v.membership;
  const seen = new Map<string, number>();
  for (let s = b.v.executed; s < upTo; s++) {
    const cmd = b.durable.chosen.get(s);
    if (cmd === undefined) break;
    if (cmd.kind === 'noop' || cmd.kind === 'checkpoint') continue;
    const before = Math.max(seen.get(cmd.client) ?? 0, b.v.sessions.get(cmd.client)?.seq ?? 0);
    seen.set(cmd.client, Math.max(before, cmd.seq));
    if (!isReconfig(cmd) || before >= cmd.seq) continue;
    const out = reconfigure(b, m, s, cmd);
    if (out.ok) m = out.membership;
  }
  return m;
}

/** The members whose votes make a quorum for `slot` (phase 1 and phase 2). */
export function quorumMembers(b: StepBuilder, slot: Slot): readonly ReplicaId[] {
  const upTo = Math.min(chosenPrefix(b.durable, b.v.executed), slot);
  return b.ctx.rules.quorumMembers(knownMembership(b, upTo), slot);
}

/** The current configuration: the one governing this replica's first slot not known chosen. */
export function currentMembers(b: StepBuilder): readonly ReplicaId[] {
  return quorumMembers(b, chosenPrefix(b.durable, b.v.executed));
}

/** The first slot whose configuration this replica does not know (the window's end). */
export function windowEnd(b: StepBuilder): Slot {
  return chosenPrefix(b.durable, b.v.executed) + b.base.params.window;
}
