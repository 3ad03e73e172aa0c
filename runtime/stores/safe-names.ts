// Names from components and users <-> file names, for the wash store layout
// (`<root>/<bucket>/<key>`, `<root>/<container>/<object/name/with/folders>`).
//
// A name segment that is safe as a file name on every OS is used as is, so folders written
// by wash (raw names) and by the studio look the same. Anything else is percent-encoded
// (`%XX`, upper-case hex): `/ \ : * ? " < > |`, control characters, `%` itself, a leading dot
// (it would hide the file and collide with the studio's own `.cs-` files), a trailing dot or
// space (Windows drops them) and reserved Windows device names (CON, NUL, COM1, LPT1...,
// with or without an extension). Decoding accepts only canonical encodings: a file name
// decodes to the key it would have been written for, otherwise it is a raw name (wash wrote
// `user:1`, or `100%` which is no valid escape) and reads as itself.
//
// This module also validates names: it refuses empty names, `.`/`..` and absolute paths,
// and names whose file name would pass 255 bytes. It does no I/O.
import { Buffer } from 'node:buffer';
import { sep } from 'node:path';
import { StoreError, quote } from './store-error.ts';

/** Every file the studio keeps inside a store root starts with this; never a key. */
export const INTERNAL_PREFIX = '.cs-';
/** A restore's staging folder in a data folder or a volume (see root-swap.ts). */
export const SWAP_PREFIX = `${INTERNAL_PREFIX}restore-`;
/** Longest key or object name accepted, in UTF-8 bytes before encoding. */
export const MAX_NAME_BYTES = 1024;
/** Longest file name most file systems accept, in bytes. */
export const MAX_FILE_NAME_BYTES = 255;
/** Longest bucket or container name, in UTF-8 bytes before encoding. */
export const MAX_BUCKET_BYTES = 200;

