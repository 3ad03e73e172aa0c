// The key-value store's write-ahead journal: `<root>/.cs-journal`, one per store root.
//
// Every set or delete is appended here and flushed (one fdatasync, shared by writers that
// arrive together) before it is acknowledged; the value file, in wash's layout, is written
// after that from the journal (kv-materializer.ts). So an acknowledged write costs one disk
// flush, like SQLite in WAL mode. After a crash the journal is replayed over the value
// files; a checkpoint (journal full, last store closed, bucket deleted, a snapshot) writes
// the files still due, flushes them and their folders and starts a new generation.
//
// The file is preallocated and reused, so a flush writes data only, no file-size metadata.
// Layout (little-endian): a 32-byte header (magic, version, generation, preallocated size,
// CRC) and records:
//   u32 crc32(generation ++ bytes 4..end) | u32 length | u8 op | u8 0 | u16 bucket bytes |
//   u16 key bytes | u16 0 | u32 value bytes | bucket | key | value
// Replay stops at the first record that does not check out (torn, or left from an older
// generation), which is exactly where the durable part of the current generation ends.
//
// This module owns the file format, the append/flush protocol (positions live in the
// StoreLocks shared words so all threads append to one sequence), how a record lands in the
// value files, and crash recovery: which records to replay, what to report, what to keep
// aside. Where a key's files are (escaped or raw
// names, bucket folders) is the store's to say (KeyFolders), so a replayed key lands exactly
// where a set through the store would have put it.
import { Buffer } from 'node:buffer';
import { closeSync, constants, copyFileSync, existsSync, fdatasyncSync, fstatSync, ftruncateSync, fsyncSync, lstatSync, mkdirSync, openSync, readSync, rmdirSync, rmSync, writeFileSync, writeSync, writevSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { TempFile, renameRetrying, syncPaths } from './atomic-write.ts';
import { bucketFolderName, keyFileName } from './safe-names.ts';
import { LockSlot, SharedWord, type StoreLocks } from './store-locks.ts';
import { readAllAt, readFileInside } from './store-root.ts';
import { errnoPath, isErrno, StoreError, storeErrorFrom } from './store-error.ts';

export const JOURNAL_FILE = '.cs-journal';
export const HEADER_BYTES = 32;
const RECORD_HEAD_BYTES = 20;
/** Bytes read at once for a record looked up by offset: most records fit. */
const READ_AHEAD = 16 * 1024;
const MAGIC = Buffer.from('CSKVJNL1', 'latin1');
/** Version 2 adds the preallocated size, so a journal cut short can be told from a fresh one. */
const VERSION = 2;
const OP_SET = 1;
const OP_DELETE = 2;

export type JournalRecord =
  | { op: 'set'; bucket: string; key: string; value: Uint8Array }
  | { op: 'delete'; bucket: string; key: string };
type SetRecord = Extract<JournalRecord, { op: 'set' }>;

/** Where a root's keys live, as the store finds them: what recovery needs to replay into wash's layout. */
export interface KeyFolders {
  /** The store root (real path). */
  readonly root: string;
  /** The bucket's folder, made when missing. */
  bucketFolder(bucket: string): string;
  /** The bucket's folder, or undefined when there is none. */
  existingBucketFolder(bucket: string): string | undefined;
  /** Deletes every file holding the key in the bucket's folder (its escaped name and a raw name wash used). */
  removeKey(folder: string, bucket: string, key: string): void;
  /** After the key's file was written under its escaped name, removes a raw-named twin wash wrote. */
  dropRawName(folder: string, key: string): void;
}

export interface RecoveryReport {
  /** Journal records replayed over the value files after an unclean stop. */
  replayed: number;
  /** What was found wrong and what was done, one sentence each, naming bucket and key. */
  warnings: string[];
}

/** crc32 from zlib (Node >= 20.15), with a table fallback for older 20.x. */
const crc32: (data: Uint8Array, value?: number) => number = typeof zlibCrc32 === 'function' ? (data, value) => zlibCrc32(data, value) : tableCrc32;

let crcTable: Uint32Array | undefined;
function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value >>> 0;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function generationBytes(generation: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(generation >>> 0);
  return bytes;
}

/** The checksum's start for a generation's records, kept for the current one (every set needs it). */
let seedGeneration: number | undefined;
let seedValue = 0;
function generationSeed(generation: number): number {
  if (generation !== seedGeneration) {
    seedValue = crc32(generationBytes(generation));
    seedGeneration = generation;
  }
  return seedValue;
}

function writeAllAt(fd: number, chunks: readonly Uint8Array[], position: number): void {
  // Usually one pwritev; a short write (rare) falls back to writing chunk by chunk.
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  if (chunks.length > 1 && chunks.length <= 64 && writevSync(fd, chunks as Uint8Array[], position) === total) return;
  for (const chunk of chunks) {
    let done = 0;
    while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done, position + done);
    position += chunk.byteLength;
  }
}

