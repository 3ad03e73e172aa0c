// The HTTP playground's request, made from Node: no CORS, no browser-imposed headers, and the
// time measured around the whole exchange. Redirects are not followed, so the playground
// shows what the component answered. Failures become ApiErrors that say what to check.
import { StudioFailure } from '../errors.ts';
import type { HttpRequestSpec, HttpResponseView } from './api.ts';

export interface PlaygroundOptions {
  /** Relative URLs resolve against this (the gateway); undefined while nothing serves. */
  baseUrl: string | undefined;
  /** Bodies are cut here and marked `truncated`. */
  maxBodyBytes: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export async function sendHttpRequest(spec: HttpRequestSpec, options: PlaygroundOptions): Promise<HttpResponseView> {
  const url = resolveUrl(spec.url, options.baseUrl);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const method = spec.method.toUpperCase();
  const body = spec.body !== undefined && spec.body !== '' ? Buffer.from(spec.body, 'base64') : undefined;
  if (body && (method === 'GET' || method === 'HEAD')) {
    throw new StudioFailure({ code: 'http-bad-request', message: `A ${method} request cannot have a body.`, hint: 'Remove the body, or use POST or PUT.' });
  }
  const headers = new Headers();
  try {
    for (const [name, value] of spec.headers) if (name.trim() !== '') headers.append(name.trim(), value);
  } catch (err) {
    throw new StudioFailure({ code: 'http-bad-request', message: `Invalid header: ${(err as Error).message}.`, hint: 'Header names are letters, digits and -; values cannot contain line breaks.' });
  }

  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(body ? { body } : {}), redirect: 'manual', signal });
  } catch (err) {
    throw requestFailure(err, url, timeoutMs);
  }

  const chunks: Uint8Array[] = [];
  let kept = 0;
  let truncated = false;
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const room = options.maxBodyBytes - kept;
        if (value.byteLength > room) {
          if (room > 0) chunks.push(value.subarray(0, room));
          kept += room;
          truncated = true;
          await reader.cancel().catch(() => {});
          break;
        }
        chunks.push(value);
        kept += value.byteLength;
      }
    }
  } catch (err) {
    throw requestFailure(err, url, timeoutMs);
  }
  const timeMs = performance.now() - started;
  const declared = Number(response.headers.get('content-length'));
  const encoded = response.headers.has('content-encoding');
  return {
    status: response.status,
    statusText: response.statusText,
    headers: headerList(response.headers),
    body: Buffer.concat(chunks).toString('base64'),
    // Content-Length counts the encoded bytes; fetch hands over decoded ones.
    size: truncated && Number.isFinite(declared) && declared > kept && !encoded ? declared : kept,
    truncated,
    timeMs,
  };
}

/** Header pairs as sent; each Set-Cookie stays its own pair (they cannot be joined with commas). */
function headerList(headers: Headers): [string, string][] {
  const list: [string, string][] = [];
  headers.forEach((value, name) => {
    if (name !== 'set-cookie') list.push([name, value]);
  });
  for (const cookie of headers.getSetCookie()) list.push(['set-cookie', cookie]);
  return list;
}

function resolveUrl(raw: string, base: string | undefined): URL {
  const trimmed = raw.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(trimmed);
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
  const error = err as Error & { cause?: unknown };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new StudioFailure({ code: 'http-timeout', message: `${url.origin} did not answer within ${formatSeconds(timeoutMs)}.`, hint: 'The component may be slow or stuck (see the log); raise the timeout to wait longer.' });
  }
  const cause = error.cause as { code?: string; message?: string; errors?: { code?: string }[] } | undefined;
  // Several addresses (localhost: ::1 and 127.0.0.1) fail together as an AggregateError.
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (cause?.message === 'bad port') {
    return new StudioFailure({ code: 'http-blocked-port', message: `Port ${url.port} is on the list of ports that fetch refuses (as browsers do), so the playground cannot request ${url.host}.`, hint: 'Serve on another port, or use curl for this one.' });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') {
    const why = code === 'ECONNREFUSED' ? 'connection refused' : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name does not resolve' : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'the connection was closed' : 'the host is unreachable';
    return new StudioFailure({ code: 'http-unreachable', message: `Could not reach ${url.host}: ${why}.`, hint: 'Check the address and port; is something listening there?' });
  }
  const detail = cause?.message ?? error.message;
  return new StudioFailure({ code: 'http-failed', message: `The request to ${url.href.slice(0, 200)} failed: ${detail}.`, hint: 'Check the URL, the headers and the body.' });
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
