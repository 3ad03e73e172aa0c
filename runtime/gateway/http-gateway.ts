// The HTTP listener components are served on (127.0.0.1:8000 by default). It turns each Node
// request into an Exchange for the workload the router picks, enforces the body size limit
// and the connection limits, and refuses malformed HTTP. It never runs component code itself.
//
// A request body that cannot complete (the client went away, the chunked encoding broke, the
// limit was passed) ends the body stream with an error at once, so the component's read fails
// and its worker is free in milliseconds instead of waiting for the request timeout.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { declaredLength } from '../content-length.ts';
import type { Logger } from '../logs/log-bus.ts';
import { nextRequestId, type Exchange, type ResponseTarget } from '../workloads/exchange.ts';
import { bodyEndedEarly, clientGone, refusalBytes, refusalFor, tlsFailure, type Refusal } from './client-errors.ts';
import { headProblem } from './response-framing.ts';

/** Who answers a request: a workload, or a sentence saying why nothing can. */
export type Route = { handle(exchange: Exchange): void } | { unavailable: string };

/**
 * Sees each request before it is routed (the traffic capture): it may replace
 * `exchange.response` to watch the answer, and returns what watches the request body's chunks
 * go by. Must be cheap: it runs on every request.
 */
export type ExchangeTap = (exchange: Exchange) => ((chunk: Buffer) => void) | undefined;

export interface GatewayOptions {
  host: string;
  port: number;
  bodyLimitBytes: number;
  route(authority: string, path: string): Route;
  log: Logger;
  /** Serve HTTPS with these (from dev.tls_* in the project config). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
  /** Connection limits; the defaults suit a development server (see GATEWAY_LIMITS). */
  limits?: Partial<GatewayLimits>;
  tap?: ExchangeTap;
}

export interface GatewayLimits {
  /** A connection must send a complete request head within this time (as nginx: 60 s). */
  headerTimeoutMs: number;
  /**
   * A connection that moves no byte for this long while the client should be sending (the
   * body) or reading (the response) is closed. Waiting for the component is not idleness:
   * the request timeout covers that.
   */
  idleTimeoutMs: number;
  /** Idle keep-alive connections close after this long. */
  keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed at once; each one holds a file descriptor. */
  maxConnections: number;
  /**
   * Parsed requests a connection may have waiting at all. Pausing it (MAX_WAITING) is not
   * airtight: Node resumes reading whenever a written answer drains, and each read can bring
   * thousands of small pipelined requests. A client this far ahead of its answers is not
   * reading them, and its connection is closed; none of the requests still waiting has
   * reached a component. (Measured: a client pipelining 5,000 requests in one write and then
   * reading gets them all.)
   */
  maxQueuedRequests: number;
}

export const GATEWAY_LIMITS: GatewayLimits = { headerTimeoutMs: 60_000, idleTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, maxConnections: 1000, maxQueuedRequests: 16_384 };

// Connection-level fields are the server's business, whatever a component sets.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** The body will never complete: the client went away or sent a broken body. */
export class BodyBroken extends Error {
  readonly clientGone = true;
}

/**
 * A request with a declared body gets a worker once this much of the body is in (or all of
 * it, when it is smaller): a client that trickles a body, or stops halfway, holds a connection
 * (which the idle limit closes), not a thread, unless it sends this much first. Bounded, since
 * every connection may hold this much. Chunked bodies go to the component as they come, so a
 * client may wait for its answer before it sends the rest.
 */
const HELD_BODY_BYTES = 64 * 1024;

/**
 * Passes a request body through while counting it; errors once it passes the limit. With
 * `ready`, holds the body and calls `ready` once HELD_BODY_BYTES of it came, it ended, or it
 * failed: the request may go to a worker then.
 */
class BodyLimit extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly watch: ((chunk: Buffer) => void) | undefined,
    private ready?: () => void,
  ) {
    super(ready ? { readableHighWaterMark: HELD_BODY_BYTES } : undefined);
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    this.watch?.(chunk);
    if (this.seen > this.limit) return done(new BodyTooLarge(this.limit));
    done(null, chunk);
    if (this.seen >= HELD_BODY_BYTES) this.release();
  }
  override _flush(done: TransformCallback): void {
    done();
    this.release();
  }
  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    // A held body that failed (its client went away) never starts the component.
    if (error) this.ready = undefined;
    else this.release();
    done(error);
  }
  private release(): void {
    const ready = this.ready;
    this.ready = undefined;
    ready?.();
  }
}

