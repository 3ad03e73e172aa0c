// wasi:http/outgoing-handler for components (0.2.x). A component's `handle` becomes a call on
// the main thread's outbound service (network/outbound-service.ts), which owns the network:
// this thread sends the request head at once, then writes the request body into a ring of
// shared memory as the component writes it, and reads the response body from another ring
// as the component reads it; the response head, the end (with trailers) and failures (an
// error code) come as messages. future-incoming-response is ready when the head arrived;
// future-trailers when the body ended.
//
// Each ring holds OUTBOUND_WINDOW bytes: a write waits while the request ring is full, and
// the main thread stops reading the network while the response ring is. A call ends when
// the component drops everything it holds of it, or when the incoming request it was made
// for ends (wasmtime drops a request's calls with its store); the main thread then stops the
// transfer.
//
// Must not: block anywhere but in io.ts's waits (which keep pumping the host channel), or
// throw anything but a wasi:http error-code at the component (failures are values, never
// traps).
import { ByteRing, RingWaiter } from '../network/byte-ring.ts';
import { contentLength, OUTBOUND_SERVICE, OUTBOUND_WINDOW, ringBytesFor, type CallCause, type OutboundAsk, type OutboundEvent, type OutboundHead, type OutboundRequest } from '../network/outbound-protocol.ts';
import { hostChannel, pumpHostChannel, type ChannelEvent } from './host-channel.ts';
import type { HostState } from './host-state.ts';
import {
  Fields,
  FutureIncomingResponse,
  IncomingResponse,
  methodToString,
  OutgoingRequest,
  rememberStreamError,
  type BodySink,
  type ErrorCode,
  type Lease,
  type PendingResponse,
  type RequestOptions,
  type TrailerSource,
} from './http.ts';
import { Pollable, type ByteSource } from './io.ts';

type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

let servingRequest: CallCause | undefined;

/** The worker says which incoming request its component serves now, so calls can name it. */
export function setIncomingRequest(request: CallCause | undefined): void {
  servingRequest = request;
}

/** A failure as this side keeps it: the code for the component, the sentence for its stream errors. */
interface Failure {
  code: ErrorCode;
  message: string;
}

/**
 * One outgoing call, from this thread's side: the future, the response, its body and its
 * trailers all read from here, and the request body's sink writes through it.
 */
class OutboundCall {
  private head: { status: number; headers: [string, string][] } | undefined;
  private failure: Failure | undefined;
  /** Set with the head: what the main thread writes of the response body. */
  private responseRing: ByteRing | undefined;
  /** Or, for a small response that had ended, its whole body, read from the front. */
  private wholeBody: Uint8Array | undefined;
  private ended = false;
  private trailerFields: [string, string][] | undefined;
  /** Bytes of one write that did not fit in the request ring yet (at most one write's worth). */
  private overflow: Uint8Array[] = [];
  private leases = 0;
  /** Nothing more comes from the main thread: the response ended, failed, or the call was dropped. */
  private over = false;
  private readonly futureLease: Lease;

  /** What future-incoming-response waits on. */
  readonly pending: PendingResponse = {
    ready: () => {
      pumpHostChannel();
      return this.head !== undefined || this.failure !== undefined;
    },
    take: () => this.response(),
    release: () => this.futureLease.release(),
  };

  /** The response body, as its input-stream reads it. */
  readonly body: ByteSource = {
    read: (max) => this.read(max),
    ready: () => this.settledOr(() => this.responseRing?.available() !== 0),
  };

  /**
   * The response trailers: ready once the body has ended, or failed. Asking for them means the
   * body is no longer read (incoming-body.finish comes after its stream is dropped), so what is
   * left of it is let go as it comes.
   */
  readonly trailers: TrailerSource = {
    ready: () =>
      this.settledOr(() => {
        this.skipUnread();
        return false;
      }),
    take: () => (this.failure ? { tag: 'err', val: this.failure.code } : { tag: 'ok', val: this.trailerFields ? Fields.fromTransport(this.trailerFields, true) : undefined }),
  };

