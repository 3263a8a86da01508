/**
 * The invariants of DESIGN.md, named the same everywhere (TS, TLA+, counterexample files).
 * Each check looks at one transition (the effects of one reducer step, the world before and
 * after) and the ghost history variables; it returns the violations it finds.
 */
import { compareBallots } from '../../src/core/ballot.js';
import { canonicalEncode } from '../../src/core/canonical.js';
import type { App } from '../../src/core/app.js';
import { heldDigest } from './reconfig.js';
import type { ReplicaState } from '../../src/core/replica/state.js';
import type { Command, DurableState, Effect, NodeId } from '../../src/core/types.js';
import type { InvariantName, Violation } from '../../src/spec/violation.js';

/** What the core covers today; the rest arrive with checkpoints and reconfiguration. */
export const CHECKED_INVARIANTS: readonly InvariantName[] = [
  'Agreement',
  'Validity',
  'PrefixConsistency',
  'ExactlyOnce',
  'Durability',
  'Linearizability',
  'OutputFilter',
  'CheckpointSafety',
  'ConfigSafety',
  'AuditDetects',
];

export const describeCommand = (cmd: Command): string =>
  cmd.kind === 'op'
    ? `${cmd.client}#${cmd.seq} ${canonicalEncode(cmd.op)}`
    : cmd.kind === 'join' || cmd.kind === 'quit'
      ? `${cmd.client}#${cmd.seq} ${cmd.kind.toUpperCase()} ${cmd.replica}`
      : cmd.kind;

export function sameCommand(a: Command, b: Command): boolean {
  return a === b || canonicalEncode(a) === canonicalEncode(b);
}

/**
 * Durability: what a replica made durable is never lost or rolled back — its promise never
 * falls, its checkpoint never moves back, a chosen entry it learned never changes or disappears
 * and an accepted slot never goes back to a lower ballot (Paxos Made Simple §2.3: acceptors
 * remember across failures), unless its checkpoint covers the slot. An entry a truncation drops
 * above the checkpoint is a CheckpointSafety violation (only executed slots are truncated).
 */
export function checkDurable(
  node: NodeId,
  before: DurableState,
  after: DurableState,
  truncated = false,
): Violation[] {
  if (before === after) return [];
  const out: Violation[] = [];
  const v = (message: string): void => void out.push({ invariant: 'Durability', node, message });
  const covered = after.checkpoint?.slot ?? 0;
  const lost = (message: string): void =>
    void out.push({
      invariant: truncated ? 'CheckpointSafety' : 'Durability',
      node,
      message: truncated ? `${message}, truncated above its checkpoint (slot ${covered})` : message,
    });
  if (compareBallots(after.promised, before.promised) < 0) {
    v(`${node}'s promise fell from ${fmt(before.promised)} to ${fmt(after.promised)}`);
  }
  if (covered < (before.checkpoint?.slot ?? 0))
    v(`${node}'s checkpoint moved back from slot ${before.checkpoint?.slot} to ${covered}`);
  // Unchanged maps (the common case) are shared by reference: only walk a map that changed.
  for (const [slot, cmd] of before.chosen === after.chosen ? [] : before.chosen) {
    const now = after.chosen.get(slot);
    if (now === undefined) {
      if (slot >= covered) lost(`${node} forgot that slot ${slot} is chosen`);
    } else if (now !== cmd && !sameCommand(cmd, now)) v(`${node} changed chosen slot ${slot}`);
  }
  for (const [slot, value] of before.accepted === after.accepted ? [] : before.accepted) {
    const now = after.accepted.get(slot);
    if (now === value || (now === undefined && slot < covered)) continue;
    if (now === undefined)
      lost(`${node} lost its acceptance of slot ${slot} at ballot ${fmt(value.ballot)}`);
    else if (compareBallots(now.ballot, value.ballot) < 0)
      v(`${node} lost its acceptance of slot ${slot} at ballot ${fmt(value.ballot)}`);
  }
  return out;
}