class NodeResponseTarget implements ResponseTarget {
  headSent = false;
  /** Body bytes the head promised; undefined when it promised none or no body is sent (HEAD, 204, 304). */
  private promised: number | undefined;
  private sent = 0;
  /** Set once the connection was closed for a body that broke its head's promise. */
  private isCut = false;

  /** `broken` hears what was wrong with a response the component sent (see response-framing.ts). */
  constructor(
    private readonly res: ServerResponse,
    private readonly broken: (problem: string) => void = () => {},
  ) {}

  head(status: number, headers: [string, string][]): void {
    // Answered already: by the gateway, for a request whose body broke before the component answered.
    if (this.headSent || this.res.headersSent) return;
    const declared = declaredLength(headers);
    const problem = headProblem(status, headers, declared);
    if (problem) {
      this.broken(`${problem}; the client got a 500 instead`);
      this.fail(500, `500 Internal Server Error: the component ${problem}.\n`);
      return;
    }
    this.headSent = true;
    // A 204 has no body and must not declare one (RFC 9110, 8.6): a client that trusts the
    // length waits for bytes that never come, or reports a broken response.
    const noContent = status === 204 && declared !== undefined;
    if (noContent && declared !== 0) this.broken(`answered 204 No Content with a content-length of ${String(declared)}; the header was left out, and the body with it`);
    const flat: string[] = [];
    for (const [name, value] of headers) {
      const lower = name.toLowerCase();
      if (!HOP_BY_HOP.has(lower) && !(noContent && lower === 'content-length')) flat.push(name, value);
    }
    this.res.writeHead(status, flat);
    const bodyless = this.res.req.method === 'HEAD' || status === 204 || status === 304;
    this.promised = bodyless || declared === 'invalid' ? undefined : declared;
  }

  chunk(bytes: Uint8Array, written?: () => void): void {
    if (this.res.writableEnded || this.res.destroyed || this.isCut) {
      written?.();
      return;
    }
    if (this.promised !== undefined && (this.sent += bytes.byteLength) > this.promised) {
      this.cut(`wrote more than the ${this.promised} bytes its content-length promised`);
      written?.();
      return;
    }
    // The callback runs once the socket took the bytes, or with an error when it closed.
    if (written) this.res.write(bytes, () => written());
    else this.res.write(bytes);
  }

  end(trailers?: [string, string][]): void {
    if (this.res.writableEnded || this.res.destroyed || this.isCut) return;
    if (this.promised !== undefined && this.sent < this.promised) {
      this.cut(`ended its body after ${this.sent} of the ${this.promised} bytes its content-length promised`);
      return;
    }
    if (trailers && trailers.length > 0 && this.res.chunkedEncoding) this.res.addTrailers(trailers);
    this.res.end();
  }

  /** The body broke its head's promise: the connection closes, so nothing of it is read as the next response. */
  private cut(problem: string): void {
    this.isCut = true;
    this.broken(`${problem}; the connection was closed`);
    // What was sent goes out first (the head is written lazily), so the client sees a
    // response cut short by the close, not no response at all.
    this.res.flushHeaders();
    if (this.res.socket) this.res.socket.end();
    else this.res.destroy();
  }

  fail(status: number, text: string): void {
    if (this.res.writableEnded) return;
    if (this.headSent) {
      this.res.destroy();
      return;
    }
    this.headSent = true;
    this.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    this.res.end(text);
  }
}

/** What the gateway keeps of one connection. */
interface Connection {
  /**
   * How far its latest request is, for the idle timeout. A connection that never sent one is
   * the head timeout's business (it answers 408).
   */
  latest: { bodyDone: boolean; responseDone: boolean } | undefined;
  /** Requests it sent whose responses have not closed, the waiting ones included. */
  open: number;
  /** Requests parsed but not handed on yet: see PIPELINE_DEPTH. */
  waiting: (() => void)[];
  /** Its latest request and response: the ones a parse error in the middle of a body cuts short. */
  newestReq: IncomingMessage | undefined;
  newestRes: ServerResponse | undefined;
  /** Set once it sent something unparsable: the answer, sent when the requests before it are answered. */
  refusal: Refusal | undefined;
  /** Set once something unparsable was answered or its connection given up: the parser reports each later byte again. */
  refused: boolean;
  /** Its socket is paused for too many waiting requests (MAX_WAITING). */
  paused: boolean;
}