  /** Where the request body goes once the request is out: its ring. */
  readonly requestBody: BodySink = {
    copies: true,
    chunk: (bytes) => {
      if (this.failure) return { error: this.failure.message };
      if (this.over || !this.requestRing) return 'closed';
      this.flushOverflow();
      const written = this.overflow.length === 0 ? this.requestRing.write(bytes) : 0;
      // Accepted whole, as io.ts promises writers; what did not fit waits here (one write's worth).
      if (written < bytes.length) this.overflow.push(bytes.slice(written));
      if (written > 0) this.wroteRequest();
    },
    room: () => {
      pumpHostChannel();
      // A failed or stopped call takes any amount, so a waiting writer wakes to the error.
      if (this.failure || this.over || !this.requestRing) return OUTBOUND_WINDOW;
      this.flushOverflow();
      if (this.overflow.length === 0 && this.requestRing.free() > 0) return this.requestRing.free();
      // Say this side waits for room, then look once more: a read in between is seen either way.
      this.requestRing.willWait(RingWaiter.writer);
      this.flushOverflow();
      return this.overflow.length > 0 ? 0 : this.requestRing.free();
    },
    end: (trailers) => {
      // The finish says every byte is in the ring, so what waits here goes first.
      if (this.overflow.length > 0) new Pollable({ ready: () => (this.requestBody.room!() > 0 && this.overflow.length === 0) || this.over }).block();
      if (!this.over) this.ask(trailers ? { type: 'finish', trailers } : { type: 'finish' });
    },
    abandon: () => {
      if (!this.over) this.ask({ type: 'abandon' });
    },
  };

  constructor(
    private readonly id: number,
    /** The request body's ring, when the component took the body. */
    readonly requestRing: ByteRing | undefined,
    private readonly forget: (call: OutboundCall) => void,
  ) {
    this.futureLease = this.lease();
  }

  ask(ask: OutboundAsk): void {
    hostChannel().send({ service: OUTBOUND_SERVICE, id: this.id, ...ask } satisfies OutboundRequest);
  }

  onEvent(event: OutboundEvent): void {
    switch (event.type) {
      case 'head':
        this.head = { status: event.status, headers: event.headers };
        if ('whole' in event) {
          // A small response that ended already: its body and trailers came with the head.
          this.wholeBody = event.whole.body;
          this.ended = true;
          this.trailerFields = event.whole.trailers;
          this.settle();
        } else {
          this.responseRing = new ByteRing(event.body);
        }
        return;
      case 'end':
        this.ended = true;
        this.trailerFields = event.trailers;
        this.settle();
        return;
      case 'failed':
        this.fail({ code: event.code, message: event.message });
        return;
      case 'error':
        this.fail({ code: { tag: 'internal-error', val: event.message }, message: event.message });
        return;
    }
  }

  private fail(failure: Failure): void {
    this.failure = failure;
    rememberStreamError(failure.message, failure.code);
    this.settle();
  }

  /** The main thread is done with the call: its id can go. */
  private settle(): void {
    if (this.over) return;
    this.over = true;
    hostChannel().close(this.id);
    this.forget(this);
  }

  /** Each resource the component holds of the call takes a lease; the last one let go ends it. */
  lease(): Lease {
    this.leases++;
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        if (--this.leases === 0) this.drop();
      },
    };
  }

  /** Stops the call if it is still going (the component let go, or its request ended). */
  drop(): void {
    if (this.over) return;
    this.ask({ type: 'drop' });
    this.settle();
  }

  private response(): Result<IncomingResponse, ErrorCode> {
    if (!this.head) return { tag: 'err', val: this.failure!.code };
    return { tag: 'ok', val: new IncomingResponse({ ...this.head, body: this.body, trailers: this.trailers, lease: () => this.lease() }) };
  }

  /**
   * Readiness of the response body or trailers: the body ended or failed, or `check` holds.
   * Before it reports not ready it says in the ring that this thread waits, and looks once
   * more: the main thread wakes it only if it saw that.
   */
  private settledOr(check: () => boolean): boolean {
    pumpHostChannel();
    const ring = this.responseRing;
    // The end comes as a message after the body's last byte is in the ring (or with the body).
    if (!ring || this.failure || this.ended || check()) return true;
    ring.willWait(RingWaiter.reader);
    return check();
  }

  /** The main thread waits for room in the response ring: this thread just made some. */
  private readResponse(): void {
    if (this.responseRing!.takeWaiter(RingWaiter.writer) && !this.over) this.ask({ type: 'ring' });
  }

  /** The main thread waits for bytes in the request ring: this thread just wrote some. */
  private wroteRequest(): void {
    if (this.requestRing!.takeWaiter(RingWaiter.reader)) this.ask({ type: 'ring' });
  }

  private flushOverflow(): void {
    const ring = this.requestRing;
    if (!ring) return;
    let wrote = false;
    while (this.overflow.length > 0) {
      const first = this.overflow[0]!;
      const written = ring.write(first);
      if (written > 0) wrote = true;
      if (written < first.length) {
        this.overflow[0] = first.subarray(written);
        break;
      }
      this.overflow.shift();
    }
    if (wrote) this.wroteRequest();
  }

  private skipUnread(): void {
    this.wholeBody = undefined;
    const ring = this.responseRing;
    if (!ring || ring.available() === 0) return;
    ring.discard();
    this.readResponse();
  }

  private read(max: number): Uint8Array | 'closed' | { error: string } {
    pumpHostChannel();
    const whole = this.wholeBody;
    if (whole) {
      const bytes = whole.subarray(0, max);
      this.wholeBody = bytes.length < whole.length ? whole.subarray(bytes.length) : undefined;
      if (bytes.length > 0) return bytes;
    }
    const ring = this.responseRing;
    const bytes = ring ? ring.read(max) : new Uint8Array(0);
    if (bytes.length > 0) {
      this.readResponse();
      return bytes;
    }
    if (this.failure) return { error: this.failure.message };
    return this.ended ? 'closed' : bytes;
  }
}

