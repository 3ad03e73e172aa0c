// Splits a component binary into its core modules and the rest, its skeleton. jco's glue
// depends on the skeleton only (imports, exports, how core instances are wired), so two
// builds of the same project that differ only inside their core modules (a JS change in a
// componentize-js project: same engine, new snapshot) can share one transpiled glue, with the
// new core modules dropped in. That turns a seconds-long transpile into a file copy.
import { createHash } from 'node:crypto';
import { sections } from './wasm-binary.ts';

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

export function componentSkeleton(bytes: Uint8Array): ComponentSkeleton {
  const hash = createHash('sha256');
  const coreModules: Uint8Array[] = [];
  const walk = (start: number, end: number) => {
    hash.update(bytes.subarray(start - HEADER_BYTES, start));
    for (const section of sections(bytes, start, end)) {
      if (section.id === CORE_MODULE_SECTION) {
        const module = bytes.subarray(section.bodyStart, section.end);
        coreModules.push(module);
        hash.update(`core module ${coreModules.length}\n`);
        // Its interface belongs to the skeleton, so a module that links differently never
        // inherits glue written for another.
        for (const inner of sections(module)) if (CORE_INTERFACE_SECTIONS.has(inner.id)) hash.update(module.subarray(inner.start, inner.end));
      } else if (section.id === COMPONENT_SECTION) {
        hash.update('component {\n');
        walk(section.bodyStart + HEADER_BYTES, section.end);
        hash.update('}\n');
      } else {
        hash.update(bytes.subarray(section.start, section.end));
      }
    }
  };
  walk(HEADER_BYTES, bytes.length);
  return { hash: hash.digest('hex'), coreModules };
}
