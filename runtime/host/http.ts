// wasi:http/types and wasi:http/outgoing-handler for components serving incoming requests.
// The workload worker builds an IncomingRequest and a ResponseOutparam for each request; the
// classes here turn a component's calls into a response head, body chunks and an end, which
// the worker forwards to the gateway. Names follow the WIT; jco maps kebab-case to camelCase.
import { ByteSource, InputStream, OutputStream, Pollable, readyPollable, type ByteSink } from './io.ts';

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
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Hop-by-hop fields belong to the connection, not the message, so components may not set them.
const FORBIDDEN = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);
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

function validValue(value: Uint8Array): boolean {
  return !value.some((b) => b === 0 || b === 10 || b === 13);
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
    if (!TOKEN.test(name) || !values.every(validValue)) headerError('invalid-syntax');
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

export class IncomingRequest {
  private consumed = false;
  private readonly fields: Fields;

  constructor(private readonly init: IncomingRequestInit) {
    this.fields = Fields.fromTransport(init.headers, true);
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
    return new IncomingBody(this.init.body);
  }
}

export class FutureTrailers {
  subscribe(): Pollable {
    return readyPollable();
  }
  get(): Result<Result<Fields | undefined, ErrorCode>, void> | undefined {
    return { tag: 'ok', val: { tag: 'ok', val: undefined } };
  }
}

export class IncomingBody {
  private streamed = false;
  constructor(private readonly source: ByteSource) {}

  stream(): InputStream {
    if (this.streamed) refuse();
    this.streamed = true;
    return new InputStream(this.source);
  }

  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers();
  }
}

/** Where a component's response goes; implemented by the workload worker. */
export interface ResponseSink {
  head(status: number, headers: [string, string][]): void;
  chunk(bytes: Uint8Array): void;
  /** Bytes that may be sent now without piling up (see ByteSink.room). */
  room?(): number;
  end(trailers?: [string, string][]): void;
  failed(error: ErrorCode): void;
}

export class OutgoingResponse {
  private status = 200;
  private bodyTaken = false;
  /** @internal */ readonly outgoingBody = new OutgoingBody();

  constructor(private readonly fields: Fields) {}

  statusCode(): number {
    return this.status;
  }
  setStatusCode(status: number): void {
    if (!Number.isInteger(status) || status < 100 || status > 599) refuse();
    this.status = status;
  }
  headers(): Fields {
    return this.fields;
  }
  body(): OutgoingBody {
    if (this.bodyTaken) refuse();
    this.bodyTaken = true;
    return this.outgoingBody;
  }
}

/**
 * Carries a response body to the gateway. Bytes written before the response is handed to
 * response-outparam.set are held back, since the head must go first; after that they stream
 * straight through.
 */
class BodyPipe implements ByteSink {
  private sink: ResponseSink | undefined;
  private held: Uint8Array[] = [];
  private finished = false;
  private heldTrailers: [string, string][] | undefined;

  write(bytes: Uint8Array): void | 'closed' {
    if (this.finished) return 'closed';
    // Copy: the glue's view may point into the component's memory, which it reuses.
    const copy = bytes.slice();
    if (this.sink) this.sink.chunk(copy);
    else this.held.push(copy);
  }

  // Before the head is out, bytes are held here: nothing to wait for (waiting could only
  // deadlock a component that sets the response after writing).
  room(): number {
    return this.sink?.room?.() ?? Infinity;
  }

  finish(trailers: [string, string][] | undefined): void {
    this.finished = true;
    if (this.sink) this.sink.end(trailers);
    else this.heldTrailers = trailers ?? [];
  }

  attach(sink: ResponseSink): void {
    this.sink = sink;
    for (const chunk of this.held) sink.chunk(chunk);
    this.held = [];
    if (this.heldTrailers) sink.end(this.heldTrailers.length > 0 ? this.heldTrailers : undefined);
  }
}

export class OutgoingBody {
  private streamTaken = false;
  /** @internal */ readonly pipe = new BodyPipe();

  write(): OutputStream {
    if (this.streamTaken) refuse();
    this.streamTaken = true;
    return new OutputStream(this.pipe);
  }

  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    body.pipe.finish(trailers?.toTransport());
  }
}

export class ResponseOutparam {
  private used = false;
  constructor(private readonly sink: ResponseSink) {}

  static set(param: ResponseOutparam, response: Result<OutgoingResponse, ErrorCode>): void {
    if (param.used) throw new Error('response-outparam.set was called twice for one request');
    param.used = true;
    if (response.tag === 'err') {
      param.sink.failed(response.val);
      return;
    }
    const res = response.val;
    res.headers().immutable = true;
    param.sink.head(res.statusCode(), res.headers().toTransport());
    res.outgoingBody.pipe.attach(param.sink);
  }

  /** @internal */
  get wasSet(): boolean {
    return this.used;
  }
}

export class OutgoingRequest {
  private method_: Method = { tag: 'get' };
  private path: string | undefined;
  private scheme_: Scheme | undefined;
  private authority_: string | undefined;
  constructor(private readonly fields: Fields) {}
  body(): OutgoingBody {
    return new OutgoingBody();
  }
  method(): Method {
    return this.method_;
  }
  setMethod(method: Method): void {
    this.method_ = method;
  }
  pathWithQuery(): string | undefined {
    return this.path;
  }
  setPathWithQuery(path: string | undefined): void {
    this.path = path;
  }
  scheme(): Scheme | undefined {
    return this.scheme_;
  }
  setScheme(scheme: Scheme | undefined): void {
    this.scheme_ = scheme;
  }
  authority(): string | undefined {
    return this.authority_;
  }
  setAuthority(authority: string | undefined): void {
    this.authority_ = authority;
  }
  headers(): Fields {
    return this.fields;
  }
}

export class RequestOptions {
  private timeouts: Record<string, bigint | undefined> = {};
  connectTimeout = () => this.timeouts.connect;
  setConnectTimeout = (d: bigint | undefined) => void (this.timeouts.connect = d);
  firstByteTimeout = () => this.timeouts.firstByte;
  setFirstByteTimeout = (d: bigint | undefined) => void (this.timeouts.firstByte = d);
  betweenBytesTimeout = () => this.timeouts.betweenBytes;
  setBetweenBytesTimeout = (d: bigint | undefined) => void (this.timeouts.betweenBytes = d);
}

class IncomingResponse {}

export class FutureIncomingResponse {
  constructor(private readonly outcome: Result<IncomingResponse, ErrorCode>) {}
  subscribe(): Pollable {
    return readyPollable();
  }
  get(): Result<Result<IncomingResponse, ErrorCode>, void> | undefined {
    return { tag: 'ok', val: this.outcome };
  }
}

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
      httpErrorCode: () => undefined,
    },
    'wasi:http/outgoing-handler': {
      // Outgoing HTTP arrives with the loopback work; until then a clear error code.
      handle(): FutureIncomingResponse {
        throw {
          tag: 'internal-error',
          val: 'outgoing HTTP requests are not supported by Component Studio yet',
        } satisfies ErrorCode;
      },
    },
  };
}
