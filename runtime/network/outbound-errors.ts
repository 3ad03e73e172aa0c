// Why an outbound call failed, in the two forms it is needed: the wasi:http error-code the
// component gets (the variant wasmtime, and so wash, gives for the same failure) and a cause a
// person reads in the log. Errors come from undici, node:net/tls/dns and node:http2, each with
// its own codes; this module is the one place that knows them. Never throws.
import type { HttpErrorCode } from './outbound-protocol.ts';
import type { OutboundFailure, Timeouts } from './outbound-transport.ts';

/** Where the call was when it failed: before the response head, or in the response body. */
export type FailurePhase = 'request' | 'body';

/** The studio's own reasons to fail a call, thrown by transports and the service. */
export class OutboundError extends Error {
  constructor(readonly failure: OutboundFailure) {
    super(failure.cause);
    this.name = 'OutboundError';
  }
}

export const timeoutFailures = {
  connect: (ms: number): OutboundFailure => ({ code: { tag: 'connection-timeout' }, cause: `no connection within ${seconds(ms)} (connect timeout)` }),
  // As wasmtime: a first byte or a next byte that does not come is a read timeout.
  firstByte: (ms: number): OutboundFailure => ({ code: { tag: 'connection-read-timeout' }, cause: `no response within ${seconds(ms)} (first-byte timeout)` }),
  betweenBytes: (ms: number): OutboundFailure => ({ code: { tag: 'connection-read-timeout' }, cause: `no bytes of the response for ${seconds(ms)} (between-bytes timeout)` }),
};

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** OpenSSL's verification failures, as Node names them. */
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)|INVALID_CA|PATH_LENGTH|INVALID_PURPOSE|HOSTNAME_MISMATCH/;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  hostname?: unknown;
  address?: unknown;
  port?: unknown;
}

/** The innermost error with a code: undici wraps socket and TLS errors. */
function rootOf(err: unknown): ErrorLike {
  let current = (err ?? {}) as ErrorLike;
  for (let depth = 0; depth < 5; depth++) {
    const cause = current.cause as ErrorLike | undefined;
    if (typeof current.code === 'string' && !String(current.code).startsWith('UND_ERR_SOCKET')) return current;
    if (!cause || typeof cause !== 'object') return current;
    current = cause;
  }
  return current;
}

/** True when the error or one of its causes is undici's parser error (which carries no code in undici 7). */
function isParserError(err: unknown): boolean {
  let current = err as ErrorLike | undefined;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++, current = current.cause as ErrorLike | undefined) {
    if (current.name === 'HTTPParserError') return true;
  }
  return false;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : value instanceof Error ? value.message : String(value ?? '');
}

/** Maps any error a transport or the network raised; `phase` says whether the response head had arrived. */
export function failureOf(err: unknown, phase: FailurePhase, url: URL, timeouts: Timeouts): OutboundFailure {
  if (err instanceof OutboundError) return err.failure;
  const outer = (err ?? {}) as ErrorLike;
  const root = rootOf(err);
  const code = typeof root.code === 'string' ? root.code : typeof outer.code === 'string' ? outer.code : '';
  const message = text(root.message) || text(outer.message) || 'unknown error';
  const where = `${url.hostname}${url.port ? `:${url.port}` : ''}`;
  const fail = (wasi: HttpErrorCode, cause: string): OutboundFailure => ({ code: wasi, cause });

  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return timeoutFailures.connect(timeouts.connectMs);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return timeoutFailures.firstByte(timeouts.firstByteMs);
    case 'UND_ERR_BODY_TIMEOUT':
      return timeoutFailures.betweenBytes(timeouts.betweenBytesMs);
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
    case 'EAI_FAIL':
    case 'EAI_AGAIN':
      return fail({ tag: 'DNS-error', val: { rcode: code, infoCode: undefined } }, `the name ${url.hostname} does not resolve (${code})`);
    case 'ECONNREFUSED':
      return fail({ tag: 'connection-refused' }, `nothing accepts connections on ${where} (connection refused)`);
    case 'ETIMEDOUT':
      return timeoutFailures.connect(timeouts.connectMs);
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return fail({ tag: 'destination-unavailable' }, `${where} cannot be reached (${code})`);
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return fail({ tag: 'destination-IP-unroutable' }, `there is no route to ${where} (${code})`);
    case 'EACCES':
    case 'EPERM':
      return fail({ tag: 'destination-IP-prohibited' }, `the system does not allow a connection to ${where} (${code})`);
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
      return fail({ tag: 'HTTP-request-body-size', val: undefined }, 'the request body did not match its content-length');
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return fail({ tag: 'HTTP-response-incomplete' }, 'the response body did not match its content-length');
    case 'UND_ERR_HEADERS_OVERFLOW':
      return fail({ tag: 'HTTP-response-header-section-size', val: undefined }, 'the response head is too large');
    case 'ERR_INVALID_HTTP_TOKEN':
    case 'UND_ERR_INVALID_ARG':
    case 'ERR_HTTP2_INVALID_HEADER_VALUE':
    case 'ERR_INVALID_CHAR':
      return fail({ tag: 'internal-error', val: message }, `the request cannot be sent: ${message}`);
  }
  if (CERTIFICATE.test(code)) {
    return fail({ tag: 'TLS-certificate-error' }, `the certificate of ${where} is not trusted: ${message} (${code}). For a local server with its own CA, list the CA file in outbound.ca_files in .wash/studio.yaml`);
  }
  if (/^ERR_SSL_(TLSV1|SSLV3)_ALERT_/.test(code)) {
    return fail({ tag: 'TLS-alert-received', val: { alertId: undefined, alertMessage: message } }, `${where} ended the TLS handshake: ${message}`);
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO') {
    return fail({ tag: 'TLS-protocol-error' }, `the TLS handshake with ${where} failed: ${message} (${code})`);
  }
  if (code.startsWith('HPE_') || code === 'ERR_HTTP2_PROTOCOL_ERROR' || code === 'UND_ERR_INFO' || code === 'ERR_HTTP2_ERROR' || isParserError(err)) {
    return fail({ tag: 'HTTP-protocol-error' }, `${where} did not answer in valid HTTP: ${message}`);
  }
  // What is left is a connection that ended or was reset.
  const closed = ['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_HTTP2_STREAM_ERROR', 'ERR_HTTP2_GOAWAY_SESSION', 'ERR_HTTP2_SESSION_ERROR', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_HTTP2_STREAM_CANCEL'];
  if (closed.includes(code) || code === '') {
    if (phase === 'body') return fail({ tag: 'HTTP-response-incomplete' }, `${where} closed the connection before the response body ended (${message})`);
    return fail({ tag: 'connection-terminated' }, `${where} closed the connection before it answered (${message})`);
  }
  return fail({ tag: 'internal-error', val: `${code}: ${message}` }, `${message} (${code})`);
}

/** One line for a log: the variant and its payload, e.g. `DNS-error (ENOTFOUND)`. */
export function describeCode(code: HttpErrorCode): string {
  if (!('val' in code) || code.val === undefined) return code.tag;
  if (typeof code.val === 'string' || typeof code.val === 'bigint') return `${code.tag} (${String(code.val)})`;
  const parts = Object.values(code.val).filter((v) => v !== undefined);
  return parts.length > 0 ? `${code.tag} (${parts.join(', ')})` : code.tag;
}