/** The bytes of one record, as a head (with names) and the value, ready to write. */
function encodeRecord(record: JournalRecord, generation: number): Uint8Array[] {
  const bucketBytes = Buffer.byteLength(record.bucket, 'utf8');
  const keyBytes = Buffer.byteLength(record.key, 'utf8');
  const value = record.op === 'set' ? record.value : new Uint8Array(0);
  // From Node's pool, not a buffer of its own: written at once and dropped, and a set makes
  // one per call (its own small buffers kept the GC's helper threads busy). Every byte is set.
  const head = Buffer.allocUnsafe(RECORD_HEAD_BYTES + bucketBytes + keyBytes);
  head.writeUInt32LE(RECORD_HEAD_BYTES + bucketBytes + keyBytes + value.byteLength, 4);
  head.writeUInt8(record.op === 'set' ? OP_SET : OP_DELETE, 8);
  head.writeUInt8(0, 9);
  head.writeUInt16LE(bucketBytes, 10);
  head.writeUInt16LE(keyBytes, 12);
  head.writeUInt16LE(0, 14);
  head.writeUInt32LE(value.byteLength, 16);
  head.write(record.bucket, RECORD_HEAD_BYTES, 'utf8');
  head.write(record.key, RECORD_HEAD_BYTES + bucketBytes, 'utf8');
  let crc = crc32(head.subarray(4), generationSeed(generation));
  // zlib.crc32 answers 0 for an empty view over a zero-length ArrayBuffer (a null data
  // pointer), whatever the running value: skip empty values.
  if (value.byteLength > 0) crc = crc32(value, crc);
  head.writeUInt32LE(crc, 0);
  return [head, value];
}

/**
 * Parses records from `bytes` (which start right after the header) until one does not check
 * out. Without `withValues`, set records carry an empty value (a checkpoint only needs names).
 */
/**
 * Records of this generation that follow a damaged stretch: decoding stops at the first record
 * that fails its checksum, so a few bytes garbled in the middle would hide every acknowledged
 * write after them. What follows the last good record is normally zeros or records of earlier
 * generations, whose checksums fail under this one's seed, so a find here is damage.
 */
function recordsPastDamage(bytes: Buffer, from: number, generation: number): PlacedRecord[] {
  const found: PlacedRecord[] = [];
  for (let at = from + 1; at + RECORD_HEAD_BYTES <= bytes.length; at++) {
    // Cheap checks first: most offsets are zeros or the middle of a record.
    const length = bytes.readUInt32LE(at + 4);
    if (length < RECORD_HEAD_BYTES || at + length > bytes.length) continue;
    const next = decodeRecordsAt(bytes.subarray(at), generation);
    if (next.length === 0) continue;
    for (const placed of next) found.push({ offset: placed.offset + at, next: placed.next + at, record: placed.record });
    at = found.at(-1)!.next - 1;
  }
  return found;
}

/** Whether the bytes of `fd` from `from` to `to` are all zero, read a MiB at a time. */
function allZeros(fd: number, from: number, to: number): boolean {
  for (let at = from; at < to; at += 1 << 20) {
    const chunk = readAllAt(fd, Math.min(1 << 20, to - at), at);
    if (chunk.some((byte) => byte !== 0)) return false;
  }
  return true;
}

function decodeRecords(bytes: Buffer, generation: number, withValues = true): JournalRecord[] {
  return decodeRecordsAt(bytes, generation, withValues).map(({ record }) => record);
}

/** A record and where it sits: from `offset` up to `next`, relative to the decoded bytes. */
export interface PlacedRecord {
  offset: number;
  next: number;
  record: JournalRecord;
}

function decodeRecordsAt(bytes: Buffer, generation: number, withValues = true, limit = Infinity): PlacedRecord[] {
  const records: PlacedRecord[] = [];
  const seed = generationSeed(generation);
  let at = 0;
  while (at + RECORD_HEAD_BYTES <= bytes.length && records.length < limit) {
    const length = bytes.readUInt32LE(at + 4);
    const op = bytes.readUInt8(at + 8);
    const bucketBytes = bytes.readUInt16LE(at + 10);
    const keyBytes = bytes.readUInt16LE(at + 12);
    const valueBytes = bytes.readUInt32LE(at + 16);
    if (length !== RECORD_HEAD_BYTES + bucketBytes + keyBytes + valueBytes || at + length > bytes.length) break;
    if (op !== OP_SET && op !== OP_DELETE) break;
    if (crc32(bytes.subarray(at + 4, at + length), seed) !== bytes.readUInt32LE(at)) break;
    const namesAt = at + RECORD_HEAD_BYTES;
    const bucket = bytes.toString('utf8', namesAt, namesAt + bucketBytes);
    const key = bytes.toString('utf8', namesAt + bucketBytes, namesAt + bucketBytes + keyBytes);
    let record: JournalRecord;
    if (op === OP_SET) {
      const valueAt = namesAt + bucketBytes + keyBytes;
      record = { op: 'set', bucket, key, value: withValues ? new Uint8Array(bytes.subarray(valueAt, valueAt + valueBytes)) : new Uint8Array(0) };
    } else {
      record = { op: 'delete', bucket, key };
    }
    records.push({ offset: at, next: at + length, record });
    at += length;
  }
  return records;
}

