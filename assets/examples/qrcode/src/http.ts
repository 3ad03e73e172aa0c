// The wasi:http plumbing the handler needs: read a request body, send a whole response,
// write bytes to a stream.
// Streams are dropped before their body is finished, as wasi:http requires.

import {
  Fields,
  IncomingBody,
  OutgoingBody,
  OutgoingResponse,
  ResponseOutparam,
  type IncomingRequest,
} from 'wasi:http/types@0.2.10';
import type { OutputStream } from 'wasi:io/streams@0.2.10';

/** wasi:io output streams accept at most 4096 bytes per blocking write. */
const WRITE_CHUNK = 4096;
const READ_CHUNK = 16384n;

/** Reads the whole request body (until the stream closes); throws past `limit` bytes. */
export function readBody(request: IncomingRequest, limit: number): Uint8Array {
  const body = request.consume();
  const stream = body.stream();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      let chunk: Uint8Array;
      try {
        chunk = stream.blockingRead(READ_CHUNK);
      } catch (e) {
        if (isStreamClosed(e)) break;
        throw e;
      }
      total += chunk.length;
      if (total > limit) throw new Error(`request body is larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  } finally {
    stream[Symbol.dispose]();
  }
  IncomingBody.finish(body)[Symbol.dispose]();

  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Sets the response and writes its whole body. */
export function respond(
  responseOut: ResponseOutparam,
  status: number,
  contentType: string,
  body: Uint8Array,
): void {
  const encoder = new TextEncoder();
  const headers = Fields.fromList([
    ['content-type', encoder.encode(contentType)],
    ['content-length', encoder.encode(String(body.length))],
  ]);
  const response = new OutgoingResponse(headers);
  response.setStatusCode(status);
  const outgoingBody = response.body();
  ResponseOutparam.set(responseOut, { tag: 'ok', val: response });

  writeAll(outgoingBody.write(), body);
  OutgoingBody.finish(outgoingBody, undefined);
}

/** Writes all of `bytes` to a stream, then drops the stream. */
export function writeAll(stream: OutputStream, bytes: Uint8Array): void {
  try {
    for (let offset = 0; offset < bytes.length; offset += WRITE_CHUNK) {
      stream.blockingWriteAndFlush(bytes.subarray(offset, offset + WRITE_CHUNK));
    }
  } finally {
    stream[Symbol.dispose]();
  }
}

/** Result errors arrive as thrown values; a closed stream is `{ tag: 'closed' }`. */
function isStreamClosed(thrown: unknown): boolean {
  const payload = (thrown as { payload?: unknown } | null)?.payload ?? thrown;
  return (payload as { tag?: unknown } | null)?.tag === 'closed';
}
