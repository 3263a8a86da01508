/**
 * Reading a history file in any supported format, detected from its content or given.
 * Every problem is an InputError naming file and line (the CLI prints it and exits 2).
 */
import { canonicalEncode } from '../../core/canonical.js';
import { InputError } from '../../errors.js';
import { MODEL_NAMES } from '../models.js';
import type { Model } from '../types.js';
import { HISTORY_FORMATS, type HistoryFormat, type ParsedHistory } from './events.js';
import { isJepsenLogLine, readJepsenEdn, readJepsenLog } from './jepsen.js';
import { readJsonHistory, readNdjsonHistory } from './native.js';

export { HISTORY_FORMATS, type HistoryFormat, type OpLines, type ParsedHistory } from './events.js';

const DETECT_LINES = 50;

/**
 * `[` then `{"` is a JSON array, `{"` an NDJSON line, `{:`, `[{:` or `#` EDN; a line with
 * `jepsen.util - P<TAB>:type<TAB>` a Jepsen log. Undefined when none fits.
 */
export function detectFormat(text: string): HistoryFormat | undefined {
  // EDN comments (`;` to the end of the line) may come first.
  const body = text.replace(/^(\s*;[^\n]*\n)+/, '');
  const start = body.search(/\S/);
  if (start < 0) return undefined;
  const head = body.slice(start, start + 200).replace(/\s+/g, '');
  if (head.startsWith('[{"') || head === '[]' || head.startsWith('[]')) return 'json';
  if (
    head.startsWith('[{:') ||
    head.startsWith('[#') ||
    head.startsWith('{:') ||
    head.startsWith('#')
  ) {
    return 'edn';
  }
  if (head.startsWith('{"') || head.startsWith('{}')) return 'ndjson';
  if (head.startsWith('[')) return 'json';
  const lines = text.split('\n', DETECT_LINES * 20);
  if (lines.some(isJepsenLogLine)) return 'jepsen-log';
  return undefined;
}

export function parseHistory(raw: string, file: string, format?: HistoryFormat): ParsedHistory {
  // A UTF-8 byte-order mark (some editors write one) is not part of the content.
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const chosen = format ?? detectFormat(text);
  if (chosen === undefined) {
    if (text.trim() === '') throw new InputError(file, undefined, 'the file is empty');
    throw new InputError(
      file,
      undefined,
      `cannot tell the format; pass --format ${HISTORY_FORMATS.join('|')}`,
    );
  }
  switch (chosen) {
    case 'json':
      return readJsonHistory(text, file);
    case 'ndjson':
      return readNdjsonHistory(text, file);
    case 'jepsen-log':
      return readJepsenLog(text, file);
    case 'edn':
      return readJepsenEdn(text, file);
  }
}

/** Reject operations the model does not know, at the line that invoked them. */
export function validateForModel(parsed: ParsedHistory, model: Model, file: string): void {
  if (model.validate === undefined) return;
  parsed.ops.forEach((op, i) => {
    const problem = model.validate?.(op.input, op.ret === null ? undefined : op.output);
    if (problem !== null && problem !== undefined) {
      const lines = parsed.lines[i];
      throw new InputError(
        file,
        lines?.call,
        `${canonicalEncode(op.input).slice(0, 80)} is not an operation of model ${model.name} (${problem}); --model picks another: ${MODEL_NAMES.join(', ')}`,
      );
    }
  });
}
