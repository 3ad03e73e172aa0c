// Bytes <-> base64 (the API carries bytes as base64) and text decoding, fast enough for
// multi-megabyte values: chunked so no call spreads millions of arguments.
/**
 * How much of a value or object the UI fetches to show it. More would stall the page for
 * seconds (a 10 MiB value took 9); bigger ones show their first part and a download button.
 */
export const PREVIEW_BYTES = 2 * 1024 * 1024;

/** The engine's own base64 where it has one (Chromium 140 on): 40-50x faster than the loop below on a 1 MiB upload part. */
interface NativeBase64 {
  fromBase64?: (base64: string) => Uint8Array;
  prototype: { toBase64?: (this: Uint8Array) => string };
}
const native = Uint8Array as unknown as NativeBase64;

export function base64ToBytes(base64: string): Uint8Array {
  if (native.fromBase64) return native.fromBase64(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function bytesToBase64(bytes: Uint8Array): string {
  if (native.prototype.toBase64) return native.prototype.toBase64.call(bytes);
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

export function textToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** UTF-8 text, or undefined when the bytes are not valid UTF-8 or hold control characters. */
export function decodeText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    // As a stream: a cut at a size cap can split the last character, which then waits for
    // bytes that never come instead of making the whole text invalid.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
  } catch {
    return undefined;
  }
  // NUL and other C0 controls (except tab, newline, carriage return, escape, form feed) mean binary.
  if (/[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]/.test(text.slice(0, 65536))) return undefined;
  return text;
}

/** A counter as wasi:keyvalue/atomics and wash keep it: a whole number in decimal text. */
export function readCounter(bytes: Uint8Array): bigint | undefined {
  if (bytes.length === 0 || bytes.length > 20 || !bytes.every((b) => b >= 0x30 && b <= 0x39)) return undefined;
  const value = BigInt(new TextDecoder().decode(bytes));
  return value <= 2n ** 64n - 1n ? value : undefined;
}

export function counterBytes(value: bigint): Uint8Array {
  return new TextEncoder().encode(value.toString());
}
