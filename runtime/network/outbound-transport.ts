// What the outbound service asks of a transport (HTTP/1.1 through undici, HTTP/2 through
// node:http2), and the request body both of them read: a queue that a component thread fills
// and a transport drains at the network's pace, saying how much it took so the component may
// write more. A transport knows nothing of threads, stand-ins or logs.
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

/**
 * A request body on its way from a component thread to a transport. Chunks arrive as the
 * component writes them; the transport iterates them as the connection takes them, and each
 * chunk taken is reported through `taken` (so the component may write as much again).
 * Ends with the component's finish (with trailers, maybe), or fails when it dropped the body
 * unfinished or the call was stopped.
 */
export class RequestBody implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private stirred: (() => void) | undefined;
  /** Resolves at the first chunk, the end or a failure. */
  readonly started = new Promise<void>((resolve) => (this.stirred = resolve));
  private trailerFields: [string, string][] | undefined;
  private bytes = 0;

  /** `taken(bytes, drained)`: the transport took a chunk; `drained` when nothing else waits. */
  constructor(private readonly taken: (bytes: number, drained: boolean) => void) {}

  push(chunk: Uint8Array): void {
    if (this.ended || this.failure) return;
    this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.poke();
  }

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
    this.chunks.length = 0;
    this.poke();
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
    return this.ended && this.bytes === 0 && this.chunks.length === 0;
  }

  private poke(): void {
    this.stirred?.();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      const chunk = this.chunks.shift();
      if (chunk) {
        this.bytes += chunk.length;
        // The transport asks for the next chunk once it wrote this one (and waited for drain).
        yield chunk;
        this.taken(chunk.length, this.chunks.length === 0);
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
