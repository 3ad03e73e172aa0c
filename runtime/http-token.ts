// RFC 9110's token, the grammar of HTTP method and header names: one place for the character
// set that the gateway, the host's wasi:http fields, the playground, check files, the Studio
// API's arguments and registry auth challenges all parse with.

/** The characters of a token, as a regular expression class. */
export const TOKEN_CHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]";

/** A whole string that is one token (a method, a header name). */
export const HTTP_TOKEN = new RegExp(`^${TOKEN_CHARS}+$`);
