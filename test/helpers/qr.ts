// Reads a QR code back out of a PNG, so tests check what a scanner would see.
import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';

// jsqr is CommonJS whose types claim an ES default export; at run time the module is the function.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;

/** The text of the QR code in `png`, or undefined when none is found. */
export function decodeQr(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
