// How two answers to the same request differ: the status, the headers (less the ones that
// change on every answer, like `date`; the list is the user's to edit), and the body,
// compared by what it is: JSON structurally (microdiff: key order and spacing do not count),
// text by its characters, PNG images by their pixels (pixelmatch, with an image of the
// changed pixels and the box around them), anything else by its bytes.
import diff from 'microdiff';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { headerValue, type TrafficBodies, type TrafficRecord } from './traffic-record.ts';
import type { BodyDiff, HeaderChange, ImageComparison, JsonChange, ResponseDiff } from './traffic-results.ts';

/** Headers that change on every answer; the user's list replaces it. */
export const DEFAULT_IGNORED_HEADERS = ['date', 'age', 'expires', 'last-modified', 'server-timing', 'x-request-id'];

type Side = { record: TrafficRecord; bodies: TrafficBodies };

/** Changes listed per JSON body; the count of the rest is `more`. */
const MAX_JSON_CHANGES = 200;

export function compareResponses(before: Side, after: Side, ignoredHeaders: readonly string[]): ResponseDiff {
  const ignored = new Set(ignoredHeaders.map((h) => h.toLowerCase()));
  const status = before.record.status === after.record.status ? undefined : { before: before.record.status, after: after.record.status };
  const headers = compareHeaders(before.record.responseHeaders, after.record.responseHeaders, ignored);
  const body = compareBodies(before, after);
  const outcome = status || headers.length > 0 || body.kind !== 'same' ? 'changed' : 'matched';
  return { outcome, ...(status ? { status } : {}), headers, body, partial: before.record.responseCut || after.record.responseCut };
}

function compareHeaders(before: readonly [string, string][], after: readonly [string, string][], ignored: Set<string>): HeaderChange[] {
  const collect = (list: readonly [string, string][]) => {
    const map = new Map<string, string>();
    for (const [name, value] of list) {
      const key = name.toLowerCase();
      if (ignored.has(key)) continue;
      map.set(key, map.has(key) ? `${map.get(key)!}, ${value}` : value);
    }
    return map;
  };
  const a = collect(before);
  const b = collect(after);
  const changes: HeaderChange[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(name);
    const y = b.get(name);
    if (x !== y) changes.push({ name, ...(x !== undefined ? { before: x } : {}), ...(y !== undefined ? { after: y } : {}) });
  }
  return changes;
}

export function compareBodies(before: Side, after: Side): BodyDiff {
  const x = before.bodies.response;
  const y = after.bodies.response;
  const same = Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
  if (same) return { kind: 'same' };
  if (isPng(x) && isPng(y)) {
    const image = compareImages(x, y);
    if (image) return image.changedPixels === 0 && sameSize(image) ? { kind: 'same' } : { kind: 'image', image };
  }
  const jsonA = parseJson(x, headerValue(before.record.responseHeaders, 'content-type'));
  const jsonB = parseJson(y, headerValue(after.record.responseHeaders, 'content-type'));
  if (jsonA.ok && jsonB.ok) {
    const changes = jsonChanges(jsonA.value, jsonB.value);
    return changes.length === 0 ? { kind: 'same' } : { kind: 'json', changes: changes.slice(0, MAX_JSON_CHANGES), more: Math.max(0, changes.length - MAX_JSON_CHANGES) };
  }
  if (isText(x) && isText(y)) return { kind: 'text' };
  return { kind: 'bytes', beforeSize: x.byteLength, afterSize: y.byteLength };
}

/** Every difference between two JSON values, structurally. */
export function jsonChanges(before: unknown, after: unknown): JsonChange[] {
  if (!isContainer(before) || !isContainer(after) || Array.isArray(before) !== Array.isArray(after)) {
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: '$', change: 'changed', before, after }];
  }
  return diff(before, after).map((d) => {
    const path = `$${d.path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`)).join('')}`;
    if (d.type === 'CREATE') return { path, change: 'added', after: d.value };
    if (d.type === 'REMOVE') return { path, change: 'removed', before: d.oldValue };
    return { path, change: 'changed', before: d.oldValue, after: d.value };
  });
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function sameSize(image: ImageComparison): boolean {
  return image.before.width === image.after.width && image.before.height === image.after.height;
}

/** JSON when the content type says so or the bytes parse as an object or array. */
export function parseJson(bytes: Uint8Array, contentType: string | undefined): { ok: true; value: unknown } | { ok: false } {
  const declared = contentType !== undefined && /[/+]json\b/i.test(contentType);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const trimmed = text.trimStart();
  if (!declared && !trimmed.startsWith('{') && !trimmed.startsWith('[')) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.byteLength > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
}

/** Valid UTF-8 without control characters other than whitespace. */
export function isText(bytes: Uint8Array): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return !/[\u0000-\u0008\u000e-\u001f]/.test(text);
  } catch {
    return false;
  }
}

/** Compares two PNGs pixel by pixel; undefined when either does not decode. */
export function compareImages(before: Uint8Array, after: Uint8Array): ImageComparison | undefined {
  let a: PNG;
  let b: PNG;
  try {
    a = PNG.sync.read(Buffer.from(before.buffer, before.byteOffset, before.byteLength));
    b = PNG.sync.read(Buffer.from(after.buffer, after.byteOffset, after.byteLength));
  } catch {
    return undefined;
  }
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  // Images of different sizes are compared on a canvas of the larger size, top-left aligned.
  const canvas = (png: PNG) => {
    if (png.width === width && png.height === height) return png.data;
    const out = Buffer.alloc(width * height * 4);
    for (let y = 0; y < png.height; y++) png.data.copy(out, y * width * 4, y * png.width * 4, (y + 1) * png.width * 4);
    return out;
  };
  const highlight = new PNG({ width, height });
  const changedPixels = pixelmatch(canvas(a), canvas(b), highlight.data, width, height, { threshold: 0.1, alpha: 0.2, diffColor: [230, 40, 40] });
  let box: ImageComparison['box'];
  if (changedPixels > 0) {
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    const data = highlight.data;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        // pixelmatch paints differing pixels in diffColor; the rest is the faded image (grey).
        if (data[i] === 230 && data[i + 1] === 40 && data[i + 2] === 40) {
          if (x < minX) minX = x;
          if (y < minY) minY = y;
          if (x > maxX) maxX = x;
          if (y > maxY) maxY = y;
        }
      }
    }
    if (maxX >= 0) box = { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
  }
  return {
    before: { width: a.width, height: a.height },
    after: { width: b.width, height: b.height },
    changedPixels,
    ...(box ? { box } : {}),
    highlight: PNG.sync.write(highlight).toString('base64'),
  };
}
