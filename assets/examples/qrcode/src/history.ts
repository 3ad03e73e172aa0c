// Keeps what the example made, so a first-time user finds data in the studio's browsers:
// every PNG goes to the blobstore container `qrcodes`, and the keyvalue bucket `qrcode`
// counts them under `generated`. Keeping is best effort: a storage failure is logged and the
// QR code is still returned, so the HTTP contract never depends on the stores.

import { containerExists, createContainer, getContainer } from 'wasi:blobstore/blobstore@0.2.0-draft';
import { OutgoingValue } from 'wasi:blobstore/types@0.2.0-draft';
import { increment } from 'wasi:keyvalue/atomics@0.2.0-draft';
import { open } from 'wasi:keyvalue/store@0.2.0-draft';
import { log } from 'wasi:logging/logging@0.1.0-draft';
import { writeAll } from './http.js';

const BUCKET = 'qrcode';
const COUNTER = 'generated';
const CONTAINER = 'qrcodes';

export function keepQrCode(payload: string, png: Uint8Array): void {
  try {
    const count = increment(open(BUCKET), COUNTER, 1n);
    const name = `${String(count).padStart(6, '0')}-${slug(payload)}.png`;
    const container = containerExists(CONTAINER) ? getContainer(CONTAINER) : createContainer(CONTAINER);
    const value = OutgoingValue.newOutgoingValue();
    writeAll(value.outgoingValueWriteBody(), png);
    container.writeData(name, value);
    log('info', 'qrcode', `stored ${name} (${png.length} bytes) in blobstore container "${CONTAINER}"`);
  } catch (e) {
    log('warn', 'qrcode', `could not keep the QR code in the stores: ${describeError(e)}`);
  }
}

/** A short, file-name-safe hint of the payload, e.g. "https-wasmcloud-com". */
function slug(payload: string): string {
  const words = payload.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return words.slice(0, 40).replace(/-+$/, '') || 'qr';
}

/** Result errors arrive as thrown values carrying the WIT error as `payload`. */
function describeError(thrown: unknown): string {
  const payload = (thrown as { payload?: unknown } | null)?.payload;
  if (payload !== undefined) return typeof payload === 'string' ? payload : JSON.stringify(payload);
  return thrown instanceof Error ? thrown.message : String(thrown);
}
