// Picks a viewer for bytes by what they are: images by their magic bytes (a content type can
// lie or be missing), then JSON, HTML, text, and hex for everything else.
import { decodeText } from './bytes.ts';

export type ContentKind =
  | { kind: 'image'; mime: string }
  | { kind: 'json'; text: string; pretty: string }
  | { kind: 'html'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'empty' }
  | { kind: 'binary' };

const startsWith = (bytes: Uint8Array, magic: number[], at = 0) => magic.every((b, i) => bytes[at + i] === b);

export function imageMime(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return undefined;
}

export function detectContent(bytes: Uint8Array, contentType = ''): ContentKind {
  if (bytes.length === 0) return { kind: 'empty' };
  const mime = imageMime(bytes);
  if (mime) return { kind: 'image', mime };
  const text = decodeText(bytes);
  if (text === undefined) return { kind: 'binary' };
  const trimmed = text.trimStart();
  if (/json/i.test(contentType) || trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { kind: 'json', text, pretty: JSON.stringify(JSON.parse(text), null, 2) };
    } catch {
      // not JSON after all: show it as text
    }
  }
  if (/html/i.test(contentType) || /^<!doctype html|^<html[\s>]/i.test(trimmed)) return { kind: 'html', text };
  return { kind: 'text', text };
}

/** Monaco language for text of a given content type or name. */
export function languageFor(name: string, contentType = ''): string {
  if (/json/i.test(contentType) || /\.json$/i.test(name)) return 'json';
  if (/html/i.test(contentType) || /\.html?$/i.test(name)) return 'html';
  if (/\.ya?ml$/i.test(name)) return 'yaml';
  if (/\.(js|mjs)$/i.test(name)) return 'javascript';
  if (/\.css$/i.test(name)) return 'css';
  if (/\.(md|markdown)$/i.test(name)) return 'markdown';
  if (/xml/i.test(contentType) || /\.xml$/i.test(name)) return 'xml';
  return 'plaintext';
}
