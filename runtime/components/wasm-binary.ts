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
