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