const connections = new WeakMap<Socket, Connection>();

function connectionOf(socket: Socket): Connection {
  let connection = connections.get(socket);
  if (!connection) {
    const created: Connection = { latest: undefined, open: 0, waiting: [], newestReq: undefined, newestRes: undefined, refusal: undefined, refused: false, paused: false };
    connections.set(socket, (connection = created));
    // Node starts reading a connection again whenever an answer's bytes leave its buffer,
    // whatever stopped it: one held for its waiting requests stays stopped. Every restart goes
    // through socket.resume(), whose event runs Node's listener (which starts reading) before
    // this one, in the same tick: no read happens in between.
    socket.on('resume', () => {
      if (created.paused && !socket.destroyed) pauseReading(socket);
    });
  }
  return connection;
}

/**
 * Requests of one connection handed on at once; the rest wait for their turn. Pipelined
 * requests are answered in order anyway, so this costs that connection nothing, and a client
 * that pipelines thousands of requests in one write no longer queues them all ahead of
 * everyone else's.
 */
const PIPELINE_DEPTH = 8;
/**
 * Parsed requests a connection may have waiting before its socket stops being read: a client
 * that pipelines without reading its answers would otherwise fill memory with parsed requests.
 * Node pauses such a connection only when answers pile up unwritten, and these have none yet.
 */
const MAX_WAITING = 64;

/**
 * Node's HTTP server reads a connection straight into its parser, and resumes the socket
 * whenever a request is read; only its own `_paused` flag (set when answers pile up unwritten)
 * keeps it stopped, and it then pauses the parser after the chunk at hand too. The gateway
 * stops and restarts a connection the same way.
 */
type ServerSocket = Socket & { _paused?: boolean; parser?: { resume(): void } | null };

function pauseReading(socket: ServerSocket): void {
  socket._paused = true;
  socket.pause();
}

function resumeReading(socket: ServerSocket): void {
  socket._paused = false;
  socket.parser?.resume();
  socket.resume();
}

const MAX_HEADER_BYTES = 32 * 1024;

/** Refused and broken requests logged per minute; a flood of them must not flood the log. */
const REFUSALS_LOGGED_PER_MINUTE = 20;

export class HttpGateway {
  private server: Server | undefined;
  private readonly limits: GatewayLimits;
  private lastDropWarning = 0;
  /** Per level: a flood of malformed requests (debug) must not hide the warnings (a body over the limit). */
  private refusals = { debug: { windowStart: 0, logged: 0, unlogged: 0 }, warn: { windowStart: 0, logged: 0, unlogged: 0 } };

  constructor(private readonly options: GatewayOptions) {
    this.limits = { ...GATEWAY_LIMITS, ...options.limits };
  }

  /** Starts listening; resolves with the bound address (useful with port 0). */
  get secure(): boolean {
    return this.options.tls !== undefined;
  }

  /** New certificate and key for an HTTPS gateway: the next TLS connections get them, open ones keep theirs. */
  setTls(material: { cert: Buffer; key: Buffer; ca?: Buffer }): void {
    (this.server as (Server & { setSecureContext?(options: object): void }) | undefined)?.setSecureContext?.(material);
  }

