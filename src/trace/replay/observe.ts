/**
 * An event's logged `state` against a candidate's variables after the event: the first field
 * that differs is a refusal naming the variable, the value the spec computes and the one logged.
 * An unknown value (an op or output the trace never showed) matches anything.
 */
import type { ObservedClientState, ObservedReplicaState } from '../parse-state.js';
import { refuse, type ModelEnv, type Refusal } from '../../spec/refusal.js';
import type { ClientVars, ReplicaVars } from '../../spec/state.js';
import type { CmdValue } from '../parse-values.js';
import {
  UNKNOWN,
  appView,
  describeCmd,
  jsonKey,
  sameCmdValue,
  sameJson,
  type AcceptedEntry,
} from '../../spec/values.js';

const RANK = 50;

export function compareReplica(
  env: ModelEnv,
  node: string,
  v: ReplicaVars,
  o: ObservedReplicaState,
): Refusal | null {
  const b = (x: number): string => env.ctx.ballots.format(x);
  const differ = (name: string, expected: string, seen: string): Refusal =>
    refuse(RANK, `state.${name}`, `${expected} (${name}[${node}] in the spec)`, seen);
  if (o.promised !== undefined && o.promised !== v.promised)
    return differ('promised', b(v.promised), b(o.promised));
  if (o.role !== undefined && o.role !== v.role) return differ('role', v.role, o.role);
  if (o.ballot !== undefined && o.ballot !== v.ballot)
    return differ('ballot', b(v.ballot), b(o.ballot));
  if (o.prepareFrom !== undefined && o.prepareFrom !== v.prepareFrom)
    return differ('prepareFrom', String(v.prepareFrom), String(o.prepareFrom));
  if (o.nextSlot !== undefined && o.nextSlot !== v.nextSlot)
    return differ('nextSlot', String(v.nextSlot), String(o.nextSlot));
  if (o.executed !== undefined && o.executed !== v.executed)
    return differ('executed', String(v.executed), String(o.executed));
  if (o.ckpt !== undefined) {
    if (o.ckpt.slot !== v.ckpt.slot)
      return differ('ckpt.slot', String(v.ckpt.slot), String(o.ckpt.slot));
    if (o.ckpt.app !== undefined && v.ckpt.app !== UNKNOWN && env.ctx.app !== null) {
      const view = appView(env.ctx.app, v.ckpt.app);
      if (!sameJson(view, o.ckpt.app))
        return differ('ckpt.app', jsonKey(view), jsonKey(o.ckpt.app));
    }
  }
  if (o.app !== undefined && v.app !== UNKNOWN && env.ctx.app !== null) {
    const view = appView(env.ctx.app, v.app);
    if (!sameJson(view, o.app)) return differ('app', jsonKey(view), jsonKey(o.app));
  }
  for (const [slot, seen] of o.accepted ?? []) {
    const have = v.accepted.get(slot);
    const same =
      have === undefined
        ? seen === null
        : seen !== null && have.bal === seen.bal && sameCmdValue(have.cmd, seen.cmd);
    if (!same)
      return differ(
        `accepted.${slot}`,
        have === undefined ? 'none' : `${b(have.bal)} ${describeCmd(have.cmd)}`,
        seen === null ? 'none' : `${b(seen.bal)} ${describeValue(seen.cmd)}`,
      );
  }
  for (const [slot, seen] of o.chosen ?? []) {
    const have = v.chosen.get(slot);
    const same = have === undefined ? seen === null : seen !== null && sameCmdValue(have, seen);
    if (!same)
      return differ(
        `chosen.${slot}`,
        have === undefined ? 'none' : describeCmd(have),
        seen === null ? 'none' : describeValue(seen),
      );
  }
  for (const [slot, seen] of o.proposals ?? []) {
    const have = v.proposals.get(slot);
    let votes = 0;
    for (const r of seen?.votes ?? []) votes |= 1 << (env.ctx.replicaIndex.get(r) ?? 0);
    const same =
      have === undefined
        ? seen === null
        : seen !== null && sameCmdValue(have.cmd, seen.cmd) && have.votes === votes;
    if (!same)
      return differ(
        `proposals.${slot}`,
        have === undefined ? 'none' : `${describeCmd(have.cmd)} votes ${have.votes.toString(2)}`,
        seen === null ? 'none' : `${describeValue(seen.cmd)} votes ${votes.toString(2)}`,
      );
  }
  for (const [from, seen] of o.promises ?? []) {
    const have = v.promises.get(from)?.accepted;
    if (entriesKey(have) !== entriesKey(seen ?? undefined))
      return differ(
        `promises.${from}`,
        have === undefined ? 'none' : `${have.length} entries`,
        seen === null ? 'none' : `${seen.length} entries`,
      );
  }
  for (const [client, seen] of o.sessions ?? []) {
    const have = v.sessions.get(client);
    const same =
      have === undefined
        ? seen === null
        : seen !== null &&
          have.seq === seen.seq &&
          (have.output === UNKNOWN || sameJson(have.output, seen.output));
    if (!same)
      return differ(
        `sessions.${client}`,
        have === undefined ? 'none' : `seq ${have.seq} output ${have.outKey}`,
        seen === null ? 'none' : `seq ${seen.seq} output ${jsonKey(seen.output)}`,
      );
  }
  return null;
}

export function compareClient(node: string, v: ClientVars, o: ObservedClientState): Refusal | null {
  const differ = (name: string, expected: string, seen: string): Refusal =>
    refuse(RANK, `state.${name}`, `${expected} (${name}[${node}] in the spec)`, seen);
  if (o.clientSeq !== undefined && o.clientSeq !== v.clientSeq)
    return differ('clientSeq', String(v.clientSeq), String(o.clientSeq));
  if (o.pending !== undefined && o.pending !== v.pending)
    return differ('pending', String(v.pending), String(o.pending));
  for (const [replica, seen] of o.replies ?? []) {
    const have = v.replies.get(replica);
    const same =
      have === undefined
        ? seen === null
        : seen !== null && (have.output === UNKNOWN || sameJson(have.output, seen.output));
    if (!same)
      return differ(
        `replies.${replica}`,
        have?.outKey ?? 'none',
        seen === null ? 'none' : jsonKey(seen.output),
      );
  }
  return null;
}

function entriesKey(entries: readonly AcceptedEntry[] | undefined): string {
  if (entries === undefined) return 'none';
  return entries
    .map((e) => `${e.slot}:${e.bal}:${e.cmd.key}`)
    .sort()
    .join('|');
}

function describeValue(c: CmdValue): string {
  return c.kind === 'noop' ? 'noop' : `${c.client}#${c.seq} ${jsonKey(c.op ?? null)}`;
}
