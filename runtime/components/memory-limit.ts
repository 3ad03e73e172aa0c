// Caps the linear memories a core module defines. Node cannot bound a WebAssembly memory
// from outside, so the studio rewrites the memory section of each core module before it is
// compiled: a memory.grow past the cap then fails inside the guest (which usually traps)
// instead of eating the machine's RAM.

const MEMORY_SECTION = 5;
const PAGE = 65536;
/** A 32-bit memory addresses at most 4 GiB. */
const MAX_PAGES_32 = 65536;

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated LEB128 in a core module');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/**
 * Returns the module with every 32-bit memory it defines capped at `limitBytes` (or its own
 * lower maximum). Imported memories are left alone: their owner is capped where it is defined.
 */
export function capMemories(module: Uint8Array<ArrayBuffer>, limitBytes: number): Uint8Array<ArrayBuffer> {
  const limitPages = Math.min(MAX_PAGES_32, Math.max(1, Math.floor(limitBytes / PAGE)));
  let at = 8;
  while (at < module.length) {
    const id = module[at]!;
    const [size, bodyStart] = readU32(module, at + 1);
    const bodyEnd = bodyStart + size;
    if (id === MEMORY_SECTION) {
      const body = rewriteMemorySection(module.subarray(bodyStart, bodyEnd), limitPages);
      if (!body) return module;
      const header = [MEMORY_SECTION, ...writeU32(body.length)];
      const out = new Uint8Array(at + header.length + body.length + (module.length - bodyEnd));
      out.set(module.subarray(0, at), 0);
      out.set(header, at);
      out.set(body, at + header.length);
      out.set(module.subarray(bodyEnd), at + header.length + body.length);
      return out;
    }
    at = bodyEnd;
  }
  return module;
}

function rewriteMemorySection(body: Uint8Array, limitPages: number): Uint8Array | undefined {
  const [count, first] = readU32(body, 0);
  const out = [...writeU32(count)];
  let at = first;
  for (let i = 0; i < count; i++) {
    const flags = body[at++]!;
    // memory64 and shared memories keep their own limits.
    if (flags & 0b110) return undefined;
    const [min, afterMin] = readU32(body, at);
    at = afterMin;
    let max = limitPages;
    if (flags & 1) {
      const [ownMax, afterMax] = readU32(body, at);
      at = afterMax;
      max = Math.min(ownMax, limitPages);
    }
    out.push(0x01, ...writeU32(min), ...writeU32(Math.max(max, min)));
  }
  return Uint8Array.from(out);
}