  listen(): Promise<AddressInfo> {
    const limits = this.limits;
    const settings = {
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // No deadline for a whole request (uploads may be large and slow); the head has one.
      requestTimeout: 0,
      headersTimeout: limits.headerTimeoutMs,
      // An HTTPS connection has as long for its TLS handshake (Node's own default is 120 s).
      handshakeTimeout: limits.headerTimeoutMs,
      // Node checks the head deadline on this interval; a quarter of it keeps the overshoot small.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, limits.headerTimeoutMs / 4)),
      maxHeaderSize: MAX_HEADER_BYTES,
      // Checked in serveRequest, so the answer says what is wrong and the log has it.
      requireHostHeader: false,
    };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, false);
    const server = this.options.tls ? createHttpsServer({ ...settings, ...this.options.tls }, onRequest) : createServer(settings, onRequest);
    server.maxConnections = limits.maxConnections;
    // A client may shut down its sending side once its request is out (`shutdown(SHUT_WR)`,
    // `nc -N`, many hand-written clients) and still read the answer: its requests are answered,
    // then the connection closes. Node would otherwise drop them unanswered at the FIN.
    (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    // Node keeps only the first 2000 header lines and drops the rest without a word (a Host or
    // Content-Length among them); the 32 KiB head limit bounds them instead.
    server.maxHeadersCount = 0;
    server.timeout = limits.idleTimeoutMs;
    server.on('timeout', (socket: Socket) => {
      // Quiet while the component works is fine; quiet while the client should send the
      // body, or with response bytes it does not read, means the client is gone.
      // Node arms this same timeout with keepAliveTimeout between requests, and leaves the
      // closing to this listener: a connection whose request is over is closed too.
      const request = connections.get(socket)?.latest;
      if (!request) return;
      const waitingOnComponent = request.bodyDone && !request.responseDone && socket.writableLength === 0;
      if (!waitingOnComponent) socket.destroy();
    });
    server.on('drop', () => {
      // One line a minute at most: a flood of connections must not flood the log too.
      if (Date.now() - this.lastDropWarning < 60_000) return;
      this.lastDropWarning = Date.now();
      this.options.log.warn(`more than ${limits.maxConnections} connections are open at once; new ones are closed until some end`);
    });
    server.on('connect', (req: IncomingMessage, socket: Socket) => {
      // A tunnel (CONNECT) is a proxy's job; say so instead of dropping the connection.
      const text = 'CONNECT is not supported: this server is not a proxy.\n';
      socket.on('error', () => {});
      socket.end(`HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, PATCH\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${text.length}\r\nconnection: close\r\n\r\n${text}`);
      this.options.log.debug(`refused CONNECT ${req.url ?? ''} with 405`);
    });
    // Without this listener Node would send 100 Continue itself, even for a body over the limit.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res, true));
    // Any other expectation cannot be met (RFC 9110, 10.1.1); Node's own 417 says nothing of why.
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      const expect = String(req.headers.expect ?? '').slice(0, 100);
      this.logRefusal(req.socket, `refused ${req.method} ${(req.url ?? '').slice(0, 200)} with 417: Expect: ${expect}`);
      res.shouldKeepAlive = false;
      new NodeResponseTarget(res).fail(417, `417 Expectation Failed: this server meets only "Expect: 100-continue", not "Expect: ${expect}"; send the request without that header.\n`);
    });
    server.on('clientError', (err: NodeJS.ErrnoException & { reason?: string }, socket: Socket) => {
      // Malformed HTTP never reaches a component. Requests the connection sent before it are
      // still answered (a client would take the refusal for their answer), then the refusal.
      const tls = tlsFailure(err);
      if (tls) {
        this.logRefusal(socket, `${tls}; the connection was closed`);
        socket.destroy();
        return;
      }
      const connection = connections.get(socket);
      if (connection?.refusal || connection?.refused) return; // the parser reports each later byte again
      // An error inside a request's body (a broken chunk, the client's end of the stream) cuts
      // that request short: its body never completes, so neither would waiting for it. It is
      // answered with the refusal in its place, after the answers of the requests before it.
      const cutShort = connection?.newestReq !== undefined && !connection.newestReq.complete ? connection.newestRes! : undefined;
      // A client that ended its sending side in the middle of a body can still read the
      // answers to the requests it sent before that one.
      const endedMidBody = err.code === 'HPE_INVALID_EOF_STATE' && cutShort !== undefined && connection!.open > 1;
      if ((clientGone(err) && !endedMidBody) || !socket.writable) {
        this.logRefusal(socket, `the client closed its connection mid-request (${err.code ?? err.message})`);
        socket.destroy();
        return;
      }
      const refusal = endedMidBody ? bodyEndedEarly() : refusalFor(err, { headerTimeoutMs: limits.headerTimeoutMs, maxHeaderBytes: MAX_HEADER_BYTES });
      this.logRefusal(socket, `refused with ${refusal.status.slice(0, 3)}: ${refusal.summary}`);
      if (cutShort) {
        connection!.refused = true;
        // Already answered (a refusal of its head) or answering: nothing more can be said.
        if (cutShort.writableEnded) return;
        if (cutShort.headersSent) socket.destroy();
        else answerWith(cutShort, refusal);
      } else if (connection && connection.open > 0) connection.refusal = refusal;
      else socket.end(refusalBytes(refusal));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  private closed: Promise<void> | undefined;

  /**
   * Takes no new connections, and closes those waiting for a request; requests in flight go
   * on, and their connections close once answered. On exit this comes first, so that the
   * workloads' grace period can still answer what is running (503 when it ends).
   */
  stopAccepting(): void {
    const server = this.server;
    if (!server || this.closed) return;
    this.closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
  }

  /** Stops accepting, then waits for the connections to close: 2 s at most, after which any left are cut. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.stopAccepting();
    server.closeIdleConnections();
    const cut = setTimeout(() => server.closeAllConnections(), 2000);
    await this.closed;
    clearTimeout(cut);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const socket = req.socket;
    const connection = connectionOf(socket);
    connection.open++;
    connection.newestReq = req;
    connection.newestRes = res;
    // 'close' comes once, after the response finished or was cut off.
    res.on('close', () => {
      connection.open--;
      this.handOnWaiting(connection, socket);
      if (connection.open === 0 && connection.refusal && socket.writable) socket.end(refusalBytes(connection.refusal));
    });
    // The rest of a read parsed after the connection was closed for queueing too many.
    if (socket.destroyed) return;
    if (connection.open <= PIPELINE_DEPTH) {
      this.serveRequest(req, res, expectsContinue, connection);
      return;
    }
    if (connection.waiting.length >= this.limits.maxQueuedRequests) {
      if (!socket.destroyed) this.logRefusal(socket, `pipelined more than ${this.limits.maxQueuedRequests} requests without reading the answers; its connection was closed`, 'warn');
      connection.waiting.length = 0;
      socket.destroy();
      return;
    }
    connection.waiting.push(() => this.serveRequest(req, res, expectsContinue, connection));
    if (connection.waiting.length >= MAX_WAITING) {
      connection.paused = true;
      pauseReading(socket);
    }
  }

  /** Hands on the connection's waiting requests while it has fewer than PIPELINE_DEPTH handed on. */
  private handOnWaiting(connection: Connection, socket: Socket): void {
    while (connection.waiting.length > 0 && connection.open - connection.waiting.length < PIPELINE_DEPTH) {
      // Nobody is left to answer: none of them runs.
      if (socket.destroyed) connection.waiting.length = 0;
      else connection.waiting.shift()!();
    }
    if (connection.paused && connection.waiting.length < MAX_WAITING / 2 && !socket.destroyed) {
      connection.paused = false;
      // Answers the client has not read yet hold it too: Node resumes it once they drain.
      if (!socket.writableNeedDrain) resumeReading(socket);
    }
  }

  private serveRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean, connection: Connection): void {
    // Answered with a refusal while it waited its turn (its body broke): it never runs.
    if (res.writableEnded) {
      req.resume();
      return;
    }
    // Tracked before any refusal: the idle timeout must close a connection left quiet after one.
    const declared = Number(req.headers['content-length'] ?? 0);
    const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
    const progress = { bodyDone: !hasBody, responseDone: false };
    connection.latest = progress;
    if (hasBody) req.on('end', () => (progress.bodyDone = true));
    res.on('finish', () => (progress.responseDone = true));
    const headers: [string, string][] = [];
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
      headers.push([name, req.rawHeaders[i + 1]!]);
    }
    const checked = checkRequest(req, hosts);
    if ('refused' in checked) {
      const [status, text] = checked.refused;
      req.resume();
      res.shouldKeepAlive = false;
      this.logRefusal(req.socket, `refused ${req.method} ${(req.url ?? '').slice(0, 200)} with ${status}: ${text}`);
      new NodeResponseTarget(res).fail(status, `${status} ${STATUS_CODES[status]}: ${text}.\n`);
      return;
    }
    const { authority, path } = checked;
    const socket = req.socket;
    // Node stops parsing a connection after a request that asks to switch protocols (Upgrade),
    // and drops what was sent after it: the connection closes after the answer, so a client
    // that pipelined more learns it at once instead of waiting for answers that never come.
    if (req.headers.upgrade !== undefined) res.shouldKeepAlive = false;
    const secure = (socket as { encrypted?: boolean }).encrypted === true;
    const target = new NodeResponseTarget(res, (problem) => this.options.log.error(`${req.method} ${path.slice(0, 200)}: the component ${problem}.`));
    const exchange: Exchange = { id: nextRequestId(), method: req.method ?? 'GET', pathWithQuery: path, scheme: secure ? 'https' : 'http', authority, headers, body: null, response: target };
    const watchBody = this.options.tap?.(exchange);
    const response = exchange.response;
    const route = this.options.route(authority, path);
    if ('unavailable' in route) {
      req.resume();
      response.fail(503, `${route.unavailable}\n`);
      return;
    }
    const limit = this.options.bodyLimitBytes;
    if (declared > limit) {
      // A client waiting for 100 Continue has sent no body: the connection has nothing to drain.
      if (expectsContinue) res.shouldKeepAlive = false;
      this.refuseTooLarge(req, res, response, limit);
      return;
    }
    let body: Transform | null = null;
    const handOn = () => route.handle(exchange);
    const held = hasBody && req.headers['transfer-encoding'] === undefined;
    if (hasBody) {
      const limited = new BodyLimit(limit, watchBody, held ? handOn : undefined);
      body = limited;
      limited.on('error', (err) => {
        if (err instanceof BodyTooLarge) this.refuseTooLarge(req, res, response, limit);
      });
      req.pipe(limited);
      // pipe() does not pass errors on: without this, a body cut short leaves the
      // component's read waiting until the request timeout.
      req.on('error', () => limited.destroy(new BodyBroken('the client closed the connection before sending the whole request body')));
      req.on('close', () => {
        if (!req.complete) limited.destroy(new BodyBroken('the client closed the connection before sending the whole request body'));
      });
    }
    exchange.body = body;
    if (expectsContinue) res.writeContinue();
    if (!held) handOn();
  }

  /** A line for a refused or broken request (debug unless said), at most REFUSALS_LOGGED_PER_MINUTE a minute of each level. */
  private logRefusal(socket: Socket, text: string, level: 'debug' | 'warn' = 'debug'): void {
    const now = Date.now();
    const r = this.refusals[level];
    if (now - r.windowStart >= 60_000) {
      if (r.unlogged > 0) this.options.log[level](`${r.unlogged} more refused or broken requests were not logged (at most ${REFUSALS_LOGGED_PER_MINUTE} a minute)`);
      Object.assign(r, { windowStart: now, logged: 0, unlogged: 0 });
    }
    if (r.logged++ < REFUSALS_LOGGED_PER_MINUTE) this.options.log[level](`${socket.remoteAddress ?? 'a client'}:${socket.remotePort ?? ''} ${text}`);
    else r.unlogged++;
  }

  /**
   * Answers 413 when the component has not answered yet. The rest of the body is read and
   * dropped for a moment, since most clients only read an answer once they have sent their
   * whole request; a body still coming after that has the connection cut (reading on would
   * cost as much as accepting it). After the component answered, the connection is cut at once.
   */
  private refuseTooLarge(req: IncomingMessage, res: ServerResponse, response: ResponseTarget, limit: number): void {
    this.logRefusal(req.socket, `${req.method} ${(req.url ?? '').slice(0, 200)}: request body over the ${limit}-byte limit ${response.headSent ? 'after the component answered; the connection was closed' : 'refused with 413'}`, 'warn');
    req.unpipe();
    if (response.headSent) {
      req.socket.destroy();
      return;
    }
    response.fail(413, `413 Payload Too Large: the request body is over the ${limit}-byte limit (set it with --body-limit).\n`);
    req.resume();
    const cut = setTimeout(() => req.socket.destroy(), LINGER_MS);
    req.once('end', () => clearTimeout(cut));
    req.once('close', () => clearTimeout(cut));
  }
}

