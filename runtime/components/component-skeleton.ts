// Splits a component binary into its core modules and the rest, its skeleton. jco's glue
// depends on the skeleton only (imports, exports, how core instances are wired), so two
// builds of the same project that differ only inside their core modules (a JS change in a
// componentize-js project: same engine, new snapshot) can share one transpiled glue, with the
// new core modules dropped in. That turns a seconds-long transpile into a file copy.
import { createHash } from 'node:crypto';

const CORE_MODULE_SECTION = 1;
/** Core module sections that shape its interface: types, imports, functions, exports. */
const CORE_INTERFACE_SECTIONS = new Set([1, 2, 3, 7]);
const COMPONENT_SECTION = 4;
const HEADER_BYTES = 8;

export interface ComponentSkeleton {
  /** sha256 of every byte outside the core modules, and of each core module's interface. */
  hash: string;
  /** Core modules in the order jco numbers them (depth first, as they appear). */
  coreModules: Uint8Array[];
}

function readU32(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new Error('truncated section size in a component');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function* coreSections(module: Uint8Array): Generator<[number, Uint8Array]> {
  let at = HEADER_BYTES;
  while (at < module.length) {
    const id = module[at]!;
    const [size, body] = readU32(module, at + 1);
    yield [id, module.subarray(at, body + size)];
    at = body + size;
  }
}

export function componentSkeleton(bytes: Uint8Array): ComponentSkeleton {
  const hash = createHash('sha256');
  const coreModules: Uint8Array[] = [];
  const walk = (start: number, end: number) => {
    hash.update(bytes.subarray(start - HEADER_BYTES, start));
    let at = start;
    while (at < end) {
      const id = bytes[at]!;
      const [size, body] = readU32(bytes, at + 1);
      const next = body + size;
      if (next > end) throw new Error('a section runs past the end of the component');
      if (id === CORE_MODULE_SECTION) {
        const module = bytes.subarray(body, next);
        coreModules.push(module);
        hash.update(`core module ${coreModules.length}\n`);
        // Its interface belongs to the skeleton, so a module that links differently never
        // inherits glue written for another.
        for (const [sectionId, section] of coreSections(module)) if (CORE_INTERFACE_SECTIONS.has(sectionId)) hash.update(section);
      } else if (id === COMPONENT_SECTION) {
        hash.update('component {\n');
        walk(body + HEADER_BYTES, next);
        hash.update('}\n');
      } else {
        hash.update(bytes.subarray(at, next));
      }
      at = next;
    }
  };
  walk(HEADER_BYTES, bytes.length);
  return { hash: hash.digest('hex'), coreModules };
}
