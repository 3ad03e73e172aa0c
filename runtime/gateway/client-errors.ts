// What the gateway answers to HTTP it cannot parse, and the log line that goes with it. Node's
// parser (llhttp) reports each problem as an error code; the status follows RFC 9110 where one
// fits (431 for a head over the limit, 501 for a method it does not know, 505 for a version
// other than 1.x), and 400 otherwise, with llhttp's own reason in the body so whoever wrote
// the client can see what to fix.
import { TOKEN_CHARS } from '../http-token.ts';

export interface Refusal {
  /** The status line's code and phrase, e.g. `400 Bad Request`. */
  status: string;
  /** The body: one sentence and a newline. */
  text: string;
  /** For the log: the same, shorter. */
  summary: string;
}

export interface ClientErrorLike {
  code?: string;
  /** llhttp's reason, a fixed English phrase (never bytes from the request). */
  reason?: string;
  message: string;
  /** The bytes being parsed when the error came, and how far into them it came. */
  rawPacket?: Buffer;
  bytesParsed?: number;
}

/** A request line as RFC 9112 shapes it: method token, target, version. */
const REQUEST_LINE = new RegExp(`^${TOKEN_CHARS}+ [!-~]+ HTTP/\\d\\.\\d\\r?$`);

/**
 * Whether the line the parser stopped in is a well-formed request line: then an unknown
 * method is the only thing wrong (501), not the whole request (400).
 */
function wellFormedRequestLine(err: ClientErrorLike): boolean {
  const packet = err.rawPacket;
  if (!packet || err.bytesParsed === undefined) return false;
  const start = packet.lastIndexOf(0x0a, Math.max(0, err.bytesParsed - 1)) + 1;
  const end = packet.indexOf(0x0a, start);
  if (end < 0) return false;
  return REQUEST_LINE.test(packet.subarray(start, end).toString('latin1'));
}

/**
 * What went wrong with a TLS connection before any HTTP came (undefined for anything else).
 * Nothing can be answered on it, since an answer would have to be encrypted: it is closed,
 * at once, rather than left open by an answer that never leaves (a closed client's side
 * would then hold a connection slot for good).
 */
export function tlsFailure(err: ClientErrorLike): string | undefined {
  switch (err.code) {
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return 'the TLS handshake did not finish in time';
    case 'ERR_SSL_HTTP_REQUEST':
      return 'plain HTTP came to the HTTPS port (the client should use https://)';
    case 'ERR_SSL_NO_APPLICATION_PROTOCOL':
      return 'the client offered no protocol this server speaks (it speaks HTTP/1.1)';
  }
  return /^ERR_(SSL|TLS)_/.test(err.code ?? '') ? `the TLS handshake failed (${err.code})` : undefined;
}

/** Errors that mean the client went away, not that it sent something wrong: nothing to answer. */
export function clientGone(err: ClientErrorLike): boolean {
  // HPE_INVALID_EOF_STATE: the client ended its side of the connection in the middle of a
  // request (a body cut short), which it can no longer finish.
  return err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'ECONNABORTED' || err.code === 'HPE_INVALID_EOF_STATE';
}

export function refusalFor(err: ClientErrorLike, limits: { headerTimeoutMs: number; maxHeaderBytes: number }): Refusal {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return refusal('408 Request Timeout', `No complete request head within ${limits.headerTimeoutMs / 1000} s.`, 'no complete request head in time');
    case 'HPE_HEADER_OVERFLOW':
      return refusal(
        '431 Request Header Fields Too Large',
        `The request line and headers are over the ${limits.maxHeaderBytes / 1024} KiB limit: send a shorter URL or fewer or smaller headers (a large value belongs in the body).`,
        `request head over ${limits.maxHeaderBytes / 1024} KiB`,
      );
    case 'HPE_INVALID_METHOD':
      if (!wellFormedRequestLine(err)) break;
      return refusal(
        '501 Not Implemented',
        'The request method is not one this server knows. Methods are case-sensitive (GET, not get); the standard HTTP and WebDAV methods are served.',
        'unknown request method',
      );
    case 'HPE_INVALID_VERSION':
      // A bare LF or junk after "HTTP/1.1" is a malformed line, not another version.
      if (err.reason === 'Expected CRLF after version') break;
      return notHttp1();
    case 'HPE_PAUSED_H2_UPGRADE':
      return notHttp1();
  }
  const reason = err.reason ?? err.message.replace(/^Parse Error:\s*/, '');
  return refusal('400 Bad Request', `Malformed HTTP request: ${reason}.`, `malformed HTTP (${reason})`);
}

/** For a request whose body the client stopped sending when it ended its side of the connection (it can still read). */
export function bodyEndedEarly(): Refusal {
  return refusal('400 Bad Request', 'The connection ended before the request body did.', 'the client ended its side mid-body');
}

function notHttp1(): Refusal {
  return refusal('505 HTTP Version Not Supported', 'This server speaks HTTP/1.1 (and 1.0); send the request over HTTP/1.1.', 'not HTTP/1.x');
}

function refusal(status: string, text: string, summary: string): Refusal {
  return { status, text: `${text}\n`, summary };
}

/** The whole response for a refusal; the connection closes after it. */
export function refusalBytes(r: Refusal): string {
  return `HTTP/1.1 ${r.status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(r.text)}\r\nconnection: close\r\n\r\n${r.text}`;
}
