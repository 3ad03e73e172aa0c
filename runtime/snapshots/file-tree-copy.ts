// Copying a folder tree synchronously, a system call per entry: hard links, or reflinks or
// copies where linking fails. It runs on a thread of its own (file-tree-worker.ts); see
// file-tree.ts for why links are safe for the stores and copies for volumes. Kept apart from
// file-tree.ts so that thread loads nothing else.
import { constants, copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { isInternalFileName, rawPath, SWAP_PREFIX } from '../stores/safe-names.ts';

export interface WalkOptions {
  /** Leave out the studio's own files (`.cs-*`: journal, owner file, temp files) at every depth. */
  skipInternal: boolean;
  /**
   * Leave out only a restore's staging folders (`.cs-restore-*`): a volume is the user's
   * folder, whose other names are all theirs, but a restore stages its new contents in it.
   */
  skipSwaps?: boolean;
}

/** True for an entry the options leave out. */
export function leftOut(name: string, options: WalkOptions): boolean {
  return (options.skipInternal && isInternalFileName(name)) || (options.skipSwaps === true && name.startsWith(SWAP_PREFIX));
}

export interface CopyStats {
  files: number;
  folders: number;
  bytes: number;
  /** Files shared with the source by a hard link (no data copied). */
  linked: number;
  /** Files copied (as a reflink where the file system can). */
  copied: number;
  /** Special files (FIFOs, sockets, devices) left out. */
  skipped: string[];
}

/**
 * A name that is not UTF-8 comes back from readdir with U+FFFD in its place, and that string
 * names no file. No key or object can live there (the stores do not list it): walks leave it
 * out, and copies take such files by their raw bytes (copyUndecodable), so a restore keeps them.
 */
export function unreachableName(name: string, path: string): boolean {
  return name.includes('\uFFFD') && lstatSync(path, { throwIfNoEntry: false }) === undefined;
}

export function emptyStats(): CopyStats {
  return { files: 0, folders: 0, bytes: 0, linked: 0, copied: 0, skipped: [] };
}

/** Errors of link() that mean "not here": another disk, a file system without links, too many links. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface CopyOptions extends WalkOptions {
  link: boolean;
}

/**
 * Copies the tree at `from` into `to` synchronously: hard links with `link`, falling back to
 * copies where linking fails; reflinks or copies otherwise. Folders are made as they are met,
 * so empty ones (an empty bucket or container) are kept. Runs in a worker thread (see
 * copyTree): a system call per file, with nothing between them, is the fastest way through
 * 100,000 files, and the main thread's event loop keeps turning meanwhile.
 */
export function copyTreeSync(from: string, to: string, options: CopyOptions): CopyStats {
  const stats = emptyStats();
  mkdirSync(to, { recursive: true });
  let linking = options.link;
  const pending: string[][] = [[]];
  while (pending.length > 0) {
    const segments = pending.pop()!;
    let entries;
    try {
      entries = readdirSync(join(from, ...segments), { withFileTypes: true });
    } catch (error) {
      if (segments.length === 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') return stats;
      throw error;
    }
    let undecodableDone = false;
    for (const entry of entries) {
      if (leftOut(entry.name, options)) continue;
      const child = [...segments, entry.name];
      const source = join(from, ...child);
      const target = join(to, ...child);
      if (unreachableName(entry.name, source)) {
        // Copied by their bytes, all of this folder's at once: the user's files are kept.
        if (!undecodableDone) linking = copyUndecodable(join(from, ...segments), join(to, ...segments), stats, linking);
        undecodableDone = true;
        continue;
      }
      if (entry.isDirectory()) {
        mkdirSync(target);
        stats.folders++;
        pending.push(child);
        continue;
      }
      linking = copyEntry(entry, source, target, stats, linking);
    }
  }
  return stats;
}

/** Links (or, where linking fails, copies) one file; false once the disk has shown it cannot link. */
function linkOrCopy(source: string | Buffer, target: string | Buffer, stats: CopyStats, linking: boolean): boolean {
  stats.files++;
  stats.bytes += lstatSync(source).size;
  if (linking) {
    try {
      linkSync(source, target);
      stats.linked++;
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (!NO_LINK.has(code)) throw error;
      // EMLINK is about this one file; the others are about the disk, so stop trying.
      if (code !== 'EMLINK') linking = false;
    }
  }
  copyFileSync(source, target, constants.COPYFILE_FICLONE);
  stats.copied++;
  return linking;
}

/**
 * A file is linked or copied; a symbolic link (the stores follow links inside their folder)
 * is made again with the same target, so a restore puts it back as it was; anything else
 * (a FIFO, a socket) is left out and reported.
 */
function copyEntry(entry: Dirent | Dirent<Buffer>, source: string | Buffer, target: string | Buffer, stats: CopyStats, linking: boolean): boolean {
  if (entry.isFile()) return linkOrCopy(source, target, stats, linking);
  if (entry.isSymbolicLink()) {
    try {
      symlinkSync(readlinkSync(source, { encoding: 'buffer' }), target);
      stats.files++;
      stats.copied++;
    } catch (error) {
      // Windows lets only administrators (or developer mode) make links: the link is left out, as a FIFO is.
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
      stats.skipped.push(source.toString());
    }
  } else {
    stats.skipped.push(source.toString());
  }
  return linking;
}

/**
 * The entries of `from` whose names are not UTF-8, by their raw bytes: files linked or
 * copied, folders copied whole (every name inside them is reached by bytes too).
 */
function copyUndecodable(from: string, to: string, stats: CopyStats, linking: boolean): boolean {
  for (const entry of readdirSync(from, { withFileTypes: true, encoding: 'buffer' })) {
    if (!unreachableName(entry.name.toString(), join(from, entry.name.toString()))) continue;
    linking = copyRawEntry(entry, rawPath(from, entry.name), rawPath(to, entry.name), stats, linking);
  }
  return linking;
}

function copyRawEntry(entry: Dirent<Buffer>, source: Buffer, target: Buffer, stats: CopyStats, linking: boolean): boolean {
  if (!entry.isDirectory()) return copyEntry(entry, source, target, stats, linking);
  mkdirSync(target);
  stats.folders++;
  for (const inner of readdirSync(source, { withFileTypes: true, encoding: 'buffer' })) linking = copyRawEntry(inner, rawPath(source, inner.name), rawPath(target, inner.name), stats, linking);
  return linking;
}

