// wasi:http/types: the resources of both halves of wasi:http. For incoming requests the
// workload worker builds an IncomingRequest and a ResponseOutparam for each request, and the
// classes here turn a component's calls into a response head, body chunks and an end, which
// the worker forwards to the gateway. For outgoing requests (outgoing-http.ts) they carry the
// request the component builds and the response that comes back. What moves bytes is behind
// small interfaces (ByteSource, BodySink, TrailerSource, PendingResponse), so these classes
// know nothing of threads or sockets. Names follow the WIT; jco maps kebab-case to camelCase.
import { declaredLength } from '../content-length.ts';
import { HTTP_TOKEN } from '../http-token.ts';
import { disposeSymbol, InputStream, OutputStream, Pollable, readyPollable, type ByteSink, type ByteSource, type IoError } from './io.ts';

type Result<T, E> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };
export type Method = { tag: Exclude<StandardMethod, 'other'> } | { tag: 'other'; val: string };
type StandardMethod = 'get' | 'head' | 'post' | 'put' | 'delete' | 'connect' | 'options' | 'trace' | 'patch' | 'other';
type Scheme = { tag: 'HTTP' } | { tag: 'HTTPS' } | { tag: 'other'; val: string };
export interface ErrorCode {
  tag: string;
  val?: unknown;
}
type HeaderError = { tag: 'invalid-syntax' } | { tag: 'forbidden' } | { tag: 'immutable' };

const STANDARD_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'connect', 'options', 'trace', 'patch']);
// Fields that belong to the connection or the transport, not the message, so components may
// not set them: wasmtime's list (wash's), so a component refused here is refused there. `te`
// is allowed (gRPC clients send `te: trailers`); `host` comes from the authority.
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'http2-settings']);
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

export function methodFromString(method: string): Method {
  const lower = method.toLowerCase();
  return STANDARD_METHODS.has(lower) && method === method.toUpperCase()
    ? ({ tag: lower } as Method)
    : { tag: 'other', val: method };
}

export function methodToString(method: Method): string {
  return method.tag === 'other' ? method.val : method.tag.toUpperCase();
}

/** Unit error payloads cross jco's glue as a thrown non-Error value. */
function refuse(): never {
  throw undefined;
}

function headerError(tag: HeaderError['tag']): never {
  throw { tag } satisfies HeaderError;
}

/** A field value as RFC 9110 (and hyper, under wasmtime) takes it: no control characters but tab. */
function validValue(value: Uint8Array): boolean {
  return !value.some((b) => (b < 0x20 && b !== 0x09) || b === 0x7f);
}

export class Fields {
  private entriesList: [string, Uint8Array][] = [];
  /** @internal */ immutable = false;

  static fromList(entries: [string, Uint8Array][]): Fields {
    const fields = new Fields();
    for (const [name, value] of entries) fields.append(name, value);
    return fields;
  }

  /** @internal Builds immutable fields from transport headers without validation. */
  static fromTransport(headers: readonly [string, string][], immutable: boolean): Fields {
    const fields = new Fields();
    fields.entriesList = headers.map(([n, v]) => [n, Buffer.from(v, 'latin1')]);
    fields.immutable = immutable;
    return fields;
  }

  get(name: string): Uint8Array[] {
    const lower = name.toLowerCase();
    return this.entriesList.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }

  has(name: string): boolean {
    const lower = name.toLowerCase();
    return this.entriesList.some(([n]) => n.toLowerCase() === lower);
  }

  set(name: string, values: Uint8Array[]): void {
    this.check(name, values);
    this.remove(name);
    for (const value of values) this.entriesList.push([name, value]);
  }

  delete(name: string): void {
    this.check(name, []);
    this.remove(name);
  }

  append(name: string, value: Uint8Array): void {
    this.check(name, [value]);
    this.entriesList.push([name, value]);
  }

  entries(): [string, Uint8Array][] {
    return this.entriesList.map(([n, v]) => [n, v]);
  }

