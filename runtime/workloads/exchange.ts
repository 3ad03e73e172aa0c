// One HTTP request/response as the gateway hands it to a workload: the request head, its body
// as a stream, and where the response goes. The gateway owns the socket; the workload only
// calls the sink.
import type { Readable } from 'node:stream';

export interface ResponseTarget {
  /** True once a status line has been sent; after that, failures can only abort. */
  readonly headSent: boolean;
  head(status: number, headers: [string, string][]): void;
  /** `written` runs once the connection took the bytes (or closed): the sender's flow control. */
  chunk(bytes: Uint8Array, written?: () => void): void;
  end(trailers?: [string, string][]): void;
  /** Answers with a plain-text error, or aborts the connection when the head is already out. */
  fail(status: number, text: string): void;
}

export interface Exchange {
  /**
   * The studio's number for this request, unique in the process (see nextRequestId); the pool
   * numbers it when absent. Log lines and outbound calls made for it carry it.
   */
  id?: number;
  method: string;
  pathWithQuery: string;
  scheme: 'http' | 'https';
  authority: string;
  headers: [string, string][];
  /**
   * null when the request has no body (no Content-Length and no Transfer-Encoding). It ends
   * with an error whose `clientGone` is true when the body can never complete.
   */
  body: Readable | null;
  response: ResponseTarget;
  /** Told which component and worker thread run the request (the traffic capture listens). */
  assigned?(component: string, worker: number): void;
  /** Set on a request the studio sent itself (a pinned check, a replay): the lines it logs say so. */
  sentBy?: 'check' | 'replay';
}

let lastRequestId = 0;

/** A new request number: one counter for the process, so ids never repeat across workloads or versions. */
export function nextRequestId(): number {
  return ++lastRequestId;
}

/** New numbers start above `id` (traffic captured by an earlier run keeps its ids). */
export function requestIdsAbove(id: number): void {
  lastRequestId = Math.max(lastRequestId, id);
}
