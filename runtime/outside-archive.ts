// In the packaged desktop app the studio's files live in an asar archive, which only
// Electron's own file system layer can read. Files that another thread, process or program
// opens by path (worker entries, the componentize child, the packages esbuild resolves) are
// unpacked beside the archive (asarUnpack in electron-builder.cjs): this points a path inside
// the archive at its unpacked copy, and leaves every other path as it is.
import { fileURLToPath, pathToFileURL } from 'node:url';

const ARCHIVE = /([\\/])app\.asar(?=[\\/]|$)/;

export function outsideArchive(path: string): string {
  return path.replace(ARCHIVE, '$1app.asar.unpacked');
}

export function outsideArchiveUrl(url: URL): URL {
  return ARCHIVE.test(url.pathname) ? pathToFileURL(outsideArchive(fileURLToPath(url))) : url;
}
