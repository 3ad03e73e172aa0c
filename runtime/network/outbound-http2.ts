// HTTP/2 for outbound calls, through node:http2: gRPC (h2 over TLS with ALPN for https://, h2c
// with prior knowledge for http://) and HTTPS origins that chose h2 in the TLS handshake. One
// session per origin carries every call to it; a session that fails, closes or is told to go
// away is replaced on the next call. Trailers go both ways: the component's (sent after the
// request body) and the server's (grpc-status, grpc-message). node:http2 has no timeouts of
// its own for a client, so the three request-options timeouts are kept here.
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { failureOf, OutboundError, timeoutFailures } from './outbound-errors.ts';
import type { Trust } from './outbound-tls.ts';
import { headerPairs, StreamCall, type OutboundFailure, type ResponseListener, type Transport, type TransportCall, type TransportRequest } from './outbound-transport.ts';
import { localhostLookup } from './localhost-lookup.ts';

/** A session with no call for this long closes (gRPC servers keep their own, longer). */
const SESSION_IDLE_MS = 30_000;

const { NGHTTP2_CANCEL, NGHTTP2_NO_ERROR } = http2.constants;

export class Http2Transport implements Transport {
  private readonly sessions = new Map<string, Promise<ClientHttp2Session>>();
  private closed = false;

  constructor(private readonly trust: Trust) {}

  /** Takes over a TLS connection on which the server chose h2 (see outbound-alpn.ts) as the origin's session. */
  adopt(origin: string, socket: TLSSocket): void {
    if (this.closed || this.sessions.has(origin)) {
      socket.destroy();
      return;
    }
    const session = http2.connect(origin, { createConnection: () => socket });
    this.track(origin, Promise.resolve(session), session);
  }

