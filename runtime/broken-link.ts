// A path that `ls` shows but that cannot be opened, because it is a symbolic link that leads
// nowhere: "no such file" alone would puzzle whoever is looking at it.
import { readlinkSync } from 'node:fs';

/**
 * What the link at `path` is, from the error opening it gave: one that leads back to itself,
 * or one to a target that does not exist. Undefined when the error is not about a link.
 */
export function brokenLink(path: string, err: NodeJS.ErrnoException): string | undefined {
  if (err.code === 'ELOOP') return 'a symbolic link that leads back to itself (a link loop)';
  if (err.code !== 'ENOENT') return undefined;
  try {
    return `a symbolic link to ${readlinkSync(path)}, which does not exist`;
  } catch {
    return undefined; // not a link after all (or removed meanwhile)
  }
}
