// wasi:filesystem for components: the host folders of `dev.volumes` are preopened at their
// guest paths, and nothing else is visible. Calls are synchronous file-system calls on the
// worker's thread. A path that would leave its preopen (`..` past the root, an absolute path,
// a symlink pointing out) is refused with `not-permitted`.
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  statSync,
  lstatSync,
  unlinkSync,
  writeSync,
  constants,
  type Stats,
} from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { InputStream, OutputStream, disposeSymbol, type ByteSink, type ByteSource } from './io.ts';
import { isWithin } from '../path-within.ts';

/** A host folder shown to components at a guest path (from `dev.volumes`). */
export interface Volume {
  hostPath: string;
  guestPath: string;
}

type ErrorCode = string;
type DescriptorType = 'unknown' | 'block-device' | 'character-device' | 'directory' | 'fifo' | 'symbolic-link' | 'regular-file' | 'socket';
type DescriptorFlags = { read?: boolean; write?: boolean; mutateDirectory?: boolean };
type OpenFlags = { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean };
type PathFlags = { symlinkFollow?: boolean };
type Datetime = { seconds: bigint; nanoseconds: number };

const ERRNO: Record<string, ErrorCode> = {
  ENOENT: 'no-entry',
  EACCES: 'access',
  EPERM: 'not-permitted',
  EEXIST: 'exist',
  ENOTDIR: 'not-directory',
  EISDIR: 'is-directory',
  ENOTEMPTY: 'not-empty',
  EINVAL: 'invalid',
  ENOSPC: 'insufficient-space',
  EROFS: 'read-only',
  ENAMETOOLONG: 'name-too-long',
  ELOOP: 'loop',
  EXDEV: 'cross-device',
  EBUSY: 'busy',
  EMFILE: 'insufficient-memory',
};

/** Runs a file-system call, turning Node errors into the WIT error-code enum (thrown). */
function fsCall<T>(call: () => T): T {
  try {
    return call();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof err === 'string') throw err;
    throw (code && ERRNO[code]) ?? 'io';
  }
}

function typeOf(stats: Stats): DescriptorType {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFile()) return 'regular-file';
  if (stats.isSymbolicLink()) return 'symbolic-link';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  return 'unknown';
}

function datetime(ms: number): Datetime {
  return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: Math.floor((ms % 1000) * 1e6) };
}

function statOf(stats: Stats) {
  return {
    type: typeOf(stats),
    linkCount: BigInt(stats.nlink),
    size: BigInt(stats.size),
    dataAccessTimestamp: datetime(stats.atimeMs),
    dataModificationTimestamp: datetime(stats.mtimeMs),
    statusChangeTimestamp: datetime(stats.ctimeMs),
  };
}

