// One direction of a TCP connection: a fixed-size ring of bytes in shared memory with one
// writer and one reader, each on its own thread (a component thread, or the main thread for
// a connection to the host's network). Its capacity is the connection's whole buffer in that
// direction, like a kernel's socket buffer: a writer facing a full ring waits, so a peer that
// stops reading stops its writer instead of growing anyone's memory.
//
// The ring only holds bytes and flags. Waking the other side is its users' job, and the two
// "waiting" bits say when it is needed: a side about to wait sets its bit, then checks again;
// the other side, after changing the ring, takes the bit and wakes it. With sequentially
// consistent atomics one of the two always sees the other, so no wake is lost.
import { SOCKET_ERROR_CODES, type SocketErrorCode } from './socket-errors.ts';

const enum Word {
  /** Bytes written since the start, modulo 2^32. */
  written = 0,
  /** Bytes read since the start, modulo 2^32. */
  read = 1,
  /** RingFlag bits. */
  flags = 2,
  /** RingWaiter bits. */
  waiting = 3,
  /** Index into SOCKET_ERROR_CODES, once `failed` is set. */
  error = 4,
}
const HEADER_BYTES = 32;

export const RingFlag = {
  /** The writer is done: the reader sees the end of the stream after the last byte (a FIN). */
  writerClosed: 1,
  /** The reader is gone: writes fail, unread bytes are dropped. */
  readerClosed: 2,
  /** The connection broke: the reader gets the error after the bytes already here. */
  failed: 4,
} as const;

export const RingWaiter = { reader: 1, writer: 2 } as const;
export type RingWaiter = (typeof RingWaiter)[keyof typeof RingWaiter];

/** 64 KiB each way: what a loopback socket buffers by default on most systems, and cheap for 200 connections. */
export const DEFAULT_RING_BYTES = 64 * 1024;

export class ByteRing {
  private readonly header: Int32Array;
  private readonly data: Uint8Array;
  readonly capacity: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
    this.capacity = this.data.length;
  }

  static create(capacity = DEFAULT_RING_BYTES): ByteRing {
    return new ByteRing(new SharedArrayBuffer(HEADER_BYTES + capacity));
  }

  /** Bytes written and not read yet. */
  available(): number {
    return (Atomics.load(this.header, Word.written) - Atomics.load(this.header, Word.read)) >>> 0;
  }

  /** Bytes a write takes now. */
  free(): number {
    return this.capacity - this.available();
  }

  /** Copies in as much of `bytes` as fits and returns how much that was. Writer only. */
  write(bytes: Uint8Array): number {
    const written = Atomics.load(this.header, Word.written);
    const n = Math.min(bytes.length, this.capacity - ((written - Atomics.load(this.header, Word.read)) >>> 0));
    if (n === 0) return 0;
    const at = (written >>> 0) % this.capacity;
    const first = Math.min(n, this.capacity - at);
    this.data.set(bytes.subarray(0, first), at);
    if (first < n) this.data.set(bytes.subarray(first, n), 0);
    Atomics.store(this.header, Word.written, (written + n) | 0);
    return n;
  }

  /** Copies out up to `max` bytes (an empty array when none are here). Reader only. */
  read(max: number): Uint8Array {
    const read = Atomics.load(this.header, Word.read);
    const n = Math.min(max, (Atomics.load(this.header, Word.written) - read) >>> 0);
    const out = new Uint8Array(n);
    if (n === 0) return out;
    const at = (read >>> 0) % this.capacity;
    const first = Math.min(n, this.capacity - at);
    out.set(this.data.subarray(at, at + first));
    if (first < n) out.set(this.data.subarray(0, n - first), first);
    Atomics.store(this.header, Word.read, (read + n) | 0);
    return out;
  }

  /** Drops every unread byte (the reader shut down). Reader only. */
  discard(): void {
    Atomics.store(this.header, Word.read, Atomics.load(this.header, Word.written));
  }

  has(flag: number): boolean {
    return (Atomics.load(this.header, Word.flags) & flag) !== 0;
  }

  /** Sets a RingFlag; true when it was not set before. */
  set(flag: number): boolean {
    return (Atomics.or(this.header, Word.flags, flag) & flag) === 0;
  }

  /** Marks the connection broken with `code`; the reader gets it once the bytes before it are read. */
  fail(code: SocketErrorCode): void {
    Atomics.store(this.header, Word.error, SOCKET_ERROR_CODES.indexOf(code));
    this.set(RingFlag.failed);
  }

  error(): SocketErrorCode | undefined {
    return this.has(RingFlag.failed) ? (SOCKET_ERROR_CODES[Atomics.load(this.header, Word.error)] ?? 'unknown') : undefined;
  }

  /** Says `side` is about to wait for the other one. Check the ring again after this. */
  willWait(side: RingWaiter): void {
    Atomics.or(this.header, Word.waiting, side);
  }

  /** Whether `side` said it waits; clears the bit, so one change wakes it once. */
  takeWaiter(side: RingWaiter): boolean {
    return (Atomics.and(this.header, Word.waiting, ~side) & side) !== 0;
  }
}

/** The word of a thread's wake buffer that its blocked host calls wait on. */
export interface WakeCell {
  buffer: SharedArrayBuffer;
  index: number;
}

/** Wakes the thread parked on `cell` (see WakeSignal in host/io.ts). */
export function wake(cell: Int32Array, index: number): void {
  Atomics.add(cell, index, 1);
  Atomics.notify(cell, index);
}
