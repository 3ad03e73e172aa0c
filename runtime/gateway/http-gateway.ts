// The HTTP listener components are served on (127.0.0.1:8000 by default). It turns each Node
// request into an Exchange for the workload the router picks, enforces the body size limit,
// and refuses malformed HTTP. It never runs component code itself.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import type { Logger } from '../logs/log-bus.ts';
import type { Exchange, ResponseTarget } from '../workloads/exchange.ts';

/** Who answers a request: a workload, or a sentence saying why nothing can. */
export type Route = { handle(exchange: Exchange): void } | { unavailable: string };

export interface GatewayOptions {
  host: string;
  port: number;
  bodyLimitBytes: number;
  route(authority: string, path: string): Route;
  log: Logger;
  /** Serve HTTPS with these (from dev.tls_* in the project config). */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer };
}

// Connection-level fields are the server's business, whatever a component sets.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** Passes a request body through while counting it; errors once it passes the limit. */
class BodyLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(new BodyTooLarge(this.limit));
    else done(null, chunk);
  }
}

class NodeResponseTarget implements ResponseTarget {
  headSent = false;

  constructor(private readonly res: ServerResponse) {}

  head(status: number, headers: [string, string][]): void {
    if (this.headSent) return;
    this.headSent = true;
    const flat: string[] = [];
    for (const [name, value] of headers) if (!HOP_BY_HOP.has(name.toLowerCase())) flat.push(name, value);
    this.res.writeHead(status, flat);
  }

  chunk(bytes: Uint8Array): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(bytes);
  }

  end(trailers?: [string, string][]): void {
    if (this.res.writableEnded) return;
    if (trailers && trailers.length > 0 && this.res.chunkedEncoding) this.res.addTrailers(trailers);
    this.res.end();
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

export class HttpGateway {
  private server: Server | undefined;

  constructor(private readonly options: GatewayOptions) {}

  /** Starts listening; resolves with the bound address (useful with port 0). */
  get secure(): boolean {
    return this.options.tls !== undefined;
  }

  listen(): Promise<AddressInfo> {
    const settings = { keepAliveTimeout: 5000, requestTimeout: 0, maxHeaderSize: 32 * 1024 };
    const onRequest = (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res);
    const server = this.options.tls ? createHttpsServer({ ...settings, ...this.options.tls }, onRequest) : createServer(settings, onRequest);
    server.on('clientError', (err, socket) => {
      // Malformed HTTP never reaches a component: answer 400 when the socket still can.
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nMalformed HTTP request.\n');
      else socket.destroy();
      this.options.log.debug(`refused a malformed request: ${err.message}`);
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

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const response = new NodeResponseTarget(res);
    const authority = req.headers.host ?? '';
    const path = req.url ?? '/';
    const route = this.options.route(authority, path);
    if ('unavailable' in route) {
      req.resume();
      response.fail(503, `${route.unavailable}\n`);
      return;
    }
    const limit = this.options.bodyLimitBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      this.refuseTooLarge(req, response, limit);
      return;
    }
    const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
    let body: Transform | null = null;
    if (hasBody) {
      body = new BodyLimit(limit);
      body.on('error', (err) => {
        if (err instanceof BodyTooLarge) this.refuseTooLarge(req, response, limit);
      });
      req.pipe(body);
    }
    const headers: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    route.handle({ method: req.method ?? 'GET', pathWithQuery: path, scheme: secure ? 'https' : 'http', authority, headers, body, response });
  }

  private refuseTooLarge(req: IncomingMessage, response: ResponseTarget, limit: number): void {
    this.options.log.warn(`${req.method} ${req.url}: request body over the ${limit}-byte limit refused with 413`);
    response.fail(413, `413 Payload Too Large: the request body is over the ${limit}-byte limit (set it with --body-limit).\n`);
    req.unpipe();
    req.resume();
  }
}