  clone(): Fields {
    const copy = new Fields();
    copy.entriesList = this.entries();
    return copy;
  }

  /** @internal */
  toTransport(): [string, string][] {
    return this.entriesList.map(([n, v]) => [n, latin1(v)]);
  }

  private check(name: string, values: Uint8Array[]): void {
    if (this.immutable) headerError('immutable');
    if (!HTTP_TOKEN.test(name) || !values.every(validValue)) headerError('invalid-syntax');
    if (FORBIDDEN.has(name.toLowerCase())) headerError('forbidden');
  }

  private remove(name: string): void {
    const lower = name.toLowerCase();
    this.entriesList = this.entriesList.filter(([n]) => n.toLowerCase() !== lower);
  }
}

export interface IncomingRequestInit {
  method: string;
  pathWithQuery: string;
  scheme: 'http' | 'https';
  authority: string;
  headers: [string, string][];
  body: ByteSource;
}

/**
 * What the gateway hands a component for one request (the request, its headers, body, body
 * stream and trailers, the response outparam): nothing a later request can use. A worker that
 * keeps its instance lets go of those the component never dropped once the request is over.
 */
// A mark on the object, not a WeakSet: a weak collection that takes several objects per
// request costs the garbage collector on every request.
const REQUEST_SCOPED = Symbol('request-scoped');

function markRequestScoped(object: object): void {
  (object as Record<symbol, boolean>)[REQUEST_SCOPED] = true;
}

export function isRequestScoped(object: unknown): boolean {
  return (object as Record<symbol, unknown> | null)?.[REQUEST_SCOPED] === true;
}

/** Marks what `parent` hands out as the request's own when the parent is. */
function scopedLike<T extends object>(parent: object, child: T): T {
  if (isRequestScoped(parent)) markRequestScoped(child);
  return child;
}

export class IncomingRequest {
  private consumed = false;
  private readonly fields: Fields;

  constructor(private readonly init: IncomingRequestInit) {
    markRequestScoped(this);
    // As wasmtime: the fields a component may not set are not handed to it either (the
    // authority comes from authority()), so code that copies a request's headers onto an
    // outgoing request or response works as it does under wash.
    this.fields = Fields.fromTransport(
      init.headers.filter(([name]) => !FORBIDDEN.has(name.toLowerCase())),
      true,
    );
    markRequestScoped(this.fields);
  }

  method(): Method {
    return methodFromString(this.init.method);
  }
  pathWithQuery(): string | undefined {
    return this.init.pathWithQuery;
  }
  scheme(): Scheme | undefined {
    return this.init.scheme === 'https' ? { tag: 'HTTPS' } : { tag: 'HTTP' };
  }
  authority(): string | undefined {
    return this.init.authority || undefined;
  }
  headers(): Fields {
    return this.fields;
  }
  consume(): IncomingBody {
    if (this.consumed) refuse();
    this.consumed = true;
    return scopedLike(this, new IncomingBody(this.init.body));
  }
}

/** Where an incoming body's trailers come from: ready once the body has ended (or failed). */
export interface TrailerSource {
  ready(): boolean;
  /** The trailers (none is undefined), or why the body failed; asked once, when ready. */
  take(): Result<Fields | undefined, ErrorCode>;
}

/** Incoming requests from the gateway carry no trailers. */
const NO_TRAILERS: TrailerSource = { ready: () => true, take: () => ({ tag: 'ok', val: undefined }) };

/** Something that keeps an outgoing call alive while the component holds it; released on drop. */
export interface Lease {
  release(): void;
}

export class FutureTrailers {
  private taken = false;
  constructor(
    private readonly source: TrailerSource = NO_TRAILERS,
    private readonly lease?: Lease,
  ) {}

  subscribe(): Pollable {
    return this.source === NO_TRAILERS ? readyPollable() : new Pollable({ ready: () => this.source.ready() });
  }