const UNSAFE = /[\x00-\x1f\x7f/\\:*?"<>|%]/;
// Windows refuses these as file names whatever their extension (COM0, LPT0 and the console names too).
const RESERVED_BASE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/i;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeChar(ch: string): string {
  return '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
}

function isReservedWindowsName(segment: string): boolean {
  const dot = segment.indexOf('.');
  const base = (dot === -1 ? segment : segment.slice(0, dot)).replace(/ +$/, '');
  return RESERVED_BASE.test(base);
}

/**
 * True when Windows cannot name a file so: a character it refuses, a device name, a trailing
 * dot or space. wash on Linux writes such names (a key `user:1` is a file `user:1`).
 */
export function windowsRefuses(fileName: string): boolean {
  return /[\x00-\x1f:*?"<>|]/.test(fileName) || /[. ]$/.test(fileName) || isReservedWindowsName(fileName);
}

/** The file name for one name segment (a key, a bucket, or one `/`-part of an object name). */
export function encodeSegment(segment: string): string {
  let out = '';
  for (const ch of segment) out += ch.length === 1 && UNSAFE.test(ch) ? escapeChar(ch) : ch;
  // Positional rules work on the first/last character, which is never an escape here unless
  // it was escaped already (then it is `%` or a hex digit, safe in both places).
  if (out.startsWith('.')) out = '%2E' + out.slice(1);
  if (out.endsWith('.') || out.endsWith(' ')) out = out.slice(0, -1) + escapeChar(out.slice(-1));
  if (isReservedWindowsName(out)) out = escapeChar(out[0]!) + out.slice(1);
  return out;
}

/** The name a file name stands for: its decoding when canonical, otherwise the raw name. */
export function decodeSegment(fileName: string): string {
  if (!fileName.includes('%')) return fileName;
  let decoded = '';
  for (let i = 0; i < fileName.length; i++) {
    const ch = fileName[i]!;
    if (ch !== '%') {
      decoded += ch;
      continue;
    }
    const hex = fileName.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) return fileName;
    const code = parseInt(hex, 16);
    // The encoder only escapes ASCII; an escape above 0x7f was not written by it.
    if (code > 0x7f) return fileName;
    decoded += String.fromCharCode(code);
    i += 2;
  }
  return encodeSegment(decoded) === fileName ? decoded : fileName;
}

/**
 * The path of an entry below `dir` by the raw bytes of its name: a name that is not UTF-8
 * does not survive a round trip through a string, and then no call finds the file.
 */
export function rawPath(dir: string | Buffer, name: Buffer): Buffer {
  return Buffer.concat([Buffer.isBuffer(dir) ? dir : Buffer.from(dir), Buffer.from(sep), name]);
}

/** True for the studio's own files (temp files, the journal): hidden from every listing. */
export function isInternalFileName(fileName: string): boolean {
  return fileName.startsWith(INTERNAL_PREFIX);
}

/**
 * A raw file name wash would have used for `name`, when it differs from the canonical one
 * and reads back as `name`; lookups fall back to it so folders written by wash still work.
 */
export function rawAlternative(segment: string, canonical: string, readsAs: (fileName: string) => string = decodeSegment): string | undefined {
  if (segment === canonical) return undefined;
  if (segment === '.' || segment === '..' || segment.includes('/') || segment.includes('\0')) return undefined;
  if (Buffer.byteLength(segment) > MAX_FILE_NAME_BYTES || isInternalFileName(segment)) return undefined;
  if (process.platform === 'win32' && /[\\:*?"<>|]/.test(segment)) return undefined;
  return readsAs(segment) === segment ? segment : undefined;
}

/**
 * The key a value file stands for: its decoded name, unless that is no key the studio
 * accepts (`%2F` decodes to "/", an absolute path; `%2E%2E` to ".."): such a file, which
 * another program wrote, is the raw key of its own name, so it can be read and deleted.
 */
export function keyOfFileName(fileName: string): string {
  const decoded = decodeSegment(fileName);
  if (decoded === fileName) return fileName;
  try {
    keyFileName(decoded);
    return decoded;
  } catch {
    return fileName;
  }
}

/** rawAlternative for a key: the file another program named with the key itself. */
export function rawKeyAlternative(key: string, canonical: string): string | undefined {
  return rawAlternative(key, canonical, keyOfFileName);
}

type NameKind = 'key' | 'bucket' | 'container' | 'object';

function invalid(kind: NameKind, name: string, problem: string, hint: string): StoreError {
  return new StoreError('invalid-name', `The ${kind} name ${quote(name)} ${problem}.`, hint);
}

function checkText(kind: NameKind, name: unknown, maxBytes: number): string {
  if (typeof name !== 'string') throw new StoreError('invalid-name', `A ${kind} name must be a string, not ${typeof name}.`, 'Pass the name as text.');
  if (name.length === 0) throw invalid(kind, name, 'is empty', `Give the ${kind} a name.`);
  if (LONE_SURROGATE.test(name)) throw invalid(kind, name, 'is not valid Unicode (it has a lone surrogate)', 'Use valid UTF-8/UTF-16 text.');
  const bytes = Buffer.byteLength(name);
  if (bytes > maxBytes) throw invalid(kind, name, `is ${bytes} bytes long; the limit is ${maxBytes}`, kind === 'key' ? 'Use a shorter key, e.g. a hash of the long one.' : `Use a shorter ${kind} name.`);
  return name;
}

function checkFileName(kind: NameKind, name: string, fileName: string): string {
  const bytes = Buffer.byteLength(fileName);
  if (bytes > MAX_FILE_NAME_BYTES) {
    throw invalid(kind, name, `needs a ${bytes}-byte file name once unsafe characters are escaped; the limit is ${MAX_FILE_NAME_BYTES}`, kind === 'key' ? 'Use a shorter key, e.g. a hash of the long one.' : `Use a shorter ${kind === 'object' ? 'folder or file part of the object name' : `${kind} name`}.`);
  }
  return fileName;
}

function checkNotPath(kind: NameKind, name: string): void {
  if (/^[/\\]/.test(name) || /^[A-Za-z]:[/\\]/.test(name)) throw invalid(kind, name, 'is an absolute path', `Use a relative ${kind} name without a leading "/".`);
  if (name.split(/[/\\]/).includes('..')) throw invalid(kind, name, 'contains ".."', `Names may not climb out of the store; remove the ".." part.`);
}

/** Validates a key and returns its file name (one file: `/` is escaped, not a folder). */
export function keyFileName(key: string): string {
  checkText('key', key, MAX_NAME_BYTES);
  checkNotPath('key', key);
  return checkFileName('key', key, encodeSegment(key));
}

/** Validates a bucket or container name and returns its folder name. */
export function bucketFolderName(name: string, kind: 'bucket' | 'container' = 'bucket'): string {
  checkText(kind, name, MAX_BUCKET_BYTES);
  if (name === '.' || name === '..') throw invalid(kind, name, 'is not a usable folder name', `Pick another ${kind} name.`);
  if (/[/\\]/.test(name)) throw invalid(kind, name, 'contains a "/" or "\\"', `A ${kind} is one folder; pick a name without slashes.`);
  return checkFileName(kind, name, encodeSegment(name));
}

/** Validates an object name and returns the file names of its folders and file, in order. */
export function objectPathSegments(name: string): string[] {
  checkText('object', name, MAX_NAME_BYTES);
  if (name.startsWith('/')) throw invalid('object', name, 'is an absolute path', 'Remove the leading "/".');
  if (/^[A-Za-z]:[/\\]/.test(name)) throw invalid('object', name, 'is an absolute path', 'Use a relative name.');
  const parts = name.split('/');
  return parts.map((part) => {
    if (part === '') throw invalid('object', name, 'has an empty folder part ("//" or a trailing "/")', 'Remove the extra "/".');
    if (part === '..') throw invalid('object', name, 'contains ".."', 'Names may not climb out of the store; remove the ".." part.');
    if (part === '.') throw invalid('object', name, 'contains a "." folder part', 'Remove the "./" part.');
    return checkFileName('object', name, encodeSegment(part));
  });
}

/** The object name for a path of file names below a container folder. */
export function objectNameFromSegments(fileNames: readonly string[]): string {
  return fileNames.map(decodeSegment).join('/');
}
