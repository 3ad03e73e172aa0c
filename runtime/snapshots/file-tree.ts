// A data folder as a tree of files: walking it, and copying it into another folder by hard
// links (free: the copy shares the files' data), reflinks where the file system has them, or
// plain copies. Snapshots of the stores link, because the stores never change a file in place:
// every write makes a new file and renames it over the old one (docs/snapshots.md), so a
// linked file keeps the bytes it had. Volumes are copied, since components write their files
// in place.
//
// Work goes through libuv's thread pool a few dozen files at a time, so the main thread's
// event loop keeps serving while a large store is copied. This module knows files and
// folders only, never keys or objects.
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFileSystem, syncFolder, syncPaths } from '../stores/atomic-write.ts';
import { isInternalFileName } from '../stores/safe-names.ts';

/** Files handled at once: enough to keep the thread pool busy, few enough to stay small. */
const CONCURRENCY = 48;

export interface TreeEntry {
  /** Path segments below the tree's root. */
  segments: string[];
  path: string;
  kind: 'file' | 'folder';
}

export interface WalkOptions {
  /** Leave out the studio's own files (`.cs-*`: journal, owner file, temp files) at every depth. */
  skipInternal: boolean;
}

/**
 * Every file and folder below `root`, parents before children; links and other special files
 * are reported to `onSkipped` and left out. A missing root has no entries.
 */
export async function* walkTree(root: string, options: WalkOptions, onSkipped?: (path: string) => void): AsyncGenerator<TreeEntry> {
  const pending: string[][] = [[]];
  while (pending.length > 0) {
    const segments = pending.pop()!;
    const dir = join(root, ...segments);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (segments.length === 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      if (options.skipInternal && isInternalFileName(entry.name)) continue;
      const child = [...segments, entry.name];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        yield { segments: child, path, kind: 'folder' };
        pending.push(child);
      } else if (entry.isFile()) {
        yield { segments: child, path, kind: 'file' };
      } else {
        onSkipped?.(path);
      }
    }
  }
}

/** Runs `work` over `items` with at most CONCURRENCY in flight. */
export async function inPool<T>(items: AsyncIterable<T> | Iterable<T>, work: (item: T) => Promise<void>): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const task = work(item).then(
      () => void running.delete(task),
      (error: unknown) => {
        running.delete(task);
        failure ??= { error };
      },
    );
    running.add(task);
    if (running.size >= CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

export interface CopyStats {
  files: number;
  folders: number;
  bytes: number;
  /** Files shared with the source by a hard link (no data copied). */
  linked: number;
  /** Files copied (as a reflink where the file system can). */
  copied: number;
  /** Links and special files left out. */
  skipped: string[];
}

export function emptyStats(): CopyStats {
  return { files: 0, folders: 0, bytes: 0, linked: 0, copied: 0, skipped: [] };
}

/** Errors of link() that mean "not here": another disk, a file system without links, too many links. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Copies the tree at `from` into `to` (which must not exist, or be empty): hard links with
 * `link`, falling back to copies where linking fails; reflinks or copies otherwise. Folders
 * are made as they are met, so empty ones (an empty bucket or container) are kept.
 */
export async function copyTree(from: string, to: string, options: WalkOptions & { link: boolean }): Promise<CopyStats> {
  const stats = emptyStats();
  await mkdir(to, { recursive: true });
  let linking = options.link;
  const made = new Map<string, Promise<unknown>>();
  const folderOf = (segments: string[]): Promise<unknown> => made.get(segments.slice(0, -1).join('\u0000')) ?? Promise.resolve();
  await inPool(walkTree(from, options, (path) => stats.skipped.push(path)), async (entry) => {
    const target = join(to, ...entry.segments);
    // A folder is made before anything inside it (the walk yields parents first); its
    // promise is known before this function first waits, so its children can wait for it.
    if (entry.kind === 'folder') {
      const making = folderOf(entry.segments).then(() => mkdir(target));
      made.set(entry.segments.join('\u0000'), making);
      await making;
      stats.folders++;
      return;
    }
    await folderOf(entry.segments);
    const info = await lstat(entry.path);
    stats.files++;
    stats.bytes += info.size;
    if (linking) {
      try {
        await link(entry.path, target);
        stats.linked++;
        return;
      } catch (error) {
        if (!NO_LINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
        // EMLINK is about this one file; the others are about the disk, so stop trying.
        if ((error as NodeJS.ErrnoException).code !== 'EMLINK') linking = false;
      }
    }
    await copyFile(entry.path, target, constants.COPYFILE_FICLONE);
    stats.copied++;
  });
  return stats;
}

/** Makes what was written below `dir` durable: one file-system flush where there is one, else one per file and folder. */
export async function syncTree(dir: string): Promise<void> {
  if (syncFileSystem(dir)) return;
  syncFolder(dir);
  for await (const entry of walkTree(dir, { skipInternal: false })) {
    if (entry.kind === 'folder') syncFolder(entry.path);
    else syncPaths(dir, [entry.path], []);
  }
}
