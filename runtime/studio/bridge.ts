// The browser-mode bridge: one HTTP server on 127.0.0.1 that serves the built renderer and
// carries the Studio API over a WebSocket at /api. Anything on this machine can reach a
// loopback port, and any web page can make the browser try, so every request must show
// it comes from the person who started the studio:
//
// - a random per-launch token, printed in the URL; the page keeps it in its tab's session
//   storage and takes it out of the address bar, and the API upgrade must carry it. No
//   cookie carries it: cookies ignore ports, so one would go to the component gateway and
//   to every other server on 127.0.0.1, into their logs and the traffic captures, and a
//   page on another port could set a cookie of the same name in its place. The renderer's
//   files need no token: they are the same for everyone and hold nothing secret. A browser
//   the studio opens itself gets a one-use launch link instead (see launchUrl), since a
//   command line can be read by every user of the machine;
// - the Host header must name the bridge itself (127.0.0.1:<port> or localhost:<port>), which
//   defeats DNS rebinding; an Origin header, when present, must be the bridge's own origin
//   (a foreign page can neither read files nor open the socket);
// - HTML goes out with a strict CSP, and every response with nosniff, no-referrer, DENY.
//
// It owns sockets and files only; commands and events belong to the StudioService.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { extname, join, resolve } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { messageOf, StudioFailure } from '../errors.ts';
import type { ClientFrame, ServerFrame } from './api.ts';
import { contentTypeFor, rendererCsp } from './renderer-files.ts';
import { apiErrorFrom, type StudioEvent, type StudioService } from './studio-service.ts';
import { isWithin } from '../path-within.ts';

export interface BridgeOptions {
  service: StudioService;
  /** The built renderer (index.html and its assets). */
  rendererDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** A fixed token, for tests; by default a new random one per launch. */
  token?: string;
  /** Notes for the studio log (refused requests, socket errors). */
  log?: (level: 'info' | 'warn', text: string) => void;
}

export interface Bridge {
  /** The URL to open once: it carries the token. */
  readonly url: string;
  /**
   * A URL for a browser started with it on its command line (where other users of the
   * machine can read it): it carries a code that works once, within two minutes, and is
   * answered with a redirect to the URL with the token.
   */
  launchUrl(): string;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}


/** How long a launch link works, if no browser used it before. */
const LAUNCH_CODE_MS = 2 * 60_000;

/** Where the Studio API's WebSocket is; it takes the token as `?token=`. */
const API_PATH = '/api';

/**
 * Largest client frame: the largest HAR traffic.importHar takes (256 MiB of text), with room
 * for the escapes JSON adds to it. Smaller frames are the rule (upload parts are 32 MiB).
 */
const MAX_FRAME_BYTES = 512 * 2 ** 20;
/** A client that lets this much pile up unread is dropped; it reconnects and resyncs. */
const MAX_BUFFERED_BYTES = 64 * 2 ** 20;

