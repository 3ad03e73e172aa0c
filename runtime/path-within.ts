// Whether a path lies in a folder, by its text: both absolute and normalized the same way
// (resolved, or real paths), on any platform's separator. No file system access.
import { isAbsolute, relative, sep } from 'node:path';

/** True when `path` is `folder` itself or anywhere below it. */
export function isWithin(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
