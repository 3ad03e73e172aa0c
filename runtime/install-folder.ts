// The folder the studio is installed in: a clone, the npm package's folder, or the desktop
// app's resources (its archive, and the unpacked copy beside it). It holds the studio's own
// files, the bundled examples among them; nothing a user makes belongs in it (it may be
// read-only, an update replaces it, and a folder left among the examples would pass for one).
import { fileURLToPath } from 'node:url';
import { outsideArchive } from './outside-archive.ts';

/** The package's root folder (scripts/build.mjs points this at the same folder from dist/). */
const INSTALL_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The install folder, and in the desktop app the unpacked copy of its archive too. */
export const INSTALL_FOLDERS: readonly string[] = [...new Set([INSTALL_ROOT, outsideArchive(INSTALL_ROOT)])];
