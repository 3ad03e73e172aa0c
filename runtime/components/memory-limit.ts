// Caps the linear memories a core module defines. Node cannot bound a WebAssembly memory
// from outside, so the studio rewrites the memory section of each core module before it is
// compiled: a memory.grow past the cap then fails inside the guest (which usually traps)
// instead of eating the machine's RAM.

import { readU32, sections, writeU32, type Splice } from './wasm-binary.ts';

const MEMORY_SECTION = 5;
const PAGE = 65536;
/** A 32-bit memory addresses at most 4 GiB. */
const MAX_PAGES_32 = 65536;
/** The largest limit worth asking for (`--memory-limit`): past it, the cap never applies. */
export const MAX_MEMORY_LIMIT_MB = (MAX_PAGES_32 * PAGE) / 2 ** 20;

/**
 * The change to `module` that caps every 32-bit memory it defines at `limitBytes` (or its own
 * lower maximum), or none. Imported memories are left alone: their owner is capped where it
 * is defined.
 */
export function memoryCap(module: Uint8Array<ArrayBuffer>, limitBytes: number): Splice | undefined {
  const limitPages = Math.min(MAX_PAGES_32, Math.max(1, Math.floor(limitBytes / PAGE)));
  for (const section of sections(module)) {
    if (section.id !== MEMORY_SECTION) continue;
    const body = rewriteMemorySection(module.subarray(section.bodyStart, section.end), limitPages);
    if (!body) return undefined;
    return { start: section.start, end: section.end, bytes: [MEMORY_SECTION, ...writeU32(body.length), ...body] };
  }
  return undefined;
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
