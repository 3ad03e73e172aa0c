// Reads a .wasm file and decides whether it is a WebAssembly component the studio can run.
// Only the header and the outline of the top-level sections are inspected here (a file cut
// short fails that outline); the WIT world comes from wit-world.ts.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import { readU32, sections } from './wasm-binary.ts';

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
  const read = await readComponentBytes(path);
  if (!read.ok) return read;
  const bytes = read.value;
  const checked = checkComponentFile(path, bytes);
  if (!checked.ok) return checked;
  const hash = createHash('sha256').update(bytes).digest('hex');
  return ok({ path, name: basename(path, extname(path)), bytes, hash });
}

/** Node reads no file larger than this into one buffer; no component comes near it. */
const MAX_FILE_BYTES = 2 ** 31 - 1;

/**
 * A .wasm file's bytes, unchecked but for the header: it is read first, so a large file that
 * is no WebAssembly at all is refused without reading the rest.
 */
export async function readComponentBytes(path: string): Promise<Result<Uint8Array>> {
  let file: FileHandle | undefined;
  try {
    const stats = await stat(path);
    if (stats.isDirectory()) return fail('component-not-found', `${path} is a folder, not a .wasm file.`, 'Pass a .wasm file or a project folder that has .wash/.');
    // Opening a pipe would wait for a writer; a device could be endless.
    if (!stats.isFile()) return fail('component-unreadable', `${path} is not a regular file (a pipe, socket or device).`, 'Point the studio at the .wasm file your build produces.');
    file = await open(path, 'r');
    // Read at a position, which leaves the handle's own position at 0 for readFile below.
    const head = (await file.read(Buffer.alloc(8), 0, 8, 0)).buffer.subarray(0, Math.min(8, stats.size));
    // No WebAssembly at all is refused unread; a core module's exports say more (see checkComponentFile).
    if (wasmKind(head) === 'not-wasm') return notWasm(path, head);
    if (stats.size > MAX_FILE_BYTES) {
      return fail('component-too-large', `${path} is ${(stats.size / 2 ** 30).toFixed(1)} GiB, larger than any component the studio can load (2 GiB).`, 'Check that the path names the component your build produces; a file this large is more likely a disk image or an archive.');
    }
    return ok(await file.readFile());
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('component-not-found', `No component file at ${path}.`, 'Check the path, or build the project first.');
    const hint = code === 'ENOTDIR' ? 'Check the path: a part of it names a file where a folder should be.' : code === 'EACCES' || code === 'EPERM' ? 'Check the file permissions.' : 'Check that the disk holding it is still there, then try again.';
    return fail('component-unreadable', `Cannot read ${path}: ${(err as Error).message}.`, hint);
  } finally {
    await file?.close();
  }
}

const NOT_WASM_HINT = 'Point the studio at the .wasm file your build produces.';
const CUT_SHORT_HINT = 'A build or copy that was still writing the file, or one that stopped half-way: build or copy it again (the studio loads it as soon as it is whole).';

/**
 * Why bytes wasmKind calls not-wasm are refused. `bytes` is the whole file or its first 8
 * bytes: an empty file, or a header begun and cut short, is said as such, not as "no header".
 */
function notWasm(path: string, bytes: Uint8Array): Result<never> {
  if (bytes.length === 0) return fail('not-wasm', `${path} is empty (0 bytes).`, `A build or copy that has not written it yet, or that failed? ${NOT_WASM_HINT}`);
  if (bytes.length < 8 && MAGIC.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
    return fail('wasm-truncated', `${path} is cut short: it is ${bytes.length} bytes, fewer than the 8 of a WebAssembly header.`, CUT_SHORT_HINT);
  }
  return fail('not-wasm', `${path} is not a WebAssembly file (it does not start with the \\0asm header).`, NOT_WASM_HINT);
}

