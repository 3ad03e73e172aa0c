// What identifies a file's state cheaply, so a change event can be checked against the disk:
// watchers report one write more than once, and report writes late.
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';

/** Files up to this size are also hashed: reading a source file costs less than a needless build. */
const HASHED_UP_TO = 1 << 20;

/** Size, modification time and inode: a rewrite, a copy or a touch changes one of these. */
export async function statSignature(path: string): Promise<string> {
  const stats = await stat(path).catch(() => undefined);
  return stats ? signatureOf(stats) : 'missing';
}

function signatureOf(stats: Stats): string {
  return `${stats.size}:${stats.mtimeMs}:${stats.ino}`;
}

/**
 * statSignature plus, for a small file, a hash of its bytes: on a file system whose times are
 * coarse (FAT's 2 s), two quick saves of the same length would otherwise look alike.
 */
export async function contentSignature(path: string): Promise<string> {
  const stats = await stat(path).catch(() => undefined);
  if (!stats) return 'missing';
  const signature = signatureOf(stats);
  // Only regular files are read: opening a FIFO put in a file's place would wait, with every
  // rebuild behind it, until some other program wrote to it.
  if (!stats.isFile() || stats.size > HASHED_UP_TO) return signature;
  try {
    return `${signature}:${createHash('sha256').update(await readFile(path)).digest('base64')}`;
  } catch {
    // A file gone since the stat: its stat signature says enough.
    return signature;
  }
}

/** Whether two contentSignatures are of the same bytes (times and inode aside); false when either was not hashed. */
export function sameContent(a: string, b: string): boolean {
  const [sizeA, , , hashA] = a.split(':');
  const [sizeB, , , hashB] = b.split(':');
  return hashA !== undefined && hashA === hashB && sizeA === sizeB;
}