/**
 * The Host header, or for an HTTP/1.0 request without one (Node refuses HTTP/1.1 without
 * it), the address the client connected to: components build URLs from the authority, and
 * many SDKs fail on a request that has none.
 */
function hostOf(req: IncomingMessage): string {
  if (req.headers.host) return req.headers.host;
  const { localAddress, localPort } = req.socket;
  if (!localAddress) return '';
  const address = localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress;
  return address.includes(':') ? `[${address}]:${localPort}` : `${address}:${localPort}`;
}

/**
 * The authority and path a request Node parsed is for, or why it is refused (a status and a
 * clause): only HTTP/1.x is served, and RFC 9112 wants an HTTP/1.1 request to name exactly one
 * Host. `hosts` is how many Host headers it has.
 */
function checkRequest(req: IncomingMessage, hosts: number): { authority: string; path: string } | { refused: [number, string] } {
  if (req.httpVersionMajor !== 1) return { refused: [505, `this server speaks HTTP/1.1 and 1.0, not HTTP/${req.httpVersion}`] };
  if (hosts > 1) return { refused: [400, 'the request has more than one Host header'] };
  if (hosts === 0 && req.httpVersionMinor >= 1) return { refused: [400, 'an HTTP/1.1 request must have a Host header'] };
  if (req.headers.host !== undefined && !validHost(req.headers.host)) return { refused: [400, 'the Host header is not a host name or address with an optional port'] };
  // RFC 9112 6.3: a body whose last coding is not chunked has no length to read it by. Node
  // reports it only once it reads the body, after the request would have gone to a component.
  const codings = req.headers['transfer-encoding'];
  if (codings !== undefined && !/(?:^|,)[ \t]*chunked[ \t]*$/i.test(codings)) return { refused: [400, `the request's Transfer-Encoding (${codings.slice(0, 100)}) does not end in chunked, so its body has no length`] };
  return requestTarget(req) ?? { refused: [400, 'the request target is not a path or an absolute http(s) URL'] };
}

