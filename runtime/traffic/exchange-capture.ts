// The capture: the gateway's tap (ExchangeTap) that records each request as it passes. It
// wraps the exchange's response target to see the head, the chunks and the end (or the
// failure the studio answers with), watches the request body's chunks go by, and learns the
// component and worker from the pool. Bodies are kept up to a limit (1 MiB each by default),
// the rest only counted. The finished record goes to the TrafficStore.
//
// Replays and checks mark their requests with REPLAY_HEADER, which the capture takes out
// before the component sees the request, so a replay asks exactly what the original asked;
// the marker says where the record came from and lets the replayer wait for it.
//
// Must not: cost more than a few allocations per request (it runs on every one), or hold
// more memory than the bytes it keeps (chunks are kept by reference while the request runs,
// and copied into one buffer of their own when it ends).
import type { Readable, Writable } from 'node:stream';
import type { ExchangeTap } from '../gateway/http-gateway.ts';
import type { Exchange, ResponseTarget } from '../workloads/exchange.ts';
import { NO_ITEMS, type TrafficOrigin, type TrafficRecord } from './traffic-record.ts';
import type { TrafficStore } from './traffic-store.ts';

/** Set by the replayer and the playground: `<origin> <token> [<id replayed>]`; never reaches a component. */
export const REPLAY_HEADER = 'x-component-studio-replay';

export interface CaptureSettings {
  /** Record clients' requests (replays and checks are always recorded: they need their answers). */
  enabled: boolean;
  /** Bytes of each body kept (default 1 MiB). */
  bodyLimit: number;
}

export const DEFAULT_BODY_LIMIT = 1 << 20;

const BODY_LATE = 'The request body was still arriving when the response ended; what came by then is kept.';
const BODY_BROKEN = 'The request body never arrived whole (the client went away, or it passed the body limit).';

/** How long a finished response waits for the rest of its request body (one the component never read). */
const BODY_GRACE_MS = 1000;

interface Marker {
  origin: TrafficOrigin;
  token: string;
  replayOf?: number;
}

/** Takes the replay marker out of the headers, if the request has one. */
function takeMarker(headers: [string, string][]): Marker | undefined {
  for (let i = 0; i < headers.length; i++) {
    if (headers[i]![0].length !== REPLAY_HEADER.length || headers[i]![0].toLowerCase() !== REPLAY_HEADER) continue;
    const [origin, token, replayOf] = headers[i]![1].split(' ');
    headers.splice(i, 1);
    if ((origin !== 'replay' && origin !== 'check' && origin !== 'playground') || !token) return undefined;
    const id = Number(replayOf);
    return { origin, token, ...(Number.isInteger(id) && id > 0 ? { replayOf: id } : {}) };
  }
  return undefined;
}

/** Shared by every empty body (most requests have one). */
const NO_BYTES = new Uint8Array(0);

/** One body as far as it is kept: the first `limit` bytes, and the whole size. */
export class BodyCapture {
  private chunks: Uint8Array[] = [];
  private kept = 0;
  size = 0;
  cut = false;

  constructor(private readonly limit: number) {}

  add(chunk: Uint8Array): void {
    this.size += chunk.byteLength;
    const room = this.limit - this.kept;
    if (room <= 0) {
      this.cut = true;
      return;
    }
    const taken = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    if (taken !== chunk) this.cut = true;
    this.chunks.push(taken);
    this.kept += taken.byteLength;
  }

  /**
   * The kept bytes, in memory of their own: a chunk is often a view into a larger buffer (a
   * socket read, a worker's batch), which a record would otherwise hold on to whole.
   */
  bytes(): Uint8Array {
    if (this.kept === 0) return NO_BYTES;
    const only = this.chunks.length === 1 ? this.chunks[0]! : undefined;
    if (only && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength) return only;
    const out = new Uint8Array(this.kept);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    this.chunks = [];
    return out;
  }
}

export class ExchangeCapture {
  private readonly waiters = new Map<string, (record: TrafficRecord) => void>();

  constructor(
    private readonly store: TrafficStore,
    /** The build serving now: a request is routed to it the moment it arrives. */
    private readonly build: () => number | undefined,
    readonly settings: CaptureSettings,
  ) {}

  /** The gateway's tap. */
  readonly tap: ExchangeTap = (exchange) => {
    const marker = takeMarker(exchange.headers);
    if (marker?.origin === 'check' || marker?.origin === 'replay') exchange.sentBy = marker.origin;
    if (!this.settings.enabled && !marker) return undefined;
    const capture = new RequestCapture(this, exchange, marker, this.settings.bodyLimit, this.build());
    return (chunk) => capture.request.add(chunk);
  };

  /** Resolves with the record the request marked with `token` produces (register before sending it). */
  expect(token: string): { record: Promise<TrafficRecord>; cancel(): void } {
    let resolve!: (record: TrafficRecord) => void;
    const record = new Promise<TrafficRecord>((done) => (resolve = done));
    this.waiters.set(token, resolve);
    return { record, cancel: () => this.waiters.delete(token) };
  }

  /** @internal A request's record is complete. */
  finished(record: TrafficRecord, bodies: { request: Uint8Array; response: Uint8Array }, marker: Marker | undefined): void {
    this.store.add(record, bodies);
    if (!marker) return;
    const waiter = this.waiters.get(marker.token);
    this.waiters.delete(marker.token);
    waiter?.(record);
  }

