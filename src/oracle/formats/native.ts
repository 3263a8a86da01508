/**
 * Our own history formats (schema/history.schema.json): a JSON array, or NDJSON with one record
 * per line. A file holds either operation records
 *   {"process": "c1", "input": {...}, "output": ..., "call": 0, "ret": 3}
 *   {"process": "c1", "input": {...}, "status": "info", "call": 0, "ret": 3}   unknown outcome
 *   {"process": "c1", "input": {...}, "status": "fail", "call": 0, "ret": 3}   did not happen
 * (ret null or absent = never returned, an unknown outcome too; a completed record without
 * "output" and without a status is refused: a recorder that forgot the output would otherwise
 * turn a definite operation into an unknown one, silently), or events
 *   {"process": "c1", "type": "invoke" | "ok" | "fail" | "info", "f": "write", "value": 1}
 *   {"process": "c1", "type": "invoke", "input": {...}}  /  {"process": "c1", "type": "ok", "output": ...}
 * in real-time order (Jepsen's semantics, see events.ts).
 */
import { InputError } from '../../errors.js';
import { isRecord } from '../../core/app.js';
import type { Json } from '../../core/types.js';
import type { HistoryOp } from '../types.js';
import {
  assembleEvents,
  EVENT_TYPES,
  type EventType,
  type HistoryEvent,
  type HistoryFormat,
  type OpLines,
  type ParsedHistory,
} from './events.js';
import { JsonSyntaxError, parseJsonDocument, type Located } from './json.js';

export function readJsonHistory(text: string, file: string): ParsedHistory {
  let elements: Located<Json>[] | undefined;
  try {
    elements = parseJsonDocument(text).elements;
  } catch (error) {
    if (error instanceof JsonSyntaxError)
      throw new InputError(file, error.line, `bad JSON: ${error.reason}`);
    throw error;
  }
  if (elements === undefined)
    throw new InputError(file, 1, 'a JSON history is an array of records');
  return fromRecords(elements, file, 'json');
}

export function readNdjsonHistory(text: string, file: string): ParsedHistory {
  const records: Located<Json>[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      records.push({ value: parseJsonDocument(raw, i + 1).value, line: i + 1 });
    } catch (error) {
      if (error instanceof JsonSyntaxError)
        throw new InputError(file, i + 1, `bad JSON: ${error.reason}`);
      throw error;
    }
  });
  return fromRecords(records, file, 'ndjson');
}

function fromRecords(
  records: readonly Located<Json>[],
  file: string,
  format: HistoryFormat,
): ParsedHistory {
  const first = records[0];
  if (first === undefined) return { format, ops: [], lines: [] };
  const events = isRecord(first.value) && first.value['type'] !== undefined;
  if (events)
    return assembleEvents(
      records.map((r) => toEvent(r, file)),
      file,
      format,
    );
  const all = records.map((r) => toOpRecord(r, file));
  checkOneOpenPerProcess(all, file);
  // A failed operation did not take effect: it leaves the history (Jepsen's :fail).
  const parsed = all.filter((p) => !p.failed);
  return { format, ops: parsed.map((p) => p.op), lines: parsed.map((p) => p.lines) };
}

function processOf(record: { readonly [k: string]: Json }, file: string, line: number): string {
  const process = record['process'];
  if (typeof process === 'string') return process;
  if (typeof process === 'number' && Number.isSafeInteger(process)) return String(process);
  throw new InputError(file, line, '"process" must be a string or an integer');
}

function toEvent({ value, line }: Located<Json>, file: string): HistoryEvent {
  if (!isRecord(value)) throw new InputError(file, line, 'an event is a JSON object');
  const process = processOf(value, file, line);
  const type = value['type'];
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    throw new InputError(file, line, '"type" must be "invoke", "ok", "fail" or "info"');
  }
  const f = value['f'];
  if (f !== undefined && typeof f !== 'string')
    throw new InputError(file, line, '"f" must be a string');
  const time = value['time'];
  if (time !== undefined) checkTime(time, '"time"', file, line);
  return {
    line,
    process,
    type: type as EventType,
    f,
    key: value['key'],
    value: value['value'],
    input: value['input'],
    output: value['output'],
  };
}

const STATUSES = ['ok', 'info', 'fail'] as const;

function toOpRecord(
  { value, line }: Located<Json>,
  file: string,
): { op: HistoryOp; lines: OpLines; failed: boolean } {
  if (!isRecord(value)) throw new InputError(file, line, 'an operation record is a JSON object');
  const process = processOf(value, file, line);
  const input = value['input'];
  if (input === undefined) throw new InputError(file, line, 'an operation record needs "input"');
  const call = checkTime(value['call'], '"call"', file, line);
  const rawRet = value['ret'] ?? null;
  if (rawRet !== null && typeof rawRet !== 'number')
    throw new InputError(file, line, '"ret" must be a number or null');
  const ret = rawRet === null ? null : checkTime(rawRet, '"ret"', file, line);
  if (ret !== null && ret < call)
    throw new InputError(file, line, `"ret" (${ret}) is before "call" (${call})`);
  const status = value['status'] ?? 'ok';
  if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status))
    throw new InputError(file, line, '"status" must be "ok", "info" or "fail"');
  const output = value['output'];
  if (status !== 'ok' && output !== undefined)
    throw new InputError(file, line, `an operation with "status": "${status}" has no "output"`);
  if (status === 'ok' && ret !== null && output === undefined)
    throw new InputError(
      file,
      line,
      'a completed operation needs "output"; mark an unknown outcome with "status": "info", or one that did not take effect with "status": "fail"',
    );
  return {
    op: { process, input, output: status === 'ok' ? output : undefined, call, ret },
    lines: { call: line, ret: ret === null ? null : line },
    failed: status === 'fail',
  };
}

/**
 * A time: any number, but an integer beyond 2^53 has already lost precision in a double (a
 * nanosecond Unix time does), which could reorder operations silently: refused.
 */
function checkTime(value: Json | undefined, what: string, file: string, line: number): number {
  if (typeof value !== 'number') throw new InputError(file, line, `${what} must be a number`);
  if (!Number.isFinite(value))
    throw new InputError(file, line, `${what} is too large for a number (a literal like 1e400)`);
  if (Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER)
    throw new InputError(
      file,
      line,
      `${what} ${value} is beyond 2^53 and cannot be read exactly: subtract the start time (or use a coarser unit)`,
    );
  return value;
}

function checkOneOpenPerProcess(
  parsed: readonly { op: HistoryOp; lines: OpLines; failed: boolean }[],
  file: string,
): void {
  const byProcess = new Map<string, { op: HistoryOp; lines: OpLines }[]>();
  for (const p of parsed) {
    const list = byProcess.get(p.op.process) ?? [];
    list.push(p);
    byProcess.set(p.op.process, list);
  }
  for (const [process, list] of byProcess) {
    const sorted = [...list].sort((a, b) => a.op.call - b.op.call || a.lines.call - b.lines.call);
    for (let i = 1; i < sorted.length; i++) {
      const before = sorted[i - 1] as { op: HistoryOp; lines: OpLines };
      const later = sorted[i] as { op: HistoryOp; lines: OpLines };
      if (before.op.ret === null || before.op.ret > later.op.call) {
        const [a, b] = [before.lines.call, later.lines.call].sort((x, y) => x - y);
        throw new InputError(
          file,
          b,
          `process ${JSON.stringify(process)} has two operations open at once (lines ${a} and ${b})`,
        );
      }
    }
  }
}
