/**
 * The `m \in msgs` conjunct shared by every receiving action, and the search over `msgs` when
 * the trace did not log which message an event consumed (observation level `actions`).
 */
import { refuse, Outcomes, type ModelEnv, type Refusal, type StepResult } from './refusal.js';
import { findMsg, selectMsgs, type EventInfo, type World } from './state.js';
import type { Msg, MsgOf } from './values.js';

/**
 * `m \in msgs` for a message the event names: null when it holds (or when `m` was pruned
 * because it can never be received again, so that the conjunct that rules it out is the one
 * reported). A receive whose send is not causally before it is a clock anomaly: `env.causal`
 * throws the input error.
 */
export function inMsgs(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  m: Msg,
  rank: number,
): Refusal | null {
  const record = findMsg(w, m.key);
  if (record !== undefined) {
    env.causal(record, ev, false);
    return null;
  }
  if (env.dead(m, w)) return null;
  return refuse(
    rank,
    'm \\in msgs',
    `${article(m.type)} sent before line ${ev.line}`,
    `${describeMsg(env, m)}, never sent`,
    m,
  );
}

/**
 * Runs `take` for the logged message, or for every message of the type in `msgs` that could be
 * the one consumed (filed under `indexKey`, passing `match`, sent causally before the event).
 */
export function receiving<T extends Msg['type']>(
  env: ModelEnv,
  w: World,
  ev: EventInfo,
  type: T,
  rank: number,
  indexKey: string,
  match: (m: MsgOf<T>) => boolean,
  take: (m: MsgOf<T>, logged: boolean) => StepResult,
): StepResult {
  if (ev.msg !== undefined) return take(ev.msg as MsgOf<T>, true);
  const outcomes = new Outcomes();
  for (const record of selectMsgs(w, indexKey, (m) => m.type === type && match(m as MsgOf<T>))) {
    if (!env.causal(record, ev, true)) continue;
    outcomes.add(take(record.msg as MsgOf<T>, false));
  }
  return outcomes.result(() =>
    refuse(
      rank,
      'm \\in msgs',
      `some ${type} in msgs that ${ev.node} could consume`,
      'none was sent',
    ),
  );
}

export function describeMsg(env: ModelEnv, m: Msg): string {
  const b = (x: number): string => env.ctx.ballots.format(x);
  switch (m.type) {
    case 'Prepare':
      return `Prepare(${b(m.bal)} from ${m.from}, fromSlot ${m.fromSlot})`;
    case 'Promise':
      return `Promise(${b(m.bal)} from ${m.from}, ${m.accepted.length} accepted)`;
    case 'Accept':
      return `Accept(${b(m.bal)} from ${m.from}, slot ${m.slot})`;
    case 'Accepted':
      return `Accepted(${b(m.bal)} from ${m.from}, slot ${m.slot})`;
    case 'Decision':
      return `Decision(slot ${m.slot} from ${m.from})`;
    case 'Snapshot':
      return `Snapshot(checkpoint ${m.slot} from ${m.from})`;
    case 'Request':
      return `Request(${m.from}#${m.seq})`;
    case 'Reply':
      return `Reply(${m.from} → ${m.to}#${m.seq})`;
    case 'Audit':
      return `Audit(slot ${m.slot} from ${m.from}, digest ${m.digest})`;
  }
}

/** `a Prepare`, `an Accept`. */
export const article = (word: string): string => `${/^[AEIOU]/.test(word) ? 'an' : 'a'} ${word}`;