  private sessionFor(url: URL, connectMs: number): Promise<ClientHttp2Session> {
    const existing = this.sessions.get(url.origin);
    if (existing) return existing;
    const session = http2.connect(url.origin, { lookup: localhostLookup, ...(this.trust.ca ? { ca: this.trust.ca } : {}) });
    const connected = new Promise<ClientHttp2Session>((resolve, reject) => {
      const timer = setTimeout(() => {
        session.destroy();
        reject(new OutboundError(timeoutFailures.connect(connectMs)));
      }, connectMs);
      session.once('connect', () => {
        clearTimeout(timer);
        resolve(session);
      });
      session.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    this.track(url.origin, connected, session);
    return connected;
  }

  /** Keeps the origin's session until it ends; an idle one closes, and none keeps the process alive. */
  private track(origin: string, connected: Promise<ClientHttp2Session>, session: ClientHttp2Session): void {
    this.sessions.set(origin, connected);
    const forget = () => {
      if (this.sessions.get(origin) === connected) this.sessions.delete(origin);
    };
    connected.catch(forget);
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    session.setTimeout(SESSION_IDLE_MS, () => session.close());
    session.unref();
  }

  send(request: TransportRequest, listener: ResponseListener): TransportCall {
    const { url, timeouts } = request;
    let stream: ClientHttp2Stream | undefined;
    let settled = false;
    let headed = false;
    let timer: NodeJS.Timeout | undefined;
    let trailers: [string, string][] | undefined;
    /** The request body is still being sent: the first-byte timeout starts after it (as undici's does). */
    let sending = Boolean(request.body);
    let paused = false;
    const call = new StreamCall<ClientHttp2Stream>(
      (current) => {
        settled = true;
        clearTimeout(timer);
        if (current && !current.destroyed) current.close(NGHTTP2_CANCEL);
      },
      // While the component reads slowly the stream holds bytes back: no gap in the server's sending.
      (isPaused) => {
        paused = isPaused;
        if (isPaused) clearTimeout(timer);
        else if (headed) arm(timeouts.betweenBytesMs, timeoutFailures.betweenBytes(timeouts.betweenBytesMs));
      },
    );

    const settle = (failure?: OutboundFailure): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure) {
        if (stream && !stream.destroyed) stream.close(NGHTTP2_CANCEL);
        listener.fail(failure);
      }
    };
    const failWith = (err: unknown) => settle(failureOf(err, headed ? 'body' : 'request', url, timeouts));
    // One timer: the first byte until the head arrives, then the gap between body bytes.
    const arm = (ms: number, failure: OutboundFailure) => {
      clearTimeout(timer);
      if (settled || paused) return;
      timer = setTimeout(() => settle(failure), ms);
    };

    const start = (session: ClientHttp2Session): void => {
      if (settled) return;
      const headers: OutgoingHttpHeaders = {
        ':method': request.method,
        ':scheme': url.protocol.slice(0, -1),
        ':authority': url.host,
        ':path': `${url.pathname}${url.search}`,
      };
      for (const [name, value] of request.headers) {
        const key = name.toLowerCase();
        const had = headers[key];
        headers[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [String(had), value];
      }
      const body = request.body;
      try {
        stream = call.attach(session.request(headers, { endStream: !body, waitForTrailers: Boolean(body) }));
      } catch (err) {
        failWith(err);
        return;
      }
      const current = stream;
      if (!sending) arm(timeouts.firstByteMs, timeoutFailures.firstByte(timeouts.firstByteMs));
      current.on('response', (head) => {
        if (settled) return;
        headed = true;
        arm(timeouts.betweenBytesMs, timeoutFailures.betweenBytes(timeouts.betweenBytesMs));
        listener.head(Number(head[':status']), headerPairs(head), 'HTTP/2');
      });
      current.on('data', (chunk: Buffer) => {
        if (settled) return;
        arm(timeouts.betweenBytesMs, timeoutFailures.betweenBytes(timeouts.betweenBytesMs));
        listener.data(chunk);
      });
      current.on('trailers', (fields: IncomingHttpHeaders) => {
        trailers = headerPairs(fields);
      });
      current.on('end', () => {
        if (settled || !headed) return;
        settle();
        listener.end(trailers && trailers.length > 0 ? trailers : undefined);
      });
      current.on('error', failWith);
      current.on('close', () => {
        if (settled) return;
        // Reset by the server (or the session went away) without an error event.
        const code = current.rstCode ?? NGHTTP2_NO_ERROR;
        failWith(Object.assign(new Error(`the stream was reset (HTTP/2 error code ${code})`), { code: code === NGHTTP2_NO_ERROR ? 'ERR_STREAM_PREMATURE_CLOSE' : 'ERR_HTTP2_STREAM_ERROR' }));
      });
      if (body) {
        current.on('wantTrailers', () => current.sendTrailers(Object.fromEntries(groupByName(body.trailers ?? []))));
        void writeBody(current, body).then(
          () => {
            sending = false;
            if (!headed) arm(timeouts.firstByteMs, timeoutFailures.firstByte(timeouts.firstByteMs));
          },
          (err: unknown) => failWith(err),
        );
      }
    };

    this.sessionFor(url, timeouts.connectMs).then(start, failWith);
    return call;
  }

  async close(): Promise<void> {
    this.closed = true;
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((connected) => connected.then((session) => new Promise<void>((resolve) => session.close(() => resolve())), () => undefined)));
  }
}

/** Writes the request body at the stream's pace, then ends it (the trailers follow on 'wantTrailers'). */
async function writeBody(stream: ClientHttp2Stream, body: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of body) {
    if (stream.destroyed) return;
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      });
    }
  }
  if (!stream.destroyed) stream.end();
}

/** Trailer fields for node:http2: repeated names become one array. */
function groupByName(pairs: [string, string][]): Map<string, string | string[]> {
  const grouped = new Map<string, string | string[]>();
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    const had = grouped.get(key);
    grouped.set(key, had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value]);
  }
  return grouped;
}