  get(): Result<Result<Fields | undefined, ErrorCode>, void> | undefined {
    if (this.taken) return { tag: 'err', val: undefined };
    if (!this.source.ready()) return undefined;
    this.taken = true;
    return { tag: 'ok', val: this.source.take() };
  }

  [disposeSymbol](): void {
    this.lease?.release();
  }
}

export class IncomingBody {
  private streamed = false;
  private readonly own: Lease | undefined;

  constructor(
    private readonly source: ByteSource,
    private readonly trailers: TrailerSource = NO_TRAILERS,
    /** Leases for the body itself and for what it hands out (its stream, its trailers). */
    private readonly lease?: () => Lease,
  ) {
    this.own = lease?.();
  }

  stream(): InputStream {
    if (this.streamed) refuse();
    this.streamed = true;
    const lease = this.lease?.();
    return scopedLike(this, new InputStream(lease ? { read: (max) => this.source.read(max), ready: () => this.source.ready(), close: () => lease.release() } : this.source));
  }

  static finish(body: IncomingBody): FutureTrailers {
    const trailers = scopedLike(body, new FutureTrailers(body.trailers, body.lease?.()));
    body.own?.release();
    return trailers;
  }

  [disposeSymbol](): void {
    this.own?.release();
  }
}

/** Where an outgoing body goes once its message is out: the gateway's response, or an outgoing request. */
export interface BodySink {
  /** Takes a chunk; a sink that can take no more says why ('closed', or an error for the stream). */
  chunk(bytes: Uint8Array): void | 'closed' | { error: string };
  /** The sink copies what it takes at once, so it may be handed the component's own bytes. */
  copies?: boolean;
  /** Bytes that may be sent now without piling up (see ByteSink.room). */
  room?(): number;
  end(trailers?: [string, string][]): void;
  /** The component dropped the body without finishing it: the message is broken off. */
  abandon?(): void;
}

/** Where a component's response goes; implemented by the workload worker. */
export interface ResponseSink extends BodySink {
  head(status: number, headers: [string, string][]): void;
  failed(error: ErrorCode): void;
}

export class OutgoingResponse {
  private status = 200;
  private bodyTaken = false;
  /** @internal */ readonly outgoingBody = new OutgoingBody();

  /** @internal */
  get hasBodyTaken(): boolean {
    return this.bodyTaken;
  }

  constructor(private readonly fields: Fields) {}

  statusCode(): number {
    return this.status;
  }
  setStatusCode(status: number): void {
    // wasmtime's range (the http crate's): a final status of 100-199 is refused by the gateway.
    if (!Number.isInteger(status) || status < 100 || status > 999) refuse();
    this.status = status;
  }
  headers(): Fields {
    return this.fields;
  }
  body(): OutgoingBody {
    if (this.bodyTaken) refuse();
    // As wasmtime: the body is held to the content-length set by now, and one that is not a
    // number of bytes gets no body at all.
    const declared = declaredLength(this.fields.get('content-length').map((value) => ['content-length', latin1(value)]));
    if (declared === 'invalid') refuse();
    this.bodyTaken = true;
    this.outgoingBody.pipe.limit = declared;
    return this.outgoingBody;
  }
}

/**
 * Carries an outgoing body to where it goes. Bytes written before the message is out (the
 * response handed to response-outparam.set, the request to outgoing-handler.handle) are held
 * back, since the head must go first; after that they stream straight through.
 */
class BodyPipe implements ByteSink {
  /** The content-length of a response body: a write past it fails, as under wasmtime. */
  limit: number | undefined;
  private written = 0;
  private sink: BodySink | undefined;
  private held: Uint8Array[] = [];
  private finished = false;
  private abandoned = false;
  private heldTrailers: [string, string][] | undefined;

  write(bytes: Uint8Array): void | 'closed' | { error: string } {
    if (this.finished) return 'closed';
    if (this.limit !== undefined && (this.written += bytes.byteLength) > this.limit) {
      return { error: `the body is longer than its content-length of ${this.limit} bytes` };
    }
    // The glue's view may point into the component's memory, which it reuses: whatever keeps
    // the bytes past this call gets a copy.
    if (this.sink) return this.sink.chunk(this.sink.copies ? bytes : bytes.slice());
    this.held.push(bytes.slice());
  }

