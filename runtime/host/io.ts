// wasi:io (error, poll, streams) for components running in a workload worker.
// Host calls here are synchronous: the component runs on the worker's thread, so a blocking
// read or poll parks that thread with Atomics.wait on the worker's wake counter until the
// main thread signals new input or a deadline passes. Every stream, pollable and error the
// studio hands a component is an instance of a class from this file, because the glue jco
// generates checks resource classes.

import { pumpHostChannel } from './host-channel.ts';

/** What jco's glue calls when a component drops a host resource. */
export const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

/** What a pollable waits for. `deadline` is a performance.now() time in ms. */
export interface Readiness {
  ready(): boolean;
  deadline?(): number;
}

/**
 * Wakes blocked host calls: the main thread bumps and notifies word 0 of `cell` when input
 * arrives. While the thread is parked, word `parkedWord` (when given) is 1, for whoever
 * counts threads that are busy but use no CPU; word `waitsWord` (when given) counts every
 * wait the component asks for, for whoever looks for a component that never waits.
 */
export class WakeSignal {
  /** `beforeWait` runs before the thread parks, e.g. to send out buffered replies. */
  constructor(
    private readonly cell: Int32Array,
    private readonly beforeWait: () => void = () => {},
    private readonly parkedWord?: number,
    private readonly waitsWord?: number,
  ) {}

  /** Blocks until `check` is true, the signal is bumped, or `deadline` passes. */
  waitUntil(check: () => boolean, deadline = Infinity): void {
    if (this.waitsWord !== undefined) Atomics.add(this.cell, this.waitsWord, 1);
    for (;;) {
      const seen = Atomics.load(this.cell, 0);
      if (check()) return;
      const left = deadline - performance.now();
      if (left <= 0) return;
      this.beforeWait();
      if (this.parkedWord !== undefined) Atomics.store(this.cell, this.parkedWord, 1);
      Atomics.wait(this.cell, 0, seen, left === Infinity ? undefined : left);
      if (this.parkedWord !== undefined) Atomics.store(this.cell, this.parkedWord, 0);
    }
  }
}

let wakeSignal: WakeSignal | undefined;

/** The worker installs its wake signal once before instantiating components. */
export function setWakeSignal(signal: WakeSignal): void {
  wakeSignal = signal;
}

function waitFor(check: () => boolean, deadline: number): void {
  if (!wakeSignal) throw new Error('wasi:io used before the worker set its wake signal');
  // Events from the main thread (network data, say) are what many checks wait for.
  wakeSignal.waitUntil(() => {
    pumpHostChannel();
    return check();
  }, deadline);
}

export class IoError {
  constructor(private readonly message: string) {}
  toDebugString(): string {
    return this.message;
  }
}

export class Pollable {
  /** @internal */
  constructor(readonly readiness: Readiness) {}
  ready(): boolean {
    pumpHostChannel();
    return this.readiness.ready();
  }
  block(): void {
    poll([this]);
  }
  /** @internal */
  deadline(): number {
    return this.readiness.deadline?.() ?? Infinity;
  }
}

const ALWAYS_READY: Readiness = { ready: () => true };

export function readyPollable(): Pollable {
  return new Pollable(ALWAYS_READY);
}

export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new Error('wasi:io/poll.poll called with an empty list');
  const readyNow = () => {
    pumpHostChannel();
    return list.flatMap((p, i) => (p.readiness.ready() ? [i] : []));
  };
  let ready = readyNow();
  if (ready.length === 0) {
    const deadline = Math.min(...list.map((p) => p.deadline()));
    waitFor(() => (ready = readyNow()).length > 0, deadline);
    // A deadline that passed makes its pollable ready; read again after the wait.
    if (ready.length === 0) ready = readyNow();
  }
  return Uint32Array.from(ready);
}

export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };
const CLOSED: StreamError = { tag: 'closed' };

