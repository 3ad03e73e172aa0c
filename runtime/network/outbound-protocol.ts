// The messages of outbound HTTP between a component thread (host/outgoing-http.ts) and the
// main thread's outbound service (network/outbound-service.ts), over the thread's host
// channel. One call is one channel id: the component thread starts it with the request head,
// streams the request body, and says how much of the response body it has read; the main
// thread answers with the response head, body, trailers or a wasi:http error code.
//
// Both bodies flow in windows (OUTBOUND_WINDOW bytes in flight between the threads, acknowledged
// in steps), so neither side piles up a body the other side reads slowly. Types only.

/** The host channel service name of outbound HTTP. */
export const OUTBOUND_SERVICE = 'http';

/** Bytes of one body allowed between the threads before the sender waits. */
export const OUTBOUND_WINDOW = 1 << 20;

/** Bytes read (or sent) before the reader says so: a quarter window keeps the sender busy. */
export const OUTBOUND_ACK_STEP = OUTBOUND_WINDOW / 4;

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
  /** True when the component took the request body: chunks and a finish (or abandon) follow. */
  body: boolean;
  timeouts: OutboundTimeouts;
  /** The component that made the call (a linked one, or the thread's own). */
  component: string;
  cause?: CallCause;
}

/** What a component thread asks about one call. */
export type OutboundAsk =
  | { type: 'start'; head: OutboundHead }
  | { type: 'chunk'; chunk: Uint8Array }
  | { type: 'finish'; trailers?: [string, string][] }
  /** The request body was dropped without outgoing-body.finish: the request is broken off. */
  | { type: 'abandon' }
  /** The component read this many more bytes of the response body. */
  | { type: 'consumed'; bytes: number }
  /** The component let go of the call (or its instance ended): stop it. */
  | { type: 'drop' };

export type OutboundRequest = OutboundAsk & { service: typeof OUTBOUND_SERVICE; id: number };

/** What the main thread sends back about one call. */
export type OutboundEvent =
  | { to: number; type: 'head'; status: number; headers: [string, string][] }
  | { to: number; type: 'data'; chunk: Uint8Array }
  | { to: number; type: 'end'; trailers?: [string, string][] }
  /** Before the head: the call failed; after it: the response body did. */
  | { to: number; type: 'failed'; code: HttpErrorCode; message: string }
  /** The transport took this many more bytes of the request body. */
  | { to: number; type: 'sent'; bytes: number }
  /** The thread has no outbound service (see ThreadChannel). */
  | { to: number; type: 'error'; message: string };
