// RFC 9110's token, the grammar of HTTP method and header names: one place for the character
// set that the gateway, the host's wasi:http fields, the playground, check files, the Studio
// API's arguments and registry auth challenges all parse with; and what a header value may
// hold to be sent by Node at all.

/** The characters of a token, as a regular expression class. */
export const TOKEN_CHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

/** A whole string that is one token (a method, a header name). */
export const HTTP_TOKEN = new RegExp(`^${TOKEN_CHARS}+$`);

/** A header value Node sends as it is: tab, visible ASCII and Latin-1 text, no control characters. */
export const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The first character of a header value that Node would not send, for a person to read:
 * `"✓" (U+2713)`, or only `(U+000A)` for a control character; undefined when it sends all.
 */
export function unsendableHeaderChar(value: string): string | undefined {
  const bad = /[^\t\x20-\x7e\x80-\xff]/u.exec(value)?.[0];
  if (bad === undefined) return undefined;
  const code = `(U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
  return bad < ' ' || bad === '\x7f' ? code : `"${bad}" ${code}`;
}