  /** @internal */
  began(id: number): void {
    this.store.begin(id);
  }

  private later: (() => void)[] = [];

  /**
   * @internal Runs `work` once the current I/O callbacks are done: making a record must not
   * stand between an answer's end and the pool handing its worker the next request.
   */
  defer(work: () => void): void {
    this.later.push(work);
    if (this.later.length === 1) setImmediate(() => this.runLater());
  }

  private runLater(): void {
    const batch = this.later;
    this.later = [];
    for (const work of batch) work();
  }
}

/** One request on its way through: its record as it fills, and the response target that fills it. */
class RequestCapture implements ResponseTarget {
  readonly request: BodyCapture;
  private readonly response: BodyCapture;
  private readonly inner: ResponseTarget;
  private readonly started = performance.now();
  private readonly time = Date.now();
  private status: number | undefined;
  private responseHeaders: [string, string][] = [];
  private ttfbMs: number | undefined;
  private workload: string | undefined;
  private worker: number | undefined;
  private note: string | undefined;
  private done = false;

  constructor(
    private readonly capture: ExchangeCapture,
    private readonly exchange: Exchange,
    private readonly marker: Marker | undefined,
    bodyLimit: number,
    private readonly build: number | undefined,
  ) {
    this.request = new BodyCapture(bodyLimit);
    this.response = new BodyCapture(bodyLimit);
    this.inner = exchange.response;
    exchange.response = this;
    exchange.assigned = (component, worker) => {
      this.workload = component;
      this.worker = worker;
    };
    capture.began(exchange.id!);
  }

  get headSent(): boolean {
    return this.inner.headSent;
  }

  head(status: number, headers: [string, string][]): void {
    if (!this.inner.headSent) {
      this.status = status;
      this.responseHeaders = headers;
      this.ttfbMs = performance.now() - this.started;
    }
    this.inner.head(status, headers);
  }

  chunk(bytes: Uint8Array, written?: () => void): void {
    if (!this.done) this.response.add(bytes);
    this.inner.chunk(bytes, written);
  }

  end(trailers?: [string, string][]): void {
    this.inner.end(trailers);
    this.complete();
  }

  fail(status: number, text: string): void {
    if (!this.done) {
      if (this.inner.headSent) {
        this.note = `The connection was cut after the status was sent: ${text.trim()}`;
      } else {
        this.status = status;
        this.responseHeaders = [['content-type', 'text/plain; charset=utf-8']];
        this.ttfbMs = performance.now() - this.started;
        this.response.add(Buffer.from(text));
      }
    }
    this.inner.fail(status, text);
    this.complete();
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    const durationMs = performance.now() - this.started;
    // The gateway's body stream is a transform: its writable side is finished once every
    // chunk went past the tap, whether or not the component read them.
    const body = this.exchange.body as (Readable & Partial<Pick<Writable, 'writableFinished'>>) | null;
    const passed = () => !body || body.destroyed || (body.writableFinished ?? body.readableEnded);
    if (passed()) {
      const note = body?.destroyed && !body.writableFinished ? BODY_BROKEN : undefined;
      this.capture.defer(() => this.record(durationMs, note));
      return;
    }
    // The component answered before the body was all in: wait for the rest a moment.
    let waited = false;
    const settle = () => {
      if (waited) return;
      waited = true;
      clearTimeout(timer);
      this.record(durationMs, body!.destroyed && !body!.writableFinished ? BODY_BROKEN : passed() ? undefined : BODY_LATE);
    };
    const timer = setTimeout(settle, BODY_GRACE_MS);
    body!.once('finish', settle);
    body!.once('close', settle);
  }

  /** `bodyNote`: why the request body is not whole. */
  private record(durationMs: number, bodyNote: string | undefined): void {
    const { exchange } = this;
    const notes: string[] = this.note || bodyNote ? [this.note, bodyNote].filter((n): n is string => n !== undefined) : NO_ITEMS;
    const record: TrafficRecord = {
      id: exchange.id!,
      time: this.time,
      method: exchange.method,
      path: exchange.pathWithQuery,
      authority: exchange.authority,
      scheme: exchange.scheme,
      requestHeaders: exchange.headers,
      responseHeaders: this.responseHeaders,
      durationMs,
      requestBytes: this.request.size,
      responseBytes: this.response.size,
      requestCut: this.request.cut || bodyNote !== undefined,
      responseCut: this.response.cut,
      origin: this.marker?.origin ?? 'client',
      notes,
      logs: NO_ITEMS,
      outbound: NO_ITEMS,
    };
    // Set one by one rather than spread: this runs for every request.
    if (this.status !== undefined) record.status = this.status;
    if (this.ttfbMs !== undefined) record.ttfbMs = this.ttfbMs;
    if (this.workload !== undefined) record.workload = this.workload;
    if (this.worker !== undefined) record.worker = this.worker;
    if (this.build !== undefined) record.build = this.build;
    if (this.marker?.replayOf !== undefined) record.replayOf = this.marker.replayOf;
    this.capture.finished(record, { request: this.request.bytes(), response: this.response.bytes() }, this.marker);
  }
}
