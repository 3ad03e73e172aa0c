// Turns a payload into a PNG of its QR code: qrcode computes the module matrix, png.ts
// writes the image. qrcode's own PNG path needs Node built-ins, which a component lacks.

import QRCode from 'qrcode';
import { encodeGrayscalePng } from './png.js';

/** Light modules around the code, as the QR specification asks for. */
const QUIET_ZONE = 4;
/** Pixels per module. At 1 bit per pixel, 8 makes each module exactly one byte. */
const SCALE = 8;

const DARK = 0x00;
const LIGHT = 0xff;

/**
 * Encodes `payload` as UTF-8 in byte mode (so any Unicode text and URLs round-trip) and
 * returns the PNG bytes. Throws if the payload does not fit in a QR code.
 */
export function qrCodePng(payload: string): Uint8Array {
  const code = QRCode.create([{ data: new TextEncoder().encode(payload), mode: 'byte' }], {
    errorCorrectionLevel: 'M',
  });
  const { size, data } = code.modules;
  const modulesPerRow = size + 2 * QUIET_ZONE;
  const stride = modulesPerRow; // bytes per pixel row: one byte per module at SCALE 8
  const side = modulesPerRow * SCALE;

  const rows = new Uint8Array(stride * side).fill(LIGHT);
  const line = new Uint8Array(stride);
  for (let r = 0; r < size; r++) {
    line.fill(LIGHT);
    for (let c = 0; c < size; c++) {
      if (data[r * size + c]) line[QUIET_ZONE + c] = DARK;
    }
    const firstPixelRow = (QUIET_ZONE + r) * SCALE;
    for (let i = 0; i < SCALE; i++) rows.set(line, (firstPixelRow + i) * stride);
  }

  return encodeGrayscalePng({ width: side, height: side, bitDepth: 1, rows });
}
