/**
 * One trace file as a stream of checked events: the header first, then one parsed event per
 * line. Every problem (no header, bad JSON, a truncated last line, a wrong field) is an
 * InputError naming file and line, which the CLI prints as one line with exit 2.
 */
import { InputError } from '../errors.js';
import { DEFAULT_MAX_LINE_CHARS, LineReader } from './line-reader.js';
import { parseEvent, type ParsedEvent } from './parse-event.js';
import { parseHeader, type TraceContext } from './parse-header.js';
import { BadLine } from './parse-values.js';

export interface ReadOptions {
  readonly maxLineChars?: number;
  /**
   * The files are knowingly a subset of the nodes: do not refuse per-node files that leave
   * out nodes the header names (their events are then simply absent).
   */
  readonly partial?: boolean;
}

export class TraceFile {
  readonly ctx: TraceContext;
  private readonly reader: LineReader;
  private readonly nodes: ReadonlySet<string> | null;

  constructor(
    readonly file: string,
    options: ReadOptions = {},
  ) {
    this.reader = new LineReader(file, {
      maxLineChars: options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS,
    });
    try {
      const first = this.nextText();
      if (first === null)
        throw new InputError(file, 1, 'the file is empty: expected a trace header line');
      let value: unknown;
      try {
        value = JSON.parse(first);
      } catch (error) {
        throw new InputError(
          file,
          this.reader.lineNumber,
          `the header is not JSON (${jsonProblem(error)})`,
        );
      }
      const ctx = parseHeader(value);
      if (typeof ctx === 'string') throw new InputError(file, this.reader.lineNumber, ctx);
      this.ctx = ctx;
      this.nodes = ctx.header.nodes === undefined ? null : new Set(ctx.header.nodes);
    } catch (error) {
      this.reader.close();
      throw error;
    }
  }

  /** The next event, or null at the end; throws InputError on a bad line. */
  next(): ParsedEvent | null {
    const text = this.nextText();
    if (text === null) return null;
    return this.parse(text, this.ctx);
  }

  /** Like `next`, but judged against another file's header (files merged into one trace). */
  nextIn(ctx: TraceContext): ParsedEvent | null {
    const text = this.nextText();
    return text === null ? null : this.parse(text, ctx);
  }

  close(): void {
    this.reader.close();
  }

  private nextText(): string | null {
    for (;;) {
      const text = this.reader.next();
      // Blank lines carry nothing; NDJSON writers often end with one.
      if (text === null || text.trim() !== '') return text;
    }
  }

  private parse(text: string, ctx: TraceContext): ParsedEvent {
    const line = this.reader.lineNumber;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new InputError(this.file, line, `not a JSON event (${jsonProblem(error)})`);
    }
    let event: ParsedEvent;
    try {
      event = parseEvent(value, ctx, this.file, line);
    } catch (error) {
      if (error instanceof BadLine) throw new InputError(this.file, line, error.message);
      throw error;
    }
    if (this.nodes !== null && !this.nodes.has(event.node))
      throw new InputError(
        this.file,
        line,
        `an event of ${event.node}, but the header's "nodes" does not list it`,
      );
    return event;
  }
}

function jsonProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Keep it to one short line: V8 may quote a long stretch of the input.
  const oneLine = message.replace(/\s+/g, ' ');
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine;
}
