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
}
