// Whether something is at a path: for choosing among paths (which entry file, which config
// file), not as a check before opening one, which would race with whatever changes it.
import { access } from 'node:fs/promises';

/** True when the path exists: a file, a folder, or a link that leads to one. */
export function pathExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
