/**
 * Jepsen histories: log lines as `jepsen.util` prints them
 *   INFO  jepsen.util - 3	:invoke	:cas	[1 4]
 * (other log lines are skipped), and EDN operation maps, one per line or in one vector
 *   {:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}
 * Operations of a keyword process (`:nemesis`) are not client operations and are skipped.
 */
import { InputError } from '../../errors.js';
import { canonicalEncode } from '../../core/canonical.js';
import type { Json } from '../../core/types.js';
import {
  EdnSet,
  EdnSymbol,
  EdnSyntaxError,
  Keyword,
  parseEdnDocument,
  parseEdnValue,
  type Edn,
} from './edn.js';
import {
  assembleEvents,
  EVENT_TYPES,
  type EventType,
  type HistoryEvent,
  type ParsedHistory,
} from './events.js';

/**
 * `jepsen.util - ` (old log layout) or `jepsen.util: ` (newer), anywhere in the line (after a
 * timestamp or not), then the fields PROCESS :TYPE :F VALUE separated by tabs or, as some real
 * logs print them, by runs of spaces. VALUE is the rest of the line (EDN, which may hold spaces).
 */
const LOG_LINE = /jepsen\.util\s*(?:-|:)\s+(.*)$/;
const FIELDS = /^(\S+)\s+(\S+)\s+(\S+)(?:\s+(.*?))?\s*$/;

export function isJepsenLogLine(line: string): boolean {
  const match = LOG_LINE.exec(line);
  return match !== null && /^\S+\s+:(invoke|ok|fail|info)\s/.test(match[1] ?? '');
}

export function readJepsenLog(text: string, file: string): ParsedHistory {
  const events: HistoryEvent[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const match = LOG_LINE.exec(raw.replace(/\r$/, ''));
    if (match === null) return; // other loggers' lines
    const fields = FIELDS.exec(match[1] ?? '');
    if (fields === null) {
      throw new InputError(
        file,
        line,
        'expected PROCESS :TYPE :F VALUE after jepsen.util (separated by tabs or spaces)',
      );
    }
    const [, process = '', type = '', f = '', rest] = fields;
    if (process.startsWith(':')) return; // the nemesis
    if (!/^\d+$/.test(process))
      throw new InputError(file, line, `bad process ${JSON.stringify(process)}`);
    const value = rest === undefined || rest === '' ? null : readValue(rest, file, line);
    events.push({
      line,
      process,
      type: eventType(type, file, line),
      f: keywordName(f, ':f', file, line),
      value,
    });
  });
  return assembleEvents(events, file, 'jepsen-log');
}

export function readJepsenEdn(text: string, file: string): ParsedHistory {
  let forms;
  try {
    forms = parseEdnDocument(text);
  } catch (error) {
    if (error instanceof EdnSyntaxError)
      throw new InputError(file, error.line, `bad EDN: ${error.reason}`);
    throw error;
  }
  const events: HistoryEvent[] = [];
  for (const { value: form, line } of forms) {
    if (!(form instanceof Map))
      throw new InputError(file, line, 'expected an operation map {:process …, :type …, :f …}');
    const get = (name: string): Edn | undefined => form.get(Keyword.of(name));
    const process = get('process');
    if (process instanceof Keyword) continue; // the nemesis
    if (typeof process !== 'number' || !Number.isSafeInteger(process)) {
      throw new InputError(
        file,
        line,
        ':process must be an integer (or a keyword such as :nemesis)',
      );
    }
    const type = get('type');
    if (!(type instanceof Keyword))
      throw new InputError(file, line, ':type must be :invoke, :ok, :fail or :info');
    const f = get('f');
    if (!(f instanceof Keyword) && typeof f !== 'string') {
      throw new InputError(file, line, ':f must be a keyword such as :read');
    }
    const key = get('key');
    events.push({
      line,
      process: String(process),
      type: eventType(type.toString(), file, line),
      f: f instanceof Keyword ? f.name : f,
      value: ednToJson(get('value') ?? null),
      ...(key === undefined ? {} : { key: ednToJson(key) }),
    });
  }
  return assembleEvents(events, file, 'edn');
}

function eventType(raw: string, file: string, line: number): EventType {
  const name = raw.startsWith(':') ? raw.slice(1) : '';
  if (!(EVENT_TYPES as readonly string[]).includes(name)) {
    throw new InputError(
      file,
      line,
      `unknown type ${JSON.stringify(raw)} (expected :invoke, :ok, :fail or :info)`,
    );
  }
  return name as EventType;
}

function keywordName(raw: string, what: string, file: string, line: number): string {
  if (!/^:\S+$/.test(raw))
    throw new InputError(file, line, `${what} must be a keyword, got ${JSON.stringify(raw)}`);
  return raw.slice(1);
}

function readValue(raw: string, file: string, line: number): Json {
  try {
    return ednToJson(parseEdnValue(raw, line));
  } catch (error) {
    if (error instanceof EdnSyntaxError)
      throw new InputError(file, line, `bad EDN value: ${error.reason}`);
    throw error;
  }
}

/** EDN → JSON: keywords and symbols become their names, sets sorted arrays, map keys strings. */
export function ednToJson(value: Edn): Json {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Keyword || value instanceof EdnSymbol) return value.name;
  if (value instanceof EdnSet) {
    const items = value.items.map(ednToJson);
    return items.sort((a, b) => (canonicalEncode(a) < canonicalEncode(b) ? -1 : 1));
  }
  if (Array.isArray(value)) return value.map(ednToJson);
  const out: Record<string, Json> = {};
  for (const [k, v] of value as ReadonlyMap<Edn, Edn>) {
    const key =
      typeof k === 'string' ? k : k instanceof Keyword ? k.name : canonicalEncode(ednToJson(k));
    Object.defineProperty(out, key, {
      value: ednToJson(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
