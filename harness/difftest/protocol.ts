/**
 * The differential-testing wire protocol (`smr diff-test -- CMD ARGS…`), JSON lines over the
 * external replica's stdin/stdout. One external process plays one replica:
 *
 *   → {"type":"init","id":"r1","replicas":["r1","r2","r3"],"params":{…},"app":"kv"}
 *   ← {"ready":true}
 *   → {"type":"input","step":7,"input":{"kind":"Receive","msg":{…}}}      (or Tick, Restart)
 *   ← {"step":7,"effects":[{"kind":"Send","to":"r2","msg":{…}},{"kind":"Reply","to":"c1","msg":{…}}],"app":{…}}
 *
 * Answer every input line with exactly one line. `effects` lists the messages the step sends
 * (`Send` to replicas, `Reply` to clients; their order does not matter, persistence and logging
 * are internal), and `app` is the application state's JSON view after the step (for kv, an
 * object from key to value). A restart keeps only what the replica made durable.
 */
import { canonicalEncode } from '../../src/core/canonical.js';
import type { Input, Json, Message } from '../../src/core/types.js';

export interface InitLine {
  readonly type: 'init';
  readonly id: string;
  readonly replicas: readonly string[];
  readonly params: { readonly [k: string]: Json };
  readonly app: string;
}

export interface InputLine {
  readonly type: 'input';
  readonly step: number;
  readonly input: Input;
}

/** What both sides produced for one step, reduced to what is compared. */
export interface Observation {
  /** Canonical encodings of the sent messages, sorted: a multiset. */
  readonly sends: readonly string[];
  /** The app state view, canonically encoded. */
  readonly app: string;
}

export interface OutputEffect {
  readonly kind: 'Send' | 'Reply';
  readonly to: string;
  readonly msg: Message;
}

export function observation(effects: readonly OutputEffect[], app: Json): Observation {
  const sends = effects.map((e) => `${e.kind} ${e.to} ${canonicalEncode(e.msg)}`).sort();
  return { sends, app: canonicalEncode(app) };
}

/** Why `line` is not a valid answer to step `step`, or the parsed effects and app view. */
export function parseAnswer(
  text: string,
  step: number,
): { ok: true; effects: OutputEffect[]; app: Json } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `printed a line that is not JSON: ${clip(text)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: `printed ${clip(text)}, expected an object` };
  }
  const record = value as Record<string, unknown>;
  if (record['step'] !== step)
    return {
      ok: false,
      reason: `answered step ${JSON.stringify(record['step'])}, expected ${step}`,
    };
  const effects = record['effects'];
  if (!Array.isArray(effects))
    return { ok: false, reason: `step ${step}: "effects" is not a list` };
  for (const [i, e] of effects.entries()) {
    const ok =
      typeof e === 'object' &&
      e !== null &&
      (e.kind === 'Send' || e.kind === 'Reply') &&
      typeof e.to === 'string' &&
      typeof e.msg === 'object' &&
      e.msg !== null;
    if (!ok)
      return {
        ok: false,
        reason: `step ${step}: effects[${i}] is not {"kind":"Send"|"Reply","to":…,"msg":{…}}`,
      };
  }
  if (!('app' in record)) return { ok: false, reason: `step ${step}: no "app" state view` };
  return { ok: true, effects: effects as OutputEffect[], app: record['app'] as Json };
}

function clip(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