function encodeHeader(generation: number, size: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(VERSION, 8);
  header.writeUInt32LE(generation >>> 0, 12);
  header.writeUInt32LE(size >>> 0, 16);
  header.writeUInt32LE(crc32(header.subarray(0, 28)), 28);
  return header;
}

/** The generation and preallocated size (0 where version 1 did not record it). */
function decodeHeader(header: Buffer): { generation: number; size: number } | undefined {
  if (header.length < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC)) return undefined;
  const version = header.readUInt32LE(8);
  if ((version !== 1 && version !== VERSION) || crc32(header.subarray(0, 28)) !== header.readUInt32LE(28)) return undefined;
  return { generation: header.readUInt32LE(12), size: version === 1 ? 0 : header.readUInt32LE(16) };
}

/**
 * Puts a journaled value in its key's file (temp + rename), not flushed: a checkpoint flushes
 * them all at once. Returns the file and its folder. With `unlessSame` (recovery, where the
 * file usually got the value before the crash) a file that already holds it is left alone.
 */
function writeSet(folders: KeyFolders, record: SetRecord, unlessSame: boolean): { file: string; folder: string } {
  const { bucket, key, value } = record;
  const folder = folders.bucketFolder(bucket);
  const file = join(folder, keyFileName(key));
  const current = unlessSame ? readFileInside(folders.root, file, { store: 'keyvalue', action: 'recover', bucket, key }) : undefined;
  if (!current || Buffer.compare(current, value) !== 0) {
    const temp = TempFile.create(folder);
    try {
      temp.write(value);
      temp.commit(file, { sync: false });
    } finally {
      temp.abort();
    }
  }
  folders.dropRawName(folder, key);
  return { file, folder };
}

/**
 * Each key's last record, in the order of those last records. Keys that share a file (a
 * case-insensitive or normalizing file system folds `A` and `a` into one) then end with the
 * latest write of any of them, as they did before the crash.
 */
export function lastWrites(records: readonly JournalRecord[]): JournalRecord[] {
  const last = new Map<string, JournalRecord>();
  for (const record of records) {
    const id = `${record.bucket}\u0000${record.key}`;
    last.delete(id);
    last.set(id, record);
  }
  return [...last.values()];
}

/**
 * Of each key's last record among the first `beforeLoss` (those a lost stretch of the journal
 * came after), the ones whose key's file may be newer: the file exists and holds none of the
 * values journaled for the key, so a write in the lost stretch may have put it there (the
 * materializer writes files shortly after their records). A file holding an earlier journaled
 * value is behind, and missing or matching ones are replayed as ever: recovery never takes a
 * file back to a value older than one it may have held.
 */
function overtakenRecords(folders: KeyFolders, records: readonly JournalRecord[], beforeLoss: number): Set<JournalRecord> {
  const byKey = new Map<string, { journaled: JournalRecord[]; afterLoss: boolean }>();
  records.forEach((record, i) => {
    const id = `${record.bucket}\u0000${record.key}`;
    const key = byKey.get(id) ?? { journaled: [], afterLoss: false };
    key.journaled.push(record);
    key.afterLoss ||= i >= beforeLoss;
    byKey.set(id, key);
  });
  const overtaken = new Set<JournalRecord>();
  for (const { journaled, afterLoss } of byKey.values()) {
    if (afterLoss) continue;
    const last = journaled.at(-1)!;
    let current: Uint8Array | undefined;
    try {
      const folder = folders.existingBucketFolder(last.bucket);
      current = folder ? readFileInside(folders.root, join(folder, keyFileName(last.key)), { store: 'keyvalue', action: 'recover', bucket: last.bucket, key: last.key }) : undefined;
    } catch {
      // Unreadable (a folder in its place, no permission): the replay says what is wrong with it.
      continue;
    }
    if (current !== undefined && !journaled.some((record) => record.op === 'set' && Buffer.compare(record.value, current) === 0)) overtaken.add(last);
  }
  return overtaken;
}

