// A data folder as a tree of files: walking it, and copying it into another folder by hard
// links (free: the copy shares the files' data), reflinks where the file system has them, or
// plain copies. Snapshots of the stores link, because the stores never change a file in place:
// every write makes a new file and renames it over the old one (docs/snapshots.md), so a
// linked file keeps the bytes it had. Volumes are copied, since components write their files
// in place.
//
// Copies run on a worker thread, one system call after another; walks for comparing and
// exporting go through libuv's thread pool a few dozen files at a time. Either way the main
// thread's event loop keeps serving. This module knows files and folders only, never keys or
// objects.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { syncFileSystem, syncFolder, syncPaths } from '../stores/atomic-write.ts';
import { spawnWorker } from '../threads/spawn-worker.ts';
import { leftOut, unreachableName, type CopyOptions, type CopyStats, type WalkOptions } from './file-tree-copy.ts';

export type { CopyStats, WalkOptions } from './file-tree-copy.ts';

/** Files handled at once: enough to keep the thread pool busy, few enough to stay small. */
const CONCURRENCY = 48;

export interface TreeEntry {
  /** Path segments below the tree's root. */
  segments: string[];
  path: string;
  kind: 'file' | 'folder';
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
      if (leftOut(entry.name, options)) continue;
      const child = [...segments, entry.name];
      const path = join(dir, entry.name);
      if (unreachableName(entry.name, path)) {
        onSkipped?.(path);
      } else if (entry.isDirectory()) {
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

/** Every folder below `root` (not the files: a store's folders are few, its files many). */
async function* walkFolders(root: string): AsyncGenerator<string> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (!entry.isDirectory() || unreachableName(entry.name, path)) continue;
      yield path;
      pending.push(path);
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

const WORKER = new URL('./file-tree-worker.ts', import.meta.url);

/** Runs a task of file-tree-worker.ts on a thread of its own. */
async function onThread<T>(data: unknown): Promise<T> {
  const worker = spawnWorker(WORKER, { data });
  try {
    return await new Promise<T>((resolve, reject) => {
      worker.once('message', (answer: T & { error?: { message: string; code?: string } }) => {
        if (answer.error) reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
        else resolve(answer);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the file thread stopped (exit code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

/** copyTreeSync (file-tree-copy.ts) on a worker thread of its own. */
export async function copyTree(from: string, to: string, options: CopyOptions): Promise<CopyStats> {
  return (await onThread<{ stats: CopyStats }>({ from, to, options })).stats;
}

/** Removes a folder and everything in it, on a worker thread (a restore's old links: as many files as the store). */
export async function removeTree(path: string): Promise<void> {
  await onThread({ remove: path });
}

/**
 * Makes what was written below `dir` durable. Hard links need only their folders flushed
 * (the files' data is on disk already: the journal was checkpointed, objects are flushed when
 * written), which is a few fsyncs; copies need their data too: one file-system flush where
 * there is one, else one fsync per file.
 */
export async function syncTree(dir: string, options: { copied: boolean }): Promise<void> {
  if (!options.copied) {
    syncFolder(dir);
    for await (const entry of walkFolders(dir)) syncFolder(entry);
    return;
  }
  if (syncFileSystem(dir)) return;
  syncFolder(dir);
  for await (const entry of walkTree(dir, { skipInternal: false })) {
    if (entry.kind === 'folder') syncFolder(entry.path);
    else syncPaths(dir, [entry.path], []);
  }
}