export function filesystemImports(volumes: readonly Volume[]) {
  class DirectoryEntryStream {
    private at = 0;
    constructor(private readonly entries: { type: DescriptorType; name: string }[]) {}
    readDirectoryEntry(): { type: DescriptorType; name: string } | undefined {
      return this.entries[this.at++];
    }
  }

  class Descriptor {
    private fd: number | undefined;

    constructor(
      /** The preopen's real host folder: nothing outside it is reachable. */
      private readonly root: string,
      /** This descriptor's host path, inside `root`. */
      private readonly path: string,
      private readonly kind: DescriptorType,
      private readonly flags: DescriptorFlags,
    ) {}

    /** The host path of `path` relative to this directory, refused when it leaves the root. */
    private resolve(path: string, follow = true): string {
      if (this.kind !== 'directory') throw 'not-directory';
      if (isAbsolute(path) || path.includes('\0')) throw 'not-permitted';
      const joined = normalize(join(this.path, path));
      if (!isWithin(this.root, joined)) throw 'not-permitted';
      // Symlinks may not lead out either: check where the path really lands, when it exists.
      if (follow) {
        try {
          if (!isWithin(this.root, realpathSync(joined))) throw 'not-permitted';
        } catch (err) {
          if (err === 'not-permitted') throw err;
        }
      }
      return joined;
    }

    private handle(): number {
      if (this.kind === 'directory') throw 'is-directory';
      this.fd ??= fsCall(() => openSync(this.path, this.flags.write ? 'r+' : 'r'));
      return this.fd;
    }

    [disposeSymbol](): void {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = undefined;
    }

    readViaStream(offset: bigint): InputStream {
      if (!this.flags.read) throw 'bad-descriptor';
      const fd = this.handle();
      let position = Number(offset);
      const source: ByteSource = {
        ready: () => true,
        read: (max) => {
          const buffer = Buffer.alloc(Math.min(max, 1 << 20));
          const n = fsCall(() => readSync(fd, buffer, 0, buffer.length, position));
          if (n === 0) return 'closed';
          position += n;
          return buffer.subarray(0, n);
        },
      };
      return new InputStream(source);
    }

    writeViaStream(offset: bigint): OutputStream {
      return this.writer(Number(offset));
    }

    appendViaStream(): OutputStream {
      return this.writer(undefined);
    }

    private writer(offset: number | undefined): OutputStream {
      if (!this.flags.write) throw 'bad-descriptor';
      const fd = this.handle();
      let position = offset ?? fstatSync(fd).size;
      const sink: ByteSink = {
        write: (bytes) => {
          try {
            position += writeSync(fd, bytes, 0, bytes.length, position);
          } catch (err) {
            return { error: (err as Error).message };
          }
        },
      };
      return new OutputStream(sink);
    }

    advise(): void {}
    syncData(): void {
      if (this.kind !== 'directory') fsCall(() => fsyncSync(this.handle()));
    }
    sync(): void {
      this.syncData();
    }
    getFlags(): DescriptorFlags {
      return this.flags;
    }
    getType(): DescriptorType {
      return this.kind;
    }
    setSize(size: bigint): void {
      if (!this.flags.write) throw 'bad-descriptor';
      fsCall(() => ftruncateSync(this.handle(), Number(size)));
    }
    setTimes(): void {}
    setTimesAt(): void {}

    read(length: bigint, offset: bigint): [Uint8Array, boolean] {
      if (!this.flags.read) throw 'bad-descriptor';
      const fd = this.handle();
      const buffer = Buffer.alloc(Number(length));
      const n = fsCall(() => readSync(fd, buffer, 0, buffer.length, Number(offset)));
      return [buffer.subarray(0, n), n === 0];
    }

    write(bytes: Uint8Array, offset: bigint): bigint {
      if (!this.flags.write) throw 'bad-descriptor';
      const fd = this.handle();
      return BigInt(fsCall(() => writeSync(fd, bytes, 0, bytes.length, Number(offset))));
    }

    readDirectory(): DirectoryEntryStream {
      if (this.kind !== 'directory') throw 'not-directory';
      const entries = fsCall(() => readdirSync(this.path, { withFileTypes: true }));
      return new DirectoryEntryStream(
        entries.map((e) => ({
          name: e.name,
          type: e.isDirectory() ? 'directory' : e.isFile() ? 'regular-file' : e.isSymbolicLink() ? 'symbolic-link' : 'unknown',
        })),
      );
    }

    createDirectoryAt(path: string): void {
      this.mutable();
      const target = this.resolve(path);
      fsCall(() => mkdirSync(target));
    }

    stat() {
      return statOf(fsCall(() => statSync(this.path)));
    }

    statAt(flags: PathFlags, path: string) {
      const target = this.resolve(path, flags.symlinkFollow !== false);
      return statOf(fsCall(() => (flags.symlinkFollow === false ? lstatSync(target) : statSync(target))));
    }

    linkAt(): never {
      throw 'unsupported';
    }

    symlinkAt(): never {
      throw 'unsupported';
    }

    openAt(pathFlags: PathFlags, path: string, open: OpenFlags, flags: DescriptorFlags): Descriptor {
      const target = this.resolve(path, pathFlags.symlinkFollow !== false);
      if ((open.create || open.truncate || flags.write || flags.mutateDirectory) && !this.flags.mutateDirectory && !this.flags.write) throw 'read-only';
      if (open.directory) {
        if (open.create) fsCall(() => mkdirSync(target, { recursive: false }));
        const stats = fsCall(() => statSync(target));
        if (!stats.isDirectory()) throw 'not-directory';
        return new Descriptor(this.root, target, 'directory', flags);
      }
      let mode = 0;
      if (open.create) mode |= constants.O_CREAT;
      if (open.exclusive) mode |= constants.O_EXCL;
      if (open.truncate) mode |= constants.O_TRUNC;
      mode |= flags.write ? (flags.read ? constants.O_RDWR : constants.O_WRONLY) : constants.O_RDONLY;
      const stats = (() => {
        try {
          return statSync(target);
        } catch {
          return undefined;
        }
      })();
      if (stats?.isDirectory()) return new Descriptor(this.root, target, 'directory', flags);
      const fd = fsCall(() => openSync(target, mode));
      const descriptor = new Descriptor(this.root, target, 'regular-file', flags);
      descriptor.fd = fd;
      return descriptor;
    }

    readlinkAt(path: string): string {
      return fsCall(() => readlinkSync(this.resolve(path, false)));
    }

    removeDirectoryAt(path: string): void {
      this.mutable();
      const target = this.resolve(path, false);
      fsCall(() => rmdirSync(target));
    }

    renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
      this.mutable();
      const from = this.resolve(oldPath, false);
      const to = newDescriptor.resolve(newPath, false);
      fsCall(() => renameSync(from, to));
    }

    unlinkFileAt(path: string): void {
      this.mutable();
      const target = this.resolve(path, false);
      fsCall(() => unlinkSync(target));
    }

    isSameObject(other: Descriptor): boolean {
      return this.path === other.path;
    }

    metadataHash(): { lower: bigint; upper: bigint } {
      const stats = fsCall(() => statSync(this.path, { bigint: true }));
      return { lower: stats.ino, upper: stats.dev };
    }

    metadataHashAt(flags: PathFlags, path: string): { lower: bigint; upper: bigint } {
      const stats = fsCall(() => statSync(this.resolve(path, flags.symlinkFollow !== false), { bigint: true }));
      return { lower: stats.ino, upper: stats.dev };
    }

    private mutable(): void {
      if (!this.flags.mutateDirectory) throw 'read-only';
    }
  }

  const preopens = volumes.map((volume): [Descriptor, string] => {
    const root = realpathSync(volume.hostPath);
    return [new Descriptor(root, root, 'directory', { read: true, write: true, mutateDirectory: true }), volume.guestPath];
  });

  return {
    'wasi:filesystem/preopens': { getDirectories: () => preopens },
    'wasi:filesystem/types': { Descriptor, DirectoryEntryStream, filesystemErrorCode: () => undefined },
  };
}