/** Makes the value files say what a journal record says: the set's value written, or the deleted key's files gone. */
export function applyRecord(folders: KeyFolders, record: JournalRecord, unlessSame = false): { folder?: string; file?: string } {
  if (record.op === 'set') return writeSet(folders, record, unlessSame);
  const folder = folders.existingBucketFolder(record.bucket);
  if (folder) folders.removeKey(folder, record.bucket, record.key);
  return { folder };
}

/** A file name for a copy kept aside, unique enough for a person to find: `<name>.corrupt-<time>`. */
export function asideName(path: string, what: string): string {
  return join(dirname(path), `${basename(path)}.${what}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
}

/**
 * Problems of the whole file system rather than of one key (a full disk, a read-only one, no
 * file handles left): no other record could be written either, and they pass. The errno is
 * looked for under a store error too (a bucket folder that could not be made).
 */
const WHOLE_FILE_SYSTEM = ['ENOSPC', 'EDQUOT', 'EROFS', 'EMFILE', 'ENFILE'];
/** An I/O error may be one failing file: a record is kept aside then, but a copy aside that fails so stops the recovery. */
const WHOLE_FILE_SYSTEM_ASIDE = [...WHOLE_FILE_SYSTEM, 'EIO'];
const stopsRecovery = (error: unknown, aside: boolean) => {
  const codes = aside ? WHOLE_FILE_SYSTEM_ASIDE : WHOLE_FILE_SYSTEM;
  return isErrno(error, ...codes) || (error instanceof StoreError && isErrno(error.cause, ...codes));
};

/** Recovery stopped by `problem`, worded so the user knows the journal, and what it holds, is safe. */
function recoveryStopped(journal: string, problem: StoreError): StoreError {
  return new StoreError(
    problem.code,
    `${problem.message.replace(/\.$/, '')}, while replaying the key-value journal after an unclean stop. The journal is kept (${journal}) with every write it holds, and is replayed when the store opens again.`,
    problem.hint,
    { cause: problem },
  );
}

/** The journal is opened through no symbolic link: one could lead to a file outside the store. */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

export class KeyValueJournal {
  private fd: number | undefined;
  /** The journal file `fd` is open on (see SharedWord.journalEpoch). */
  private epoch = 0;
  /** The folder's stamp when `fd`'s file was last found in place (see lost()). */
  private checkedFolder: string | undefined;
  /** The folder changed since this thread last looked, with the journal still in place (see takeFolderChange()). */
  private folderChanged = false;
  private readonly header = Buffer.alloc(HEADER_BYTES);

  constructor(
    readonly path: string,
    private readonly locks: StoreLocks,
    /** Bytes of records before a checkpoint is due; a single larger batch still fits. */
    readonly capacity: number,
  ) {}

  /** True when the journal file exists (it is made at a root's first write, not before). */
  exists(): boolean {
    return existsSync(this.path);
  }

  /** Opens the existing file for this thread (again, when another thread made it anew). */
  open(): void {
    const epoch = this.locks.load(SharedWord.journalEpoch);
    if (this.fd !== undefined && epoch !== this.epoch) this.close();
    if (this.fd !== undefined) return;
    this.fd = openSync(this.path, constants.O_RDWR | NO_FOLLOW);
    this.epoch = epoch;
  }

  /**
   * Opens the file for this thread if it is there to open: false, with nothing open, when it
   * is missing (another program deleted it, with its data folder say, before this thread
   * ever opened it). A thread that had it open keeps reading the deleted file.
   */
  openExisting(): boolean {
    try {
      this.open();
      return true;
    } catch (error) {
      if (isErrno(error, 'ENOENT', 'ENOTDIR')) return false;
      throw error;
    }
  }

  /** Opens the file for this thread; false when another program deleted, emptied, damaged or moved it (see lost()). */
  present(): boolean {
    return this.openExisting() && !this.lost();
  }

  /**
   * True when the file this thread has open is no longer the journal a restart would read:
   * another program deleted it (with its folder, say), emptied it (cut it shorter than its
   * header), wrote over its header, or moved it away (a link, or nothing, in its place).
   * Appending to it would then record nothing a restart could read.
   *
   * Every write asks, so the answer must not cost a flush. Looking at the file's own metadata
   * (fstat, or lstat of its path) between two writes makes the next flush commit file-system
   * metadata on ext4, which counts a change for whoever looked: 50-70 µs more per flush, a
   * quarter of a set. So the file's metadata is read only when its folder changed since the
   * file was last found in place (a deletion, a move or a replacement changes the folder), or
   * when its header cannot be read or does not check out (cut short or written over in
   * place); reading the header leaves the flush alone.
   */
  lost(): boolean {
    if (this.fd === undefined || this.epoch !== this.locks.load(SharedWord.journalEpoch)) return false;
    const folder = this.folderStamp();
    const headerIntact = readSync(this.fd, this.header, 0, HEADER_BYTES, 0) === HEADER_BYTES && decodeHeader(this.header) !== undefined;
    if (headerIntact && folder !== undefined && folder === this.checkedFolder) return false;
    const stats = fstatSync(this.fd);
    const atPath = lstatSync(this.path, { throwIfNoEntry: false });
    const moved = !atPath?.isFile() || atPath.ino !== stats.ino || atPath.dev !== stats.dev;
    const lost = !headerIntact || moved || stats.nlink === 0 || stats.size < HEADER_BYTES;
    this.checkedFolder = lost ? undefined : folder;
    this.folderChanged ||= !lost;
    return lost;
  }

  /**
   * Whether the file this thread has open was cut shorter than `end` (another program emptied
   * it), so the records up to there are gone. A journal deleted or moved away still holds
   * them (the open file reads on), and so does one whose header alone was written over; a
   * thread with none open cannot tell, and says no.
   */
  cutShortOf(end: number): boolean {
    return this.fd !== undefined && fstatSync(this.fd).size < end;
  }

  /**
   * Whether the journal's folder changed since the last call (as lost() saw it), the journal
   * still in place: what else is in the folder, its owner file, may have changed too.
   */
  takeFolderChange(): boolean {
    const changed = this.folderChanged;
    this.folderChanged = false;
    return changed;
  }

  /**
   * The folder's identity and change times, or undefined when they cannot be trusted yet. A
   * file system that keeps coarse times (whole seconds on HFS+ and FAT, 10 ms on exFAT) can
   * change a folder twice within one stamp, so there a stamp from the last two seconds is not
   * relied on. (ext4, APFS and NTFS keep times finer than a millisecond.)
   */
  private folderStamp(): string | undefined {
    const stats = lstatSync(dirname(this.path), { throwIfNoEntry: false });
    if (!stats) return undefined;
    const changed = Math.max(stats.mtimeMs, stats.ctimeMs);
    if (changed % 10 === 0 && Date.now() - changed < 2000) return undefined;
    return `${stats.dev}:${stats.ino}:${stats.mtimeMs}:${stats.ctimeMs}`;
  }

  /**
   * Makes the journal anew after its file was deleted or cut (caller holds every stripe, has
   * written what it could of the old one's records and made the root again): a new file,
   * empty, and every thread moves to it at its next use.
   */
  recreate(): void {
    this.close();
    // A generation of its own: a thread still holding a position in the old file (the
    // materializer between two records) finds it does not match and stops.
    this.create((this.locks.load(SharedWord.journalGeneration) + 1) >>> 0);
    this.locks.pending.clear();
    this.epoch = this.locks.add(SharedWord.journalEpoch, 1) + 1;
  }

  /**
   * Moves aside whatever is at the journal's path that is not a plain file (a symbolic link,
   * a folder, a pipe), before anything reads or writes it: through a link the journal could
   * overwrite a file outside the store, and a pipe would block its open. Returns the warning
   * to report, or undefined when there is a plain file or nothing.
   */
  setAsideIntruder(): string | undefined {
    const stats = lstatSync(this.path, { throwIfNoEntry: false });
    if (!stats || stats.isFile()) return undefined;
    const kind = stats.isSymbolicLink() ? 'a symbolic link' : stats.isDirectory() ? 'a folder' : 'not a regular file (a pipe, socket or device)';
    const aside = asideName(this.path, 'corrupt');
    renameRetrying(this.path, aside);
    return `The key-value journal ${this.path} was ${kind}, so nothing was read from it or written through it; it was moved to ${aside} and a new journal started.`;
  }

  /**
   * Creates the file, preallocated, and starts `generation` (caller holds every stripe, so no
   * thread appends before the shared positions are set).
   */
  create(generation = 0): void {
    if (this.fd === undefined) this.fd = openSync(this.path, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | NO_FOLLOW, 0o644);
    this.zeroFill(generation);
    this.locks.store(SharedWord.journalGeneration, generation | 0);
    this.locks.store(SharedWord.journalEnd, HEADER_BYTES);
    this.locks.store(SharedWord.journalSynced, HEADER_BYTES);
    this.locks.store(SharedWord.journalWritten, HEADER_BYTES);
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    this.checkedFolder = undefined;
  }

  private get handle(): number {
    if (this.fd === undefined) throw new Error('The key-value journal is not open.');
    if (this.epoch !== this.locks.load(SharedWord.journalEpoch)) this.open();
    return this.fd!;
  }

  /** Overwrites the file with zeros and a header of `generation`, durably. */
  private zeroFill(generation: number): void {
    const fd = this.handle;
    const size = this.capacity + HEADER_BYTES;
    ftruncateSync(fd, 0);
    // Real zeros, not a sparse file: later flushes then write data only, never block maps.
    const zeros = Buffer.alloc(Math.min(size, 1 << 20));
    for (let at = 0; at < size; at += zeros.length) writeAllAt(fd, [zeros.subarray(0, Math.min(zeros.length, size - at))], at);
    writeAllAt(fd, [encodeHeader(generation, size)], 0);
    fsyncSync(fd);
  }

  /**
   * Reads what survives in the file: its generation, the records of that generation, and
   * what was wrong with it. A header of zeros means a reset was cut short after everything
   * before it was flushed: nothing is lost. Anything else unreadable (garbage, a file cut
   * short) is kept aside as `.cs-journal.corrupt-<time>` and reported; the journal starts anew.
   */
  recover(): { generation: number; records: JournalRecord[]; warnings: string[]; beforeLoss: number } {
    const fd = this.handle;
    const size = fstatSync(fd).size;
    const head = readAllAt(fd, HEADER_BYTES, 0);
    const header = decodeHeader(head);
    const warnings: string[] = [];
    if (!header) {
      // A reset truncates the file before it writes zeros and then the header, so a reset cut
      // short leaves zeros only. Zeros over the header with records after them are damage.
      const zeroHeader = head.length === HEADER_BYTES && head.every((byte) => byte === 0);
      if (zeroHeader && allZeros(fd, HEADER_BYTES, size)) {
        this.zeroFill(0);
        return { generation: 0, records: [], warnings, beforeLoss: 0 };
      }
      const aside = this.keepAside();
      const why = size < HEADER_BYTES ? `only ${size} bytes` : zeroHeader ? 'its header was overwritten with zeros, with journaled writes after it' : 'not a journal header';
      warnings.push(`The key-value journal ${this.path} was unreadable (${why}); writes made since its last checkpoint may be lost. It was kept as ${aside} and a new journal started.`);
      this.zeroFill(0);
      return { generation: 0, records: [], warnings, beforeLoss: 0 };
    }
    const body = readAllAt(fd, size - HEADER_BYTES, HEADER_BYTES);
    const intact = decodeRecordsAt(body, header.generation);
    const resumed = recordsPastDamage(body, intact.at(-1)?.next ?? 0, header.generation);
    const records = [...intact, ...resumed].map(({ record }) => record);
    // Records before a stretch that was lost may have been overtaken by a write in it.
    let beforeLoss = 0;
    if (resumed.length > 0) {
      const aside = this.keepAside();
      const damagedAt = HEADER_BYTES + (intact.at(-1)?.next ?? 0);
      warnings.push(`The key-value journal ${this.path} is damaged at byte ${damagedAt}: the journaled write${resumed.length === 1 ? '' : 's'} after the damage (${resumed.length}) could still be read, the one or more inside it are lost. The file was kept as ${aside}.`);
      beforeLoss = intact.length;
    }
    if (header.size > 0 && size < header.size) {
      const aside = this.keepAside();
      warnings.push(`The key-value journal ${this.path} was cut short (${size} of ${header.size} bytes); ${records.length} journaled write${records.length === 1 ? '' : 's'} could still be read, later ones are lost. The file was kept as ${aside}.`);
      beforeLoss = records.length;
    }
    return { generation: header.generation, records, warnings, beforeLoss };
  }

  private keepAside(): string {
    const aside = asideName(this.path, 'corrupt');
    copyFileSync(this.path, aside);
    return aside;
  }

  /**
   * Crash recovery (caller holds every stripe): replays the last journaled state of each key
   * over the value files, makes them durable and starts a new generation. A record that
   * cannot be applied is kept aside and reported, never dropped silently. When the file
   * system takes no writes at all (full, read-only, out of file handles), whether for a record
   * or for a copy kept aside (an I/O error too, there), recovery stops with the error and
   * leaves the journal as it is, to be replayed whole at the next open: it is then the only
   * copy of those values.
   */
  recoverInto(folders: KeyFolders): RecoveryReport {
    const { generation, records, warnings, beforeLoss } = this.recover();
    const files: string[] = [];
    const changedFolders = new Set<string>();
    let replayed = 0;
    const overtaken = beforeLoss > 0 ? overtakenRecords(folders, records, beforeLoss) : new Set<JournalRecord>();
    const keptFiles: string[] = [];
    // One folder for every value kept aside by this recovery.
    let aside: string | undefined;
    const keep = (record: SetRecord): { path: string } | { failed: string } => {
      try {
        return { path: this.keepUnreplayed(record, (aside ??= asideName(this.path, 'unreplayed')), files, changedFolders) };
      } catch (error) {
        const problem = storeErrorFrom(error, { store: 'keyvalue', action: 'keep aside the journaled value of', bucket: record.bucket, key: record.key, ...pathOf(error) });
        if (stopsRecovery(error, true)) throw recoveryStopped(this.path, problem);
        // A name this file system refuses even aside: said, and the replay goes on without it.
        return { failed: problem.message };
      }
    };
    for (const record of lastWrites(records)) {
      if (overtaken.has(record)) {
        const where = `key ${JSON.stringify(record.key)} in bucket ${JSON.stringify(record.bucket)}`;
        const kept = record.op === 'set' ? keep(record) : undefined;
        keptFiles.push(!kept ? `${where} (journaled as deleted)` : 'path' in kept ? `${where} (its journaled value is in ${kept.path})` : `${where} (keeping its journaled value aside failed: ${kept.failed})`);
        continue;
      }
      try {
        const { file, folder } = applyRecord(folders, record, true);
        if (file) files.push(file);
        if (folder) changedFolders.add(folder);
        replayed++;
      } catch (error) {
        // Worded as any store error (what, where, and the fix), after the record it concerns.
        const problem = storeErrorFrom(error, { store: 'keyvalue', action: record.op === 'set' ? 'write' : 'delete', bucket: record.bucket, key: record.key, ...pathOf(error) });
        if (stopsRecovery(error, false)) throw recoveryStopped(this.path, problem);
        const reason = `${problem.message.replace(/^Cannot [^:]*: /, '').replace(/\.$/, '')}. ${problem.hint ?? ''} Until then the key reads as it did before that ${record.op}.`;
        const kept = record.op === 'set' ? keep(record) : undefined;
        const keptText = !kept ? '' : 'path' in kept ? ` The journaled value was kept as ${kept.path}: copy it back over the key's file once the cause is fixed.` : ` Keeping the journaled value aside failed too: ${kept.failed}`;
        warnings.push(`Could not replay the journaled ${record.op} of key ${JSON.stringify(record.key)} in bucket ${JSON.stringify(record.bucket)}: ${reason}${keptText}`);
      }
    }
    if (keptFiles.length > 0) {
      const listed = keptFiles.slice(0, 5).join('; ') + (keptFiles.length > 5 ? `; and ${keptFiles.length - 5} more` : '');
      warnings.push(`${keptFiles.length} key${keptFiles.length === 1 ? '' : 's'} kept ${keptFiles.length === 1 ? 'its' : 'their'} value file instead of an older journaled write, since the journal lost writes and each file holds none of the values journaled for its key, so it may hold a later one: ${listed}. Copy a kept value back over its key's file if it is the one you want.`);
    }
    try {
      if (files.length + changedFolders.size > 0) syncPaths(folders.root, files, new Set([folders.root, ...changedFolders]));
    } catch (error) {
      // Not durable, so the journal cannot go: whatever the cause, it is kept for the next open.
      throw recoveryStopped(this.path, storeErrorFrom(error, { store: 'keyvalue', action: 'recover', path: errnoPath(error) ?? folders.root }));
    }
    this.reset(generation);
    return { replayed, warnings };
  }

  /**
   * A value that could not be replayed, as a plain file a person can copy back:
   * `<aside>/<bucket>/<key>` (aside: `.cs-journal.unreplayed-<time>`), made durable with the replayed files
   * (`files`, `folders`) before the journal lets go of it. A copy that cannot be made whole
   * is not left behind cut short, nor its empty folders.
   */
  private keepUnreplayed(record: SetRecord, aside: string, files: string[], folders: Set<string>): string {
    const dir = join(aside, record.bucket === '' ? '(root)' : bucketFolderName(record.bucket, 'bucket'));
    const path = join(dir, keyFileName(record.key));
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, record.value);
    } catch (error) {
      // Nothing cut short, nor an empty folder, is left to be taken for a kept value.
      rmSync(path, { force: true });
      for (const folder of [dir, aside]) {
        try {
          rmdirSync(folder);
        } catch {
          // Holds values kept before this one, or was never made.
        }
      }
      throw error;
    }
    files.push(path);
    folders.add(dir).add(dirname(dir)).add(dirname(aside));
    return path;
  }

  /** Which keys were written since the last reset, values left out (caller holds every stripe). */
  pendingKeys(): JournalRecord[] {
    const end = this.locks.load(SharedWord.journalEnd);
    if (end <= HEADER_BYTES) return [];
    return decodeRecords(readAllAt(this.handle, end - HEADER_BYTES, HEADER_BYTES), this.locks.load(SharedWord.journalGeneration), false);
  }

  /** True when records were appended since the last reset. */
  get dirty(): boolean {
    return this.locks.load(SharedWord.journalEnd) > HEADER_BYTES;
  }

  /**
   * Appends records (caller holds their key stripes) and returns where each one starts and
   * the end offset to pass to `flush`, or undefined when the journal is full and a checkpoint
   * must come first.
   */
  append(records: readonly JournalRecord[]): { offsets: number[]; end: number } | undefined {
    return this.locks.withSlot(LockSlot.journal, () => {
      const generation = this.locks.load(SharedWord.journalGeneration);
      const encoded = records.map((record) => encodeRecord(record, generation));
      const bytes = encoded.reduce((sum, [head, value]) => sum + head!.byteLength + value!.byteLength, 0);
      const start = this.locks.load(SharedWord.journalEnd);
      if (start > HEADER_BYTES && start + bytes > HEADER_BYTES + this.capacity) return undefined;
      if (start + bytes > 0x7fff_ffff) return undefined;
      writeAllAt(this.handle, encoded.flat(), start);
      const offsets: number[] = [];
      let at = start;
      for (const [head, value] of encoded) {
        offsets.push(at);
        at += head!.byteLength + value!.byteLength;
      }
      this.locks.store(SharedWord.journalEnd, at);
      return { offsets, end: at };
    });
  }

  /**
   * The record at `offset` in the current generation, or undefined when what is there does
   * not check out (the journal was reset since the offset was taken). For reads of values
   * whose files are not written yet; takes no lock.
   */
  recordAt(offset: number): JournalRecord | undefined {
    const generation = this.locks.load(SharedWord.journalGeneration);
    const head = readAllAt(this.handle, Math.min(READ_AHEAD, Math.max(0, this.locks.load(SharedWord.journalEnd) - offset)), offset);
    if (head.length < RECORD_HEAD_BYTES) return undefined;
    const length = head.readUInt32LE(4);
    const bytes = length <= head.length ? head : readAllAt(this.handle, length, offset);
    return decodeRecordsAt(bytes, generation, true, 1)[0]?.record;
  }

  /**
   * The durable records from `from` up to `to` (both offsets in the current generation), each
   * with where it sits in the file; stops early at anything that does not check out.
   */
  recordsBetween(from: number, to: number, withValues = true): PlacedRecord[] {
    if (to <= from) return [];
    const generation = this.locks.load(SharedWord.journalGeneration);
    return decodeRecordsAt(readAllAt(this.handle, to - from, from), generation, withValues).map((placed) => ({ ...placed, offset: placed.offset + from, next: placed.next + from }));
  }

  /**
   * Makes the journal durable up to `end`. Writers that arrive while a flush runs share the
   * next one: whoever holds the sync lock flushes everything appended so far.
   */
  flush(end: number): void {
    const locks = this.locks;
    if (locks.load(SharedWord.journalSynced) >= end) return;
    // No lock around the flush: writers that flush at the same moment are merged into one
    // disk flush by the kernel, and a writer whose record another flush covered skips its own.
    const appended = locks.load(SharedWord.journalEnd);
    fdatasyncSync(this.handle);
    for (let synced = locks.load(SharedWord.journalSynced); synced < appended; synced = locks.load(SharedWord.journalSynced)) {
      if (locks.compareExchange(SharedWord.journalSynced, synced, appended) === synced) break;
    }
    locks.notify(SharedWord.journalSynced);
  }

  /**
   * Starts a new, empty generation (caller holds every stripe, and has made every value file
   * the records describe durable). Old records stay in the file but fail their checksum.
   */
  reset(previousGeneration = this.locks.load(SharedWord.journalGeneration)): void {
    const locks = this.locks;
    locks.withSlot(LockSlot.journal, () => {
      const generation = (previousGeneration + 1) >>> 0;
      const fd = this.handle;
      const size = fstatSync(fd).size;
      // A journal grown by one oversized batch goes back to its usual size. The header names
      // the size first, so a crash between the two never looks like a journal cut short.
      const shrink = size > 2 * (this.capacity + HEADER_BYTES);
      writeAllAt(fd, [encodeHeader(generation, shrink ? this.capacity + HEADER_BYTES : size)], 0);
      if (shrink) {
        ftruncateSync(fd, this.capacity + HEADER_BYTES);
        fsyncSync(fd);
      } else {
        fdatasyncSync(fd);
      }
      locks.store(SharedWord.journalGeneration, generation | 0);
      locks.store(SharedWord.journalEnd, HEADER_BYTES);
      locks.store(SharedWord.journalSynced, HEADER_BYTES);
      locks.store(SharedWord.journalWritten, HEADER_BYTES);
      locks.pending.clear();
    });
  }
}

/** The path a system error names, as a StoreContext field (see errnoPath). */
function pathOf(error: unknown): { path?: string } {
  const path = errnoPath(error);
  return path === undefined ? {} : { path };
}