/**
 * CheckpointSafety, the part one replica's step shows: a checkpoint covers no more than the
 * replica executed and holds the state its digest names (a state transfer assembled wrongly must
 * be refused, not installed), and the replica truncates only a stable checkpoint — one that F+1 replicas, itself included, vouched for with
 * the same digest — so a corrupt replica alone can never make the log behind its state go away
 * or hand that state out. Vouchers are counted here from the replica's own record of the votes
 * it received, not with its rules.
 */
export function checkCheckpointStep(
  app: App,
  replicas: number,
  before: ReplicaState,
  after: ReplicaState,
  effects: readonly Effect[],
): Violation[] {
  const out: Violation[] = [];
  const node = before.id;
  const cp = after.durable.checkpoint;
  if (cp === null) return out;
  if (cp.slot > after.volatile.executed)
    out.push({
      invariant: 'CheckpointSafety',
      node,
      message: `${node}'s checkpoint covers ${cp.slot} slots, but it executed ${after.volatile.executed}`,
    });
  if (cp !== before.durable.checkpoint) {
    const held = heldDigest(app, after.params, cp);
    if (held !== cp.digest)
      out.push({
        invariant: 'CheckpointSafety',
        node,
        message: `${node}'s checkpoint at slot ${cp.slot} has digest ${cp.digest}, but the state it holds has digest ${held}`,
      });
  }
  if (effects.some((e) => e.kind === 'Trace' && e.event.action === 'Truncate')) {
    // The checkpoints the replica held during the step (a step may install one and take the
    // next), each with its vouchers: itself and the peers whose latest vote names it.
    const held = new Map<string, number>();
    const hold = (slot: number, digest: string): void => void held.set(`${slot}|${digest}`, slot);
    for (const c of [before.durable.checkpoint, cp]) if (c !== null) hold(c.slot, c.digest);
    for (const e of effects)
      if (e.kind === 'Trace' && e.event.msg?.type === 'Snapshot')
        hold(e.event.msg.slot, e.event.msg.digest);
    const needed = Math.floor((replicas - 1) / 2) + 1;
    let stable = 0;
    let best = { slot: cp.slot, vouchers: 0 };
    for (const [key, slot] of held) {
      let vouchers = 1;
      for (const v of after.volatile.votes.values())
        if (`${v.slot}|${v.digest}` === key) vouchers++;
      if (vouchers >= needed) stable = Math.max(stable, slot);
      if (vouchers > best.vouchers) best = { slot, vouchers };
    }
    let dropped = -1;
    for (const [map, now] of [
      [before.durable.accepted, after.durable.accepted],
      [before.durable.chosen, after.durable.chosen],
    ] as const)
      if (map !== now)
        for (const slot of map.keys()) if (!now.has(slot)) dropped = Math.max(dropped, slot);
    if (dropped >= stable)
      out.push({
        invariant: 'CheckpointSafety',
        node,
        message: `${node} truncated its log up to slot ${dropped}, but no checkpoint past it is stable: the best, at slot ${best.slot}, was vouched for by ${best.vouchers} of the ${needed} replicas (F+1) it needs`,
      });
  }
  return out;
}

/** The etcd Ready rule: nothing leaves before the step's Persist is on disk. */
export function checkPersistOrder(node: NodeId, effects: readonly Effect[]): Violation[] {
  const lastPersist = effects.findLastIndex((e) => e.kind === 'Persist');
  const firstSend = effects.findIndex((e) => e.kind === 'Send' || e.kind === 'Reply');
  if (lastPersist > firstSend && firstSend >= 0) {
    return [
      {
        invariant: 'Durability',
        node,
        message: `${node} sent a message before persisting its state`,
      },
    ];
  }
  return [];
}

const fmt = (b: { round: number; leader: string }): string => `${b.round}.${b.leader}`;
