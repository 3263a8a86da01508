/**
 * Smr.tla's invariants in the form one event can break them, on partially observed states: the
 * trace checker's `--invariants` checks these on every candidate after every event (as TLC does
 * when it validates a trace with INVARIANTS in its config). Only the invariants the action
 * functions do not make true by construction are here, each restricted to what the event
 * changed (the replica that decided, learned or executed), so checking costs O(replicas) per
 * event; values a trace never showed (UNKNOWN) match anything. The whole-state forms, which the
 * MC models check, are in invariants.ts.
 */
import { refuse, type ModelEnv, type Refusal } from './refusal.js';
import { selectMsgs, type EventInfo, type ReplicaVars, type World } from './state.js';
import { UNKNOWN, appViewKey, describeCmd } from './values.js';

export const TRACE_INVARIANTS = ['Agreement', 'Validity', 'PrefixConsistency'] as const;

export interface Broken {
  readonly invariant: (typeof TRACE_INVARIANTS)[number];
  readonly refusal: Refusal;
}

export function checkInvariants(env: ModelEnv, w: World, ev: EventInfo): Broken | null {
  const r = env.ctx.replicaIndex.get(ev.node);
  if (r === undefined) return null;
  const v = w.replicas[r] as ReplicaVars;
  if ((ev.action === 'Decide' || ev.action === 'Learn') && ev.msg?.type === 'Decision') {
    const s = ev.msg.slot;
    const mine = v.chosen.get(s);
    // Agreement: one command per slot, on every replica that knows the slot chosen.
    for (let q = 0; q < w.replicas.length; q++) {
      const theirs = (w.replicas[q] as ReplicaVars).chosen.get(s);
      if (mine !== undefined && theirs !== undefined && theirs.key !== mine.key)
        return broken(
          'Agreement',
          `one command chosen in slot ${s}`,
          `${ev.node} has ${describeCmd(mine)}, ${env.ctx.replicas[q]} has ${describeCmd(theirs)}`,
        );
    }
    if (mine !== undefined && ev.msg.cmd.key !== mine.key)
      return broken(
        'Agreement',
        `slot ${s} decided as ${describeCmd(mine)}, what ${ev.node} knew chosen`,
        describeCmd(ev.msg.cmd),
      );
    // Validity: only no-ops and requests some client issued are chosen.
    if (mine !== undefined && mine.kind === 'op') {
      const issued = selectMsgs(
        w,
        `Request|${mine.client}|${mine.seq}`,
        (m) =>
          m.type === 'Request' &&
          (mine.op === UNKNOWN ||
            m.op === UNKNOWN ||
            m.key.endsWith(mine.key.slice(mine.key.lastIndexOf('\u0000')))),
      );
      if (issued.length === 0)
        return broken(
          'Validity',
          'a command some client requested',
          `${describeCmd(mine)} was never requested`,
        );
    }
  }
  if (ev.action === 'Execute' && env.ctx.app !== null && v.app !== UNKNOWN) {
    // PrefixConsistency: replicas that executed the same prefix have the same app state.
    const mine = appViewKey(env.ctx.app, v.app);
    for (let q = 0; q < w.replicas.length; q++) {
      const other = w.replicas[q] as ReplicaVars;
      if (q === r || other.executed !== v.executed || other.app === UNKNOWN) continue;
      const theirs = appViewKey(env.ctx.app, other.app);
      if (theirs !== mine)
        return broken(
          'PrefixConsistency',
          `the same app state after ${v.executed} slots`,
          `${ev.node}: ${mine}; ${env.ctx.replicas[q]}: ${theirs}`,
        );
    }
  }
  return null;
}

function broken(invariant: Broken['invariant'], expected: string, seen: string): Broken {
  return { invariant, refusal: refuse(100, invariant, expected, seen) };
}
