/**
 * Invoke/complete events → operations, shared by every event-based format (ours, Jepsen's).
 *
 * Jepsen semantics (jepsen.history): `:ok` took effect with the completion's value, `:fail`
 * certainly did not (the operation is dropped), `:info` may or may not have, at any time after
 * the invocation (unknown outcome); an invocation that never completes is unknown as well.
 * Times are event positions, so file order is real-time order and no two events tie.
 */
import { InputError } from '../../errors.js';
import type { Json } from '../../core/types.js';
import type { HistoryOp } from '../types.js';

export const HISTORY_FORMATS = ['json', 'ndjson', 'jepsen-log', 'edn'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export const EVENT_TYPES: readonly EventType[] = ['invoke', 'ok', 'fail', 'info'];

/** One event, whatever file it came from: Jepsen-style (`f`, `key`, `value`) or native. */
export interface HistoryEvent {
  readonly line: number;
  readonly process: string;
  readonly type: EventType;
  readonly f?: string | undefined;
  readonly key?: Json | undefined;
  readonly value?: Json | undefined;
  /** Native events: the model input (on invoke) and output (on ok). */
  readonly input?: Json | undefined;
  readonly output?: Json | undefined;
}

/** Where an operation came from in its file. */
export interface OpLines {
  readonly call: number;
  /** The completion's line; null when it never completed. */
  readonly ret: number | null;
}

export interface ParsedHistory {
  readonly format: HistoryFormat;
  readonly ops: readonly HistoryOp[];
  /** Parallel to `ops`. */
  readonly lines: readonly OpLines[];
}

/** Jepsen-style ops whose completion value is what was read (for the rest it is an echo). */
const READS = new Set(['read', 'get']);

/** The model input of a Jepsen-style invocation: `{f, key?, value?}` (reads carry no value). */
export function jepsenInput(f: string, key: Json | undefined, value: Json | undefined): Json {
  const input: Record<string, Json> = { f };
  if (key !== undefined) input['key'] = key;
  if (!READS.has(f)) input['value'] = value ?? null;
  return input;
}

/** The model output of a Jepsen-style `:ok`: what was read; `true` for cas; else the echo. */
export function jepsenOutput(f: string, value: Json | undefined): Json {
  return f === 'cas' ? true : (value ?? null);
}

export function assembleEvents(
  events: readonly HistoryEvent[],
  file: string,
  format: HistoryFormat,
): ParsedHistory {
  type Slot = { op: HistoryOp; lines: OpLines } | undefined;
  const slots: Slot[] = [];
  const open = new Map<string, { slot: number; event: HistoryEvent; time: number }>();
  const name = (process: string) => JSON.stringify(process);
  events.forEach((event, time) => {
    const current = open.get(event.process);
    if (event.type === 'invoke') {
      if (current !== undefined) {
        throw new InputError(
          file,
          event.line,
          `process ${name(event.process)} invokes again while its operation from line ${current.event.line} is still open`,
        );
      }
      if (event.f === undefined && event.input === undefined) {
        throw new InputError(file, event.line, 'an invoke needs "f" (Jepsen style) or "input"');
      }
      open.set(event.process, { slot: slots.length, event, time });
      slots.push(undefined);
      return;
    }
    if (current === undefined) {
      throw new InputError(
        file,
        event.line,
        `process ${name(event.process)} completes (${event.type}) an operation it never invoked`,
      );
    }
    const invoked = current.event;
    if (event.f !== undefined && invoked.f !== undefined && event.f !== invoked.f) {
      throw new InputError(
        file,
        event.line,
        `process ${name(event.process)} completes "${event.f}" but invoked "${invoked.f}" at line ${invoked.line}`,
      );
    }
    if (event.type === 'ok' && invoked.f === undefined && event.output === undefined) {
      throw new InputError(file, event.line, 'an ok event needs "output"');
    }
    open.delete(event.process);
    if (event.type === 'fail') return; // did not take effect: as if never invoked
    slots[current.slot] = {
      op: {
        process: event.process,
        input: inputOf(invoked),
        output: event.type === 'ok' ? outputOf(invoked, event) : undefined,
        call: current.time,
        ret: time,
      },
      lines: { call: invoked.line, ret: event.line },
    };
  });
  for (const { slot, event, time } of open.values()) {
    slots[slot] = {
      op: {
        process: event.process,
        input: inputOf(event),
        output: undefined,
        call: time,
        ret: null,
      },
      lines: { call: event.line, ret: null },
    };
  }
  const kept = slots.filter((s): s is NonNullable<Slot> => s !== undefined);
  return { format, ops: kept.map((s) => s.op), lines: kept.map((s) => s.lines) };
}

function inputOf(invoke: HistoryEvent): Json {
  if (invoke.input !== undefined) return invoke.input;
  return jepsenInput(invoke.f as string, invoke.key, invoke.value);
}

function outputOf(invoke: HistoryEvent, ok: HistoryEvent): Json {
  if (invoke.f === undefined) return ok.output as Json;
  return jepsenOutput(invoke.f, ok.value);
}
