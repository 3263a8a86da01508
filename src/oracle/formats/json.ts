/**
 * A strict JSON reader (RFC 8259) that knows line numbers: the elements of a top-level array
 * come back with the line they start on, and syntax errors name their line with a message of
 * ours (V8's wording changes between Node versions; ours is tested).
 */
import type { Json } from '../../core/types.js';

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

export interface Located<T> {
  readonly value: T;
  readonly line: number;
}

/** Parse a document; a top-level array also yields its elements with their lines. */
export function parseJsonDocument(
  text: string,
  firstLine = 1,
): { value: Json; elements: Located<Json>[] | undefined } {
  const reader = new JsonReader(text, firstLine);
  reader.skipSpace();
  let elements: Located<Json>[] | undefined;
  let value: Json;
  if (reader.peek() === '[') {
    elements = reader.readArrayElements();
    value = elements.map((e) => e.value);
  } else {
    value = reader.readValue();
  }
  reader.skipSpace();
  if (!reader.atEnd()) reader.fail(`unexpected ${reader.describeNext()} after the JSON value`);
  return { value, elements };
}

class JsonReader {
  private pos = 0;
  private line: number;

  constructor(
    private readonly text: string,
    firstLine: number,
  ) {
    this.line = firstLine;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  fail(reason: string): never {
    throw new JsonSyntaxError(this.line, reason);
  }

  describeNext(): string {
    if (this.atEnd()) return 'end of input';
    return `'${this.peek()}'`;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '\n') this.line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
      this.pos++;
    }
  }

  readArrayElements(): Located<Json>[] {
    this.pos++; // [
    const elements: Located<Json>[] = [];
    this.skipSpace();
    if (this.peek() === ']') {
      this.pos++;
      return elements;
    }
    for (;;) {
      this.skipSpace();
      const line = this.line;
      elements.push({ value: this.readValue(), line });
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c === ']') return elements;
      if (c !== ',') {
        this.pos--;
        this.fail(`expected "," or "]" in an array, found ${this.describeNext()}`);
      }
    }
  }

  readValue(): Json {
    this.skipSpace();
    const c = this.peek();
    if (c === '{') return this.readObject();
    if (c === '[') return this.readArrayElements().map((e) => e.value);
    if (c === '"') return this.readString();
    if (c === '-' || (c >= '0' && c <= '9')) return this.readNumber();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`expected a JSON value, found ${this.describeNext()}`);
  }

  private readObject(): Json {
    this.pos++; // {
    const out: Record<string, Json> = {};
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== '"') this.fail(`expected a quoted key, found ${this.describeNext()}`);
      const key = this.readString();
      this.skipSpace();
      if (this.peek() !== ':') this.fail(`expected ":" after a key, found ${this.describeNext()}`);
      this.pos++;
      // defineProperty: a "__proto__" key is data, not the object's prototype.
      Object.defineProperty(out, key, {
        value: this.readValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      const c = this.peek();
      if (c === '}') {
        this.pos++;
        return out;
      }
      if (c !== ',') this.fail(`expected "," or "}" in an object, found ${this.describeNext()}`);
      this.pos++;
    }
  }

  private readString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '') this.fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') this.pos++;
      else if (c < ' ') this.fail('control character in a string');
      this.pos++;
    }
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail('bad escape in a string');
    }
  }

  private readNumber(): number {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
      this.text.slice(this.pos, this.pos + 64),
    );
    if (match === null) return this.fail(`bad number at ${this.describeNext()}`);
    this.pos += match[0].length;
    return Number(match[0]);
  }
}