/** A file's first `count` bytes (fewer when it is shorter). Opened non-blocking: a pipe named .wasm would otherwise wait for a writer. */
async function readFileHead(path: string, count = 8): Promise<Uint8Array> {
  const file = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(count), 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Refuses a file that is no component before anything is started for it, reading only its
 * header, or all of a core module, whose exports say whether it is a Spin 1 app or a WASI
 * adapter. Throws when the header cannot be read.
 */
export async function checkComponentHead(path: string): Promise<Result<void>> {
  const checked = checkComponentBytes(path, await readFileHead(path));
  if (checked.ok || checked.error.code !== 'core-module') return checked;
  const bytes = await readComponentBytes(path);
  return bytes.ok ? checkComponentFile(path, bytes.value) : checked;
}

/** What a file's 8-byte header says it is; undefined when it cannot be read. */
export async function wasmKindOfFile(path: string): Promise<WasmKind | undefined> {
  return readFileHead(path).then(wasmKind, () => undefined);
}

/** Refuses bytes that are no runnable component: not wasm, a core module, cut short or damaged, a WIT package. */
export function checkComponentFile(path: string, bytes: Uint8Array): Result<void> {
  const checked = checkComponentBytes(path, bytes);
  if (!checked.ok) {
    const exports = checked.error.code === 'core-module' ? coreExportNames(bytes) : [];
    if (WASI_ADAPTER_EXPORTS.every((name) => exports.includes(name))) {
      return fail(
        'core-module',
        `${path} is a WASI adapter: a core module that implements WASI preview 1 (wasi_snapshot_preview1) over WASI 0.2. It is no program of its own: \`wasm-tools component new\` links it into a wasip1 module to make that module a component.`,
        'Point the studio at your component instead: build for wasm32-wasip2, or run `wasm-tools component new your-module.wasm --adapt wasi_snapshot_preview1=<this file> -o component.wasm` and serve component.wasm.',
      );
    }
    if (exports.some((name) => SPIN_V1_HTTP_EXPORTS.includes(name))) {
      return fail(
        'core-module',
        `${path} is a Spin 1 HTTP app: a core WebAssembly module that exports handle-http-request, Spin's own interface before components.`,
        'No WASI adapter turns it into a wasi:http component. Rebuild it with a current Spin SDK (Spin 2 and later build components that export wasi:http/incoming-handler), or run it with spin up.',
      );
    }
    return checked;
  }
  const shape = outline(bytes);
  if (shape.problem === 'cut-short') {
    return fail(
      'wasm-truncated',
      `${path} is cut short: it is ${bytes.length} bytes, and its section at byte ${shape.at} needs more (or the rest is zeros).`,
      CUT_SHORT_HINT,
    );
  }
  if (shape.problem === 'not-a-section') {
    return fail(
      'wasm-damaged',
      `${path} is not valid WebAssembly from byte ${shape.at} on (of ${bytes.length}): a section starts there with id ${shape.id}, which the format does not have.`,
      'Something wrote over the file or added bytes to its end (a download or copy mixed with another file?): build or copy it again.',
    );
  }
  if (shape.sectionIds.length > 0 && shape.sectionIds.every((id) => WIT_PACKAGE_SECTIONS.has(id))) {
    return fail(
      'wit-package',
      `${path} is a WIT package: it defines interfaces and worlds, and holds no code to run.`,
      'Point the studio at the component your build produces. Files like this one sit in wit/deps folders, or come from `wasm-tools component wit --wasm` and wkg.',
    );
  }
  return ok(undefined);
}

/** Refuses bytes that are no component (not wasm, a core module, an unknown version), naming `path`. */
function checkComponentBytes(path: string, bytes: Uint8Array): Result<void> {
  const kind = wasmKind(bytes);
  if (kind === 'not-wasm') return notWasm(path, bytes);
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
 * What every WASI preview 1 adapter exports, and no wasip1 program does (it imports them): the
 * adapters of wasmtime, jco and Spin alike.
 */
const WASI_ADAPTER_EXPORTS = ['fd_write', 'proc_exit', 'args_get', 'cabi_import_realloc'];

/** What a Spin 1 HTTP module exports (its SDKs' two spellings). */
const SPIN_V1_HTTP_EXPORTS = ['handle-http-request', 'spin-http-handle-http-request', 'spin_http_handle_http_request'];

/** The export names of a core module's export section (none for anything else, or a damaged one). */
export function coreExportNames(bytes: Uint8Array): string[] {
  if (wasmKind(bytes) !== 'core-module') return [];
  try {
    const exports = [...sections(bytes)].find((section) => section.id === EXPORT_SECTION);
    if (!exports) return [];
    const names: string[] = [];
    let [count, at] = readU32(bytes, exports.bodyStart);
    for (; count > 0 && at < exports.end; count--) {
      const [length, nameStart] = readU32(bytes, at);
      names.push(new TextDecoder().decode(bytes.subarray(nameStart, nameStart + length)));
      // The kind (one byte), then the index.
      [, at] = readU32(bytes, nameStart + length + 1);
    }
    return names;
  } catch {
    return []; // sections or numbers that run past the end: a damaged module names nothing
  }
}

/** A core module's export section. */
const EXPORT_SECTION = 7;

/** Section ids of a component (custom to export, and value) and of a core module (up to tag). */
const LAST_SECTION_ID = { component: 12, 'core-module': 13 } as const;
/** Custom, type and export sections: all a binary WIT package has, and nothing a runnable component can do without. */
const WIT_PACKAGE_SECTIONS = new Set([0, 7, 11]);

export type Outline =
  | { problem?: undefined; sectionIds: number[] }
  /** A section runs past the end, or zeros stand where one should be. */
  | { problem: 'cut-short'; at: number }
  /** A section id the format does not have: bytes written over, or appended after the end. */
  | { problem: 'not-a-section'; at: number; id: number };

/**
 * The ids of the top-level sections of a component or module, or where they stop adding up.
 * Reads only section heads, so a 15 MB component costs microseconds.
 */
export function outline(bytes: Uint8Array): Outline {
  const lastId = wasmKind(bytes) === 'core-module' ? LAST_SECTION_ID['core-module'] : LAST_SECTION_ID.component;
  const sectionIds: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= bytes.length || shift > 28) return id > lastId ? { problem: 'not-a-section', at: start, id } : { problem: 'cut-short', at: start };
      const byte = bytes[at++]!;
      size += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
    }
    // A custom section holds at least its name's length: a zero there is a run of zeros.
    if (id === 0 && size === 0) return { problem: 'cut-short', at: start };
    if (id > lastId) return { problem: 'not-a-section', at: start, id };
    if (at + size > bytes.length) return { problem: 'cut-short', at: start };
    sectionIds.push(id);
    at += size;
  }
  return { sectionIds };
}

/** Where the sections stop adding up (undefined when they end exactly at the end of the bytes). */
export function cutShortAt(bytes: Uint8Array): number | undefined {
  const shape = outline(bytes);
  return shape.problem === undefined ? undefined : shape.at;
}
