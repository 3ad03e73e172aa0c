// A minimal PNG writer for grayscale images (RFC 2083). fflate does the zlib stream;
// the chunk framing and its CRC-32 are the only parts written here.

import { zlibSync } from 'fflate';

export interface GrayscaleImage {
  width: number;
  height: number;
  /** 1 (8 pixels per byte, 0 = black) or 8 (one byte per pixel). */
  bitDepth: 1 | 8;
  /** `height` rows of ceil(width * bitDepth / 8) bytes each, without filter bytes. */
  rows: Uint8Array;
}

const SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const GRAYSCALE = 0;

export function encodeGrayscalePng(image: GrayscaleImage): Uint8Array {
  const { width, height, bitDepth, rows } = image;
  const stride = Math.ceil((width * bitDepth) / 8);
  if (rows.length !== stride * height) {
    throw new Error(`PNG rows hold ${rows.length} bytes, expected ${stride * height}`);
  }

  // Every scanline starts with its filter type; 0 (none) compresses well for flat images.
  const filtered = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    filtered.set(rows.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }

  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = bitDepth;
  header[9] = GRAYSCALE;
  // bytes 10-12: deflate compression, adaptive filtering, no interlace (all 0)

  return concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', zlibSync(filtered, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// CRC-32 (ISO 3309, polynomial 0xEDB88320) as PNG specifies; fflate keeps its own private.
let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