/** Methods whose requests have no body as a rule: a body taken but unsized gets a small ring. */
const BODYLESS = new Set(['GET', 'HEAD']);

const NANOS_PER_MS = 1_000_000n;

/** A request-options duration in ms; 0 would mean "no timeout" to the transports, so it is 1 ms. */
function millis(nanos: bigint | undefined): number | undefined {
  if (nanos === undefined) return undefined;
  const ms = Number(nanos / NANOS_PER_MS);
  return Math.max(1, Math.min(ms, 2 ** 31 - 1));
}

/** Fails a call before it starts: the component gets the code, the log says why. */
type Refuse = (code: ErrorCode, why: string) => never;

/** The request's absolute URL, or the error-code that says what is wrong with it (as wasmtime does). */
function urlOf(request: OutgoingRequest, refuse: Refuse): string {
  const scheme = request.scheme();
  if (scheme?.tag === 'other') refuse({ tag: 'HTTP-protocol-error' }, `the scheme ${JSON.stringify(scheme.val)} is neither http nor https`);
  const authority = request.authority();
  if (!authority) refuse({ tag: 'HTTP-request-URI-invalid' }, 'the request has no authority (host and port)');
  const path = request.pathWithQuery() ?? '/';
  if (!path.startsWith('/')) refuse({ tag: 'HTTP-request-URI-invalid' }, `the path ${JSON.stringify(path)} does not start with "/"`);
  // No scheme means HTTPS, as in wasmtime.
  const text = `${scheme?.tag === 'HTTP' ? 'http' : 'https'}://${authority}${path}`;
  if (!URL.canParse(text)) refuse({ tag: 'HTTP-request-URI-invalid' }, `${JSON.stringify(text)} is not a URL`);
  return text;
}

export function outgoingHttpImports(state: HostState) {
  const open = new Set<OutboundCall>();
  // Calls live as long as the request they were made for, as in wasmtime.
  state.atRequestEnd(() => {
    for (const call of [...open]) call.drop();
  });

  const refuse: Refuse = (code, why) => {
    // The transports log every call they make; a call refused here never reaches them.
    state.log('warn', `outbound call refused with ${code.tag}: ${why}`);
    throw code;
  };

  function handle(request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse {
    if (!(request instanceof OutgoingRequest)) refuse({ tag: 'internal-error', val: 'not an outgoing-request of this host' }, 'the request is not one this host made');
    const method = methodToString(request.method());
    if (method === 'CONNECT') refuse({ tag: 'HTTP-request-method-invalid' }, 'CONNECT cannot be sent through wasi:http (as in wasmtime); use wasi:sockets for a tunnel');
    const url = urlOf(request, refuse);
    const head: OutboundHead = {
      method,
      url,
      headers: request.headers().toTransport(),
      body: undefined,
      timeouts: {
        ...(options?.connectTimeout() !== undefined ? { connectMs: millis(options.connectTimeout()) } : {}),
        ...(options?.firstByteTimeout() !== undefined ? { firstByteMs: millis(options.firstByteTimeout()) } : {}),
        ...(options?.betweenBytesTimeout() !== undefined ? { betweenBytesMs: millis(options.betweenBytesTimeout()) } : {}),
      },
      component: state.componentName,
      ...(servingRequest ? { cause: servingRequest } : {}),
    };
    let channel: ReturnType<typeof hostChannel>;
    try {
      channel = hostChannel();
    } catch {
      refuse({ tag: 'internal-error', val: 'outbound HTTP is not available on this thread' }, 'outbound HTTP is not available on this thread');
    }
    // Events come only once the thread pumps its channel, after `call` exists.
    const id = channel.open((event: ChannelEvent) => call.onEvent(event as OutboundEvent));
    const call = new OutboundCall(id, request.takenBody ? ByteRing.create(ringBytesFor(contentLength(head.headers) ?? (BODYLESS.has(method) ? 0 : undefined))) : undefined, (done) => open.delete(done));
    open.add(call);
    call.ask({ type: 'start', head: { ...head, body: call.requestRing?.buffer } });
    request.takenBody?.pipe.attach(call.requestBody);
    return new FutureIncomingResponse(call.pending);
  }

  return {
    'wasi:http/outgoing-handler': { handle },
  };
}
