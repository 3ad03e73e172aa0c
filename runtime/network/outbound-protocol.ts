// The messages of outbound HTTP between a component thread (host/outgoing-http.ts) and the
// main thread's outbound service (network/outbound-service.ts), over the thread's host
// channel. One call is one channel id: the component thread starts it with the request head,
// and the main thread answers with the response head, then its end (with trailers) or a
// wasi:http error code.
//
// The bodies do not travel as messages: each flows through a ring of shared memory
// (network/byte-ring.ts, OUTBOUND_WINDOW bytes) with one writer and one reader, so a writer
// facing a full ring waits and neither side piles up a body the other reads slowly. A side
// about to wait says so in the ring; the other side, after changing the ring, wakes it: the
// main thread by bumping the component thread's wake word, the component thread by a `ring`
// message (the main thread cannot block). Types, and how big a ring is.
import { declaredLength } from '../content-length.ts';

/** The host channel service name of outbound HTTP. */
export const OUTBOUND_SERVICE = 'http';

/** The most bytes of one body in its ring between the threads. */
export const OUTBOUND_WINDOW = 1 << 20;

const SMALLEST_RING = 4 * 1024;

/**
 * The ring for a body of `length` bytes (undefined: not known, so a whole window, since a
 * body sent without a length is usually a stream). A body of known size gets a ring to fit:
 * zeroing a window for a small one would cost more than its call.
 */
export function ringBytesFor(length: number | undefined): number {
  if (length === undefined || !Number.isFinite(length)) return OUTBOUND_WINDOW;
  return Math.min(OUTBOUND_WINDOW, Math.max(SMALLEST_RING, length));
}

/** The content-length among header fields, if one is given and reads as a number. */
export function contentLength(headers: readonly [string, string][]): number | undefined {
  const length = declaredLength(headers);
  return length === 'invalid' ? undefined : length;
}

/** wasi:http/types error-code, as jco passes it (payloads of records in camelCase). */
export type HttpErrorCode =
  | {
      tag:
        | 'DNS-timeout'
        | 'destination-not-found'
        | 'destination-unavailable'
        | 'destination-IP-prohibited'
        | 'destination-IP-unroutable'
        | 'connection-refused'
        | 'connection-terminated'
        | 'connection-timeout'
        | 'connection-read-timeout'
        | 'connection-write-timeout'
        | 'connection-limit-reached'
        | 'TLS-protocol-error'
        | 'TLS-certificate-error'
        | 'HTTP-request-denied'
        | 'HTTP-request-length-required'
        | 'HTTP-request-method-invalid'
        | 'HTTP-request-URI-invalid'
        | 'HTTP-request-URI-too-long'
        | 'HTTP-response-incomplete'
        | 'HTTP-response-timeout'
        | 'HTTP-upgrade-failed'
        | 'HTTP-protocol-error'
        | 'loop-detected'
        | 'configuration-error';
    }
  | { tag: 'DNS-error'; val: { rcode: string | undefined; infoCode: number | undefined } }
  | { tag: 'TLS-alert-received'; val: { alertId: number | undefined; alertMessage: string | undefined } }
  | { tag: 'HTTP-request-body-size' | 'HTTP-response-body-size'; val: bigint | undefined }
  | { tag: 'HTTP-request-header-section-size' | 'HTTP-response-header-section-size'; val: number | undefined }
  | { tag: 'internal-error'; val: string | undefined };

/** request-options, in milliseconds; absent means the studio's default (see outbound-service.ts). */
export interface OutboundTimeouts {
  connectMs?: number;
  firstByteMs?: number;
  betweenBytesMs?: number;
}

/** The incoming request a component was serving when it made the call. */
export interface CallCause {
  /** The workload's number for the request (its pool's). */
  id: number;
  method: string;
  path: string;
}

export interface OutboundHead {
  method: string;
  /** Absolute: scheme, authority, path and query. */
  url: string;
  /** Names and values as the component set them (values as latin1 strings). */
  headers: [string, string][];
  /** The request body's ring, when the component took the body: its bytes, then a finish (or abandon). */
  body: SharedArrayBuffer | undefined;
  timeouts: OutboundTimeouts;
  /** The component that made the call (a linked one, or the thread's own). */
  component: string;
  cause?: CallCause;
}

/** What a component thread asks about one call. */
export type OutboundAsk =
  | { type: 'start'; head: OutboundHead }
  /** Every byte of the request body is in its ring. */
  | { type: 'finish'; trailers?: [string, string][] }
  /** The request body was dropped without outgoing-body.finish: the request is broken off. */
  | { type: 'abandon' }
  /** The component thread wrote the request ring or read the response ring, and the main thread said it waits for that. */
  | { type: 'ring' }
  /** The component let go of the call (or its instance ended): stop it. */
  | { type: 'drop' };

export type OutboundRequest = OutboundAsk & { service: typeof OUTBOUND_SERVICE; id: number };

/** What the main thread sends back about one call. */
export type OutboundEvent =
  /** `body`: the response body's ring; or, for a small response that has ended already, `whole`: its body and trailers, and nothing follows. */
  | { to: number; type: 'head'; status: number; headers: [string, string][]; body: SharedArrayBuffer }
  | { to: number; type: 'head'; status: number; headers: [string, string][]; whole: { body: Uint8Array; trailers?: [string, string][] } }
  /** Every byte of the response body is in its ring. */
  | { to: number; type: 'end'; trailers?: [string, string][] }
  /** Before the head: the call failed; after it: the response body did. */
  | { to: number; type: 'failed'; code: HttpErrorCode; message: string }
  /** The thread has no outbound service (see ThreadChannel). */
  | { to: number; type: 'error'; message: string };
