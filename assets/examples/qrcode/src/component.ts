// The QR example (wash `examples/qrcode`): an HTTP component.
//   GET  /        -> the UI page
//   POST /qrcode  -> {"payload":"<text>"} in, image/png of its QR code out (also kept in
//                    the blobstore and counted in the keyvalue store: see history.ts)
//   anything else -> 404 "Not found\n"
// Any failure answers 500 "sadness. go check logs.\n" and logs the cause through
// wasi:logging. The explicit incoming-handler export (rather than a fetch event listener)
// lets the host reuse one instance for many requests.

import type { IncomingRequest, ResponseOutparam } from 'wasi:http/types@0.2.10';
import { log } from 'wasi:logging/logging@0.1.0-draft';
import { keepQrCode } from './history.js';
import { readBody, respond } from './http.js';
import { qrCodePng } from './qr-image.js';
import { uiPage } from './ui.js';

/** Far more than a QR code can hold (2,331 bytes at error correction level M). */
const MAX_BODY_BYTES = 64 * 1024;

const SADNESS = 'sadness. go check logs.\n';
/** Encoded once, when the component is built (module top level runs at build time). */
const UI_PAGE = utf8(uiPage);

/** A failure whose message is meant for the log. */
class QrRequestError extends Error {}

interface Reply {
  status: number;
  contentType: string;
  body: Uint8Array;
}

export const incomingHandler = {
  handle(request: IncomingRequest, responseOut: ResponseOutparam): void {
    // The whole reply is computed before the response is set, so a failure can still
    // become a 500. A failure while sending traps, and the host answers for us.
    const reply = route(request);
    respond(responseOut, reply.status, reply.contentType, reply.body);
  },
};

function route(request: IncomingRequest): Reply {
  const method = request.method();
  const path = (request.pathWithQuery() ?? '/').split('?')[0];
  try {
    if (method.tag === 'get' && path === '/') {
      return { status: 200, contentType: 'text/html; charset=utf-8', body: UI_PAGE };
    }
    if (method.tag === 'post' && path === '/qrcode') {
      const payload = readPayload(request);
      const png = qrPngOrFail(payload);
      keepQrCode(payload, png);
      return { status: 200, contentType: 'image/png', body: png };
    }
    return text(404, 'Not found\n');
  } catch (e) {
    log('error', 'qrcode', e instanceof QrRequestError ? e.message : `unexpected failure: ${describe(e)}`);
    return text(500, SADNESS);
  }
}

function text(status: number, body: string): Reply {
  return { status, contentType: 'text/plain; charset=utf-8', body: utf8(body) };
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function readPayload(request: IncomingRequest): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(readBody(request, MAX_BODY_BYTES));
  } catch (e) {
    throw new QrRequestError(`could not read the request body: ${describe(e)}`);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new QrRequestError(`request body is not valid JSON: ${describe(e)}`);
  }

  const payload = (json as { payload?: unknown } | null)?.payload;
  if (typeof payload !== 'string') {
    throw new QrRequestError('request JSON needs a string "payload" field, e.g. {"payload":"hello"}');
  }
  if (payload.length === 0) throw new QrRequestError('"payload" is empty; there is nothing to encode');
  return payload;
}

function qrPngOrFail(payload: string): Uint8Array {
  try {
    return qrCodePng(payload);
  } catch (e) {
    const bytes = utf8(payload).length;
    throw new QrRequestError(`cannot make a QR code of a ${bytes}-byte payload: ${describe(e)}`);
  }
}

function describe(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  try {
    return JSON.stringify(thrown);
  } catch {
    return String(thrown);
  }
}
