// Keeps every file access of a store inside its root folder. Names are validated before they
// become paths (safe-names.ts); this module covers what validation cannot see: symbolic
// links. A folder or file that is a link is followed only when its real path stays inside
// the root; reads open files with O_NOFOLLOW so a link swapped in later is caught too.
// Writes never go through a link: they rename a new file over it.
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, realpathSync, statSync, type Stats } from 'node:fs';
import { Buffer } from 'node:buffer';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { StoreError, describeTarget, isErrno, storeErrorFrom, storeWords, type StoreContext } from './store-error.ts';
import { isWithin } from '../path-within.ts';

/**
 * Opens for reading without waiting: a FIFO where a file belongs cannot hold the thread in
 * open() (reads of regular files ignore the flag).
 */
export const READ_NONBLOCKING = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const READ_NO_FOLLOW = READ_NONBLOCKING | (constants.O_NOFOLLOW ?? 0);
/** Windows has no O_NOFOLLOW: there a link is told apart by an lstat before the open. */
const LOOK_FOR_LINKS = constants.O_NOFOLLOW === undefined;

/**
 * The real path of a store root, which need not exist yet: data folders are made when a
 * component first writes, as wash does, not when a project is opened. For a missing root the
 * path is its nearest existing ancestor's real path plus the rest, which is what realpath
 * will say once it is created. All later checks compare against this path.
 */
export function locateStoreRoot(root: string, store: StoreContext['store']): { path: string; exists: boolean } {
  const wanted = resolve(root);
  let existing = wanted;
  const missing: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(existing);
      if (missing.length === 0 && !statSync(real).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      return { path: missing.length === 0 ? real : join(real, ...missing.reverse()), exists: missing.length === 0 };
    } catch (error) {
      const parent = dirname(existing);
      if (!isErrno(error, 'ENOENT') || parent === existing) throw storeErrorFrom(error, { store, action: 'open', path: root });
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

/** Creates a located root (and its parents) for the first write. */
export function createStoreRoot(root: string, store: StoreContext['store']): void {
  // A project's own data folder (<project>/.wash/data/…) is made only while the project is
  // there: one moved or deleted while its component writes must not come back, half made, at
  // the old place (where its next build would find no sources, and say so misleadingly).
  const at = root.lastIndexOf(`${sep}.wash${sep}data`);
  const project = at > 0 ? root.slice(0, at) : undefined;
  if (project && !existsSync(project)) {
    throw new StoreError('io', `Cannot create the ${storeWords(store)} store folder ${root}: the project folder ${project} is gone (moved or deleted).`, 'Put the project folder back, or open the project where it is now.');
  }
  try {
    mkdirSync(root, { recursive: true });
    if (realpathSync(root) !== root) throw new StoreError('access-denied', `The ${storeWords(store)} store folder ${root} became a link to another place while it was being created.`, 'Check the data folder and its parents, then restart the studio.');
  } catch (error) {
    const dangling = isErrno(error, 'ENOENT') ? danglingLinkAbove(root) : undefined;
    if (dangling) {
      throw new StoreError('io', `Cannot create the ${storeWords(store)} store folder ${root}: ${dangling.link} is a symbolic link to ${dangling.target}, which does not exist.`, 'Make the folder the link points to (a disk that is not mounted?), or replace the link with a folder.', { cause: error });
    }
    throw storeErrorFrom(error, { store, action: 'create the store folder for', path: root });
  }
}

/** The nearest symbolic link on the way to `path` whose target is missing (mkdir then fails with ENOENT). */
function danglingLinkAbove(path: string): { link: string; target: string } | undefined {
  for (let dir = path; dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      if (!lstatSync(dir).isSymbolicLink()) continue;
    } catch {
      continue; // not there yet: mkdir would make it
    }
    if (!existsSync(dir)) return { link: dir, target: readlinkSync(dir) };
  }
  return undefined;
}


function outside(context: StoreContext, path: string): StoreError {
  return new StoreError('access-denied', `Cannot ${context.action} ${describeTarget(context)}: ${path} is a symbolic link that leads out of the store folder.`, 'Replace the link with a real file or folder inside the store.');
}

/**
 * Checks what is at `path`, where a folder belongs: 'missing', or 'folder' (a real folder
 * or a link to one inside the root). Throws for a file in the way or a link leading out.
 */
export function folderAt(root: string, path: string, context: StoreContext): 'missing' | 'folder' {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 'missing';
    throw storeErrorFrom(error, { ...context, path });
  }
  if (stats.isDirectory()) return 'folder';
  if (stats.isSymbolicLink()) {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return 'missing';
      throw storeErrorFrom(error, { ...context, path });
    }
    if (!isWithin(root, real)) throw outside(context, path);
    if (statSync(real).isDirectory()) return 'folder';
  }
  throw new StoreError('not-a-folder', `Cannot ${context.action} ${describeTarget(context)}: ${path} is a file, but it should be a folder.`, 'Move or delete that file so the store can use the folder.');
}

