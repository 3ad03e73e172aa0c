// What identifies a file's state cheaply, so a change event can be checked against the disk:
// watchers report one write more than once, and report writes late.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** Files up to this size are also hashed: reading a source file costs less than a needless build. */
const HASHED_UP_TO = 1 << 20;

/** Size, modification time and inode: a rewrite, a copy or a touch changes one of these. */
export async function statSignature(path: string): Promise<string> {
  try {
    const stats = await stat(path);
    return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
  } catch {
    return 'missing';
  }
}

/**
 * statSignature plus, for a small file, a hash of its bytes: on a file system whose times are
 * coarse (FAT's 2 s), two quick saves of the same length would otherwise look alike.
 */
export async function contentSignature(path: string): Promise<string> {
  const signature = await statSignature(path);
  const size = Number(signature.split(':')[0]);
  if (signature === 'missing' || !(size <= HASHED_UP_TO)) return signature;
  try {
    return `${signature}:${createHash('sha256').update(await readFile(path)).digest('base64')}`;
  } catch {
    // A folder, or a file gone since the stat: its stat signature says enough.
    return signature;
  }
}

/** Whether two contentSignatures are of the same bytes (times and inode aside); false when either was not hashed. */
export function sameContent(a: string, b: string): boolean {
  const [sizeA, , , hashA] = a.split(':');
  const [sizeB, , , hashB] = b.split(':');
  return hashA !== undefined && hashA === hashB && sizeA === sizeB;
}
