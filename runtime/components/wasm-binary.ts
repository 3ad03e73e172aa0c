// The few pieces of the WebAssembly binary format the studio reads itself: LEB128 numbers and
// the walk over a module's or component's sections.

export function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('a WebAssembly binary ends inside a number');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

export function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export interface Section {
  id: number;
  /** Where the section starts (its id byte) and where its body starts and ends. */
  start: number;
  bodyStart: number;
  end: number;
}

/** The sections between `start` and `end` (after an 8-byte header), in order. */
export function* sections(bytes: Uint8Array, start = 8, end = bytes.length): Generator<Section> {
  let at = start;
  while (at < end) {
    const id = bytes[at]!;
    const [size, bodyStart] = readU32(bytes, at + 1);
    const sectionEnd = bodyStart + size;
    if (sectionEnd > end) throw new Error('a WebAssembly section runs past the end of the binary');
    yield { id, start: at, bodyStart, end: sectionEnd };
    at = sectionEnd;
  }
}

/** A change to a binary: the bytes from `start` to `end` (an empty range inserts) become `bytes`. */
export interface Splice {
  start: number;
  end: number;
  bytes: ArrayLike<number>;
}

/**
 * The binary with every splice made, in one copy: a core module of a JavaScript component is
 * over 10 MB, and each copy of it costs tens of ms on the thread that serves requests.
 * Splices must not overlap; `bytes` itself is returned when there are none.
 */
export function spliced(bytes: Uint8Array<ArrayBuffer>, splices: readonly Splice[]): Uint8Array<ArrayBuffer> {
  if (splices.length === 0) return bytes;
  const ordered = [...splices].sort((a, b) => a.start - b.start);
  const out = new Uint8Array(bytes.length + ordered.reduce((sum, s) => sum + s.bytes.length - (s.end - s.start), 0));
  let from = 0;
  let to = 0;
  for (const splice of ordered) {
    if (splice.start < from) throw new Error('overlapping changes to a WebAssembly binary');
    out.set(bytes.subarray(from, splice.start), to);
    to += splice.start - from;
    out.set(splice.bytes, to);
    to += splice.bytes.length;
    from = splice.end;
  }
  out.set(bytes.subarray(from), to);
  return out;
}