/** A context, or a function making one: built only when an error needs its words. */
export type ContextSource = StoreContext | (() => StoreContext);

function contextOf(source: ContextSource): StoreContext {
  return typeof source === 'function' ? source() : source;
}

/** Opens a file for reading without following a link that leads out; undefined when missing. */
function openInside(root: string, path: string, source: ContextSource): number | undefined {
  let link = false;
  if (LOOK_FOR_LINKS) {
    try {
      link = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
    } catch (error) {
      if (!isErrno(error, 'ENOTDIR')) throw storeErrorFrom(error, { ...contextOf(source), path });
    }
  }
  if (!link) {
    try {
      return openSync(path, READ_NO_FOLLOW);
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
      // A socket cannot be opened at all.
      if (isErrno(error, 'ENXIO')) throw notARegularFile(contextOf(source), path);
      if (!isErrno(error, 'ELOOP', 'EMLINK')) throw storeErrorFrom(error, { ...contextOf(source), path });
    }
  }
  const context = contextOf(source);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw storeErrorFrom(error, { ...context, path });
  }
  if (!isWithin(root, real)) throw outside(context, path);
  try {
    return openSync(real, READ_NONBLOCKING);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    if (isErrno(error, 'ENXIO')) throw notARegularFile(context, path);
    throw storeErrorFrom(error, { ...context, path });
  }
}

/** A FIFO, a socket or a device where a key or object belongs: reading it could block or never end. */
function notARegularFile(context: StoreContext, path: string): StoreError {
  return new StoreError('not-a-file', `Cannot ${context.action} ${describeTarget(context)}: ${path} is not a regular file (a pipe, socket or device).`, 'Move or delete it; a key or object is one ordinary file.');
}

function notAFile(context: StoreContext, path: string): StoreError {
  return new StoreError('not-a-file', `Cannot ${context.action} ${describeTarget(context)}: ${path} is a folder, but it should be a file.`, 'Move or delete that folder; a key or object is one file.');
}

/** An inclusive byte range, as wasi:blobstore gives it. */
export interface ByteRange {
  start: number;
  /** Inclusive; past the end (or omitted) means up to the end. */
  end?: number;
}

/** Scratch space for small whole-file reads: one read call, no stat (keys are mostly small). */
const scratch = Buffer.allocUnsafe(64 * 1024);

/** A file opened inside the root for reading in pieces: the bytes of the file as it was opened. */
export interface FileRangeReader {
  /** Bytes in the range. */
  readonly size: number;
  /** Up to `max` more bytes, or undefined at the end of the range. */
  read(max: number): Uint8Array | undefined;
  close(): void;
}

/** The part of a file of `size` bytes an inclusive range covers: clamped to the file, as in wash. */
function clampRange(size: number, range: ByteRange | undefined): { start: number; length: number } {
  const start = Math.min(range?.start ?? 0, size);
  const last = Math.min(range?.end ?? size - 1, size - 1);
  return { start, length: Math.max(0, last - start + 1) };
}

