// Finds the installed Electron binary, for `npm start` and the Electron E2E suite, and says
// what is missing when there is none. Never `require('electron')`: when the binary is
// missing, electron's index.js tries to download it.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * @returns {{ binary: string } | { missing: 'package' | 'binary' }} the binary's path, or what
 *   is missing: the electron package, or only its binary (not downloaded: an install with
 *   scripts off, or a download that failed)
 */
export function electronInstall() {
  let dir;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { missing: 'package' };
  }
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'binary' };
  const relative = readFileSync(pathFile, 'utf8').trim();
  const binary = process.env.ELECTRON_OVERRIDE_DIST_PATH ? join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative) : join(dir, 'dist', relative);
  return existsSync(binary) ? { binary } : { missing: 'binary' };
}

/** @returns {string | undefined} the binary's path, when it is installed */
export function electronBinary() {
  const install = electronInstall();
  return 'binary' in install ? install.binary : undefined;
}

/**
 * The one line `npm start` prints when it runs browser mode instead of the Electron window.
 * @param {'package' | 'binary' | undefined} missing what electronInstall() found missing, if anything
 * @param {string | undefined} noWindow why no window can appear here (CI, no display), if so
 */
export function browserModeNote(missing, noWindow) {
  const electron =
    missing === 'binary'
      ? "Electron's binary is not downloaded here (`npx install-electron` fetches it)"
      : missing === 'package'
        ? 'Electron is not installed here'
        : undefined;
  if (electron && noWindow) return `${electron}, and no window could open anyway (${noWindow}); open the studio URL below in a browser`;
  if (electron) return `${electron}; opening the studio in your browser instead`;
  return `No window can open here for Electron (${noWindow}); open the studio URL below in a browser`;
}
