/**
 * The invariants of DESIGN.md, named the same everywhere (TS, TLA+, counterexample files).
 * Each check looks at one transition (the effects of one reducer step, the world before and
 * after) and the ghost history variables; it returns the violations it finds.
 */
import { compareBallots } from '../../src/core/ballot.js';
import { canonicalEncode } from '../../src/core/canonical.js';
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
];

export const describeCommand = (cmd: Command): string =>
  cmd.kind === 'noop' ? 'noop' : `${cmd.client}#${cmd.seq} ${canonicalEncode(cmd.op)}`;

export function sameCommand(a: Command, b: Command): boolean {
  return a === b || canonicalEncode(a) === canonicalEncode(b);
}

/**
 * Durability: what a replica made durable is never lost or rolled back — its promise never
 * falls, a chosen entry it learned never changes or disappears, an accepted slot never goes
 * back to a lower ballot (Paxos Made Simple §2.3: acceptors remember across failures).
 */
export function checkDurable(node: NodeId, before: DurableState, after: DurableState): Violation[] {
  if (before === after) return [];
  const out: Violation[] = [];
  const v = (message: string): void => void out.push({ invariant: 'Durability', node, message });
  if (compareBallots(after.promised, before.promised) < 0) {
    v(`${node}'s promise fell from ${fmt(before.promised)} to ${fmt(after.promised)}`);
  }
  // Unchanged maps (the common case) are shared by reference: only walk a map that changed.
  for (const [slot, cmd] of before.chosen === after.chosen ? [] : before.chosen) {
    const now = after.chosen.get(slot);
    if (now === undefined) v(`${node} forgot that slot ${slot} is chosen`);
    else if (now !== cmd && !sameCommand(cmd, now)) v(`${node} changed chosen slot ${slot}`);
  }
  for (const [slot, value] of before.accepted === after.accepted ? [] : before.accepted) {
    const now = after.accepted.get(slot);
    if (now === value) continue;
    if (now === undefined || compareBallots(now.ballot, value.ballot) < 0) {
      v(`${node} lost its acceptance of slot ${slot} at ballot ${fmt(value.ballot)}`);
    }
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