/** A source of bytes behind an input-stream. */
export interface ByteSource {
  /** Up to `max` bytes now, an empty array when none are ready yet, or 'closed' at the end. */
  read(max: number): Uint8Array | 'closed' | { error: string };
  /** True when read would return something other than an empty array. */
  ready(): boolean;
  /** The component dropped the stream: let go of what backs it (a file, a buffer). */
  close?(): void;
}

export class InputStream {
  constructor(private readonly source: ByteSource) {}

  read(len: bigint): Uint8Array {
    const got = this.source.read(Number(len));
    if (got === 'closed') throw CLOSED;
    if (!(got instanceof Uint8Array)) throw { tag: 'last-operation-failed', val: new IoError(got.error) };
    return got;
  }

  blockingRead(len: bigint): Uint8Array {
    if (len > 0n) waitFor(() => this.source.ready(), Infinity);
    return this.read(len);
  }

  skip(len: bigint): bigint {
    return BigInt(this.read(len).length);
  }

  blockingSkip(len: bigint): bigint {
    return BigInt(this.blockingRead(len).length);
  }

  subscribe(): Pollable {
    return new Pollable({ ready: () => this.source.ready() });
  }

  [disposeSymbol](): void {
    this.source.close?.();
  }
}

/** A sink of bytes behind an output-stream. Writes are accepted whole and never block. */
export interface ByteSink {
  write(bytes: Uint8Array): void | { error: string } | 'closed';
  /**
   * Bytes the sink takes now without piling them up (absent: any amount). At 0 a blocking
   * write or flush waits, check-write answers 0, and the stream's pollable is not ready.
   */
  room?(): number;
  flush?(): void;
  /** The component dropped the stream: nothing more will be written. */
  close?(): void;
}

/** How much a component may write in one call; a budget, not a buffer size. */
const WRITE_BUDGET = 1n << 20n;

export class OutputStream {
  constructor(private readonly sink: ByteSink) {}

  checkWrite(): bigint {
    const room = this.sink.room?.() ?? Infinity;
    return room >= Number(WRITE_BUDGET) ? WRITE_BUDGET : BigInt(Math.max(0, Math.floor(room)));
  }

  private hasRoom(): boolean {
    return (this.sink.room?.() ?? Infinity) > 0;
  }

  /** Waits until the sink has room again (no wait for sinks without flow control). */
  private waitForRoom(): void {
    if (!this.hasRoom()) waitFor(() => this.hasRoom(), Infinity);
  }

  write(contents: Uint8Array): void {
    const outcome = this.sink.write(contents);
    if (outcome === 'closed') throw CLOSED;
    if (outcome) throw { tag: 'last-operation-failed', val: new IoError(outcome.error) };
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.waitForRoom();
    this.write(contents);
    this.sink.flush?.();
  }

  flush(): void {
    this.sink.flush?.();
  }

  blockingFlush(): void {
    this.sink.flush?.();
    this.waitForRoom();
  }

  subscribe(): Pollable {
    return this.sink.room ? new Pollable({ ready: () => this.hasRoom() }) : readyPollable();
  }

  writeZeroes(len: bigint): void {
    this.write(new Uint8Array(Number(len)));
  }

  blockingWriteZeroesAndFlush(len: bigint): void {
    this.blockingWriteAndFlush(new Uint8Array(Number(len)));
  }

  splice(src: InputStream, len: bigint): bigint {
    const bytes = src.read(len);
    this.write(bytes);
    return BigInt(bytes.length);
  }

  blockingSplice(src: InputStream, len: bigint): bigint {
    const bytes = src.blockingRead(len);
    this.blockingWriteAndFlush(bytes);
    return BigInt(bytes.length);
  }

  [disposeSymbol](): void {
    this.sink.close?.();
  }
}

/** An input-stream with nothing in it, for stdin. */
export const EMPTY_SOURCE: ByteSource = { read: () => 'closed', ready: () => true };

export function ioImports() {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
