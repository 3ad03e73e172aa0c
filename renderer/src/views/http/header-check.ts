// Checks the headers a request will send before it goes, as the JSON body is checked: a name or
// a value HTTP cannot carry would only come back from the studio as a failed request. The
// message says which header, what is wrong with it and the fix, and `row` marks it in the table.
import type { Pair } from './http-store.ts';

/** A header name is an HTTP token (RFC 9110): letters, digits and these marks, nothing else. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** What a field value may hold on the wire: tab, visible ASCII and space, and Latin-1 (0x80-0xff). */
const NOT_IN_VALUE = /[^\t\x20-\x7e\x80-\xff]/u;

export interface HeaderProblem {
  /** The row of `headers` at fault. */
  row: number;
  message: string;
}

function described(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  // A control character would not show: its code says what it is.
  return /[\p{Cc}\p{Cf}]/u.test(c) ? code : `“${c}” (${code})`;
}

/** The first header that cannot be sent, among those that will be. */
export function headerProblem(headers: readonly Pair[]): HeaderProblem | undefined {
  for (const [row, { key, value, enabled }] of headers.entries()) {
    const name = key.trim();
    if (!enabled || !name) continue;
    if (!TOKEN.test(name)) {
      const bad = [...name].find((c) => !TOKEN.test(c))!;
      return { row, message: `The header name “${name}” has ${described(bad)}, which a header name cannot hold. Names are letters, digits and ! # $ % & ' * + - . ^ _ \` | ~, with no spaces.` };
    }
    const bad = NOT_IN_VALUE.exec(value)?.[0];
    if (bad !== undefined) {
      return {
        row,
        message: `The value of the ${name} header has ${described(bad)}, which HTTP cannot carry: header values are visible ASCII (Latin-1 at most) on one line. Percent-encode the text (encodeURIComponent) or base64 it, and decode it in the component.`,
      };
    }
  }
  return undefined;
}
