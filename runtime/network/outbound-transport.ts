// What the outbound service asks of a transport (HTTP/1.1 through undici, HTTP/2 through
// node:http2), and the request body both of them read: a ring a component thread fills and a
// transport drains at the network's pace. A transport knows nothing of threads, stand-ins or
// logs.
import { RingFlag, RingWaiter, type ByteRing } from './byte-ring.ts';
import type { HttpErrorCode } from './outbound-protocol.ts';

/** The timeouts in effect for one call, in ms (request-options, or the studio's defaults). */
export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  betweenBytesMs: number;
}

/** Why a call failed: the code the component gets, and the cause for the log and its stream errors. */
export interface OutboundFailure {
  code: HttpErrorCode;
  cause: string;
}

export type Protocol = 'HTTP/1.1' | 'HTTP/2';

export interface TransportRequest {
  method: string;
  url: URL;
  /** Without hop-by-hop fields and `host` (the URL's authority is the host). */
  headers: [string, string][];
  body: RequestBody | undefined;
  timeouts: Timeouts;
}

/** What a transport reports about one call, in this order: head, data…, then end or fail (fail may come at any point). */
export interface ResponseListener {
  head(status: number, headers: [string, string][], protocol: Protocol): void;
  data(chunk: Buffer): void;
  end(trailers: [string, string][] | undefined): void;
  fail(failure: OutboundFailure): void;
}

/** A call in flight, as its transport lets the service steer it. */
export interface TransportCall {
  /** Stop reading the response body (the component has a window of it unread). */
  pause(): void;
  resume(): void;
  /** Stop the call and let go of its stream; no more listener calls follow. */
  abort(): void;
}

/**
 * A call whose stream exists only once the call has started (a session to wait for, a file to
 * open): a pause asked before then applies when the stream comes.
 */
export class StreamCall<S extends { pause(): unknown; resume(): unknown }> implements TransportCall {
  private stream: S | undefined;
  private paused = false;
  stopped = false;

  /** `flow` hears each pause and resume (a transport's timers must not count the component's own pace). */
  constructor(
    private readonly stop: (stream: S | undefined) => void,
    private readonly flow: (paused: boolean) => void = () => {},
  ) {}

  /** The stream is there: it follows the pauses asked so far. */
  attach(stream: S): S {
    this.stream = stream;
    if (this.paused) stream.pause();
    return stream;
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
    this.flow(true);
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
    this.flow(false);
  }

  abort(): void {
    this.stopped = true;
    this.stop(this.stream);
  }
}

export interface Transport {
  send(request: TransportRequest, listener: ResponseListener): TransportCall;
  /** Closes idle connections and refuses new calls; calls in flight finish. */
  close(): Promise<void>;
}

/** Header fields as Node and undici hand them over, as name/value pairs. */
export function headerPairs(headers: Record<string, string | string[] | undefined>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
    else pairs.push([name, value]);
  }
  return pairs;
}

/** Bytes a transport takes from the request ring at a time. */
const READ_BYTES = 256 * 1024;

/**
 * A request body on its way from a component thread to a transport, through the call's ring
 * of shared memory: the transport iterates it as the connection takes it, and each read makes
 * room the component may write into again. Ends with the component's finish (with trailers,
 * maybe), or fails when it dropped the body unfinished or the call was stopped.
 */
export class RequestBody implements AsyncIterable<Buffer> {
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  /** The component thread wrote (or something ended) while nobody waited here. */
  private stirredMeanwhile = false;
  private stirred: (() => void) | undefined;
  private trailerFields: [string, string][] | undefined;
  private bytes = 0;
  /** Resolves once the body has a first byte, ends or fails. */
  readonly started = new Promise<void>((resolve) => (this.stirred = resolve));

  /** `wakeWriter`: the component thread waits for room in the ring; wake it. */
  constructor(
    private readonly ring: ByteRing,
    private readonly wakeWriter: () => void,
  ) {
    // Until the first read, every write is news (it settles `started`).
    ring.willWait(RingWaiter.reader);
  }

  /** The component thread wrote into the ring (it saw this side waiting). */
  poke(): void {
    this.stirred?.();
    const wake = this.wake;
    this.wake = undefined;
    if (wake) wake();
    else this.stirredMeanwhile = true;
  }

  /** Every byte is in the ring. */
  end(trailers: [string, string][] | undefined): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    this.trailerFields = trailers;
    this.poke();
  }

  /** The body will not complete: whoever iterates it gets `error`. */
  fail(error: Error): void {
    if (this.ended || this.failure) return;
    this.failure = error;
    this.ring.set(RingFlag.readerClosed);
    this.ring.discard();
    this.poke();
    if (this.ring.takeWaiter(RingWaiter.writer)) this.wakeWriter();
  }

  /** Set once the body ended; what the component passed to outgoing-body.finish. */
  get trailers(): [string, string][] | undefined {
    return this.trailerFields;
  }

  /** Bytes handed to the transport so far. */
  get sent(): number {
    return this.bytes;
  }

  /** True when the body ended without a byte: a request without a body after all. */
  get empty(): boolean {
    return this.ended && this.bytes === 0 && this.ring.available() === 0;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.ring.read(READ_BYTES);
      if (chunk.length > 0) {
        if (this.ring.takeWaiter(RingWaiter.writer)) this.wakeWriter();
        this.bytes += chunk.length;
        // The transport asks for the next chunk once it wrote this one (and waited for drain).
        yield Buffer.from(chunk.buffer, 0, chunk.length);
        continue;
      }
      if (this.ended) return;
      // Say this side waits, then look once more: a write in between is seen either way.
      this.ring.willWait(RingWaiter.reader);
      if (this.ring.available() > 0) continue;
      if (this.stirredMeanwhile) {
        this.stirredMeanwhile = false;
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
