// Values of key files read before, kept while the file is unchanged. A read looks at the
// file's metadata (one lstat, about half of what opening and reading it costs) and answers
// from memory when the file is the one that was read: same inode, size, modification and
// change times. A file another program rewrote (in place or by rename) has new metadata,
// so its next read sees the new bytes. A file read once is only remembered as seen: its
// value is kept from its second read on, so reading many keys once costs no more than
// before. Per store instance, so per thread; small values only.
//
// File times have a resolution: a kernel tick on many Linux systems, 1 s on HFS+, 2 s on
// FAT. A write that lands in the same tick as the change the cache saw leaves every time as
// it was, and a value kept from before it would be served for good. So a value is kept only
// when it was read after that resolution had passed since the file last changed (git's
// "racily clean" entries, settled the same way: such a file is read again next time).
import { lstatSync, type Stats } from 'node:fs';
import { isErrno } from './store-error.ts';

/** Values larger than this are read from the file each time (they cost memory, and a read is cheap next to their copy). */
const MAX_VALUE_BYTES = 64 * 1024;
/** Bytes of values kept at most; past it the cache starts over. */
const MAX_TOTAL_BYTES = 16 * 1024 * 1024;
const MAX_ENTRIES = 8192;
/** File times of most file systems move at least this often (a 100 Hz kernel tick is 10 ms). */
const FINE_RESOLUTION_MS = 20;
/** Times on whole seconds: HFS+ (1 s) or FAT (2 s), or a coincidence that costs one more read. */
const COARSE_RESOLUTION_MS = 2000;

interface Entry {
  ino: number;
  size: number;
  /** Modification and change times in ms, with their sub-millisecond part. */
  mtimeMs: number;
  ctimeMs: number;
  value: Uint8Array;
}

export class FileValueCache {
  /** null: read once, value not kept yet. */
  private readonly entries = new Map<string, Entry | null>();
  private bytes = 0;

  /**
   * The file's value: from memory when the file is unchanged since it was read, else from
   * `read` (which reports missing files as undefined and any problem as an error).
   */
  read(path: string, read: (path: string) => Uint8Array | undefined): Uint8Array | undefined {
    const known = this.entries.get(path);
    if (known === undefined) {
      const value = read(path);
      if (value !== undefined) this.remember(path, null);
      return value;
    }
    let stats: Stats | undefined;
    try {
      stats = lstatSync(path, { throwIfNoEntry: false });
    } catch (error) {
      // A missing folder on the way, or something only `read` knows how to report.
      if (!isErrno(error, 'ENOTDIR')) return read(path);
      stats = undefined;
    }
    if (!stats) {
      this.forget(path);
      return undefined;
    }
    // Links and folders take the careful path every time (it checks where a link leads).
    if (!stats.isFile()) return read(path);
    // The caller gets its own copy; Buffer.from takes small ones from Node's pool, where a
    // Uint8Array copy costs a fresh allocation (three times the time, a third of a cached read).
    if (known && known.ino === stats.ino && known.size === stats.size && known.mtimeMs === stats.mtimeMs && known.ctimeMs === stats.ctimeMs) return Buffer.from(known.value);
    const readFrom = Date.now();
    const value = read(path);
    this.forget(path);
    // Kept only when it is the file that was looked at (one rewritten in between differs in
    // size, or is read again next time for its new times). One changed too recently for a
    // later write to change its times is read again next time, and kept then.
    if (value !== undefined && value.byteLength <= MAX_VALUE_BYTES && value.byteLength === stats.size) {
      this.remember(path, settled(stats, readFrom) ? { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, value: new Uint8Array(value) } : null);
    }
    return value;
  }

  private remember(path: string, entry: Entry | null): void {
    const bytes = entry?.value.byteLength ?? 0;
    if (this.entries.size >= MAX_ENTRIES || this.bytes + bytes > MAX_TOTAL_BYTES) this.clear();
    this.entries.set(path, entry);
    this.bytes += bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private forget(path: string): void {
    const known = this.entries.get(path);
    this.entries.delete(path);
    if (known) this.bytes -= known.value.byteLength;
  }
}

/** Whether any write after `readFrom` must give the file other times than `stats` holds. */
function settled(stats: Stats, readFrom: number): boolean {
  const resolution = stats.mtimeMs % 1000 === 0 && stats.ctimeMs % 1000 === 0 ? COARSE_RESOLUTION_MS : FINE_RESOLUTION_MS;
  return readFrom - Math.max(stats.mtimeMs, stats.ctimeMs) >= resolution;
}
