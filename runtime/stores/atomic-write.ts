// Crash-safe file replacement: the new bytes go to a hidden temp file in the target's folder,
// which is renamed over the target, so a reader sees the old file or the new one, never a
// mix. With `sync`, the temp file is flushed before the rename and the folder after it, so
// the new file also survives a power cut once the call returns.
//
// Temp and trash names carry the writer's pid (`.cs-tmp-<pid>-...`): a leftover whose process
// is gone is removed when a store opens, while files of live writers (other threads, other
// processes) are left alone. This module owns those names; it knows nothing of keys.
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { processRunning } from './process-identity.ts';
import { INTERNAL_PREFIX } from './safe-names.ts';
import { isErrno } from './store-error.ts';

export const TEMP_PREFIX = `${INTERNAL_PREFIX}tmp-`;
export const TRASH_PREFIX = `${INTERNAL_PREFIX}trash-`;

let counter = 0;

function uniqueSuffix(): string {
  // Unique per process and thread by construction; the random part only avoids leftovers of
  // an earlier process that had the same pid (creation is exclusive, so a clash just retries).
  return `${process.pid}-${threadId}-${(counter++).toString(36)}-${Math.floor(Math.random() * 0xffffffff).toString(16)}`;
}

/** How long a rename keeps trying on Windows, in ms, and its waits between tries. */
const RENAME_RETRY_MS = 2000;
const RENAME_WAITS = [5, 10, 20, 50, 100, 200];
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * renameSync, which on Windows tries again for a moment when the file or folder is busy: a
 * virus scanner, the search indexer or a backup tool that opened the new file for a moment
 * makes a rename fail with EPERM, EACCES or EBUSY, and then succeed a few ms later. The
 * stores' calls are synchronous (a component waits on them), so it waits synchronously.
 */
export function renameRetrying(from: string | Buffer, to: string | Buffer, platform: NodeJS.Platform = process.platform, rename: typeof renameSync = renameSync): void {
  const until = Date.now() + RENAME_RETRY_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      rename(from, to);
      return;
    } catch (error) {
      if (platform !== 'win32' || !isErrno(error, 'EPERM', 'EACCES', 'EBUSY') || Date.now() >= until) throw error;
    }
    Atomics.wait(sleeper, 0, 0, RENAME_WAITS[Math.min(attempt, RENAME_WAITS.length - 1)]);
  }
}

export function tempFileName(): string {
  return TEMP_PREFIX + uniqueSuffix();
}

/**
 * Deletes the folder `dir` of the store root `root`. It is renamed away first, so it
 * disappears at once even if the removal is cut short; a leftover is cleaned at next start.
 */
export function removeFolder(root: string, dir: string): void {
  const trash = join(root, TRASH_PREFIX + uniqueSuffix());
  renameRetrying(dir, trash);
  syncFolder(root);
  rmSync(trash, { recursive: true, force: true });
}

/** Flushes a folder's entries (renames, creates, deletes) to disk. */
export function syncFolder(dir: string): void {
  // Windows cannot open a folder as a file; NTFS journals its metadata itself.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems (FUSE, network) refuse fsync on folders; there is nothing more to do.
    if (!isErrno(error, 'EINVAL', 'ENOTSUP', 'EOPNOTSUPP')) throw error;
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, chunk: Uint8Array): void {
  let done = 0;
  while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
}

/** A hidden temp file being written, committed atomically to its final name or thrown away. */
export class TempFile {
  private fd: number | undefined;
  private written = 0;
  private state: 'writing' | 'sealed' | 'done' = 'writing';

  private constructor(
    readonly dir: string,
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static create(dir: string): TempFile {
    for (let attempt = 0; ; attempt++) {
      const path = join(dir, tempFileName());
      try {
        return new TempFile(dir, path, openSync(path, 'wx', 0o644));
      } catch (error) {
        if (!isErrno(error, 'EEXIST') || attempt >= 4) throw error;
      }
    }
  }

  get size(): number {
    return this.written;
  }

  write(chunk: Uint8Array): void {
    if (this.fd === undefined || this.state !== 'writing') throw new Error('The temp file is no longer open for writing.');
    try {
      writeAll(this.fd, chunk);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.written += chunk.byteLength;
  }

  /** Finishes writing (flushing first with `sync`) and closes the file; commit comes later. */
  seal(options: { sync: boolean }): void {
    if (this.state !== 'writing') return;
    const fd = this.fd!;
    try {
      if (options.sync) fdatasyncSync(fd);
    } catch (error) {
      this.abort();
      throw error;
    }
    this.fd = undefined;
    this.state = 'sealed';
    closeSync(fd);
  }

  /** Renames the temp file to `target` (same folder or another on the same disk). */
  commit(target: string, options: { sync: boolean }): void {
    if (this.state === 'done') throw new Error('The temp file is already committed or aborted.');
    this.seal(options);
    this.state = 'done';
    try {
      renameRetrying(this.path, target);
    } catch (error) {
      removeQuietly(this.path);
      throw error;
    }
  }

  abort(): void {
    if (this.state === 'done') return;
    const fd = this.fd;
    this.fd = undefined;
    this.state = 'done';
    try {
      if (fd !== undefined) closeSync(fd);
    } finally {
      removeQuietly(this.path);
    }
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Best effort: a leftover temp file is hidden and removed at the next open.
  }
}

/** True for a temp file or trash folder left by a process that no longer runs. */
export function isLeftover(fileName: string): boolean {
  const prefix = fileName.startsWith(TEMP_PREFIX) ? TEMP_PREFIX : fileName.startsWith(TRASH_PREFIX) ? TRASH_PREFIX : undefined;
  if (!prefix) return false;
  const pid = Number.parseInt(fileName.slice(prefix.length), 10);
  return Number.isSafeInteger(pid) && pid > 0 && !processRunning(pid);
}

/** Removes leftovers of dead processes in `dir` (and below, with `recursive`); returns how many. */
export function removeLeftovers(dir: string, options: { recursive: boolean }): number {
  let removed = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT', 'ENOTDIR')) return 0;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isLeftover(entry.name)) {
      rmSync(path, { recursive: true, force: true });
      removed++;
    } else if (options.recursive && entry.isDirectory() && !entry.name.startsWith(INTERNAL_PREFIX)) {
      removed += removeLeftovers(path, options);
    }
  }
  return removed;
}

let fileSystemSyncWorks: boolean | undefined;

/**
 * Flushes the whole file system that holds `path` (Linux `syncfs`, through coreutils
 * `sync -f`): one flush for any number of files. False where that is not available.
 */
export function syncFileSystem(path: string): boolean {
  if (process.platform !== 'linux' || fileSystemSyncWorks === false) return false;
  try {
    execFileSync('sync', ['-f', path], { stdio: 'ignore', timeout: 120_000 });
    fileSystemSyncWorks = true;
    return true;
  } catch {
    fileSystemSyncWorks = false;
    return false;
  }
}

/** Makes files and folders durable: one file-system flush for many, else one fsync each. */
export function syncPaths(root: string, files: Iterable<string>, folders: Iterable<string>): void {
  const fileList = [...new Set(files)];
  const folderList = [...new Set(folders)];
  if (fileList.length + folderList.length > 16 && syncFileSystem(root)) return;
  for (const file of fileList) {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) continue;
      throw error;
    }
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  for (const folder of folderList) {
    try {
      syncFolder(folder);
    } catch (error) {
      if (!isErrno(error, 'ENOENT', 'ENOTDIR')) throw error;
    }
  }
}