/** Opens a file (or an inclusive range of it) inside the root for reading in pieces; undefined when missing. */
export function openFileInside(root: string, path: string, source: ContextSource, range?: ByteRange): FileRangeReader | undefined {
  const fd = openInside(root, path, source);
  if (fd === undefined) return undefined;
  let span: { start: number; length: number };
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw notAFile(contextOf(source), path);
    // A FIFO opens without blocking (and reads as empty); a device could be endless.
    if (!stats.isFile()) throw notARegularFile(contextOf(source), path);
    span = clampRange(stats.size, range);
  } catch (error) {
    closeSync(fd);
    throw storeErrorFrom(error, { ...contextOf(source), path });
  }
  let at = 0;
  let open = true;
  return {
    size: span.length,
    read(max) {
      if (!open || at >= span.length) return undefined;
      try {
        const bytes = readAllAt(fd, Math.min(max, span.length - at), span.start + at);
        // A file cut short under us ends the range where it ends.
        if (bytes.length === 0) return undefined;
        at += bytes.length;
        return bytes;
      } catch (error) {
        throw storeErrorFrom(error, { ...contextOf(source), path });
      }
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/**
 * Reads a file (or an inclusive range of it) inside the root; undefined when missing. More
 * than `maxBytes` to read is an error naming the file, before anything is read.
 */
export function readFileInside(root: string, path: string, source: ContextSource, range?: ByteRange, maxBytes = Number.MAX_SAFE_INTEGER): Uint8Array | undefined {
  const fd = openInside(root, path, source);
  if (fd === undefined) return undefined;
  try {
    if (!range) {
      // Most values fit the scratch buffer: a short read means we have the whole file. An
      // empty read may also be a device, which the stat below tells apart.
      const n = readSync(fd, scratch, 0, scratch.length, 0);
      // Buffer.from copies a small value into Node's pool: a third of a fresh allocation's cost.
      if (n > 0 && n < scratch.length) return Buffer.from(scratch.subarray(0, n));
    }
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw notAFile(contextOf(source), path);
    if (!stats.isFile()) throw notARegularFile(contextOf(source), path);
    const { start, length } = clampRange(stats.size, range);
    if (length > maxBytes) {
      throw new StoreError('invalid-value', `Cannot ${contextOf(source).action} ${describeTarget(contextOf(source))}: ${path} is ${length} bytes, over the ${maxBytes}-byte limit.`, 'Another program wrote a file larger than a value may be; move it to the blob store, or delete it.');
    }
    return readAllAt(fd, length, start);
  } catch (error) {
    if (isErrno(error, 'EISDIR')) throw notAFile(contextOf(source), path);
    // A pipe: it cannot be read at an offset, or has nothing written yet.
    if (isErrno(error, 'ESPIPE', 'EAGAIN')) throw notARegularFile(contextOf(source), path);
    throw storeErrorFrom(error, { ...contextOf(source), path });
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks that a file may be replaced by a rename: nothing there, a file, or a link (the
 * rename replaces the link itself). A folder in its place is an error now, before a write is
 * acknowledged, rather than when its value is written to the file later.
 */
export function checkReplaceable(path: string, context: StoreContext): void {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if (isErrno(error, 'ENOTDIR')) return;
    throw storeErrorFrom(error, { ...context, path });
  }
  if (stats?.isDirectory()) throw notAFile(context, path);
}

/** Stats a file inside the root (following an inside link); undefined when missing. */
export function statFileInside(root: string, path: string, context: StoreContext): Stats | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
    if (stats.isSymbolicLink()) {
      const real = realpathSync(path);
      if (!isWithin(root, real)) throw outside(context, path);
      stats = statSync(real);
    }
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw storeErrorFrom(error, { ...context, path });
  }
  if (stats.isDirectory()) throw notAFile(context, path);
  if (!stats.isFile()) throw notARegularFile(context, path);
  return stats;
}

/**
 * The files that may hold one key or object (its escaped name, then the raw name wash wrote
 * it under), the most recently written first: wash rewrites its raw-named file in place, so
 * when both are there the newer one holds the latest value. Ties and missing files keep the
 * given order.
 */
export function newestFirst(paths: readonly string[]): string[] {
  if (paths.length < 2) return [...paths];
  const written = (path: string): number => {
    try {
      return lstatSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;
    } catch {
      return -Infinity; // a file where a folder on the way should be: the readers say what is wrong
    }
  };
  return paths
    .map((path) => ({ path, at: written(path) }))
    .sort((a, b) => b.at - a.at)
    .map(({ path }) => path);
}

/** True when a file (not a folder) is at `path`, following only inside links. */
export function fileExistsInside(root: string, path: string, context: StoreContext): boolean {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return false;
    throw storeErrorFrom(error, { ...context, path });
  }
  if (stats.isFile()) return true;
  if (!stats.isSymbolicLink()) return false;
  try {
    const real = realpathSync(path);
    return isWithin(root, real) && statSync(real).isFile();
  } catch {
    return false;
  }
}

/** `length` bytes of `fd` from `position`, or fewer where the file ends first. */
export function readAllAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}