export function contentSecurityPolicy(port: number): string {
  return rendererCsp([`ws://127.0.0.1:${port}`, `ws://localhost:${port}`]);
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const log = options.log ?? (() => {});
  // A page left open from an earlier launch may keep knocking with a stale token: say why it
  // is refused, but once a minute, not on every attempt.
  const lastRefusal = new Map<string, number>();
  const noteRefusal = (text: string, reason: string): void => {
    const now = Date.now();
    if (now - (lastRefusal.get(reason) ?? -Infinity) < 60_000) return;
    lastRefusal.set(reason, now);
    log('warn', text);
  };
  const rendererDir = resolve(options.rendererDir);
  let port = 0;
  /** Unused launch codes and when each stops working, and the used ones (a few per launch at most). */
  const launchCodes = new Map<string, number>();
  const spentCodes = new Set<string>();

  const tokenMatches = (candidate: string | undefined): boolean => {
    if (candidate === undefined) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };

  /**
   * Why a request must be refused, or undefined when it may go on. The API needs the token;
   * a file needs none, but a token given with one must be right, so a URL from an earlier
   * launch says so at once rather than when the page tries the API.
   */
  const refusal = (req: IncomingMessage, url: URL): string | undefined => {
    const host = req.headers.host?.toLowerCase();
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return 'Forbidden: this server answers only to its own address (127.0.0.1 or localhost).';
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://127.0.0.1:${port}` && origin !== `http://localhost:${port}`) return 'Forbidden: requests from other sites are not allowed.';
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) return tokenMatches(queryToken) ? undefined : 'Forbidden: wrong token, perhaps from an earlier launch. Use the studio URL printed in the terminal.';
    if (url.pathname === API_PATH) return 'Forbidden: open the studio with the URL printed in the terminal (it carries the access token).';
    return undefined;
  };

  const server: Server = createServer((req, res) => {
    void handleHttp(req, res).catch((err: unknown) => {
      log('warn', `bridge: ${req.method} ${req.url} failed: ${(err as Error).message}`);
      if (!res.headersSent) plain(res, 500, 'Internal error; see the studio log.');
      else res.destroy();
    });
  });

  const handleHttp = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = parseRequestUrl(req);
    if (!url) {
      plain(res, 400, 'Bad request.');
      return;
    }
    const refused = refusal(req, url);
    if (refused) {
      noteRefusal(`studio UI: refused ${req.method} ${url.pathname}: ${refused}`, refused);
      plain(res, 403, refused);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      plain(res, 405, 'Method not allowed.');
      return;
    }
    const launch = url.searchParams.get('launch');
    if (launch !== null) {
      // Spent by GET only: a HEAD (a link checker, a preview) must not use it up.
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        plain(res, 405, 'Method not allowed.');
        return;
      }
      const until = launchCodes.get(launch);
      launchCodes.delete(launch);
      if (spentCodes.has(launch)) {
        // The browser came second: something else read its command line and came first.
        log('warn', 'studio UI: the launch link was opened a second time. If you did not open it twice, another program on this machine may have used it first and got access to this studio: stop it (Ctrl+C) and start it again, which makes a new token.');
        plain(res, 403, 'Forbidden: this launch link was used already, by another tab or another program on this machine. Open the studio with the URL printed in the terminal; if you did not open it twice, restart the studio.');
        return;
      }
      if (until === undefined || until < Date.now()) {
        plain(res, 403, 'Forbidden: this launch link is unknown or over two minutes old. Open the studio with the URL printed in the terminal.');
        return;
      }
      spentCodes.add(launch);
      securityHeaders(res);
      res.writeHead(303, { Location: `/?token=${token}`, 'Cache-Control': 'no-store' }).end();
      return;
    }
    if (url.pathname === API_PATH) {
      // The page asks here why its socket was refused: past the checks above, it was not the token.
      plain(res, 426, 'The Studio API speaks WebSocket here.');
      return;
    }
    await serveFile(req, res, url.pathname);
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      plain(res, 400, 'Bad request.');
      return;
    }
    if (decoded.includes('\0')) {
      plain(res, 400, 'Bad request.');
      return;
    }
    const root = await realpath(rendererDir).catch(() => undefined);
    if (!root) {
      html(res, port, 200, buildHint(rendererDir));
      return;
    }
    const wanted = resolve(root, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
    let file = await existingFileInside(root, wanted);
    // Paths without an extension are the app's own routes: they get index.html.
    if (!file && extname(decoded) === '') file = await existingFileInside(root, join(root, 'index.html'));
    if (!file) {
      if (!(await existingFileInside(root, join(root, 'index.html')))) html(res, port, 200, buildHint(rendererDir));
      else plain(res, 404, 'Not found.');
      return;
    }
    const type = contentTypeFor(file.path);
    securityHeaders(res);
    if (type.startsWith('text/html')) {
      res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
      res.setHeader('Cache-Control', 'no-store');
    } else {
      res.setHeader('Cache-Control', 'no-cache');
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', file.size);
    res.writeHead(200);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parseRequestUrl(req);
    const refused = url ? (url.pathname === API_PATH ? refusal(req, url) : 'Not found.') : 'Bad request.';
    if (refused) {
      noteRefusal(`studio UI: refused a connection to the API: ${refused}`, refused);
      const status = refused === 'Not found.' ? '404 Not Found' : refused === 'Bad request.' ? '400 Bad Request' : '403 Forbidden';
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(refused)}\r\nConnection: close\r\n\r\n${refused}`);
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveApi(ws, options.service, log));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const wanted = options.port ?? 0;
      if (err.code === 'EADDRINUSE') fail(new StudioFailure({ code: 'ui-port-in-use', message: `Port ${wanted} on 127.0.0.1 is already in use, so the studio UI cannot start.`, hint: 'Pick another one with --ui-port N (0 picks a free one), or run headless with --no-ui.' }));
      else if (err.code === 'EACCES') fail(new StudioFailure({ code: 'ui-port-denied', message: `Not allowed to listen on 127.0.0.1:${wanted} for the studio UI.`, hint: 'Ports below 1024 need privileges; use a higher --ui-port.' }));
      else fail(new StudioFailure({ code: 'ui-listen-failed', message: `The studio UI could not listen on 127.0.0.1:${wanted}: ${err.message}.`, hint: 'Try another --ui-port, or --no-ui.' }));
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.removeAllListeners('error');
      done();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    launchUrl() {
      for (const [unused, until] of launchCodes) if (until < Date.now()) launchCodes.delete(unused);
      const code = randomBytes(24).toString('base64url');
      launchCodes.set(code, Date.now() + LAUNCH_CODE_MS);
      return `${origin}/?launch=${code}`;
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** One WebSocket client: frames in, results and events out. */
function serveApi(ws: WebSocket, service: StudioService, log: (level: 'info' | 'warn', text: string) => void): void {
  const send = (frame: ServerFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      log('warn', 'bridge: a page stopped reading its events; it was disconnected (it reconnects and catches up).');
      ws.terminate();
      return;
    }
    const text = frameText(frame, log);
    if (text !== undefined) ws.send(text);
  };
  const unsubscribe = service.subscribe((event: StudioEvent) => send(event));
  ws.on('close', unsubscribe);
  ws.on('error', (err) => log('warn', `bridge: WebSocket error: ${err.message}`));
  ws.on('message', (data, isBinary) => {
    let frame: Partial<ClientFrame>;
    try {
      if (isBinary) throw new Error('binary frame');
      frame = JSON.parse(String(data)) as Partial<ClientFrame>;
      if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new Error('not an object');
      // An answer must find its way back: a command without a number to answer to runs nowhere.
      if (typeof frame.id !== 'number' || !Number.isSafeInteger(frame.id) || frame.id <= 0) throw new Error('no id');
    } catch {
      send({ id: 0, ok: false, error: { code: 'bad-frame', message: 'The studio received a frame that is not a JSON command.', hint: 'Frames are {"id": a whole number above 0, "command": string, "args": object}.' } });
      return;
    }
    const id = frame.id;
    service
      .call(String(frame.command), frame.args)
      .then(
        (result) => send({ id, ok: true, result: result ?? null }),
        (err: unknown) => send({ id, ok: false, error: apiErrorFrom(err) }),
      )
      // A frame that cannot be sent ends this client's connection, never the studio.
      .catch((err: unknown) => {
        log('warn', `bridge: could not answer ${String(frame.command)}: ${messageOf(err)}`);
        ws.terminate();
      });
  });
}

/**
 * A frame as JSON. An answer too large for one string (Node's limit is about 512 MB) becomes
 * an error answer saying so; an event that large is left out, with a warning.
 */
function frameText(frame: ServerFrame, log: (level: 'info' | 'warn', text: string) => void): string | undefined {
  try {
    return JSON.stringify(frame);
  } catch (err) {
    if (!('id' in frame)) {
      log('warn', `bridge: the event ${frame.event} was too large to send to the page (${messageOf(err)})`);
      return undefined;
    }
    return JSON.stringify({ id: frame.id, ok: false, error: { code: 'answer-too-large', message: `The answer is too large to send to the page (${messageOf(err)}).`, hint: 'Ask for less at once: a smaller limit, a narrower filter.' } } satisfies ServerFrame);
  }
}

function parseRequestUrl(req: IncomingMessage): URL | undefined {
  try {
    // The base is a placeholder: only the path and query are read from it.
    return new URL(req.url ?? '/', 'http://bridge.invalid');
  } catch {
    return undefined;
  }
}

async function existingFileInside(root: string, path: string): Promise<{ path: string; size: number } | undefined> {
  try {
    // realpath resolves symlinks, so a link pointing out of the renderer folder is refused.
    const real = await realpath(path);
    if (!isWithin(root, real)) return undefined;
    const info = await stat(real);
    return info.isFile() ? { path: real, size: info.size } : undefined;
  } catch {
    return undefined;
  }
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function plain(res: ServerResponse, status: number, text: string): void {
  securityHeaders(res);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.writeHead(status).end(`${text}\n`);
}

function html(res: ServerResponse, port: number, status: number, body: string): void {
  securityHeaders(res);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(port));
  res.setHeader('Cache-Control', 'no-store');
  res.writeHead(status).end(body);
}

function buildHint(rendererDir: string): string {
  const escaped = rendererDir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Component Studio</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>The studio UI is not built yet</h1>
<p>The studio is running, but there is no built UI in <code>${escaped}</code>.</p>
<p>Build it once with <code>npm run build:renderer</code>, then reload this page.</p>
</body></html>
`;
}
