// The file-backed blob store, in wash's layout: `<root>/<container>/<object name>`, where
// `/` in an object name makes nested folders (each part encoded on its own, see
// safe-names.ts). Folders left empty by a delete are removed; the container folder stays.
//
// Synchronous, like the key-value store: component calls block their worker anyway, and the
// studio UI uses short, paged calls. Every write goes to a hidden temp file in the object's
// folder, is flushed, renamed over the object and the folder flushed: readers see the old
// object or the new one, and a returned put survives a crash. Objects are large enough that
// this per-object cost is the data write itself, so there is no journal here.
//
// Metadata is the file's own: size, modification time; the content type is guessed from the
// extension. Listings do not descend into linked folders.
//
// Like the key-value store, nothing is created before the first write (a missing root reads
// as empty), and one process owns a root at a time (store-owner.ts). Uploads whose object
// name comes after their bytes (wasi:blobstore lets a component write the bytes first) are
// staged in a temp file in the root and moved into place when named, so no upload is held
// in memory.
import { copyFileSync, constants as fsConstants, existsSync, mkdirSync, readdirSync, realpathSync, rmdirSync, rmSync, statSync, unlinkSync, type Dirent, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { TempFile, removeFolder, removeLeftovers, renameRetrying, syncFolder } from './atomic-write.ts';
import { claimStoreRoot, releaseStoreRoot } from './store-owner.ts';
import { finishRootSwaps } from './root-swap.ts';
import { contentTypeOf } from './content-type.ts';
import { bucketFolderName, decodeSegment, isInternalFileName, objectPathSegments, rawAlternative } from './safe-names.ts';
import { StoreError, isErrno, quote, storeErrorFrom, type StoreContext } from './store-error.ts';
import { compareNames, listLimit, lowerBound } from './sorted-names.ts';
import { GatedCalls, LockSlot, SharedWord, StoreLocks, hashText } from './store-locks.ts';
import { createStoreRoot, fileExistsInside, folderAt, locateStoreRoot, newestFirst, openFileInside, readFileInside, statFileInside, type ByteRange, type FileRangeReader } from './store-root.ts';
import { isWithin } from '../path-within.ts';

export type { ByteRange, FileRangeReader } from './store-root.ts';

export interface ContainerInfo {
  name: string;
  /** When the container folder was created (ms since the epoch; its mtime where the file system has no birth time). */
  createdAt: number;
}

export interface ObjectInfo {
  name: string;
  size: number;
  /** Last modification, ms since the epoch. */
  modified: number;
  /** Guessed from the extension. */
  contentType: string;
}

export interface ObjectId {
  container: string;
  name: string;
}

export interface ObjectListOptions {
  /** Only objects (and folders) whose name starts with this. */
  prefix?: string;
  /** With '/', list one folder level: objects directly in it, and sub-folders as `prefixes`. */
  delimiter?: '/';
  /** The last object name or prefix of the previous page. */
  cursor?: string;
  /** Entries (objects + prefixes) per page: default 1000, at most 10000. */
  limit?: number;
}

export interface ObjectListPage {
  objects: ObjectInfo[];
  /** Sub-folders, as name prefixes ending in '/' (only with a delimiter). */
  prefixes: string[];
  /** Present when more entries follow: pass it back as `cursor`. */
  cursor?: string;
}

/** A streamed write: bytes go to a temp file; commit makes the object appear whole, at once. */
export interface ObjectWriter {
  readonly container: string;
  readonly name: string;
  /** Bytes written so far. */
  readonly size: number;
  write(chunk: Uint8Array): void;
  commit(): ObjectInfo;
  abort(): void;
}

/** Bytes written before their object is named; `commit` names it and puts it in place. */
export interface StagedUpload {
  readonly size: number;
  write(chunk: Uint8Array): void;
  commit(container: string, name: string): ObjectInfo;
  abort(): void;
}

export interface BlobStoreOptions {
  locks?: StoreLocks;
  /** An instance on a thread that borrows the root (a workload worker): its close never lets the root go. */
  guest?: boolean;
}

const DEFAULT_LIST_LIMIT = 1000;
const MAX_LIST_LIMIT = 10_000;

/** Where an object is, or would be: its folder path (file names) and the candidate paths. */
interface Located {
  container: string;
  name: string;
  containerDir: string;
  segments: string[];
  /** Path segments wash would have used (raw names), when they differ. */
  rawSegments: string[] | undefined;
}

function ctx(action: string, container?: string, name?: string, path?: string): StoreContext {
  const context: StoreContext = { store: 'blobstore', action };
  if (container !== undefined) context.bucket = container;
  if (name !== undefined) context.key = name;
  if (path !== undefined) context.path = path;
  return context;
}

function checkRange(range: ByteRange | undefined): void {
  if (!range) return;
  const ok = (n: number | undefined) => n === undefined || (Number.isSafeInteger(n) && n >= 0);
  if (!ok(range.start) || !ok(range.end)) throw new StoreError('invalid-value', `The byte range ${JSON.stringify(range)} is not valid.`, 'Give start and end (inclusive) as whole numbers of bytes, 0 or more.');
}

/** Folder listings kept: enough for a folder, its raw twin, and a UI switching between two. */
const FOLDER_CACHE_SIZE = 4;

/**
 * Names in listing order (decoded; a sub-folder's ends in '/'), each with its file's path, or
 * undefined for a sub-folder. Relative to a folder, or whole names for a deep listing.
 */
interface SortedListing {
  names: string[];
  paths: (string | undefined)[];
}

/** Files directly in the root are not containers; beyond this many, the warning gives a count. */
const MAX_NAMED_PROBLEMS = 10;

export class BlobStore {
  /** The real path of the store root (where it will be, while it does not exist yet). */
  readonly root: string;
  /** What opening an existing root found wrong, one sentence each; empty when all is well. */
  readonly openWarnings: string[] = [];
  private readonly locks: StoreLocks;
  private readonly rootId: number;
  private readonly guest: boolean;
  private closed = false;
  /** Calls through the gate; after a restore swapped the folder's contents, remembered folders and listings go. */
  private readonly gate: GatedCalls;
  private readonly containerDirs = new Map<string, string>();
  /** The last few folders listed (see readFolder), most recent last. */
  private readonly folderCache = new Map<string, { mtimeNs: bigint; listing: SortedListing }>();

  constructor(root: string, options: BlobStoreOptions = {}) {
    const located = locateStoreRoot(root, 'blobstore');
    this.root = located.path;
    this.locks = options.locks ?? new StoreLocks();
    this.guest = options.guest === true;
    this.rootId = hashText(this.root) | 1;
    this.gate = new GatedCalls(this.locks, () => {
      this.containerDirs.clear();
      this.folderCache.clear();
    });
    if (!this.guest) this.locks.add(SharedWord.openBlobStores, 1);
    try {
      if (located.exists) this.openRoot();
    } catch (error) {
      // Not open: the next instance on these locks is the one whose close lets the root go.
      if (!this.guest) this.locks.add(SharedWord.openBlobStores, -1);
      throw error;
    }
  }

  /** Lets the root go when this is the last instance open on its StoreLocks (guests aside). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.guest || this.locks.add(SharedWord.openBlobStores, -1) !== 1) return;
    this.locks.withSlot(LockSlot.blobRoot, () => {
      if (this.locks.load(SharedWord.blobRootOpened) !== this.rootId) return;
      releaseStoreRoot(this.root, this.locks.token());
      this.locks.store(SharedWord.blobRootOpened, 0);
    });
  }

  /**
   * Creates the root if needed and opens it for this process, once per StoreLocks: takes
   * ownership (refusing a root another live process owns) and removes temp files of dead
   * writers. An instance that opens it also checks its layout into `openWarnings`.
   */
  private openRoot(): void {
    let reopened = false;
    if (this.locks.load(SharedWord.blobRootOpened) === this.rootId) {
      if (existsSync(this.root)) return;
      // Deleted by another program while open (a data folder removed to start from empty):
      // made and claimed again, so writes go on instead of failing until a restart.
      this.locks.compareExchange(SharedWord.blobRootOpened, this.rootId, 0);
      reopened = true;
    }
    this.locks.withSlot(LockSlot.blobRoot, () => {
      if (this.locks.load(SharedWord.blobRootOpened) === this.rootId) return;
      createStoreRoot(this.root, 'blobstore');
      claimStoreRoot(this.root, this.locks.token(), 'blobstore');
      try {
        this.openWarnings.push(...finishRootSwaps(this.root));
        removeLeftovers(this.root, { recursive: true });
      } catch (error) {
        // Not opened: a later try (the disk freed, the folder fixed) must not find it taken by this process.
        releaseStoreRoot(this.root, this.locks.token());
        throw storeErrorFrom(error, ctx('open', undefined, undefined, this.root));
      }
      this.openWarnings.push(...this.layoutWarnings());
      this.locks.store(SharedWord.blobRootOpened, this.rootId);
      // Every thread's cached container folders describe what was deleted.
      if (reopened) this.locks.bumpDataGeneration();
    });
  }

  /** Files directly in the root, where only container folders belong: named, not ignored silently. */
  private layoutWarnings(): string[] {
    const strays: string[] = [];
    try {
      for (const entry of readdirSync(this.root, { withFileTypes: true })) {
        if (!isInternalFileName(entry.name) && entry.isFile()) strays.push(entry.name);
      }
    } catch (error) {
      return [`Could not check the blob folder ${this.root}: ${storeErrorFrom(error, ctx('check', undefined, undefined, this.root)).message}`];
    }
    if (strays.length === 0) return [];
    const named = strays.slice(0, MAX_NAMED_PROBLEMS).map((name) => JSON.stringify(name)).join(', ');
    const rest = strays.length > MAX_NAMED_PROBLEMS ? ` and ${strays.length - MAX_NAMED_PROBLEMS} more` : '';
    return [`The blob folder ${this.root} holds files outside any container (${named}${rest}): objects live in container folders, so the studio ignores them.`];
  }

  // ---- containers ---------------------------------------------------------------------

  containers(): ContainerInfo[] {
    return this.read(() => {
      const found = new Map<string, ContainerInfo>();
      let entries: Dirent[];
      try {
        entries = readdirSync(this.root, { withFileTypes: true });
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return [];
        throw storeErrorFrom(error, ctx('list the containers of', undefined, undefined, this.root));
      }
      for (const entry of entries) {
        if (isInternalFileName(entry.name)) continue;
        const path = join(this.root, entry.name);
        if (!entry.isDirectory() && !(entry.isSymbolicLink() && this.isInsideFolder(path))) continue;
        const name = decodeSegment(entry.name);
        if (!found.has(name)) found.set(name, { name, createdAt: this.createdAt(path) });
      }
      return [...found.values()].sort((a, b) => compareNames(a.name, b.name));
    });
  }

  containerExists(name: string): boolean {
    return this.read(() => this.containerDir(name) !== undefined);
  }

  containerInfo(name: string): ContainerInfo {
    return this.read(() => ({ name, createdAt: this.createdAt(this.requireContainer(name, 'read')) }));
  }

  /** Creates a container; an existing one is fine (wash's create-container does the same). */
  createContainer(name: string): ContainerInfo {
    return this.write(() => {
      const existing = this.containerDir(name, 'create');
      if (existing) return { name, createdAt: this.createdAt(existing) };
      const path = join(this.root, bucketFolderName(name, 'container'));
      this.openRoot();
      try {
        mkdirQuiet(path);
        syncFolder(this.root);
      } catch (error) {
        throw storeErrorFrom(error, ctx('create', name, undefined, path));
      }
      return this.containerInfo(name);
    });
  }

  /** Deletes a container and everything in it. */
  deleteContainer(name: string): void {
    return this.write(() => {
      const dir = this.requireContainer(name, 'delete');
      try {
        this.containerDirs.delete(name);
        removeFolder(this.root, dir);
      } catch (error) {
        throw storeErrorFrom(error, ctx('delete', name, undefined, dir));
      }
    });
  }

  /** Removes every object of a container; the container stays. */
  clear(container: string): void {
    return this.write(() => {
      const dir = this.requireContainer(container, 'clear');
      try {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          if (!isInternalFileName(entry.name)) rmSync(join(dir, entry.name), { recursive: true, force: true });
        }
        syncFolder(dir);
      } catch (error) {
        throw storeErrorFrom(error, ctx('clear', container, undefined, dir));
      }
    });
  }

  // ---- objects ------------------------------------------------------------------------

  list(container: string, options: ObjectListOptions = {}): ObjectListPage {
    return this.read(() => {
      const dir = this.requireContainer(container, 'list');
      const limit = listLimit(options.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const prefix = options.prefix ?? '';
      // A folder listing's names are relative to the prefix's folder (`base`), so a page of a
      // cached folder is two binary searches and `limit` stats, whatever the folder's size.
      const { listing, base } = options.delimiter === '/' ? this.folderListing(container, dir, prefix) : { listing: this.allObjects(container, dir, prefix), base: '' };
      const partial = prefix.slice(base.length);
      const { names, paths } = listing;
      let at = lowerBound(names, partial);
      const cursor = options.cursor;
      if (cursor !== undefined) {
        if (cursor.startsWith(base)) at = Math.max(at, lowerBound(names, cursor.slice(base.length), false));
        else if (cursor > base) at = names.length;
      }
      const objects: ObjectInfo[] = [];
      const prefixes: string[] = [];
      let last: string | undefined;
      let taken = 0;
      for (; at < names.length && taken < limit && names[at]!.startsWith(partial); at++) {
        const name = base + names[at]!;
        const path = paths[at];
        last = name;
        taken++;
        if (path === undefined) {
          prefixes.push(name);
          continue;
        }
        const stats = listedFile(this.root, path, ctx('list', container, name));
        if (stats) objects.push({ name, size: stats.size, modified: stats.mtimeMs, contentType: contentTypeOf(name) });
      }
      const more = at < names.length && names[at]!.startsWith(partial);
      return more && last !== undefined ? { objects, prefixes, cursor: last } : { objects, prefixes };
    });
  }

  info(container: string, name: string): ObjectInfo {
    return this.read(() => {
      const located = this.locate(container, name, 'read');
      for (const path of this.candidatePaths(located)) {
        const stats = statFileInside(this.root, path, ctx('read', container, name));
        if (stats) return { name, size: stats.size, modified: stats.mtimeMs, contentType: contentTypeOf(name) };
      }
      throw this.noSuchObject(container, name);
    });
  }

  has(container: string, name: string): boolean {
    return this.read(() => {
      const dir = this.containerDir(container);
      if (!dir) return false;
      const located = this.locate(container, name, 'read');
      return this.candidatePaths(located).some((path) => fileExistsInside(this.root, path, ctx('read', container, name)));
    });
  }

  /** The object's bytes, or an inclusive byte range of them (clamped to the object, as in wash). */
  get(container: string, name: string, range?: ByteRange): Uint8Array {
    return this.read(() => {
      checkRange(range);
      const located = this.locate(container, name, 'read');
      for (const path of this.candidatePaths(located)) {
        const bytes = readFileInside(this.root, path, ctx('read', container, name), range);
        if (bytes) return bytes;
      }
      throw this.noSuchObject(container, name);
    });
  }

  /** Opens the object (or a range of it) to read in pieces; later writes do not change what it reads. */
  openRead(container: string, name: string, range?: ByteRange): FileRangeReader {
    return this.read(() => {
      checkRange(range);
      const located = this.locate(container, name, 'read');
      for (const path of this.candidatePaths(located)) {
        const reader = openFileInside(this.root, path, ctx('read', container, name), range);
        if (reader) return reader;
      }
      throw this.noSuchObject(container, name);
    });
  }

  put(container: string, name: string, bytes: Uint8Array): ObjectInfo {
    return this.write(() => {
      const writer = this.openWrite(container, name);
      try {
        writer.write(bytes);
      } catch (error) {
        writer.abort();
        throw error;
      }
      return writer.commit();
    });
  }

  /** Starts a streamed write of one object; nothing shows until commit. */
  openWrite(container: string, name: string): ObjectWriter {
    // A bad name or a missing container fails now, before any byte is written.
    this.read(() => this.locate(container, name, 'write'));
    const upload = this.openUpload();
    return {
      container,
      name,
      get size() {
        return upload.size;
      },
      write: (chunk) => upload.write(chunk),
      commit: () => upload.commit(container, name),
      abort: () => upload.abort(),
    };
  }

  /** Starts an upload whose object is named when it is committed (see StagedUpload). */
  openUpload(): StagedUpload {
    this.openRoot();
    let temp: TempFile;
    try {
      temp = TempFile.create(this.root);
    } catch (error) {
      throw storeErrorFrom(error, ctx('stage an upload in', undefined, undefined, this.root));
    }
    let finished = false;
    return {
      get size() {
        return temp.size;
      },
      write: (chunk) => {
        if (finished) throw new Error('This upload is already committed or aborted.');
        try {
          temp.write(chunk);
        } catch (error) {
          finished = true;
          throw storeErrorFrom(error, ctx('stage an upload in', undefined, undefined, this.root));
        }
      },
      commit: (container, name) =>
        this.write(() => {
          if (finished) throw new Error('This upload is already committed or aborted.');
          finished = true;
          let located: Located;
          let folders: { dir: string; created: string[] };
          try {
            located = this.locate(container, name, 'write');
            folders = this.ensureFolders(located, container, name);
          } catch (error) {
            temp.abort();
            throw error;
          }
          this.commitTemp(located, { ...folders, temp: this.sameDisk(temp, folders.dir) }, { container, name }, () => {}, (target) => ctx('write', container, name, target));
          return this.info(container, name);
        }),
      abort: () => {
        if (finished) return;
        finished = true;
        temp.abort();
      },
    };
  }

  /** Deletes objects; missing ones are fine. Folders left empty go too. */
  delete(container: string, names: string | readonly string[]): void {
    return this.write(() => {
      const list = typeof names === 'string' ? [names] : names;
      const located = list.map((name) => ({ name, at: this.locate(container, name, 'delete') }));
      const touched = new Set<string>();
      for (const { name, at } of located) {
        this.locks.withKey(container, name, () => {
          for (const path of this.candidatePaths(at)) {
            if (!fileExistsInside(this.root, path, ctx('delete', container, name))) continue;
            try {
              unlinkSync(path);
            } catch (error) {
              if (!isErrno(error, 'ENOENT')) throw storeErrorFrom(error, ctx('delete', container, name, path));
            }
            touched.add(this.pruneEmpty(at.containerDir, dirname(path)));
          }
        });
      }
      try {
        for (const dir of touched) syncFolder(dir);
      } catch (error) {
        if (!isErrno(error, 'ENOENT')) throw storeErrorFrom(error, ctx('delete', container));
      }
    });
  }

  copy(src: ObjectId, dest: ObjectId): ObjectInfo {
    return this.write(() => {
      const from = this.locate(src.container, src.name, 'copy');
      const source = this.candidatePaths(from).find((path) => fileExistsInside(this.root, path, ctx('copy', src.container, src.name)));
      if (!source) throw this.noSuchObject(src.container, src.name);
      if (src.container === dest.container && src.name === dest.name) return this.info(dest.container, dest.name);
      const to = this.locate(dest.container, dest.name, 'write');
      const prepared = this.prepareTemp(to, dest.container, dest.name);
      const fill = () => copyFileSync(realpathSync(source), prepared.temp.path, fsConstants.COPYFILE_FICLONE);
      this.commitTemp(to, prepared, dest, fill, (target) => ctx('copy', src.container, src.name, target));
      return this.info(dest.container, dest.name);
    });
  }

  /** Moves an object (a rename on disk, so it is atomic), creating the destination folders. */
  move(src: ObjectId, dest: ObjectId): ObjectInfo {
    return this.write(() => {
      if (src.container === dest.container && src.name === dest.name) return this.info(dest.container, dest.name);
      const from = this.locate(src.container, src.name, 'move');
      const to = this.locate(dest.container, dest.name, 'write');
      const target = join(to.containerDir, ...to.segments);
      return this.locks.withPairs(
        [
          [src.container, src.name],
          [dest.container, dest.name],
        ],
        () => {
          const source = this.candidatePaths(from).find((path) => fileExistsInside(this.root, path, ctx('move', src.container, src.name)));
          if (!source) throw this.noSuchObject(src.container, src.name);
          const { dir, created } = this.ensureFolders(to, dest.container, dest.name);
          try {
            renameRetrying(source, target);
          } catch (error) {
            if (!isErrno(error, 'EXDEV')) throw storeErrorFrom(error, ctx('move', src.container, src.name, target));
            // Containers on different disks (a linked folder): copy, then delete.
            const temp = TempFile.create(dir);
            try {
              copyFileSync(realpathSync(source), temp.path);
              temp.commit(target, { sync: true });
              unlinkSync(source);
            } catch (copyError) {
              temp.abort();
              throw storeErrorFrom(copyError, ctx('move', src.container, src.name, target));
            }
          }
          try {
            syncFolder(dir);
            for (const folder of created) syncFolder(dirname(folder));
            this.removeRawCopy(to, target);
            const left = this.pruneEmpty(from.containerDir, dirname(source));
            if (left !== dir) syncFolder(left);
          } catch (error) {
            throw storeErrorFrom(error, ctx('move', src.container, src.name, target));
          }
          return this.info(dest.container, dest.name);
        },
      );
    });
  }

  /**
   * Creates the root if needed and takes it for this process now, as a first write would
   * (a restore fills a store that did not exist yet).
   */
  claim(): void {
    this.write(() => this.openRoot());
  }

  // ---- internals ----------------------------------------------------------------------

  /** A read, inside the gate a snapshot or restore closes (see StoreLocks). */
  private read<T>(fn: () => T): T {
    return this.gate.read(fn);
  }

  /** A write, inside the gate: it waits while a snapshot or restore pauses writes. */
  private write<T>(fn: () => T): T {
    return this.gate.write(fn);
  }

  private noSuchObject(container: string, name: string): StoreError {
    return new StoreError('no-such-key', `The object ${quote(name)} does not exist in container ${quote(container)}.`, 'Check the name; object names are case-sensitive and "/" separates folders.');
  }

  private requireContainer(name: string, action: string): string {
    const dir = this.containerDir(name, action);
    if (!dir) throw new StoreError('no-such-store', `The container ${quote(name)} does not exist.`, 'Check the container name, or create the container first.');
    return dir;
  }

  /** The container's folder (canonical name, else wash's raw name), or undefined. */
  private containerDir(name: string, action = 'open'): string | undefined {
    const cached = this.containerDirs.get(name);
    if (cached && folderAt(this.root, cached, ctx(action, name)) === 'folder') return cached;
    this.containerDirs.delete(name);
    const folder = bucketFolderName(name, 'container');
    const candidates = [folder];
    const raw = rawAlternative(name, folder);
    if (raw) candidates.push(raw);
    for (const candidate of candidates) {
      const path = join(this.root, candidate);
      if (folderAt(this.root, path, ctx(action, name)) === 'folder') {
        this.containerDirs.set(name, path);
        return path;
      }
    }
    return undefined;
  }

  private locate(container: string, name: string, action: string): Located {
    const segments = objectPathSegments(name);
    const containerDir = this.requireContainer(container, action);
    const parts = name.split('/');
    const raw = parts.map((part, i) => rawAlternative(part, segments[i]!) ?? segments[i]!);
    const rawSegments = raw.some((part, i) => part !== segments[i]) ? raw : undefined;
    return { container, name, containerDir, segments, rawSegments };
  }

  /**
   * Paths the object may be at, for reading: the newer first when wash wrote a raw-named twin,
   * else the canonical one first. Parent folders are checked
   * for links leading out; a file where a parent folder would be means "no such object".
   */
  private candidatePaths(located: Located): string[] {
    const paths: string[] = [];
    for (const segments of located.rawSegments ? [located.segments, located.rawSegments] : [located.segments]) {
      let dir = located.containerDir;
      let reachable = true;
      for (const segment of segments.slice(0, -1)) {
        dir = join(dir, segment);
        let kind: 'missing' | 'folder';
        try {
          kind = folderAt(this.root, dir, ctx('read', located.container, located.name));
        } catch (error) {
          if (error instanceof StoreError && error.code === 'not-a-folder') kind = 'missing';
          else throw error;
        }
        if (kind === 'missing') {
          reachable = false;
          break;
        }
      }
      if (reachable) paths.push(join(dir, segments[segments.length - 1]!));
    }
    return newestFirst(paths);
  }

  /** Creates the object's folders as needed (checking each existing one); returns the innermost. */
  private ensureFolders(located: Located, container: string, name: string): { dir: string; created: string[] } {
    const created: string[] = [];
    let dir = located.containerDir;
    for (const segment of located.segments.slice(0, -1)) {
      dir = join(dir, segment);
      if (folderAt(this.root, dir, ctx('write', container, name)) === 'missing') {
        try {
          mkdirQuiet(dir);
        } catch (error) {
          throw storeErrorFrom(error, ctx('write', container, name, dir));
        }
        created.push(dir);
      }
    }
    return { dir, created };
  }

  /** Folders plus a temp file in the innermost one; retried if a concurrent delete pruned the folder. */
  private prepareTemp(located: Located, container: string, name: string): { dir: string; created: string[]; temp: TempFile } {
    for (let attempt = 0; ; attempt++) {
      const { dir, created } = this.ensureFolders(located, container, name);
      try {
        return { dir, created, temp: TempFile.create(dir) };
      } catch (error) {
        if (!isErrno(error, 'ENOENT') || attempt >= 3) throw storeErrorFrom(error, ctx('write', container, name, dir));
      }
    }
  }

  /**
   * Fills a temp file from prepareTemp and puts it in place as the object, durably, under the
   * object's lock. On any failure the temp file goes, and so do folders made for it.
   */
  private commitTemp(located: Located, prepared: { dir: string; created: string[]; temp: TempFile }, object: ObjectId, fill: () => void, context: (target: string) => StoreContext): void {
    const { dir, created, temp } = prepared;
    const target = join(dir, located.segments[located.segments.length - 1]!);
    try {
      fill();
      this.locks.withKey(object.container, object.name, () => {
        temp.commit(target, { sync: true });
        syncFolder(dir);
        for (const folder of created) syncFolder(dirname(folder));
        this.removeRawCopy(located, target);
      });
    } catch (error) {
      temp.abort();
      this.pruneEmpty(located.containerDir, dir);
      throw storeErrorFrom(error, context(target));
    }
  }

  /**
   * A staged temp file that can be renamed into `dir`: itself, or (where `dir` is on another
   * disk, through a mount inside the root) a copy made there.
   */
  private sameDisk(temp: TempFile, dir: string): TempFile {
    let copy: TempFile | undefined;
    try {
      if (statSync(dir).dev === statSync(this.root).dev) return temp;
      temp.seal({ sync: false });
      copy = TempFile.create(dir);
      copyFileSync(temp.path, copy.path);
      temp.abort();
      return copy;
    } catch (error) {
      temp.abort();
      copy?.abort();
      throw storeErrorFrom(error, ctx('write', undefined, undefined, dir));
    }
  }

  /** After writing the canonical file, a raw-named file wash wrote for the same object goes. */
  private removeRawCopy(located: Located, target: string): void {
    if (!located.rawSegments) return;
    const raw = join(located.containerDir, ...located.rawSegments);
    if (raw === target) return;
    try {
      unlinkSync(raw);
      this.pruneEmpty(located.containerDir, dirname(raw));
    } catch (error) {
      if (!isErrno(error, 'ENOENT', 'ENOTDIR')) throw error;
    }
  }

  /** Removes empty folders from `dir` up to (not including) the container; returns the first kept folder. */
  private pruneEmpty(containerDir: string, dir: string): string {
    while (dir !== containerDir && dir.startsWith(containerDir)) {
      try {
        rmdirSync(dir);
      } catch {
        return dir;
      }
      dir = dirname(dir);
    }
    return containerDir;
  }

  /** Object names under `dir` matching `prefix`, whole and sorted, with their paths (no stat yet). */
  private allObjects(container: string, dir: string, prefix: string): SortedListing {
    const found = new Map<string, string>();
    const walk = (folder: string, namePrefix: string): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch (error) {
        if (isErrno(error, 'ENOENT', 'ENOTDIR')) return;
        throw storeErrorFrom(error, ctx('list', container, undefined, folder));
      }
      for (const entry of entries) {
        if (isInternalFileName(entry.name)) continue;
        const name = namePrefix + decodeSegment(entry.name);
        const path = join(folder, entry.name);
        if (entry.isDirectory()) {
          const sub = `${name}/`;
          if (sub.startsWith(prefix) || prefix.startsWith(sub)) walk(path, sub);
        } else if (name.startsWith(prefix) && !found.has(name) && (entry.isFile() || (entry.isSymbolicLink() && this.isInsideFile(path)))) {
          found.set(name, path);
        }
      }
    };
    walk(dir, '');
    const names = [...found.keys()].sort(compareNames);
    return { names, paths: names.map((name) => found.get(name)) };
  }

  /**
   * The listing of the folder that holds `prefix`'s level, names relative to `base` (the
   * prefix up to its last '/'). Wash may have written that folder's path raw where the studio
   * encodes it; when both exist, their entries are merged.
   */
  private folderListing(container: string, dir: string, prefix: string): { listing: SortedListing; base: string } {
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const empty = { listing: { names: [], paths: [] }, base };
    const folders: string[] = [];
    if (base === '') folders.push(dir);
    else {
      let located: Located;
      try {
        located = this.locate(container, `${base}x`, 'list');
      } catch (error) {
        // A prefix no object name can have ("//", "../") simply matches nothing.
        if (error instanceof StoreError && error.code === 'invalid-name') return empty;
        throw error;
      }
      for (const path of this.candidatePaths(located)) folders.push(dirname(path));
    }
    const listings: SortedListing[] = [];
    for (const folder of folders) {
      try {
        listings.push(this.readFolder(folder));
      } catch (error) {
        if (isErrno(error, 'ENOENT', 'ENOTDIR')) continue;
        throw storeErrorFrom(error, ctx('list', container, undefined, folder));
      }
    }
    if (listings.length === 0) return empty;
    if (listings.length === 1) return { listing: listings[0]!, base };
    const merged = new Map<string, string | undefined>();
    for (const { names, paths } of listings) names.forEach((name, i) => merged.has(name) || merged.set(name, paths[i]));
    const names = [...merged.keys()].sort(compareNames);
    return { listing: { names, paths: names.map((name) => merged.get(name)) }, base };
  }

  /**
   * A folder's entries, sorted: objects by decoded name, sub-folders with a trailing '/', the
   * studio's own files left out. The last few folders read are kept while their modification
   * time is unchanged and over 2 s old (file systems stamp times coarsely, so a younger time
   * may hide a change): paging through a folder of 100,000 objects then reads it once, not per
   * page, and so does paging through a raw folder of wash's merged with its encoded twin.
   */
  private readFolder(folder: string): SortedListing {
    const mtimeNs = statSync(folder, { bigint: true }).mtimeNs;
    const cached = this.folderCache.get(folder);
    if (cached?.mtimeNs === mtimeNs) return cached.listing;
    this.folderCache.delete(folder);
    const entries: { name: string; path: string | undefined }[] = [];
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (isInternalFileName(entry.name)) continue;
      const decoded = decodeSegment(entry.name);
      const path = join(folder, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && this.isInsideFolder(path))) entries.push({ name: `${decoded}/`, path: undefined });
      else if (entry.isFile() || (entry.isSymbolicLink() && this.isInsideFile(path))) entries.push({ name: decoded, path });
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    const listing: SortedListing = { names: [], paths: [] };
    for (const { name, path } of entries) {
      // A raw name and its encoded twin decode alike: the first one listed wins.
      if (listing.names[listing.names.length - 1] === name) continue;
      listing.names.push(name);
      listing.paths.push(path);
    }
    if (BigInt(Date.now()) * 1_000_000n - mtimeNs > 2_000_000_000n) {
      this.folderCache.set(folder, { mtimeNs, listing });
      if (this.folderCache.size > FOLDER_CACHE_SIZE) this.folderCache.delete(this.folderCache.keys().next().value!);
    }
    return listing;
  }

  private isInsideFolder(path: string): boolean {
    try {
      return isWithin(this.root, realpathSync(path)) && statSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  private isInsideFile(path: string): boolean {
    try {
      return isWithin(this.root, realpathSync(path)) && statSync(path).isFile();
    } catch {
      return false;
    }
  }

  private createdAt(path: string): number {
    try {
      const stats = statSync(path);
      return stats.birthtimeMs > 0 ? stats.birthtimeMs : stats.mtimeMs;
    } catch (error) {
      throw storeErrorFrom(error, ctx('read', undefined, undefined, path));
    }
  }
}

function mkdirQuiet(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
  }
}

/** An object's file for a listing; a pipe, socket or device is not an object, and is left out rather than failing the whole list. */
function listedFile(root: string, path: string, context: StoreContext): Stats | undefined {
  try {
    return statFileInside(root, path, context);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'not-a-file') return undefined;
    throw error;
  }
}