  // Before the head is out, bytes are held here: nothing to wait for (waiting could only
  // deadlock a component that sends the message after writing its body).
  room(): number {
    return this.sink?.room?.() ?? Infinity;
  }

  finish(trailers: [string, string][] | undefined): void {
    this.finished = true;
    if (this.sink) this.sink.end(trailers);
    else this.heldTrailers = trailers ?? [];
  }

  attach(sink: BodySink): void {
    this.sink = sink;
    for (const chunk of this.held) sink.chunk(chunk);
    this.held = [];
    if (this.heldTrailers) sink.end(this.heldTrailers.length > 0 ? this.heldTrailers : undefined);
    else if (this.abandoned) sink.abandon?.();
  }

  /** The body was dropped unfinished. */
  abandon(): void {
    if (this.finished) return;
    this.finished = true;
    this.abandoned = true;
    this.sink?.abandon?.();
  }
}

export class OutgoingBody {
  private streamTaken = false;
  private finished = false;
  /** @internal */ readonly pipe = new BodyPipe();

  write(): OutputStream {
    if (this.streamTaken) refuse();
    this.streamTaken = true;
    return new OutputStream(this.pipe);
  }

  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    body.finished = true;
    body.pipe.finish(trailers?.toTransport());
  }

  /** Dropped without finish: WASI says the message is then corrupt, so it is broken off. */
  [disposeSymbol](): void {
    if (!this.finished) this.pipe.abandon();
  }
}

export class ResponseOutparam {
  private used = false;
  private response: OutgoingResponse | undefined;
  constructor(private readonly sink: ResponseSink) {
    markRequestScoped(this);
  }

  static set(param: ResponseOutparam, response: Result<OutgoingResponse, ErrorCode>): void {
    if (param.used) throw new Error('response-outparam.set was called twice for one request');
    param.used = true;
    if (response.tag === 'err') {
      param.sink.failed(response.val);
      return;
    }
    const res = response.val;
    param.response = res;
    res.headers().immutable = true;
    param.sink.head(res.statusCode(), res.headers().toTransport());
    res.outgoingBody.pipe.attach(param.sink);
  }

  /** @internal */
  get wasSet(): boolean {
    return this.used;
  }

  /** @internal Whether the component took the body of the response it set (a 204 or a redirect often never does). */
  get bodyTaken(): boolean {
    return this.response?.hasBodyTaken ?? false;
  }
}

export class OutgoingRequest {
  private method_: Method = { tag: 'get' };
  private path: string | undefined;
  private scheme_: Scheme | undefined;
  private authority_: string | undefined;
  private body_: OutgoingBody | undefined;

