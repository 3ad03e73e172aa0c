// The content-length header as HTTP framing reads it: one place for the gateway (which must
// not let a response's body run past or short of it), the host's wasi:http bodies (which
// refuse to write past it, as wasmtime does) and outbound calls (which size their buffers by it).

/** The body length the fields declare: undefined when they name none, 'invalid' when it is not one number of bytes. */
export function declaredLength(headers: readonly (readonly [string, string])[]): number | undefined | 'invalid' {
  let length: number | undefined;
  for (const [name, value] of headers) {
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    // A repeated field, or a list of the same number, is one length (RFC 9110, 8.6).
    for (const part of value.split(',')) {
      const text = part.trim();
      if (!/^\d{1,15}$/.test(text)) return 'invalid';
      const n = Number(text);
      if (length !== undefined && n !== length) return 'invalid';
      length = n;
    }
  }
  return length;
}
