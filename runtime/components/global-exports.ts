// Makes a core module's whole mutable state reachable from outside: every mutable global it
// defines is exported (as `studio:global:<index>`), beside its memories. A fresh instance's
// state can then be saved right after instantiation and put back after each request, which
// gives wash's fresh-instance semantics at a fraction of an instantiation (see
// workloads/instance-snapshot.ts). Toolchains export memory but keep globals such as the stack
// pointer, or a counter in a Rust `static`, to themselves.

import { readU32, sections, writeU32, type Splice } from './wasm-binary.ts';

const IMPORT_SECTION = 2;
const GLOBAL_SECTION = 6;
const EXPORT_SECTION = 7;
const GLOBAL_KIND = 0x03;
export const GLOBAL_EXPORT_PREFIX = 'studio:global:';

/** Value types a global may hold that JavaScript can read and write (not v128). */
const JS_VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x70, 0x6f]);

/** Skips a constant expression (a global's initializer) and its `end`. */
function skipConstExpr(body: Uint8Array, at: number): number {
  for (;;) {
    const op = body[at++];
    switch (op) {
      case 0x0b: // end
        return at;
      case 0x41: // i32.const
      case 0x42: // i64.const
        while (body[at++]! & 0x80);
        break;
      case 0x43: // f32.const
        at += 4;
        break;
      case 0x44: // f64.const
        at += 8;
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        at = readU32(body, at)[1];
        break;
      case 0xd0: // ref.null <heap type>
        at += 1;
        break;
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: // extended-const arithmetic
        break;
      case 0xfd: // v128.const: prefix, opcode 12, 16 bytes
        at = readU32(body, at)[1] + 16;
        break;
      default:
        throw new Error(`unknown instruction 0x${op?.toString(16)} in a global's initializer`);
    }
  }
}

/** How many globals the import section brings in (they come first in the global index space). */
function importedGlobals(body: Uint8Array): number {
  let [count, at] = readU32(body, 0);
  let globals = 0;
  for (; count > 0; count--) {
    for (let name = 0; name < 2; name++) {
      const [length, next] = readU32(body, at);
      at = next + length;
    }
    const kind = body[at++];
    if (kind === 0x00) at = readU32(body, at)[1]; // func: type index
    else if (kind === 0x01) {
      at += 1; // table: ref type, then limits
      const flags = body[at++]!;
      at = readU32(body, at)[1];
      if (flags & 1) at = readU32(body, at)[1];
    } else if (kind === 0x02) {
      const flags = body[at++]!;
      at = readU32(body, at)[1];
      if (flags & 1) at = readU32(body, at)[1];
    } else if (kind === GLOBAL_KIND) {
      at += 2; // value type, mutability
      globals++;
    } else if (kind === 0x04) at = readU32(body, at + 1)[1]; // tag: attribute, type index
    else throw new Error(`unknown import kind ${kind}`);
  }
  return globals;
}

/**
 * The change to `module` that exports every mutable global it defines (none when it has
 * none), and whether that covers them all: false when one could not be exported (a v128, or
 * a type this reader does not know), and the instance then has no snapshot.
 */
export function mutableGlobalExports(module: Uint8Array<ArrayBuffer>): { splice?: Splice; complete: boolean } {
  try {
    let imported = 0;
    let globalSection: { end: number } | undefined;
    let exportSection: { start: number; bodyStart: number; end: number } | undefined;
    const mutable: number[] = [];
    for (const section of sections(module)) {
      const body = module.subarray(section.bodyStart, section.end);
      if (section.id === IMPORT_SECTION) imported = importedGlobals(body);
      else if (section.id === GLOBAL_SECTION) {
        globalSection = section;
        let [count, at] = readU32(body, 0);
        for (let index = imported; count > 0; count--, index++) {
          const type = body[at++]!;
          if (!JS_VALUE_TYPES.has(type)) {
            // A typed reference (GC proposal) or v128: not readable from JS, or not parsed here.
            return { complete: false };
          }
          if (body[at++] === 1) mutable.push(index);
          at = skipConstExpr(body, at);
        }
      } else if (section.id === EXPORT_SECTION) exportSection = section;
    }
    if (mutable.length === 0 || !globalSection) return { complete: true };
    const added = mutable.flatMap((index) => {
      const name = new TextEncoder().encode(`${GLOBAL_EXPORT_PREFIX}${index}`);
      return [...writeU32(name.length), ...name, GLOBAL_KIND, ...writeU32(index)];
    });
    let start: number;
    let end: number;
    let body: number[];
    if (exportSection) {
      const old = module.subarray(exportSection.bodyStart, exportSection.end);
      const [count, first] = readU32(old, 0);
      body = [...writeU32(count + mutable.length), ...old.subarray(first), ...added];
      start = exportSection.start;
      end = exportSection.end;
    } else {
      // The export section comes right after the global section in a module's order.
      body = [...writeU32(mutable.length), ...added];
      start = globalSection.end;
      end = globalSection.end;
    }
    return { splice: { start, end, bytes: [EXPORT_SECTION, ...writeU32(body.length), ...body] }, complete: true };
  } catch {
    return { complete: false }; // the compiler will say what is wrong with the module
  }
}
