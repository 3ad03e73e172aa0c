// The file-backed key-value store, in wash's layout: `<root>/<bucket>/<key>`, one file per
// key holding the raw value bytes; the bucket "" is the root folder itself (wash joins the
// root with the empty name), so its keys are the plain files next to the bucket folders.
//
// Synchronous on purpose: a component's wasi:keyvalue call blocks its worker thread anyway,
// and the studio UI calls it from the main thread for short, bounded operations (listing is
// paged). Several threads may use one root at once when they share a StoreLocks.
//
// Durability: a set or delete is acknowledged once its record in `.cs-journal` is flushed
// (one flush shared by writers that arrive together). Its value file follows a moment later,
// written with temp + rename by the materializer thread (kv-materializer.ts); until then every
// read of the key, from any thread, finds the value in the journal through the pending index
// (pending-index.ts). A checkpoint writes whatever files are still due, flushes them and
// empties the journal (see kv-journal.ts and docs/stores.md). A reader never sees a torn
// value and an acknowledged write survives a crash. One process owns a root at a time
// (store-owner.ts).
//
// Nothing is created before the first write: opening a store whose folder does not exist
// reads as empty, and the folder, owner file and journal appear when something is written,
// as wash creates its folders when a component first uses them.
//
// This module must not hold a lock while waiting on anything but the disk, and never takes
// a stripe while holding the journal lock (see store-locks.ts for the order).
import { Buffer } from 'node:buffer';
import { existsSync, mkdirSync, readdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { removeFolder, removeLeftovers, syncFolder, syncPaths } from './atomic-write.ts';
import { JOURNAL_FILE, KeyValueJournal, applyRecord, type JournalRecord, type KeyFolders, type PlacedRecord, type RecoveryReport } from './kv-journal.ts';
import { startMaterializer, stopMaterializer } from './kv-materializer.ts';
import { bucketFolderName, decodeSegment, isInternalFileName, keyFileName, keyOfFileName, rawAlternative, rawKeyAlternative } from './safe-names.ts';
import { StoreError, errnoPath, isErrno, quote, storeErrorFrom, type StoreContext } from './store-error.ts';
import { compareNames, listLimit, lowerBound } from './sorted-names.ts';
import { GatedCalls, LockSlot, SharedWord, StoreLocks, hashText } from './store-locks.ts';
import { FileValueCache } from './file-value-cache.ts';
import { claimStoreRoot, releaseStoreRoot } from './store-owner.ts';
import { finishRootSwaps } from './root-swap.ts';
import { checkReplaceable, createStoreRoot, fileExistsInside, folderAt, locateStoreRoot, newestFirst, readFileInside } from './store-root.ts';
import { isWithin } from '../path-within.ts';

export interface KeyValueStoreOptions {
  /** Shared with the other threads that open this root (pass `locks.buffer` to workers). */
  locks?: StoreLocks;
  /** Journal bytes between checkpoints; default 4 MiB (SQLite's default WAL size). */
  journalCapacity?: number;
  /**
   * An instance on a thread that borrows the root from the thread owning `locks` (a workload
   * worker, which may be terminated at any time): its close never lets the root go.
   */
  guest?: boolean;
  /**
   * Told, once per distinct problem, when journaled values cannot be written to their files
   * (a locked file, a full disk): reads still find them, but other programs see stale files
   * until it clears. Only the instance that owns the root (not a guest) is told.
   */
  onFileTrouble?: (text: string) => void;
}

export interface KeyListOptions {
  /** Only keys starting with this text. */
  prefix?: string;
  /** The last key of the previous page; the page starts after it. */
  cursor?: string;
  /** Keys per page: default 1000, at most 10000. */
  limit?: number;
}

export interface KeyListPage {
  keys: string[];
  /** Present when more keys follow: pass it back as `cursor`. */
  cursor?: string;
}

export type { RecoveryReport } from './kv-journal.ts';

export const DEFAULT_LIST_LIMIT = 1000;
export const MAX_LIST_LIMIT = 10_000;
/** Largest value accepted (wasi:keyvalue sets no limit; a file this size is already odd). */
export const MAX_VALUE_BYTES = 256 * 1024 * 1024;
const DEFAULT_JOURNAL_CAPACITY = 4 * 1024 * 1024;
/** Layout problems named one by one in the open report; beyond this, a count. */
const MAX_NAMED_PROBLEMS = 10;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_S64 = (1n << 63n) - 1n;
const MIN_S64 = -(1n << 63n);
/** What journaledValue answers when the key's file is current. */
const IN_FILE = Symbol('in file');

/** One StoreLocks per root per thread for stores opened without one, so they agree. */
const threadLocks = new Map<string, StoreLocks>();

function ctx(action: string, bucket?: string, key?: string, path?: string): StoreContext {
  const context: StoreContext = { store: 'keyvalue', action };
  if (bucket !== undefined) context.bucket = bucket;
  if (key !== undefined) context.key = key;
  if (path !== undefined) context.path = path;
  return context;
}

/** Values of SharedWord.journalState: how far this process has opened the root. */
const enum RootState {
  /** Nothing done yet (the folder may not exist). */
  closed = 0,
  /** The folder exists and this process owns it; leftovers removed, journal recovered if there was one. */
  owned = 1,
  /** ...and the journal file exists, with its shared positions set. */
  journaling = 2,
}

export class KeyValueStore {
  /** The real path of the store root (where it will be, while it does not exist yet). */
  readonly root: string;
  /**
   * What opening an existing root found, when this instance opened it: journaled writes
   * replayed after an unclean stop, and warnings naming what was repaired, kept aside or
   * left unreadable. Undefined when there was nothing to say.
   */
  openReport: RecoveryReport | undefined;

  private readonly locks: StoreLocks;
  private readonly journal: KeyValueJournal;
  private readonly bucketDirs = new Map<string, string>();
  /** Values read from files, checked against the file's metadata at every read. */
  private readonly values = new FileValueCache();
  private listing: { dir: string; mtimeNs: bigint; keys: string[] } | undefined;
  /** Records read by journaledRecords, from `from` up to `to` of one generation. */
  private journaled: { generation: number; from: number; to: number; records: PlacedRecord[] } = { generation: -1, from: 0, to: 0, records: [] };
  private closed = false;
  private readonly guest: boolean;
  /** Calls through the gate; after a restore swapped the folder's contents, remembered folders and listings go. */
  private readonly gate: GatedCalls;

  constructor(root: string, options: KeyValueStoreOptions = {}) {
    const located = locateStoreRoot(root, 'keyvalue');
    this.root = located.path;
    let locks = options.locks ?? threadLocks.get(this.root);
    if (!locks) threadLocks.set(this.root, (locks = new StoreLocks()));
    this.locks = locks;
    this.guest = options.guest === true;
    this.gate = new GatedCalls(locks, () => {
      this.bucketDirs.clear();
      this.listing = undefined;
      this.values.clear();
      this.journaled = { generation: -1, from: 0, to: 0, records: [] };
    });
    this.journal = new KeyValueJournal(join(this.root, JOURNAL_FILE), locks, Math.max(64 * 1024, options.journalCapacity ?? DEFAULT_JOURNAL_CAPACITY));
    const rootId = hashText(this.root) | 1;
    locks.withAll(() => {
      const claimed = locks.compareExchange(SharedWord.keyValueRoot, 0, rootId);
      if (claimed !== 0 && claimed !== rootId) {
        throw new Error('This StoreLocks already serves another key-value store root: use one StoreLocks per root (or close every store of the old root first).');
      }
      // An existing root is opened now, so a second studio is refused at once and a crash's
      // journal is replayed before anything reads; a missing one waits for the first write.
      // A guest borrows what its owner opened: it opens the root only to write (a thread
      // that outlives its owner's close must not take the root back for this process).
      if (!this.guest && located.exists && locks.load(SharedWord.journalState) === RootState.closed) this.openRootLocked();
      if (!this.guest) locks.add(SharedWord.openStores, 1);
    });
    if (!this.guest) startMaterializer(this.root, locks, this.journal.capacity, options.onFileTrouble);
  }

  // ---- buckets ----------------------------------------------------------------------

  /** Bucket names, sorted; "" is listed when the root folder holds keys. */
  buckets(): string[] {
    return this.read(() => {
      const names = new Set<string>();
      let rootHasKeys = false;
      try {
        for (const entry of readdirSync(this.root, { withFileTypes: true })) {
          if (isInternalFileName(entry.name)) continue;
          if (entry.isDirectory()) names.add(decodeSegment(entry.name));
          else if (entry.isFile()) rootHasKeys = true;
          else if (entry.isSymbolicLink()) {
            const kind = this.linkKind(join(this.root, entry.name));
            if (kind === 'folder') names.add(decodeSegment(entry.name));
            else if (kind === 'file') rootHasKeys = true;
          }
        }
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return [];
        throw storeErrorFrom(error, ctx('list the buckets of', undefined, undefined, this.root));
      }
      // Buckets get their folder at the first set; keys of "" may still be in the journal only.
      if (rootHasKeys || this.journaledRecords().some((r) => r.bucket === '' && r.op === 'set')) names.add('');
      return [...names].sort(compareNames);
    });
  }

  bucketExists(name: string): boolean {
    return this.read(() => name === '' || this.verifiedBucketDir(name, 'open') !== undefined);
  }

  /** Creates the bucket's folder if it is missing (wash creates it when a component opens it). */
  createBucket(name: string): void {
    return this.write(() => {
      if (name === '') return;
      const existed = this.verifiedBucketDir(name, 'create');
      if (existed) return;
      this.openForWriting();
      this.bucketDir(name, 'create', 'create');
      try {
        syncFolder(this.root);
      } catch (error) {
        throw storeErrorFrom(error, ctx('create', name, undefined, this.root));
      }
    });
  }

  /** Deletes a bucket and all its keys; for "", the keys in the root folder. */
  deleteBucket(name: string): void {
    return this.write(() => {
      const dir = this.verifiedBucketDir(name, 'delete');
      if (!dir && name === '') return;
      if (!dir) throw new StoreError('no-such-store', `The bucket ${quote(name)} does not exist.`, 'Check the bucket name; it may have been deleted already.');
      this.locks.withAll(() => {
        // Records for this bucket must not replay into it after a crash.
        this.checkpointLocked();
        try {
          if (name === '') {
            for (const entry of readdirSync(dir, { withFileTypes: true })) {
              if (!isInternalFileName(entry.name) && !entry.isDirectory()) unlinkSync(join(dir, entry.name));
            }
            syncFolder(dir);
          } else {
            this.bucketDirs.delete(name);
            removeFolder(this.root, dir);
          }
        } catch (error) {
          throw storeErrorFrom(error, ctx('delete', name, undefined, dir));
        }
      });
    });
  }

  // ---- keys ---------------------------------------------------------------------------

  /** A page of keys in stable sorted order (UTF-16 code unit order). */
  list(bucket: string, options: KeyListOptions = {}): KeyListPage {
    return this.read(() => {
      const dir = this.verifiedBucketDir(bucket, 'list');
      // Bucket "" is the store itself: empty until its first write makes the root.
      if (!dir && bucket === '') return { keys: [] };
      if (!dir) throw new StoreError('no-such-store', `The bucket ${quote(bucket)} does not exist.`, 'Check the bucket name, or create the bucket first.');
      const limit = listLimit(options.limit, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const prefix = options.prefix ?? '';
      const keys = this.currentKeys(bucket, dir);
      let at = options.cursor !== undefined && options.cursor >= prefix ? lowerBound(keys, options.cursor, false) : lowerBound(keys, prefix, true);
      const page: string[] = [];
      while (at < keys.length && page.length < limit && keys[at]!.startsWith(prefix)) page.push(keys[at++]!);
      const more = at < keys.length && keys[at]!.startsWith(prefix);
      return more ? { keys: page, cursor: page[page.length - 1]! } : { keys: page };
    });
  }

  /** How many keys the bucket holds (0 for a missing bucket). */
  size(bucket: string): number {
    return this.read(() => {
      const dir = this.verifiedBucketDir(bucket, 'count the keys of');
      return dir ? this.currentKeys(bucket, dir).length : 0;
    });
  }

  get(bucket: string, key: string): Uint8Array | undefined {
    return this.read(() => this.currentValue(bucket, key));
  }

  exists(bucket: string, key: string): boolean {
    return this.read(() => this.keyExists(bucket, key));
  }

  set(bucket: string, key: string, value: Uint8Array): void {
    this.setMany(bucket, [[key, value]]);
  }

  delete(bucket: string, key: string): void {
    this.deleteMany(bucket, [key]);
  }

  getMany(bucket: string, keys: readonly string[]): (Uint8Array | undefined)[] {
    return this.read(() => keys.map((key) => this.currentValue(bucket, key)));
  }

  /** Sets several keys with one journal flush. Not atomic as a whole (nor is wasi's). */
  setMany(bucket: string, entries: readonly (readonly [string, Uint8Array])[]): void {
    return this.write(() => {
      const latest = new Map<string, { file: string; value: Uint8Array }>();
      for (const [key, value] of entries) {
        const file = keyFileName(key);
        checkValue(bucket, key, value);
        latest.set(key, { file, value });
      }
      if (latest.size === 0) return;
      // The bucket's folder is made now, so the bucket exists as soon as the set returns.
      this.withBucketRetry(bucket, (dir) =>
        this.logged(bucket, [...latest.keys()], (log) => {
          for (const [key, { file }] of latest) this.checkWritable(dir, bucket, key, file);
          log([...latest].map(([key, { value }]) => ({ op: 'set', bucket, key, value })));
        }),
      );
    });
  }

  /** Deletes keys; missing keys are fine (as in wasi:keyvalue). */
  deleteMany(bucket: string, keys: readonly string[]): void {
    return this.write(() => {
      const unique = [...new Set(keys)];
      for (const key of unique) keyFileName(key); // names checked before anything else
      // A folder is looked at, not remembered: another program may have removed it, and the
      // root (bucket "") does not exist before a store's first write.
      if (!this.verifiedBucketDir(bucket, 'delete') || unique.length === 0) return;
      // A delete may be this thread's first write (a worker's request that only deletes).
      this.openForWriting();
      this.logged(bucket, unique, (log) => {
        const doomed = unique.filter((key) => this.keyExists(bucket, key));
        if (doomed.length > 0) log(doomed.map((key) => ({ op: 'delete', bucket, key })));
      });
    });
  }

  /**
   * Adds `delta` to a counter and returns the new value, atomically across threads. The
   * value is decimal ASCII text, as wash's file store keeps it; a missing key counts as 0.
   * The result must stay within u64 (wasi:keyvalue/atomics 0.2.0-draft), or within s64 with
   * `signed` (the later drafts' signed increment); a delta may be negative either way.
   */
  increment(bucket: string, key: string, delta: bigint, options: { signed?: boolean } = {}): bigint {
    const [min, max, range] = options.signed ? [MIN_S64, MAX_S64, '-2^63..2^63-1'] : [0n, MAX_U64, '0..2^64-1'];
    return this.update(bucket, key, (current) => {
      const next = (current === undefined ? 0n : parseCounter(bucket, key, current)) + delta;
      if (next < min || next > max) {
        throw new StoreError('invalid-value', `Cannot increment key ${quote(key)} in bucket ${quote(bucket)}: the result ${next} is outside ${range}.`, `Counters are ${options.signed ? 'signed' : 'unsigned'} 64-bit numbers; use a smaller delta.`);
      }
      return { value: Buffer.from(next.toString(), 'ascii'), result: next };
    });
  }

  /**
   * Atomic read-modify-write of one key across threads (compare-and-swap, counters):
   * `change` gets the current value and returns the new one (`undefined` deletes the key,
   * the very object it was given leaves the key untouched) and a result to hand back.
   * `change` runs under the key's lock: keep it short, do not call the store from it, and
   * expect it to run again if the journal had to be checkpointed first.
   */
  update<T>(bucket: string, key: string, change: (current: Uint8Array | undefined) => { value: Uint8Array | undefined; result: T }): T {
    const file = keyFileName(key);
    return this.write(() =>
      this.withBucketRetry(bucket, (dir) =>
        this.logged(bucket, [key], (log) => {
          const current = this.currentValue(bucket, key);
          const { value, result } = change(current);
          if (value === current) return result;
          if (value === undefined) {
            if (current !== undefined) log([{ op: 'delete', bucket, key }]);
            return result;
          }
          checkValue(bucket, key, value);
          this.checkWritable(dir, bucket, key, file);
          log([{ op: 'set', bucket, key, value }]);
          return result;
        }),
      ),
    );
  }

  // ---- durability ---------------------------------------------------------------------

  /**
   * Creates the root if needed and takes it for this process now, as a first write would
   * (a restore fills a store that did not exist yet).
   */
  claim(): void {
    this.write(() => this.openForWriting());
  }

  /** Writes journaled values to their files (the materializer thread's loop); returns how many. */
  writeJournaled(): number {
    return this.write(() => this.writePending());
  }

  /** Flushes value files and folders written since the last checkpoint and empties the journal. */
  checkpoint(): void {
    this.locks.withAll(() => this.checkpointLocked());
  }

  /**
   * Closes this instance after a checkpoint (so a clean shutdown leaves an empty journal);
   * the last instance open on its StoreLocks also lets go of the journal.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.locks.withAll(() => {
      try {
        this.checkpointLocked();
      } catch (error) {
        // A journal deleted with its data folder: the values whose folders went are gone, as the deletion meant.
        if (this.journal.present()) throw error;
      } finally {
        // Even when the checkpoint failed (the journal is replayed at the next start), the root is let go.
        if (!this.guest && this.locks.add(SharedWord.openStores, -1) === 1) {
          stopMaterializer(this.locks);
          if (this.locks.load(SharedWord.journalState) !== RootState.closed) releaseStoreRoot(this.root, this.locks.token());
          this.locks.store(SharedWord.journalState, RootState.closed);
          this.locks.store(SharedWord.keyValueRoot, 0);
        }
      }
    });
    this.journal.close();
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

  private readonly fileNames = new Map<string, string>();

  /** keyFileName, remembered for recently read keys (validation and escaping cost more than the lookup). */
  private fileNameOf(key: string): string {
    let file = this.fileNames.get(key);
    if (file === undefined) {
      file = keyFileName(key);
      if (this.fileNames.size >= 4096) this.fileNames.clear();
      this.fileNames.set(key, file);
    }
    return file;
  }

  /**
   * Runs `work` holding the keys' stripes. `work` calls `log(records)` before changing any
   * file: the records are appended and flushed (group commit); false means the journal is
   * full, and `work` must return at once: a checkpoint runs and `work` runs again.
   */
  private logged<T>(bucket: string, keys: readonly string[], work: (log: (records: readonly JournalRecord[]) => boolean) => T): T {
    if (this.closed) throw new Error('This KeyValueStore is closed.');
    for (;;) {
      let full = false;
      const result = this.locks.withKeys(bucket, keys, () =>
        work((records) => {
          if (records.length === 0) return true;
          const appended = this.locks.pending.full(records.length) ? undefined : this.journal.append(records);
          if (appended === undefined) {
            full = true;
            return false;
          }
          this.journal.flush(appended.end);
          // Acknowledged: reads find the value in the journal until its file is written.
          records.forEach((record, i) => this.locks.pending.noteWrite(record.bucket, record.key, appended.offsets[i]!));
          return true;
        }),
      );
      if (!full) return result;
      try {
        this.checkpoint();
      } catch (error) {
        // Making room failed on another key's file: say so about the keys this call writes.
        const cause = storeErrorFrom(error, ctx('write', bucket, keys[0], this.root));
        const what = keys.length === 1 ? `key ${quote(keys[0]!)}` : `${keys.length} keys`;
        throw new StoreError(cause.code, `Cannot write ${what} in bucket ${quote(bucket)}: the journal is full, and writing earlier values to their files to make room failed: ${cause.message}`, cause.hint, { cause: error });
      }
    }
  }

  /** Resolves (creating) the bucket folder for a write, once more if it vanished meanwhile. */
  private withBucketRetry<T>(bucket: string, write: (dir: string) => T): T {
    this.openForWriting();
    // A remembered folder is looked at again (one lstat, next to the write's flush): removed
    // by another program, it is made again now, not when the file is written a moment later.
    const dir = this.verifiedBucketDir(bucket, 'write') ?? this.bucketDir(bucket, 'create', 'write');
    try {
      return write(dir);
    } catch (error) {
      // Deleted by another thread or program since we looked it up: look again.
      if (!(error instanceof StoreError && isErrno(error.cause, 'ENOENT'))) throw error;
      this.bucketDirs.delete(bucket);
      return write(this.bucketDir(bucket, 'create', 'write'));
    }
  }

  private checkpointLocked(): void {
    if (!this.journal.dirty) return;
    // Other threads may have written while this one never did: it opens the journal now (deleted meanwhile, there is nothing to read).
    if (!this.journal.openExisting()) return;
    // Holding every stripe, nothing else writes: the files the materializer has not written yet are written here.
    const keyFolders = this.keyFolders();
    for (const { record } of this.journal.recordsBetween(this.locks.load(SharedWord.journalWritten), this.locks.load(SharedWord.journalEnd))) {
      try {
        applyRecord(keyFolders, record);
      } catch (error) {
        // The journal keeps the value (reads still find it); the error names the key and its file.
        throw storeErrorFrom(error, ctx(record.op === 'set' ? 'write' : 'delete', record.bucket, record.key, errnoPath(error) ?? this.root));
      }
    }
    const files: string[] = [];
    const folders = new Set<string>([this.root]);
    for (const record of this.journal.pendingKeys()) {
      const dir = this.peekBucketDir(record.bucket);
      if (!dir) continue;
      folders.add(dir);
      if (record.op === 'set') files.push(join(dir, keyFileName(record.key)));
    }
    try {
      syncPaths(this.root, files, folders);
      this.journal.reset();
    } catch (error) {
      throw storeErrorFrom(error, ctx('flush', undefined, undefined, this.root));
    }
  }

  /** Makes sure the root, its ownership and the journal exist, for a write. */
  private openForWriting(): void {
    if (this.locks.load(SharedWord.journalState) !== RootState.journaling) {
      this.locks.withAll(() => {
        if (this.locks.load(SharedWord.journalState) === RootState.closed) this.openRootLocked();
        if (this.locks.load(SharedWord.journalState) === RootState.owned) {
          try {
            this.journal.create();
          } catch (error) {
            throw storeErrorFrom(error, ctx('create the journal of', undefined, undefined, this.journal.path));
          }
          this.locks.store(SharedWord.journalState, RootState.journaling);
        }
      });
    }
    let present: boolean;
    try {
      present = this.journal.present();
    } catch (error) {
      throw storeErrorFrom(error, ctx('open the journal of', undefined, undefined, this.journal.path));
    }
    if (!present) this.locks.withAll(() => this.reRootLocked());
    // Another program may have deleted the owner file (and a second studio claimed the folder
    // since): the file is made again, or the write refused, before anything is acknowledged.
    else if (this.journal.takeFolderChange()) claimStoreRoot(this.root, this.locks.token(), 'keyvalue');
  }

  /**
   * Starts the root anew after another program deleted, damaged or moved the journal (a data
   * folder removed to start from empty, say), so writes go on instead of failing until a
   * restart (caller holds every stripe). The values journaled but not yet in their files are
   * written where their folders still exist; those whose folders went with the journal are
   * gone, as the deletion meant. Any that cannot be written now (a folder that refuses the
   * write) are journaled again in the new file. A journal emptied or cut short in place
   * held the only copy of the records not written yet: they are counted in
   * SharedWord.journalLost, for the materializer to report. The root
   * and its owner file are made again, so another studio cannot take the folder meanwhile.
   */
  private reRootLocked(): void {
    if (this.journal.present()) return; // another thread did it while this one waited
    // Records not in their files yet, in a journal emptied or cut short: their only copy is gone.
    const end = this.locks.load(SharedWord.journalEnd);
    const due = end - this.locks.load(SharedWord.journalWritten);
    if (due > 0 && this.journal.cutShortOf(end)) this.locks.add(SharedWord.journalLost, due);
    let unwritten: JournalRecord[] = [];
    try {
      this.checkpointLocked();
    } catch {
      unwritten = this.unwrittenWithFolders();
    }
    try {
      createStoreRoot(this.root, 'keyvalue');
      claimStoreRoot(this.root, this.locks.token(), 'keyvalue');
      // A link put where the journal was must not be written through.
      this.journal.setAsideIntruder();
      this.journal.recreate();
      if (unwritten.length > 0) {
        const appended = this.journal.append(unwritten);
        if (!appended) throw new Error(`${unwritten.length} journaled writes no longer fit a new journal`);
        this.journal.flush(appended.end);
        unwritten.forEach((record, i) => this.locks.pending.noteWrite(record.bucket, record.key, appended.offsets[i]!));
      }
    } catch (error) {
      throw storeErrorFrom(error, ctx('create the journal of', undefined, undefined, this.journal.path));
    }
    // Folder and listing caches of every thread describe what was deleted.
    this.locks.bumpDataGeneration();
  }

  /** The journaled writes not yet in their files whose bucket folders still exist, read from the file this thread has open. */
  private unwrittenWithFolders(): JournalRecord[] {
    try {
      return this.journal
        .recordsBetween(this.locks.load(SharedWord.journalWritten), this.locks.load(SharedWord.journalEnd))
        .map(({ record }) => record)
        .filter((record) => this.peekBucketDir(record.bucket) !== undefined);
    } catch {
      return []; // nothing readable is left of it
    }
  }

  /**
   * Opens the root for this process, once per StoreLocks (caller holds every stripe):
   * creates it if missing, takes ownership (refusing a root another live process owns),
   * removes temp files of dead writers, replays a journal left by a crash, and reports
   * what it found in `openReport`.
   */
  private openRootLocked(): void {
    createStoreRoot(this.root, 'keyvalue');
    claimStoreRoot(this.root, this.locks.token(), 'keyvalue');
    try {
      this.recoverRootLocked();
    } catch (error) {
      // Not opened: a later try (the disk freed, the folder fixed) must not find it taken by this process.
      this.journal.close();
      releaseStoreRoot(this.root, this.locks.token());
      throw error;
    }
  }

  /** What opening a claimed root does before anything reads or writes it (see openRootLocked). */
  private recoverRootLocked(): void {
    let swapNotes: string[];
    try {
      swapNotes = finishRootSwaps(this.root);
      removeLeftovers(this.root, { recursive: false });
      for (const entry of readdirSync(this.root, { withFileTypes: true })) {
        if (entry.isDirectory() && !isInternalFileName(entry.name)) removeLeftovers(join(this.root, entry.name), { recursive: false });
      }
    } catch (error) {
      throw storeErrorFrom(error, ctx('open', undefined, undefined, this.root));
    }
    let report: RecoveryReport = { replayed: 0, warnings: [] };
    let intruder: string | undefined;
    try {
      intruder = this.journal.setAsideIntruder();
    } catch (error) {
      throw storeErrorFrom(error, ctx('recover', undefined, undefined, this.journal.path));
    }
    const journaled = this.journal.exists();
    if (journaled) {
      try {
        this.journal.open();
        report = this.journal.recoverInto(this.keyFolders());
      } catch (error) {
        throw storeErrorFrom(error, ctx('recover', undefined, undefined, this.journal.path));
      }
    }
    report.warnings.push(...(intruder ? [intruder] : []), ...swapNotes, ...this.layoutWarnings());
    if (report.replayed > 0 || report.warnings.length > 0) this.openReport = report;
    this.locks.store(SharedWord.journalState, journaled ? RootState.journaling : RootState.owned);
  }

  /** Where keys live, for the journal's recovery: the same lookups a set or delete makes. */
  private keyFolders(): KeyFolders {
    return {
      root: this.root,
      bucketFolder: (bucket) => this.bucketDir(bucket, 'create', 'recover'),
      existingBucketFolder: (bucket) => this.bucketDir(bucket, 'existing', 'recover'),
      removeKey: (dir, bucket, key) => {
        for (const path of this.existingFiles(dir, bucket, key, keyFileName(key))) unlinkIfPresent(path);
      },
      dropRawName: (dir, key) => this.removeRawAlternative(dir, key, keyFileName(key)),
    };
  }

  /** Things in the folder that are not keys where keys belong: named, so nothing is ignored silently. */
  private layoutWarnings(): string[] {
    const problems: string[] = [];
    let more = 0;
    const note = (text: string) => (problems.length < MAX_NAMED_PROBLEMS ? problems.push(text) : more++);
    try {
      for (const entry of readdirSync(this.root, { withFileTypes: true })) {
        if (isInternalFileName(entry.name) || !entry.isDirectory()) continue;
        const bucket = decodeSegment(entry.name);
        for (const inner of readdirSync(join(this.root, entry.name), { withFileTypes: true })) {
          if (isInternalFileName(inner.name) || inner.isFile()) continue;
          const key = `Key ${quote(keyOfFileName(inner.name))} in bucket ${quote(bucket)}`;
          const path = join(this.root, entry.name, inner.name);
          if (inner.isDirectory()) note(`${key} is a folder (${path}), but a key is one file: the studio ignores it, and writing that key fails until the folder is moved or deleted.`);
          else if (inner.isSymbolicLink()) {
            // Read through only when it leads to a file inside the folder (see readFileInside).
            if (this.linkKind(path) !== 'file') note(`${key} is a symbolic link (${path}) that does not lead to a file inside the store folder (it leads out of it, to a folder, or to nothing): reading that key fails until the link is replaced with a real file.`);
          } else note(`${key} is not a regular file (${path}: a pipe, socket or device): reading that key fails until it is moved or deleted.`);
        }
      }
    } catch (error) {
      note(`Could not check the key-value folder ${this.root}: ${storeErrorFrom(error, ctx('check', undefined, undefined, this.root)).message}`);
    }
    if (more > 0) problems.push(`...and ${more} more places in ${this.root} where a key file belongs and something else is.`);
    return problems;
  }

  /** The bucket's folder if it exists (looked at again when remembered), without creating anything. */
  private peekBucketDir(bucket: string): string | undefined {
    try {
      return this.verifiedBucketDir(bucket, 'flush');
    } catch {
      return undefined;
    }
  }

  /** Like bucketDir, but checks a remembered folder still exists (another program may have removed it). */
  private verifiedBucketDir(bucket: string, action: string): string | undefined {
    // The root may be a link to a folder elsewhere: it is followed.
    if (bucket === '') return statSync(this.root, { throwIfNoEntry: false })?.isDirectory() ? this.root : undefined;
    const cached = this.bucketDirs.get(bucket);
    if (cached && folderAt(this.root, cached, ctx(action, bucket)) === 'missing') this.bucketDirs.delete(bucket);
    return this.bucketDir(bucket, 'existing', action);
  }

  /** The folder of a bucket: canonical name, else wash's raw name; created in 'create' mode. */
  private bucketDir(bucket: string, mode: 'existing', action: string): string | undefined;
  private bucketDir(bucket: string, mode: 'create', action: string): string;
  private bucketDir(bucket: string, mode: 'existing' | 'create', action: string): string | undefined {
    if (bucket === '') return this.root;
    const cached = this.bucketDirs.get(bucket);
    if (cached) return cached;
    const folder = bucketFolderName(bucket, 'bucket');
    const context = ctx(action, bucket);
    const candidates = [folder];
    const raw = rawAlternative(bucket, folder);
    if (raw) candidates.push(raw);
    for (const name of candidates) {
      const path = join(this.root, name);
      if (folderAt(this.root, path, context) === 'folder') {
        this.bucketDirs.set(bucket, path);
        return path;
      }
    }
    if (mode === 'existing') return undefined;
    const path = join(this.root, folder);
    try {
      mkdirQuiet(path);
    } catch (error) {
      throw storeErrorFrom(error, { ...context, path });
    }
    if (folderAt(this.root, path, context) !== 'folder') throw new StoreError('io', `Cannot ${action} bucket ${quote(bucket)}: its folder vanished while being created.`, 'Another program may be changing the store folder; retry.');
    this.bucketDirs.set(bucket, path);
    return path;
  }

  /**
   * Fails a write now, before it is acknowledged, when its file could never be written (a
   * folder in its place). A key already written in this journal generation was checked then:
   * the look costs more than the write itself while the materializer is busy in the folder.
   */
  private checkWritable(dir: string, bucket: string, key: string, file: string): void {
    if (!this.locks.pending.find(bucket, key)) checkReplaceable(join(dir, file), ctx('write', bucket, key));
  }

  /** The key's value: from the journal while its file is not written yet, else from the file. */
  private currentValue(bucket: string, key: string): Uint8Array | undefined {
    const file = this.fileNameOf(key);
    const pending = this.journaledValue(bucket, key);
    if (pending !== IN_FILE) return pending;
    const dir = this.bucketDir(bucket, 'existing', 'read');
    return dir ? this.readValue(dir, bucket, key, file) : undefined;
  }

  private keyExists(bucket: string, key: string): boolean {
    const file = this.fileNameOf(key);
    const pending = this.journaledValue(bucket, key);
    if (pending !== IN_FILE) return pending !== undefined;
    const dir = this.bucketDir(bucket, 'existing', 'read');
    return dir !== undefined && this.existingFiles(dir, bucket, key, file).length > 0;
  }

  /**
   * The value of an acknowledged write whose file is not written yet (undefined for a
   * delete), or IN_FILE when the file is current. Takes no lock: the record found is checked
   * against the key, and looked up again if a checkpoint moved the journal on meanwhile.
   */
  private journaledValue(bucket: string, key: string): Uint8Array | undefined | typeof IN_FILE {
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = this.locks.pending.find(bucket, key);
      if (!entry || entry.written) return IN_FILE;
      // Deleted with its data folder: the values it held went too.
      if (!this.journal.present()) return IN_FILE;
      const record = this.journal.recordAt(entry.offset);
      if (record && record.bucket === bucket && record.key === key) return record.op === 'set' ? record.value : undefined;
    }
    return IN_FILE;
  }

  /**
   * Writes journaled values to their files up to the durable end of the journal: what the
   * materializer thread does all along. Returns how many records it wrote. Records go in
   * journal order, each under its key's stripe; a checkpoint (every stripe) may overtake, and
   * then this stops.
   */
  private writePending(): number {
    const locks = this.locks;
    if (locks.load(SharedWord.journalWritten) >= locks.load(SharedWord.journalSynced)) return 0;
    return locks.withSlot(LockSlot.materialize, () => {
      const generation = locks.load(SharedWord.journalGeneration);
      const from = locks.load(SharedWord.journalWritten);
      const to = locks.load(SharedWord.journalSynced);
      // A journal deleted before this thread opened it has nothing left to write out.
      if (from >= to || !this.journal.openExisting()) return 0;
      const folders = this.keyFolders();
      const records = this.journal.recordsBetween(from, to);
      // A key written again later in the range gets only its last value written (a busy counter is one file write per batch).
      const last = new Map<string, number>();
      for (const { offset, record } of records) last.set(`${record.bucket}\u0000${record.key}`, offset);
      let written = 0;
      for (const { offset, next, record } of records) {
        const done = locks.withKey(record.bucket, record.key, () => {
          if (locks.load(SharedWord.journalGeneration) !== generation || locks.load(SharedWord.journalWritten) !== offset) return false;
          try {
            if (last.get(`${record.bucket}\u0000${record.key}`) === offset) applyRecord(folders, record);
          } catch (error) {
            // Its folder went with the deleted journal (a data folder removed to start from empty): gone, as the deletion meant.
            if (!isErrno(error, 'ENOENT', 'ENOTDIR') || !this.journal.lost()) throw storeErrorFrom(error, ctx(record.op === 'set' ? 'write' : 'delete', record.bucket, record.key, errnoPath(error) ?? this.root));
          }
          locks.pending.noteWritten(record.bucket, record.key, offset);
          locks.store(SharedWord.journalWritten, next);
          return true;
        });
        if (!done) break;
        written++;
      }
      return written;
    });
  }

  private readValue(dir: string, bucket: string, key: string, file: string): Uint8Array | undefined {
    const context: StoreContext = { store: 'keyvalue', action: 'read', bucket, key };
    const raw = rawKeyAlternative(key, file);
    const rawPath = raw ? dir + sep + raw : undefined;
    // A raw-named file wash wrote after the studio's own is the key's latest value.
    if (rawPath && newestFirst([dir + sep + file, rawPath])[0] === rawPath) return readFileInside(this.root, rawPath, context, undefined, MAX_VALUE_BYTES);
    const value = this.values.read(dir + sep + file, (path) => readFileInside(this.root, path, context, undefined, MAX_VALUE_BYTES));
    if (value !== undefined) return value;
    return rawPath ? readFileInside(this.root, rawPath, context, undefined, MAX_VALUE_BYTES) : undefined;
  }

  private existingFiles(dir: string, bucket: string, key: string, file: string): string[] {
    const context = ctx('read', bucket, key);
    const paths = [join(dir, file)];
    const raw = rawKeyAlternative(key, file);
    if (raw) paths.push(join(dir, raw));
    return paths.filter((path) => fileExistsInside(this.root, path, context));
  }

  /** After writing the canonical file, a raw-named file wash wrote for the same key goes. */
  private removeRawAlternative(dir: string, key: string, file: string): void {
    const raw = rawKeyAlternative(key, file);
    if (raw) unlinkIfPresent(join(dir, raw));
  }

  private linkKind(path: string): 'file' | 'folder' | undefined {
    try {
      const stats = statSync(path);
      if (!stats.isDirectory() && !stats.isFile()) return undefined;
      if (!isWithin(this.root, realpathSync(path))) return undefined;
      return stats.isDirectory() ? 'folder' : 'file';
    } catch {
      return undefined;
    }
  }

  /**
   * The bucket's keys: its folder's, with the writes whose files are not written yet laid
   * over them in journal order. Nothing is written here: a listing on the main thread must
   * not wait for thousands of files.
   */
  private currentKeys(bucket: string, dir: string): string[] {
    for (let attempt = 0; ; attempt++) {
      const generation = this.locks.load(SharedWord.journalGeneration);
      // Taken before the folder is read: a record written to its file meanwhile is in both, which is harmless.
      const from = this.locks.load(SharedWord.journalWritten);
      const keys = this.sortedKeys(bucket, dir);
      const records = this.journaledRecords(from).filter((r) => r.bucket === bucket);
      // A checkpoint in between wrote the records to files this listing may have missed: look again.
      if (this.locks.load(SharedWord.journalGeneration) !== generation && attempt < 3) continue;
      if (records.length === 0) return keys;
      const current = new Set(keys);
      for (const record of records) {
        if (record.op === 'set') current.add(record.key);
        else current.delete(record.key);
      }
      return [...current].sort(compareNames);
    }
  }

  /**
   * The acknowledged records whose files are not written yet (from `from`), names only. The
   * records read are kept, so a listing asked again and again (the UI, while a component
   * writes) reads only what was appended since.
   */
  private journaledRecords(from = this.locks.load(SharedWord.journalWritten)): JournalRecord[] {
    const to = this.locks.load(SharedWord.journalSynced);
    if (from >= to) return [];
    const generation = this.locks.load(SharedWord.journalGeneration);
    let known = this.journaled;
    if (known.generation !== generation || from < known.from || known.to > to) known = this.journaled = { generation, from, to: from, records: [] };
    if (known.to < to) {
      if (!this.journal.present()) return [];
      const read = this.journal.recordsBetween(known.to, to, false);
      known.records.push(...read);
      known.to = read.length > 0 ? read[read.length - 1]!.next : known.to;
    }
    let first = 0;
    while (first < known.records.length && known.records[first]!.offset < from) first++;
    if (first > 0) known.records.splice(0, first);
    known.from = from;
    return known.records.map(({ record }) => record);
  }

  /** Sorted, decoded key names of a bucket folder; cached while the folder is unchanged. */
  private sortedKeys(bucket: string, dir: string): string[] {
    let mtimeNs: bigint;
    try {
      mtimeNs = statSync(dir, { bigint: true }).mtimeNs;
    } catch (error) {
      throw storeErrorFrom(error, ctx('list', bucket, undefined, dir));
    }
    if (this.listing && this.listing.dir === dir && this.listing.mtimeNs === mtimeNs) return this.listing.keys;
    const keys = new Set<string>();
    try {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (isInternalFileName(entry.name)) continue;
        if (!entry.isFile() && !(entry.isSymbolicLink() && this.linkKind(join(dir, entry.name)) === 'file')) continue;
        // A name that is not valid UTF-8 comes back with U+FFFD in it, and no key opens that file.
        if (entry.name.includes('\uFFFD') && !existsSync(join(dir, entry.name))) continue;
        keys.add(keyOfFileName(entry.name));
      }
    } catch (error) {
      throw storeErrorFrom(error, ctx('list', bucket, undefined, dir));
    }
    const sorted = [...keys].sort(compareNames);
    // Folder times can be coarse (a few ms, or 1-2 s on some file systems); a folder changed
    // within the last two seconds might change again without its time moving, so only a
    // folder that has been quiet for a while is cached.
    if (BigInt(Date.now()) * 1_000_000n - mtimeNs > 2_000_000_000n) this.listing = { dir, mtimeNs, keys: sorted };
    else this.listing = undefined;
    return sorted;
  }
}

function checkValue(bucket: string, key: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new StoreError('invalid-value', `The value for key ${quote(key)} in bucket ${quote(bucket)} must be bytes (a Uint8Array).`, 'Encode text with TextEncoder first.');
  if (value.byteLength > MAX_VALUE_BYTES) {
    throw new StoreError('invalid-value', `The value for key ${quote(key)} in bucket ${quote(bucket)} is ${value.byteLength} bytes; the limit is ${MAX_VALUE_BYTES}.`, 'Store large data in the blob store instead.');
  }
}

function parseCounter(bucket: string, key: string, value: Uint8Array): bigint {
  const text = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1').trim();
  if (!/^-?\d{1,20}$/.test(text)) {
    throw new StoreError('invalid-value', `Cannot increment key ${quote(key)} in bucket ${quote(bucket)}: it holds ${value.byteLength} bytes that are not a decimal number.`, 'Counters are stored as decimal text (like wash); delete the key or set it to a number first.');
  }
  return BigInt(text);
}

function unlinkIfPresent(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}

function mkdirQuiet(path: string): void {
  try {
    mkdirSync(path);
  } catch (error) {
    if (!isErrno(error, 'EEXIST')) throw error;
  }
}
