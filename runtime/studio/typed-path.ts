// A path a person typed or pasted into the UI (Open, Create), made absolute.
//
// The studio's working folder means nothing to someone using the app (the desktop app's is
// often `/`, browser mode's is the install folder), so a relative path starts next to the open
// project, where its sibling projects are, unless that is among the studio's own files (a
// bundled example, the studio's copy of one): then it starts in the home folder, so a new
// project never lands in the install folder or among the examples. `~` is the home folder, as
// in a shell; a `file://` URL (what dragging a file into a browser's address bar, or copying
// it from some file managers, gives) is the path it names. Pasting from a terminal often brings
// quotes or a trailing space along; they are not part of any path the user meant.
import { homedir } from 'node:os';
import { dirname, posix, resolve, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWithin } from '../path-within.ts';

export function resolveTypedPath(typed: string, base: string, home = homedir(), platform: NodeJS.Platform = process.platform): string {
  const path = platform === 'win32' ? win32 : posix;
  let text = typed.trim();
  const quote = text[0];
  if (text.length >= 2 && (quote === '"' || quote === "'") && text.endsWith(quote)) text = text.slice(1, -1);
  const fromUrl = /^file:\/\//i.test(text) ? filePathOf(text, platform) : undefined;
  if (fromUrl !== undefined) return path.resolve(fromUrl);
  if (text === '~') return home;
  if (text.startsWith('~/') || text.startsWith('~\\')) return path.join(home, text.slice(2));
  return path.isAbsolute(text) ? path.resolve(text) : path.resolve(base, text);
}

/** The path a file URL names, percent-escapes decoded; undefined for one that names no local file (another host on Linux, say). */
function filePathOf(url: string, platform: NodeJS.Platform): string | undefined {
  try {
    return fileURLToPath(url, { windows: platform === 'win32' });
  } catch {
    return undefined;
  }
}

/**
 * Where a relative path typed in the UI starts: the folder of the open project (or `fallback`
 * when none is open), or the home folder when that folder lies in one of `studioFolders` (the
 * install folder, the studio's copy of the example).
 */
export function typedPathBase(openTarget: string | undefined, fallback: string, studioFolders: readonly string[], home = homedir()): string {
  const base = openTarget ? dirname(resolve(openTarget)) : fallback;
  return studioFolders.some((folder) => isWithin(folder, base)) ? home : base;
}