  constructor(private readonly fields: Fields) {
    // The request owns its headers now; headers() hands out a view that cannot change them.
    fields.immutable = true;
  }
  body(): OutgoingBody {
    if (this.body_) refuse();
    return (this.body_ = new OutgoingBody());
  }
  method(): Method {
    return this.method_;
  }
  setMethod(method: Method): void {
    if (method.tag === 'other' && !HTTP_TOKEN.test(method.val)) refuse();
    this.method_ = method;
  }
  pathWithQuery(): string | undefined {
    return this.path;
  }
  setPathWithQuery(path: string | undefined): void {
    if (path !== undefined && /[\s\x00-\x1f\x7f]/.test(path)) refuse();
    this.path = path;
  }
  scheme(): Scheme | undefined {
    return this.scheme_;
  }
  setScheme(scheme: Scheme | undefined): void {
    if (scheme?.tag === 'other' && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(scheme.val)) refuse();
    this.scheme_ = scheme;
  }
  authority(): string | undefined {
    return this.authority_;
  }
  setAuthority(authority: string | undefined): void {
    if (authority !== undefined && /[\s\x00-\x1f\x7f/?#@]/.test(authority)) refuse();
    this.authority_ = authority;
  }
  headers(): Fields {
    return this.fields;
  }
  /** @internal The body, if the component took it (it then streams after the head). */
  get takenBody(): OutgoingBody | undefined {
    return this.body_;
  }
}

/** Durations are nanoseconds (wasi:clocks duration). Unset means the host's default. */
export class RequestOptions {
  private connect: bigint | undefined;
  private firstByte: bigint | undefined;
  private betweenBytes: bigint | undefined;
  connectTimeout(): bigint | undefined {
    return this.connect;
  }
  setConnectTimeout(duration: bigint | undefined): void {
    this.connect = duration;
  }
  firstByteTimeout(): bigint | undefined {
    return this.firstByte;
  }
  setFirstByteTimeout(duration: bigint | undefined): void {
    this.firstByte = duration;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.betweenBytes;
  }
  setBetweenBytesTimeout(duration: bigint | undefined): void {
    this.betweenBytes = duration;
  }
}

/** What an incoming response is made of: its head, and its body and trailers as they arrive. */
export interface IncomingResponseInit {
  status: number;
  headers: [string, string][];
  body: ByteSource;
  trailers: TrailerSource;
  /** Keeps the call alive while the response, its body, stream or trailers are held. */
  lease?: () => Lease;
}

export class IncomingResponse {
  private consumed = false;
  private readonly own: Lease | undefined;

  constructor(private readonly init: IncomingResponseInit) {
    this.own = init.lease?.();
  }
  status(): number {
    return this.init.status;
  }
  headers(): Fields {
    return Fields.fromTransport(this.init.headers, true);
  }
  consume(): IncomingBody {
    if (this.consumed) refuse();
    this.consumed = true;
    return new IncomingBody(this.init.body, this.init.trailers, this.init.lease);
  }
  [disposeSymbol](): void {
    this.own?.release();
  }
}

/** A response on its way: ready once its head (or a failure) arrived. */
export interface PendingResponse {
  ready(): boolean;
  /** Asked once, when ready. */
  take(): Result<IncomingResponse, ErrorCode>;
  /** The component dropped the future. */
  release(): void;
}

export class FutureIncomingResponse {
  private taken = false;
  constructor(private readonly pending: PendingResponse) {}
  subscribe(): Pollable {
    return new Pollable({ ready: () => this.pending.ready() });
  }
  get(): Result<Result<IncomingResponse, ErrorCode>, void> | undefined {
    if (this.taken) return { tag: 'err', val: undefined };
    if (!this.pending.ready()) return undefined;
    this.taken = true;
    return { tag: 'ok', val: this.pending.take() };
  }
  [disposeSymbol](): void {
    this.pending.release();
  }
}

/**
 * The error codes behind stream errors of outgoing calls, by the error's message: jco hands
 * http-error-code the io error the host made, and InputStream makes it from a message. Kept
 * for the newest few only: a component asks right after the read that failed.
 */
const streamErrors = new Map<string, ErrorCode>();
const STREAM_ERRORS_KEPT = 64;

/** Remembers the error code of a stream error message, for http-error-code. */
export function rememberStreamError(message: string, code: ErrorCode): void {
  streamErrors.delete(message);
  streamErrors.set(message, code);
  if (streamErrors.size > STREAM_ERRORS_KEPT) streamErrors.delete(streamErrors.keys().next().value!);
}

function httpErrorCode(error: IoError): ErrorCode | undefined {
  return streamErrors.get(error.toDebugString());
}

/** wasi:http/types; the outgoing handler is outgoing-http.ts. */
export function httpImports() {
  return {
    'wasi:http/types': {
      Fields,
      IncomingRequest,
      IncomingBody,
      IncomingResponse,
      FutureTrailers,
      FutureIncomingResponse,
      OutgoingRequest,
      OutgoingResponse,
      OutgoingBody,
      RequestOptions,
      ResponseOutparam,
      httpErrorCode,
    },
  };
}
