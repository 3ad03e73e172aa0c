// The HTTP playground's request, made from Node with undici's plain request: the component gets
// the headers the user set and no others (fetch would add accept-language, sec-fetch-mode,
// user-agent and accept-encoding, and refuse a Host header), the body comes back as the
// component sent it, and the time is measured around the whole exchange. Redirects are not
// followed, so the playground shows what the component answered. Failures become ApiErrors
// that say what to check.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { request, type Dispatcher } from 'undici';
import { StudioFailure } from '../errors.ts';
import { HTTP_TOKEN, unsendableHeaderChar } from '../http-token.ts';
import { REPLAY_HEADER, type ExchangeCapture } from '../traffic/exchange-capture.ts';
import type { TrafficRecord } from '../traffic/traffic-record.ts';
import type { HttpRequestSpec, HttpResponseView } from './api.ts';

export interface PlaygroundOptions {
  /** Relative URLs resolve against this (the gateway); undefined while nothing serves. */
  baseUrl: string | undefined;
  /** Why there is no gateway although a version runs (it serves no HTTP), for the message. */
  noHttp?: string;
  /** Bodies are cut here and marked `truncated`. */
  maxBodyBytes: number;
  /**
   * The gateway's traffic capture: a request to the gateway is marked so that its record
   * (and with it what the component logged) comes back with the answer.
   */
  capture?: ExchangeCapture;
  /**
   * How long to wait when the request names no timeout: longer than the gateway's own, so a
   * component that hangs comes back as the gateway's 504 with its log, not as a give-up here.
   */
  timeoutMs?: number;
}

/** How long after the answer the record of a marked request may take to be complete. */
const RECORD_WAIT_MS = 1000;

const DEFAULT_TIMEOUT_MS = 30_000;

export async function sendHttpRequest(spec: HttpRequestSpec, options: PlaygroundOptions): Promise<HttpResponseView> {
  const url = resolveUrl(spec.url, options.baseUrl, options.noHttp);
  const timeoutMs = spec.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const method = spec.method.toUpperCase();
  const body = spec.body !== undefined && spec.body !== '' ? Buffer.from(spec.body, 'base64') : undefined;
  if (body && (method === 'GET' || method === 'HEAD')) {
    throw new StudioFailure({ code: 'http-bad-request', message: `A ${method} request cannot have a body.`, hint: 'Remove the body, or use POST or PUT.' });
  }
  const headers: string[] = [];
  for (const [rawName, value] of spec.headers) {
    const name = rawName.trim();
    if (name === '') continue;
    if (!HTTP_TOKEN.test(name)) {
      throw new StudioFailure({ code: 'http-bad-request', message: `Invalid header name: ${JSON.stringify(name.slice(0, 100))}.`, hint: 'Header names are letters, digits and -; values cannot contain line breaks.' });
    }
    const bad = unsendableHeaderChar(value);
    if (bad !== undefined) {
      throw new StudioFailure({
        code: 'http-bad-request',
        message: `The value of the ${name.slice(0, 100)} header has a character HTTP cannot carry: ${bad}.`,
        hint: 'Header values are ASCII text (Latin-1 at most) on one line: percent-encode or base64 other text.',
      });
    }
    headers.push(name, value);
  }

  // <name>.localhost is this machine (RFC 6761), and the gateway's address for a linked
  // component; Node's resolver does not know it, so it is sent to the loopback with its Host.
  const target = new URL(url);
  if (target.hostname.endsWith('.localhost')) {
    target.hostname = '127.0.0.1';
    if (!headers.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'host')) headers.push('host', url.host);
  }
  // Only requests to the studio's own gateway carry the marker: it never leaves the machine.
  const toGateway = options.capture !== undefined && options.baseUrl !== undefined && isGateway(target, new URL(options.baseUrl));
  const token = randomUUID();
  const expected = toGateway ? options.capture!.expect(token) : undefined;
  if (expected) headers.push(REPLAY_HEADER, `playground ${token}`);

  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(target, { method: method as Dispatcher.HttpMethod, headers, ...(body ? { body } : {}), signal });
  } catch (err) {
    expected?.cancel();
    throw requestFailure(err, url, timeoutMs);
  }

  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      const room = options.maxBodyBytes - kept;
      if (chunk.byteLength > room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept += Math.max(0, room);
        truncated = true;
        response.body.destroy();
        break;
      }
      chunks.push(chunk);
      kept += chunk.byteLength;
    }
  } catch (err) {
    expected?.cancel();
    throw requestFailure(err, url, timeoutMs);
  }
  const timeMs = performance.now() - started;
  const declared = Number(response.headers['content-length']);
  const record = expected && (await recordOf(expected));
  return {
    ...(record ? { trafficId: record.id, logs: record.logs, outbound: record.outbound } : {}),
    status: response.statusCode,
    statusText: STATUS_CODES[response.statusCode] ?? '',
    headers: headerList(response.headers),
    body: Buffer.concat(chunks).toString('base64'),
    size: truncated && Number.isFinite(declared) && declared > kept ? declared : kept,
    truncated,
    timeMs,
  };
}

