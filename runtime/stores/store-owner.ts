// One process owns a store root at a time: `<root>/.cs-owner` names it (pid, start time, and
// the token of the StoreLocks its threads share). The key-value journal, its checkpoints and
// crash recovery all assume nobody else writes the folder meanwhile; a second studio writing
// beside the first could have its writes undone by the first one's replay after a crash. So a
// second process is refused with a message naming the owner, and an owner that is gone (exited,
// killed, a zombie, or a pid now reused by another program) is taken over.
//
// This module owns the owner file only; it does not know what the store keeps.
import { closeSync, fstatSync, linkSync, openSync, readSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syncFolder } from './atomic-write.ts';
import { currentProcess, processRunning } from './process-identity.ts';
import { INTERNAL_PREFIX } from './safe-names.ts';
import { StoreError, isErrno, storeErrorFrom, storeWords, type StoreContext } from './store-error.ts';
import { READ_NONBLOCKING } from './store-root.ts';

export const OWNER_FILE = `${INTERNAL_PREFIX}owner`;
/** The pid claimFolder's `refuse` gets when no single owner could be named. */
export const CONTESTED = -1;
/**
 * The pid claimFolder's `refuse` gets when the owner file holds something that names no
 * owner: a file the studio writes whole never does, so another program wrote it, and the
 * process that owns the folder (if one does) cannot be told. Taking the folder over could undo
 * that process's writes, so the user is asked to remove the file.
 */
export const UNNAMED = -2;

export interface Owner {
  pid: number;
  started: number | undefined;
  token: number;
  /**
   * The file id of the folder it was written in, in decimal: a copy of the folder (with the
   * file) has another. Read as a bigint, since NTFS ids pass 2^53 and would round together.
   */
  folder: string | undefined;
}

/** `pid started token folder`; older files hold `pid started token`, or `pid token`. */
export function parseOwner(text: string): Owner | undefined {
  const words = text.trim().split(/\s+/);
  const parts = words.slice(0, 3).map(Number);
  const folder = words[3];
  if (parts.length < 2 || !parts.every(Number.isSafeInteger) || (folder !== undefined && !/^\d+$/.test(folder))) return undefined;
  const [pid, a, b] = parts as [number, number, number | undefined];
  return b === undefined ? { pid, started: undefined, token: a, folder: undefined } : { pid, started: a < 0 ? undefined : a, token: b, folder };
}

function formatOwner(token: number, folder: string): string {
  const self = currentProcess();
  return `${self.pid} ${self.started ?? -1} ${token} ${folder}\n`;
}

/**
 * Makes this process (its StoreLocks `token`) the owner of `root`, or throws `in-use` naming
 * the live process that owns it. A stale owner file is replaced.
 */
export function claimStoreRoot(root: string, token: number, store: 'keyvalue' | 'blobstore'): void {
  const path = join(root, OWNER_FILE);
  claimFolder(root, OWNER_FILE, token, { store, action: 'open', path }, (who, pid) =>
    new StoreError(
      'in-use',
      `The ${storeWords(store)} store folder ${root} is in use by ${who}.`,
      pid === process.pid
        ? 'Open each store folder once per process and share its StoreLocks with the other threads.'
        : pid === CONTESTED
          ? 'Stop the other studio running on this data, then retry.'
          : pid === UNNAMED
            ? `If no other studio or tool is running on this data, delete ${path} and retry; the file is the studio's own and holds nothing else.`
          : `Another Component Studio (or wash-compatible tool) is running on this data. Stop process ${pid} first, or point this project at other data folders (dev.wasi_keyvalue_path / dev.wasi_blobstore_path); a .wasm file served as it is keeps its data in the .wash/ beside it, so two of them in one folder share it: give each a folder of its own.`,
    ),
  );
}

/**
 * Makes this process (with `token`) the owner of `folder` through its file `name`, or throws
 * what `refuse` makes of the live process that owns it (`who` in words, and its pid; CONTESTED
 * when the file kept coming back from other processes while this one took it over). An owner
 * that is gone, or a file copied along with the folder, is taken over. Other failures are
 * thrown as store errors in `context`.
 */
