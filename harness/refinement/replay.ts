/**
 * A core step replayed through the twin's actions: each `Trace` event the step reports is the
 * spec action of the same name, given what the event carries (its message, slot, whether
 * Execute applied), exactly as the trace checker replays a logged event
 * (src/trace/replay/events.ts). Both refinement checks (check.ts, local.ts) are this replay
 * followed by a comparison with the abstraction of the core's next state.
 */
import { UNMODELLED_ACTIONS, type ModelledActionName } from '../../src/core/types.js';
import type { NodeEvent } from '../model/step.js';
import { CLIENT_ACTIONS } from '../../src/spec/actions.js';
import { isRefusal, type ModelEnv, type Refusal } from '../../src/spec/refusal.js';
import type { EventInfo, SpecContext, World as SpecWorld } from '../../src/spec/state.js';
import { stepEvent } from '../../src/trace/replay/events.js';
import { BadLine } from '../../src/trace/parse-values.js';
import { shiftMessage, specMessage } from './abstract.js';

/** The environment the refinement checks run the actions in: no clocks, nothing pruned. */
export function refinementEnv(ctx: SpecContext): ModelEnv {
  return { ctx, n: ctx.replicas.length, causal: () => true, dead: () => false };
}

export type Replayed =
  | { readonly ok: true; readonly worlds: readonly SpecWorld[] }
  | { readonly ok: false; readonly reason: string };

/**
 * The twin's states after the events, from `from` (several when an event leaves a choice
 * open), or why some event is not a step of the spec there. `low` renumbers slots (the window).
 */
export function replayEvents(
  env: ModelEnv,
  from: SpecWorld,
  events: readonly NodeEvent[],
  low = 0,
): Replayed {
  let worlds: SpecWorld[] = [from];
  for (const e of events) {
    let msg;
    try {
      const m = e.event.msg === undefined ? null : specMessage(env.ctx, e.event.msg);
      msg = m === null ? undefined : shiftMessage(m, low);
    } catch (error) {
      if (error instanceof BadLine)
        return {
          ok: false,
          reason: `${e.event.action} carries a message the spec has no value for: ${error.message}`,
        };
      throw error;
    }
    const action = e.event.action;
    if (UNMODELLED_ACTIONS.has(action))
      return {
        ok: false,
        reason: `${action} is taken only by a corrupted replica, which spec/Smr.tla does not model`,
      };
    const ev: EventInfo & { action: ModelledActionName; isClient: boolean } = {
      node: e.node,
      action: action as ModelledActionName,
      isClient: CLIENT_ACTIONS.has(action as ModelledActionName),
      slot: e.event.slot === undefined ? undefined : e.event.slot - low,
      applied: e.event.applied,
      msg,
      lamport: -1,
      vc: null,
      file: '',
      line: 0,
    };
    const next: SpecWorld[] = [];
    let refusal: Refusal | undefined;
    for (const w of worlds) {
      const r = stepEvent(env, w, ev);
      if (isRefusal(r)) refusal ??= r;
      else next.push(...r);
    }
    if (next.length === 0) {
      const r = refusal as Refusal;
      return {
        ok: false,
        reason: `${e.event.action} is not enabled in the spec: ${r.conjunct} does not hold (expected ${r.expected}, seen ${r.seen})`,
      };
    }
    worlds = next;
  }
  return { ok: true, worlds };
}

export function describeEvents(events: readonly NodeEvent[]): string {
  if (events.length === 0) return 'no spec action (a stutter)';
  return events
    .map(
      (e) =>
        `${e.node} ${e.event.action}${e.event.slot === undefined ? '' : ` slot=${e.event.slot}`}`,
    )
    .join(', ');
}