/** This machine's loopback names, as URL writes them: on the gateway's port, each of them is the gateway. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether `target` is the gateway at `gateway`: the same scheme and port, on its host or a loopback name when it listens on the loopback. */
function isGateway(target: URL, gateway: URL): boolean {
  if (target.origin === gateway.origin) return true;
  if (target.protocol !== gateway.protocol || target.port !== gateway.port) return false;
  return LOOPBACK_HOSTS.has(target.hostname) && LOOPBACK_HOSTS.has(gateway.hostname);
}

/** The capture's record of a marked request, or undefined when it does not come in time. */
async function recordOf(expected: ReturnType<ExchangeCapture['expect']>): Promise<TrafficRecord | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), RECORD_WAIT_MS);
  });
  const record = await Promise.race([expected.record, late]);
  clearTimeout(timer);
  if (!record) expected.cancel();
  return record;
}

/** Header pairs as received; a repeated header (Set-Cookie above all) stays one pair per value. */
function headerList(headers: Dispatcher.ResponseData['headers']): [string, string][] {
  const list: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const each of value) list.push([name, each]);
    else if (value !== undefined) list.push([name, value]);
  }
  return list;
}

function resolveUrl(raw: string, base: string | undefined, noHttp: string | undefined): URL {
  const trimmed = raw.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(trimmed);
  if (!absolute && !base && noHttp) {
    throw new StudioFailure({ code: 'not-serving', message: `${trimmed} is relative, and nothing serves HTTP to resolve it against: ${noHttp}.`, hint: 'Export wasi:http/incoming-handler@0.2.x from the component\'s world to serve HTTP, or give a full URL (http://...).' });
  }
  if (!absolute && !base) {
    throw new StudioFailure({ code: 'not-serving', message: `${trimmed} is relative, and nothing is being served yet to resolve it against.`, hint: 'Wait for the build to finish, or give a full URL (http://...).' });
  }
  let url: URL;
  try {
    url = new URL(trimmed, base);
  } catch {
    throw new StudioFailure({ code: 'http-invalid-url', message: `"${trimmed.slice(0, 200)}" is not a valid URL.`, hint: 'Use a path such as /qrcode, or a full URL such as http://127.0.0.1:8000/.' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new StudioFailure({ code: 'http-invalid-url', message: `${url.protocol} URLs cannot be requested from the playground.`, hint: 'Use http:// or https://.' });
  }
  return url;
}

function requestFailure(err: unknown, url: URL, timeoutMs: number): StudioFailure {
  const error = err as Error & { cause?: unknown; code?: string; errors?: { code?: string }[] };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new StudioFailure({ code: 'http-timeout', message: `${url.origin} did not answer within ${formatSeconds(timeoutMs)}.`, hint: 'The server may be slow or stuck. For the component served here, its log says what it was doing; the studio stops a request after its --timeout (30 s unless set at start) and answers 504.' });
  }
  const cause = error.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
  // Several addresses (localhost: ::1 and 127.0.0.1) fail together as an AggregateError.
  const code = error.code ?? error.errors?.[0]?.code ?? cause?.code ?? cause?.errors?.[0]?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name does not resolve' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed' : 'the host is unreachable';
    return new StudioFailure({ code: 'http-unreachable', message: `Could not reach ${url.host}: ${why}.`, hint: 'Check the address and port; is something listening there?' });
  }
  const detail = cause?.message ?? error.message;
  // The answer broke HTTP (a length it did not keep, a head that does not parse): the server's fault, not the request's.
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || code?.startsWith('HPE_')) {
    return new StudioFailure({ code: 'http-bad-response', message: `${url.host} sent an answer that breaks HTTP: ${detail}.`, hint: 'The server is at fault, not your request. For the component served here, the studio log and the Traffic view show what it sent.' });
  }
  return new StudioFailure({ code: 'http-failed', message: `The request to ${url.href.slice(0, 200)} failed: ${detail}.`, hint: 'Check the URL, the headers and the body.' });
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
