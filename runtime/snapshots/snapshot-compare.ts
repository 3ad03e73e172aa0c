// Comparing two states of a project's data (two snapshots, or a snapshot and the live data):
// which keys and objects were added, removed or changed. Files that are the same file on disk
// (a hard link shared by both, the usual case for what did not change) are equal without
// being read; files of different sizes differ; the rest are compared byte by byte.
//
// Names come from the folder layout (safe-names.ts decodes them), so a change names its
// bucket and key, or container and object, as the browsers show them. Each change also
// carries its path in the snapshot layout (`keyvalue/<bucket>/<key>`), which the value diff
// reads back.
import { open } from 'node:fs/promises';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSegment, keyOfFileName, objectNameFromSegments } from '../stores/safe-names.ts';
import { inPool, walkTree } from './file-tree.ts';

export type StoreKind = 'keyvalue' | 'blobstore';

/** The folders of one side of a comparison. */
export interface DataState {
  keyvalue: string;
  blobstore: string;
}

export interface DataChange {
  store: StoreKind;
  bucket: string;
  /** The key or object name; absent when a whole (empty) bucket or container came or went. */
  key?: string;
  change: 'added' | 'removed' | 'changed';
  /** Sizes in bytes on each side. */
  before?: number;
  after?: number;
  /** Where the value is in either state, e.g. `keyvalue/users/alice`. */
  path: string;
}

export interface Comparison {
  changes: DataChange[];
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  /** True when there were more changes than `limit`: the counts are whole, the list is not. */
  truncated: boolean;
}

interface FileFacts {
  path: string;
  size: number;
  /** Device and file id, exact: NTFS ids pass 2^53, where numbers would round two files into one. */
  dev: bigint;
  ino: bigint;
}

/** Files (by relative path) and top-level folders of one store's folder. */
async function inventory(root: string): Promise<{ files: Map<string, FileFacts>; folders: Set<string> }> {
  const files = new Map<string, FileFacts>();
  const folders = new Set<string>();
  const found: { rel: string; path: string }[] = [];
  for await (const entry of walkTree(root, { skipInternal: true })) {
    if (entry.kind === 'folder') {
      if (entry.segments.length === 1) folders.add(entry.segments[0]!);
    } else {
      found.push({ rel: entry.segments.join('/'), path: entry.path });
    }
  }
  await inPool(found, async ({ rel, path }) => {
    const info = await lstat(path, { bigint: true });
    files.set(rel, { path, size: Number(info.size), dev: info.dev, ino: info.ino });
  });
  return { files, folders };
}

/** The bucket and key (or container and object) a relative path stands for; undefined when it is not one. */
function nameOf(store: StoreKind, rel: string): { bucket: string; key: string } | undefined {
  const parts = rel.split('/');
  if (store === 'keyvalue') {
    if (parts.length === 1) return { bucket: '', key: keyOfFileName(parts[0]!) };
    if (parts.length === 2) return { bucket: decodeSegment(parts[0]!), key: keyOfFileName(parts[1]!) };
    return undefined;
  }
  if (parts.length < 2) return undefined;
  return { bucket: decodeSegment(parts[0]!), key: objectNameFromSegments(parts.slice(1)) };
}

const CHUNK = 256 * 1024;

/** Whether two files of the same size hold the same bytes. */
async function sameBytes(a: string, b: string, size: number): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.allocUnsafe(Math.min(CHUNK, size));
    const bb = Buffer.allocUnsafe(Math.min(CHUNK, size));
    for (let at = 0; at < size; ) {
      const want = Math.min(CHUNK, size - at);
      const [ra, rb] = await Promise.all([fa.read(ba, 0, want, at), fb.read(bb, 0, want, at)]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      at += ra.bytesRead;
    }
    return true;
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

async function compareStore(store: StoreKind, from: string, to: string, out: { changes: DataChange[]; unchanged: number }): Promise<void> {
  const [a, b] = await Promise.all([inventory(from), inventory(to)]);
  const pairs: { rel: string; a: FileFacts; b: FileFacts }[] = [];
  for (const [rel, facts] of a.files) {
    const name = nameOf(store, rel);
    if (!name) continue;
    const other = b.files.get(rel);
    if (!other) out.changes.push({ store, ...name, change: 'removed', before: facts.size, path: `${store}/${rel}` });
    // One file linked into both (a file system without file ids says 0: no proof then).
    else if (other.ino !== 0n && other.dev === facts.dev && other.ino === facts.ino) out.unchanged++;
    else if (other.size !== facts.size) out.changes.push({ store, ...name, change: 'changed', before: facts.size, after: other.size, path: `${store}/${rel}` });
    else pairs.push({ rel, a: facts, b: other });
  }
  for (const [rel, facts] of b.files) {
    const name = nameOf(store, rel);
    if (name && !a.files.has(rel)) out.changes.push({ store, ...name, change: 'added', after: facts.size, path: `${store}/${rel}` });
  }
  await inPool(pairs, async ({ rel, a: fa, b: fb }) => {
    if (await sameBytes(fa.path, fb.path, fa.size)) out.unchanged++;
    else out.changes.push({ store, ...nameOf(store, rel)!, change: 'changed', before: fa.size, after: fb.size, path: `${store}/${rel}` });
  });
  // A bucket or container with nothing in it is a change of its own.
  const hasFiles = (files: Map<string, FileFacts>, folder: string) => [...files.keys()].some((rel) => rel.startsWith(`${folder}/`));
  for (const folder of a.folders) if (!b.folders.has(folder) && !hasFiles(a.files, folder)) out.changes.push({ store, bucket: decodeSegment(folder), change: 'removed', path: `${store}/${folder}` });
  for (const folder of b.folders) if (!a.folders.has(folder) && !hasFiles(b.files, folder)) out.changes.push({ store, bucket: decodeSegment(folder), change: 'added', path: `${store}/${folder}` });
}

/** The changes from `from` to `to`, sorted by store, bucket and key; at most `limit` listed. */
export async function compareStates(from: DataState, to: DataState, limit = 10_000): Promise<Comparison> {
  const out = { changes: [] as DataChange[], unchanged: 0 };
  await compareStore('keyvalue', from.keyvalue, to.keyvalue, out);
  await compareStore('blobstore', from.blobstore, to.blobstore, out);
  const order = (c: DataChange) => `${c.store}\u0000${c.bucket}\u0000${c.key ?? ''}`;
  out.changes.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0));
  const count = (kind: DataChange['change']) => out.changes.filter((c) => c.change === kind).length;
  return {
    changes: out.changes.slice(0, limit),
    added: count('added'),
    removed: count('removed'),
    changed: count('changed'),
    unchanged: out.unchanged,
    truncated: out.changes.length > limit,
  };
}

/** The folders of a snapshot, as a side of a comparison. */
export function snapshotState(dir: string): DataState {
  return { keyvalue: join(dir, 'keyvalue'), blobstore: join(dir, 'blobstore') };
}
