// Reads a .wasm file and decides whether it is a WebAssembly component the studio can run.
// Only the header and the outline of the top-level sections are inspected here (a file cut
// short fails that outline); the WIT world comes from wit-world.ts.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';

export interface ComponentFile {
  path: string;
  /** The file name without `.wasm`, used as the component's name when none is given. */
  name: string;
  bytes: Uint8Array;
  /** sha256 of the bytes, hex: the key of every cache derived from this component. */
  hash: string;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

export async function readComponentFile(path: string): Promise<Result<ComponentFile>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return fail('component-not-found', `No component file at ${path}.`, 'Check the path, or build the project first.');
    }
    if (code === 'EISDIR') {
      return fail('component-not-found', `${path} is a folder, not a .wasm file.`, 'Pass a .wasm file or a project folder that has .wash/.');
    }
    return fail('component-unreadable', `Cannot read ${path}: ${(err as Error).message}.`, 'Check the file permissions.');
  }
  const checked = checkComponentBytes(path, bytes);
  if (!checked.ok) return checked;
  const cut = cutShortAt(bytes);
  if (cut !== undefined) {
    return fail(
      'wasm-truncated',
      `${path} is cut short: it is ${bytes.length} bytes, and its section at byte ${cut} needs more (or the rest is zeros).`,
      'A build or copy that was still writing the file, or one that stopped half-way: build or copy it again (the studio loads it as soon as it is whole).',
    );
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  return ok({ path, name: basename(path, extname(path)), bytes, hash });
}

/** Refuses bytes that are no component (not wasm, a core module, an unknown version), naming `path`. */
export function checkComponentBytes(path: string, bytes: Uint8Array): Result<void> {
  const kind = wasmKind(bytes);
  if (kind === 'not-wasm') {
    return fail(
      'not-wasm',
      `${path} is not a WebAssembly file (it does not start with the \\0asm header).`,
      'Point the studio at the .wasm file your build produces.',
    );
  }
  if (kind === 'core-module') {
    return fail(
      'core-module',
      `${path} is a core WebAssembly module, not a component.`,
      'Turn it into a component first, e.g. build for wasm32-wasip2 or run `wasm-tools component new` (with a WASI adapter for wasip1 modules).',
    );
  }
  if (kind === 'unknown-version') {
    return fail(
      'unsupported-wasm-version',
      `${path} uses a WebAssembly binary version this studio does not know (a draft of the component model, or a newer format).`,
      'Rebuild it with a current toolchain that emits WebAssembly components (component model layer 1, version 0x0d).',
    );
  }
  return ok(undefined);
}

export type WasmKind = 'component' | 'core-module' | 'not-wasm' | 'unknown-version';

export function wasmKind(bytes: Uint8Array): WasmKind {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) return 'not-wasm';
  const version = bytes[4]! | (bytes[5]! << 8);
  const layer = bytes[6]! | (bytes[7]! << 8);
  if (layer === 0 && version === 1) return 'core-module';
  // Layer 1 is a component; 0x0d is the version the component model's binary format settled
  // on (earlier drafts, 0x0a-0x0c, are not read by any current tool).
  if (layer === 1 && version === 0x0d) return 'component';
  return 'unknown-version';
}

/**
 * Where the top-level sections of a component or module stop adding up (undefined when they
 * end exactly at the end of the bytes): a section runs past the end, or a run of zeros stands
 * where a section should be (a custom section, id 0, must hold at least its name's length).
 * Reads only section heads, so a 15 MB component costs microseconds.
 */
export function cutShortAt(bytes: Uint8Array): number | undefined {
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 28) return start;
      const byte = bytes[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    if ((id === 0 && size === 0) || at + size > bytes.length) return start;
    at += size;
  }
  return undefined;
}
