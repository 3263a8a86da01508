/**
 * A streaming, line-numbered NDJSON line source. It reads fixed-size chunks synchronously (one
 * file at a time is all the checker needs, and sync reads avoid a promise per chunk), decodes
 * each run of complete lines at once — ASCII (the usual trace) by a plain copy, anything else by
 * a fatal UTF-8 decoder so that invalid bytes are an error, not U+FFFD — and splits on '\n':
 * per-line work is a slice. Memory is one chunk plus the longest line, never the file.
 */
import { describeIoError } from '../files.js';
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.js';

/** Lines longer than this are rejected: a producer bug or a hostile file, never a real event. */
export const DEFAULT_MAX_LINE_CHARS = 4 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

export interface LineReaderOptions {
  readonly maxLineChars?: number;
  /** Read from this descriptor instead of opening `file` (file is then only a display name). */
  readonly fd?: number;
}

export class LineReader {
  /** The 1-based number of the line last returned by `next()`. */
  lineNumber = 0;
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private readonly maxLine: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private pending: Buffer = Buffer.alloc(0);
  private lines: string[] = [];
  private index = 0;
  private eof = false;
  private firstDecode = true;

  constructor(
    readonly file: string,
    options: LineReaderOptions = {},
  ) {
    this.maxLine = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
    if (options.fd !== undefined) {
      this.fd = options.fd;
      this.ownsFd = false;
    } else {
      try {
        this.fd = openSync(file, 'r');
      } catch (error) {
        throw new InputError(file, undefined, `cannot read: ${describeIoError(error)}`);
      }
      this.ownsFd = true;
    }
  }

  /** The next line (without its '\n' or '\r\n'), or null at the end of the file. */
  next(): string | null {
    while (this.index >= this.lines.length) {
      if (!this.fill()) return null;
    }
    const text = this.lines[this.index++] as string;
    this.lineNumber++;
    if (text.length > this.maxLine) this.fail(`line longer than ${this.maxLine} characters`);
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  close(): void {
    if (this.ownsFd) closeSync(this.fd);
  }

  /** Loads the next run of complete lines; false at the end of input. */
  private fill(): boolean {
    this.lines = [];
    this.index = 0;
    if (this.eof) return false;
    for (;;) {
      // Read after the unfinished line carried over, so only that carry is ever copied.
      const carry = this.pending.length;
      const data = Buffer.allocUnsafe(carry + CHUNK_BYTES);
      this.pending.copy(data, 0);
      let read: number;
      try {
        read = readSync(this.fd, data, carry, CHUNK_BYTES, null);
      } catch (error) {
        throw new InputError(this.file, undefined, `cannot read: ${describeIoError(error)}`);
      }
      const end = data.lastIndexOf(NEWLINE, carry + read - 1);
      if (read === 0) {
        this.eof = true;
        this.pending = Buffer.alloc(0);
        // A last line without '\n' is still a line; the JSON parser judges whether it is whole.
        if (carry > 0) this.decodeLines(data.subarray(0, carry));
        return this.lines.length > 0;
      }
      if (end < carry) {
        this.pending = data.subarray(0, carry + read);
        // UTF-8 takes at most 3 bytes per UTF-16 unit: beyond that the line is too long.
        if (this.pending.length > 3 * this.maxLine + 3) {
          this.lineNumber++;
          this.fail(`line longer than ${this.maxLine} characters`);
        }
        continue;
      }
      this.pending = Buffer.from(data.subarray(end + 1, carry + read));
      this.decodeLines(data.subarray(0, end));
      return true;
    }
  }

  private decodeLines(bytes: Buffer): void {
    let text: string;
    if (isAscii(bytes)) {
      // The common case: ASCII is valid UTF-8, and latin1 decoding of it is a plain copy into
      // a one-byte string (which JSON.parse also reads fastest).
      text = bytes.toString('latin1');
    } else {
      try {
        text = this.decoder.decode(bytes);
      } catch {
        this.failAtBadUtf8(bytes);
      }
    }
    if (this.firstDecode) {
      this.firstDecode = false;
      // A byte-order mark is only meaningful at the very start of the file.
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.lines = text.split('\n');
  }

  /** Only on the error path: decode line by line to name the first one that is not UTF-8. */
  private failAtBadUtf8(bytes: Buffer): never {
    let start = 0;
    let line = this.lineNumber;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, start);
      const end = nl < 0 ? bytes.length : nl;
      line++;
      try {
        this.decoder.decode(bytes.subarray(start, end));
      } catch {
        throw new InputError(this.file, line, 'the line is not valid UTF-8');
      }
      if (nl < 0) throw new InputError(this.file, line, 'the line is not valid UTF-8');
      start = nl + 1;
    }
  }

  private fail(reason: string): never {
    throw new InputError(this.file, this.lineNumber, reason);
  }
}
