/**
 * The part of EDN (https://github.com/edn-format/edn) that Jepsen histories use: nil, booleans,
 * integers and floats, strings, characters, keywords, symbols, lists, vectors, maps, sets,
 * comments, `#_` discards, and tagged values (the tag is dropped, so `#jepsen.history.Op{...}`
 * reads as its map).
 */
import type { Located } from './json.js';

/** Keywords are interned, so maps keyed by keywords can be looked up with `Keyword.of`. */
export class Keyword {
  private static readonly table = new Map<string, Keyword>();
  private constructor(readonly name: string) {}
  static of(name: string): Keyword {
    let keyword = Keyword.table.get(name);
    if (keyword === undefined) {
      keyword = new Keyword(name);
      Keyword.table.set(name, keyword);
    }
    return keyword;
  }
  toString(): string {
    return `:${this.name}`;
  }
}

export class EdnSymbol {
  constructor(readonly name: string) {}
}

export class EdnSet {
  constructor(readonly items: readonly Edn[]) {}
}

export type Edn =
  | null
  | boolean
  | number
  | string
  | Keyword
  | EdnSymbol
  | EdnSet
  | readonly Edn[]
  | ReadonlyMap<Edn, Edn>;

export class EdnSyntaxError extends Error {
  override readonly name = 'EdnSyntaxError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * Every top-level form with its line; a document that is one vector yields its elements
 * instead (Jepsen writes histories both ways).
 */
export function parseEdnDocument(text: string, firstLine = 1): Located<Edn>[] {
  const reader = new EdnReader(text, firstLine);
  const forms: Located<Edn>[] = [];
  let vectorElements: Located<Edn>[] | undefined;
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) break;
    const line = reader.line;
    const tracked: Located<Edn>[] = [];
    const value = reader.readForm(forms.length === 0 ? tracked : undefined);
    if (forms.length === 0 && Array.isArray(value)) vectorElements = tracked;
    forms.push({ value, line });
  }
  return forms.length === 1 && vectorElements !== undefined ? vectorElements : forms;
}

/** Exactly one form (a log line's value). */
export function parseEdnValue(text: string, line = 1): Edn {
  const reader = new EdnReader(text, line);
  const value = reader.readForm();
  reader.skipSpace();
  if (!reader.atEnd()) throw new EdnSyntaxError(line, 'more than one value');
  return value;
}

const TOKEN_END = /[\s,()[\]{}";]/;

class EdnReader {
  line: number;
  private pos = 0;

  constructor(
    private readonly text: string,
    firstLine: number,
  ) {
    this.line = firstLine;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    for (;;) {
      const c = this.text.charAt(this.pos);
      if (c === '\n') this.line++;
      else if (c === ';') {
        while (this.pos < this.text.length && this.text.charAt(this.pos) !== '\n') this.pos++;
        continue;
      } else if (c !== ' ' && c !== '\t' && c !== '\r' && c !== ',') return;
      this.pos++;
    }
  }

  private fail(reason: string): never {
    throw new EdnSyntaxError(this.line, reason);
  }

  /** Read one form; when `elements` is given and the form is a vector, record element lines. */
  readForm(elements?: Located<Edn>[]): Edn {
    this.skipSpace();
    const c = this.text.charAt(this.pos);
    switch (c) {
      case '':
        return this.fail('unexpected end of input');
      case '(':
      case '[':
        this.pos++;
        return this.readSequence(c === '(' ? ')' : ']', elements);
      case '{':
        this.pos++;
        return this.readMap();
      case '"':
        return this.readString();
      case '\\':
        return this.readCharacter();
      case '#':
        return this.readDispatch();
      case ')':
      case ']':
      case '}':
        return this.fail(`unexpected "${c}"`);
      default:
        return this.readAtom();
    }
  }

  private readSequence(close: string, elements?: Located<Edn>[]): Edn[] {
    const items: Edn[] = [];
    const opened = this.line;
    for (;;) {
      this.skipSpace();
      const c = this.text.charAt(this.pos);
      if (c === '') throw new EdnSyntaxError(opened, `missing "${close}"`);
      if (c === close) {
        this.pos++;
        return items;
      }
      if (c === ')' || c === ']' || c === '}') this.fail(`expected "${close}", found "${c}"`);
      const line = this.line;
      const item = this.readForm();
      items.push(item);
      elements?.push({ value: item, line });
    }
  }

  private readMap(): ReadonlyMap<Edn, Edn> {
    const items = this.readSequence('}');
    if (items.length % 2 !== 0) this.fail('a map needs an even number of forms');
    const map = new Map<Edn, Edn>();
    for (let i = 0; i < items.length; i += 2) map.set(items[i] as Edn, items[i + 1] as Edn);
    return map;
  }

  private readString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text.charAt(this.pos++);
      if (c === '') this.fail('unterminated string');
      if (c === '"') return out;
      if (c === '\n') this.line++;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = this.text.charAt(this.pos++);
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        '"': '"',
        '\\': '\\',
        b: '\b',
        f: '\f',
      };
      if (e in simple) out += simple[e];
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos, this.pos + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.pos, this.pos + 4), 16));
        this.pos += 4;
      } else this.fail(`bad escape "\\${e}" in a string`);
    }
  }

  private readCharacter(): string {
    this.pos++;
    const first = this.text.charAt(this.pos++);
    if (first === '') this.fail('unexpected end of input');
    const token = first + this.readToken();
    const named: Record<string, string> = { newline: '\n', space: ' ', tab: '\t', return: '\r' };
    if (token.length === 1) return token;
    if (token in named) return named[token] as string;
    return this.fail(`unknown character \\${token}`);
  }

  private readDispatch(): Edn {
    this.pos++;
    const c = this.text.charAt(this.pos);
    if (c === '{') {
      this.pos++;
      return new EdnSet(this.readSequence('}'));
    }
    if (c === '_') {
      this.pos++;
      this.readForm();
      return this.readForm();
    }
    if (/[A-Za-z]/.test(c)) {
      this.readToken(); // the tag: values are read as they are
      return this.readForm();
    }
    return this.fail(`unsupported dispatch "#${c}"`);
  }

  private readToken(): string {
    const start = this.pos;
    // A tag may run straight into its value, as in #jepsen.history.Op{...}.
    while (this.pos < this.text.length && !TOKEN_END.test(this.text.charAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private readAtom(): Edn {
    const token = this.readToken();
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (/^[+-]?\d/.test(token)) {
      const match = /^([+-]?\d+(\.\d+)?([eE][+-]?\d+)?)[NM]?$/.exec(token);
      if (match === null) return this.fail(`bad number ${token}`);
      return Number(match[1]);
    }
    if (token.startsWith(':')) {
      if (token.length === 1) return this.fail('empty keyword');
      return Keyword.of(token.slice(1));
    }
    return new EdnSymbol(token);
  }
}