/** The last Host value found valid: most requests repeat their connection's. */
let validHostSeen = '';

/**
 * Whether a Host value is a host name or address with an optional port, as RFC 9110 has it
 * and as a URL parser takes it: components build URLs from the authority, and one that the
 * WHATWG URL parser refuses (a port past 65535, a broken %-escape, brackets around no IPv6
 * address) makes a JavaScript component's request setup throw before its code runs.
 */
function validHost(host: string): boolean {
  if (host === validHostSeen) return true;
  if (!HOST_VALUE.test(host) || (host !== '' && !URL.canParse(`http://${host}/`))) return false;
  validHostSeen = host;
  return true;
}

/**
 * A Host value RFC 9110 allows: a bracketed IP literal, or a name of the characters RFC 3986
 * allows in one (an IPv4 address is one too), then an optional port; empty is allowed. A
 * component that builds URLs from it must not get spaces or slashes.
 */
const HOST_VALUE = /^(?:\[[0-9A-Za-z:.%_~-]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::\d*)?$/;

/** After a 413, how long the rest of the body is read and dropped before the connection is cut. */
const LINGER_MS = 2000;

/** Answers a request with a refusal, in its place among the connection's answers; the connection closes after it. */
function answerWith(res: ServerResponse, refusal: Refusal): void {
  res.shouldKeepAlive = false;
  new NodeResponseTarget(res).fail(Number(refusal.status.slice(0, 3)), refusal.text);
}

/**
 * The authority and path of a request. An absolute-form target (`POST http://host/x`,
 * RFC 9112 section 3.2.2) gives both, and its authority wins over the Host header; the usual
 * origin-form (`/x`) takes the authority from Host. Undefined for anything else.
 */
function requestTarget(req: IncomingMessage): { authority: string; path: string } | undefined {
  const url = req.url ?? '/';
  if (url.startsWith('/')) return { authority: hostOf(req), path: url };
  if (url === '*' && req.method === 'OPTIONS') return { authority: hostOf(req), path: '*' };
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return { authority: parsed.host, path: `${parsed.pathname}${parsed.search}` };
  } catch {
    return undefined;
  }
}
