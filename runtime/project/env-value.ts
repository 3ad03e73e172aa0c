// How wash reads the value of a WASH_* environment variable: with figment's value syntax, so
// one variable can set a whole section. `true`/`false` are booleans, whole numbers and
// decimals are numbers, `"…"` is a string as written, `[a, b]` is a list and
// `{key=value, other=[1, 2]}` a mapping; anything else, or anything that does not parse, is
// the text itself. Must not know which keys exist: the schema checks the result.

const SEPARATORS = new Set([',', '{', '}', '[', ']']);
const IDENT = /[A-Za-z0-9_-]/;
const WHITESPACE = /\s/;
const FLOAT = /^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

class Unparsable extends Error {}

/** The value figment would make of an environment variable's text. */
export function parseEnvValue(text: string): unknown {
  const parser = new ValueParser(text);
  try {
    const value = parser.value();
    if (!parser.done) throw new Unparsable();
    return value;
  } catch (err) {
    if (err instanceof Unparsable) return text;
    throw err;
  }
}

class ValueParser {
  private at = 0;

  constructor(private readonly text: string) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  value(): unknown {
    this.skipWhitespace();
    let value: unknown;
    if (this.text.startsWith('true', this.at)) {
      this.at += 4;
      value = true;
    } else if (this.text.startsWith('false', this.at)) {
      this.at += 5;
      value = false;
    } else if (this.peek() === '{') {
      value = this.mapping();
    } else if (this.peek() === '[') {
      value = this.list();
    } else if (this.peek() === '"') {
      const end = this.text.indexOf('"', this.at + 1);
      if (end < 0) throw new Unparsable();
      value = this.text.slice(this.at + 1, end);
      this.at = end + 1;
    } else if (this.peek() === "'") {
      // One character between single quotes.
      const char = this.text[this.at + 1];
      if (char === undefined || this.text[this.at + 2] !== "'") throw new Unparsable();
      value = char;
      this.at += 3;
    } else {
      value = this.bare();
    }
    this.skipWhitespace();
    return value;
  }

  /**
   * Text up to the next separator: a number when it reads as one, else a string. Spaces
   * before the separator are dropped (figment keeps them: `{command=make }` would build with
   * "make "), since no value means them.
   */
  private bare(): unknown {
    const start = this.at;
    while (!this.done && !SEPARATORS.has(this.text[this.at]!)) this.at++;
    const word = this.text.slice(start, this.at).trimEnd();
    if (FLOAT.test(word)) return Number(word);
    if (INTEGER.test(word)) return Number(word);
    return word;
  }

  private list(): unknown[] {
    return this.delimited('[', ']', () => this.value());
  }

  private mapping(): Record<string, unknown> {
    const entries = this.delimited('{', '}', () => {
      this.skipWhitespace();
      const start = this.at;
      while (!this.done && IDENT.test(this.text[this.at]!)) this.at++;
      if (this.at === start) throw new Unparsable();
      const key = this.text.slice(start, this.at);
      this.skipWhitespace();
      if (this.peek() !== '=') throw new Unparsable();
      this.at++;
      return [key, this.value()] as const;
    });
    return Object.fromEntries(entries);
  }

  /** `open item (, item)* close`, with an empty list and a trailing comma allowed. */
  private delimited<T>(open: string, close: string, item: () => T): T[] {
    if (this.peek() !== open) throw new Unparsable();
    this.at++;
    const items: T[] = [];
    for (;;) {
      this.skipWhitespace();
      if (this.peek() === close) {
        this.at++;
        return items;
      }
      items.push(item());
      this.skipWhitespace();
      if (this.peek() === ',') this.at++;
      else if (this.peek() !== close) throw new Unparsable();
    }
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private skipWhitespace(): void {
    while (!this.done && WHITESPACE.test(this.text[this.at]!)) this.at++;
  }
}
