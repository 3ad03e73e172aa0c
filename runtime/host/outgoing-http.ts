// wasi:http/outgoing-handler for components (0.2.x). A component's `handle` becomes a call on
// the main thread's outbound service (network/outbound-service.ts), which owns the network:
// this thread sends the request head at once, then the request body as the component writes
// it, and keeps what comes back (the response head, body chunks, trailers, or an error code)
// until the component reads it. future-incoming-response is ready when the head arrived;
// future-trailers when the body ended.
//
// Both bodies flow in windows (see outbound-protocol.ts): a write waits while a window of the
// request body is on its way, and the main thread stops reading the response while a window
// of it waits here unread. A call ends when the component drops everything it holds of it,
// or when the incoming request it was made for ends (wasmtime drops a request's calls with
// its store); the main thread then stops the transfer.
//
// Must not: block anywhere but in io.ts's waits (which keep pumping the host channel), or
// throw anything but a wasi:http error-code at the component (failures are values, never
// traps).
import { OUTBOUND_ACK_STEP, OUTBOUND_SERVICE, OUTBOUND_WINDOW, type CallCause, type OutboundAsk, type OutboundEvent, type OutboundHead, type OutboundRequest } from '../network/outbound-protocol.ts';
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
import type { ByteSource } from './io.ts';

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
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private trailerFields: [string, string][] | undefined;
  /** Request body bytes sent that the transport has not taken yet. */
  private sending = 0;
  /** Response body bytes read and not yet reported (see OUTBOUND_ACK_STEP). */
  private unreported = 0;
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
    ready: () => {
      pumpHostChannel();
      return this.chunks.length > 0 || this.ended || this.failure !== undefined;
    },
  };

  /**
   * The response trailers: ready once the body has ended, or failed. Asking for them means the
   * body is no longer read (incoming-body.finish comes after its stream is dropped), so what is
   * left of it is let go, and the rest flows in to be dropped too.
   */
  readonly trailers: TrailerSource = {
    ready: () => {
      pumpHostChannel();
      this.skipUnread();
      return this.ended || this.failure !== undefined;
    },
    take: () => (this.failure ? { tag: 'err', val: this.failure.code } : { tag: 'ok', val: this.trailerFields ? Fields.fromTransport(this.trailerFields, true) : undefined }),
  };

  /** Where the request body goes once the request is out. */
  readonly requestBody: BodySink = {
    chunk: (bytes) => {
      if (this.failure) return { error: this.failure.message };
      if (this.over) return 'closed';
      this.sending += bytes.byteLength;
      // BodyPipe hands over a copy of its own, so its memory can move to the main thread.
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      this.ask({ type: 'chunk', chunk: bytes }, whole ? [bytes.buffer as ArrayBuffer] : undefined);
    },
    room: () => {
      pumpHostChannel();
      // A failed or stopped call takes any amount, so a waiting writer wakes to the error.
      if (this.failure || this.over) return OUTBOUND_WINDOW;
      return OUTBOUND_WINDOW - this.sending;
    },
    end: (trailers) => {
      if (!this.over) this.ask(trailers ? { type: 'finish', trailers } : { type: 'finish' });
    },
    abandon: () => {
      if (!this.over) this.ask({ type: 'abandon' });
    },
  };

  constructor(
    private readonly id: number,
    private readonly forget: (call: OutboundCall) => void,
  ) {
    this.futureLease = this.lease();
  }

  ask(ask: OutboundAsk, transfer?: ArrayBuffer[]): void {
    hostChannel().send({ service: OUTBOUND_SERVICE, id: this.id, ...ask } satisfies OutboundRequest, transfer);
  }

  onEvent(event: OutboundEvent): void {
    switch (event.type) {
      case 'head':
        this.head = { status: event.status, headers: event.headers };
        return;
      case 'data':
        this.chunks.push(event.chunk);
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
      case 'sent':
        this.sending -= event.bytes;
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

  private skipUnread(): void {
    let bytes = 0;
    for (const chunk of this.chunks.splice(0)) bytes += chunk.byteLength;
    if (bytes === 0 && this.unreported === 0) return;
    if (!this.over) this.ask({ type: 'consumed', bytes: bytes + this.unreported });
    this.unreported = 0;
  }

  private read(max: number): Uint8Array | 'closed' | { error: string } {
    pumpHostChannel();
    const first = this.chunks[0];
    if (first) {
      const taken = first.byteLength <= max ? this.chunks.shift()! : first.subarray(0, max);
      if (taken !== first) this.chunks[0] = first.subarray(max);
      this.unreported += taken.byteLength;
      if (this.unreported >= OUTBOUND_ACK_STEP && !this.over) {
        this.ask({ type: 'consumed', bytes: this.unreported });
        this.unreported = 0;
      }
      return taken;
    }
    if (this.failure) return { error: this.failure.message };
    return this.ended ? 'closed' : new Uint8Array(0);
  }
}

const NANOS_PER_MS = 1_000_000n;

/** A request-options duration in ms; 0 would mean "no timeout" to the transports, so it is 1 ms. */
function millis(nanos: bigint | undefined): number | undefined {
  if (nanos === undefined) return undefined;
  const ms = Number(nanos / NANOS_PER_MS);
  return Math.max(1, Math.min(ms, 2 ** 31 - 1));
}

function refuse(code: ErrorCode): never {
  throw code;
}

/** The request's absolute URL, or the error-code that says what is wrong with it (as wasmtime does). */
function urlOf(request: OutgoingRequest): string {
  const scheme = request.scheme();
  if (scheme?.tag === 'other') refuse({ tag: 'HTTP-protocol-error' });
  const authority = request.authority();
  if (!authority) refuse({ tag: 'HTTP-request-URI-invalid' });
  const path = request.pathWithQuery() ?? '/';
  if (!path.startsWith('/')) refuse({ tag: 'HTTP-request-URI-invalid' });
  // No scheme means HTTPS, as in wasmtime.
  const text = `${scheme?.tag === 'HTTP' ? 'http' : 'https'}://${authority}${path}`;
  if (!URL.canParse(text)) refuse({ tag: 'HTTP-request-URI-invalid' });
  return text;
}

export function outgoingHttpImports(state: HostState) {
  const open = new Set<OutboundCall>();
  // Calls live as long as the request they were made for, as in wasmtime.
  state.atRequestEnd(() => {
    for (const call of [...open]) call.drop();
  });

  function handle(request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse {
    if (!(request instanceof OutgoingRequest)) refuse({ tag: 'internal-error', val: 'not an outgoing-request of this host' });
    const method = methodToString(request.method());
    if (method === 'CONNECT') refuse({ tag: 'HTTP-request-method-invalid' });
    const url = urlOf(request);
    const head: OutboundHead = {
      method,
      url,
      headers: request.headers().toTransport(),
      body: request.takenBody !== undefined,
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
      refuse({ tag: 'internal-error', val: 'outbound HTTP is not available on this thread' });
    }
    // Events come only once the thread pumps its channel, after `call` exists.
    const id = channel.open((event: ChannelEvent) => call.onEvent(event as OutboundEvent));
    const call = new OutboundCall(id, (done) => open.delete(done));
    open.add(call);
    call.ask({ type: 'start', head });
    request.takenBody?.pipe.attach(call.requestBody);
    return new FutureIncomingResponse(call.pending);
  }

  return {
    'wasi:http/outgoing-handler': { handle },
  };
}