export function claimFolder(root: string, name: string, token: number, context: StoreContext, refuse: (who: string, pid: number) => Error): void {
  const path = join(root, name);
  let folder: string;
  try {
    folder = String(statSync(root, { bigint: true }).ino);
  } catch (error) {
    throw storeErrorFrom(error, context);
  }
  // Owned already (the folder's times moved, and this is the check that follows): nothing to
  // write, which on a full disk would fail and refuse every write for nothing.
  try {
    const owner = parseOwner(ownerText(path));
    if (owner && owner.pid === process.pid && owner.token === token && owner.folder === folder) return;
  } catch {
    // Missing or unreadable: the claim below says what is wrong, if anything.
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      createWhole(path, formatOwner(token, folder));
      syncFolder(root);
      return;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw storeErrorFrom(error, context);
    }
    let text: string;
    try {
      text = ownerText(path);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) continue;
      throw storeErrorFrom(error, context);
    }
    const owner = parseOwner(text);
    // Empty (a create cut short where files cannot be linked into place, or a pipe put there) names nobody, and is taken over.
    if (!owner && text.trim() !== '') throw refuse(`a process its owner file ${path} does not name (the file holds something else)`, UNNAMED);
    if (owner && owner.pid === process.pid && owner.token === token) return;
    // An owner file copied with the folder (cp -r of a project while its studio ran) names a
    // live process that owns the original, not this copy: it is taken over like a stale one.
    const copied = owner?.folder !== undefined && owner.folder !== folder;
    if (owner && !copied && processRunning(owner.pid, owner.started)) {
      throw refuse(owner.pid === process.pid ? 'this process, through another StoreLocks' : `process ${owner.pid}`, owner.pid);
    }
    // Gone (or empty): take it over. Unlinking and retrying the exclusive create keeps
    // two processes that both found it stale from both believing they own the folder.
    try {
      unlinkSync(path);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw storeErrorFrom(error, context);
    }
  }
  throw refuse('another process that keeps claiming it', CONTESTED);
}

/**
 * Creates `path` holding `text`, or fails with EEXIST: written to a temp file first and linked
 * into place, so another process never reads it empty (and takes an empty file for a stale one).
 */
function createWhole(path: string, text: string): void {
  const temp = `${path}.${process.pid}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
  try {
    writeFileSync(temp, text, { flag: 'wx' });
  } catch (error) {
    // Made but not filled (a full disk): not left behind.
    rmSync(temp, { force: true });
    throw error;
  }
  try {
    linkSync(temp, path);
  } catch (error) {
    // A file system without hard links (FAT, some network shares): an exclusive create it is.
    if (isErrno(error, 'EEXIST')) throw error;
    writeFileSync(path, text, { flag: 'wx' });
  } finally {
    unlinkSync(temp);
  }
}

/**
 * The owner file's text (its first 4 KiB): '' for a pipe, socket or device put there, which
 * must neither block the open (a FIFO) nor pass for an owner; such a file is taken over.
 */
function ownerText(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, READ_NONBLOCKING);
  } catch (error) {
    if (isErrno(error, 'ENXIO')) return '';
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) return '';
    const buffer = Buffer.alloc(4096);
    return buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Gives the folder up, if this process (with this token) still owns it (through the file `name`). */
export function releaseStoreRoot(root: string, token: number, name = OWNER_FILE): void {
  const path = join(root, name);
  try {
    const owner = parseOwner(ownerText(path));
    if (owner && owner.pid === process.pid && owner.token === token) unlinkSync(path);
  } catch {
    // Already gone; a stale owner file is taken over at the next open anyway.
  }
}

/** The process that owns `root` (through the file `name`), while it runs; undefined when none does. */
export function storeRootOwner(root: string, name = OWNER_FILE): number | undefined {
  try {
    const owner = parseOwner(ownerText(join(root, name)));
    // A file copied with its folder names the owner of the original, as claimFolder sees it.
    const copied = owner?.folder !== undefined && owner.folder !== String(statSync(root, { bigint: true }).ino);
    return owner && !copied && processRunning(owner.pid, owner.started) ? owner.pid : undefined;
  } catch {
    return undefined;
  }
}
