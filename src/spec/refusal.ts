/**
 * Why a candidate state cannot take an event: the first conjunct of the spec action (or of the
 * event's agreement with it) that is false, with the value the spec expects and the one seen.
 * `rank` orders refusals by how far the candidate got, so the report can name the closest one.
 */
import type { SendRecord } from './net.js';
import type { EventInfo, SpecContext, World } from './state.js';
import type { Msg } from './values.js';

export interface Refusal {
  readonly rank: number;
  /** The conjunct, in spec/Smr.tla's words where it has one (e.g. `m.bal >= promised[r]`). */
  readonly conjunct: string;
  readonly expected: string;
  readonly seen: string;
  /** Set when the event consumed a message nobody sent (yet): its key, to look ahead for it. */
  readonly missing?: Msg;
}

export type StepResult = World[] | Refusal;

export const refuse = (
  rank: number,
  conjunct: string,
  expected: string,
  seen: string,
  missing?: Msg,
): Refusal =>
  missing === undefined
    ? { rank, conjunct, expected, seen }
    : { rank, conjunct, expected, seen, missing };

export const isRefusal = (r: StepResult): r is Refusal => !Array.isArray(r);

/** The best of several refusals: the one that got furthest. */
export function closest(a: Refusal | undefined, b: Refusal): Refusal {
  return a === undefined || b.rank > a.rank ? b : a;
}

/** What the model needs besides the state: the header and the clock discipline. */
export interface ModelEnv {
  readonly ctx: SpecContext;
  readonly n: number;
  /**
   * A consumed message must have been sent causally before the receive (Lamport 1978's clock
   * condition). For a message the event names, a violation is a clock anomaly (bad input);
   * when the checker is guessing which message was consumed, it just rules the guess out.
   */
  readonly causal: (record: SendRecord, ev: EventInfo, guessing: boolean) => boolean;
  /** A message pruned from `msgs` because no node could ever receive it again. */
  readonly dead: (msg: Msg, w: World) => boolean;
  /**
   * Set while the checker follows a single candidate, needs no unlogged steps and the event
   * names its parameters: then nothing can look at the state before the event again, and the
   * replicated logs may be updated in place instead of path-copied (a large share of the work).
   */
  transient?: boolean;
}

/** Collects successors and the closest refusal while trying several parameter choices. */
export class Outcomes {
  readonly worlds: World[] = [];
  best: Refusal | undefined;

  add(result: StepResult): void {
    if (Array.isArray(result)) for (const w of result) this.worlds.push(w);
    else this.best = closest(this.best, result);
  }

  result(none: () => Refusal): StepResult {
    if (this.worlds.length > 0) return this.worlds;
    return this.best ?? none();
  }
}
