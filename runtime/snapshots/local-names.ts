// Where an archive's entries go on this machine. Archives keep the file names of the system
// that exported them, and wash on Linux writes names other systems refuse or fold together:
// - on Windows, a key or object file named `user:1`, `CON` or `a.` cannot be made (`user:1`
//   even becomes a file `user` with a hidden stream), so such a name is written in the
//   stores' escaped form instead, which reads as the same key or object;
// - on macOS and Windows, names that differ only in letter case or Unicode normalization
//   are one file or folder, so an archive that holds two of them is refused: importing it
//   would merge two buckets or lose a value.
// Volumes hold the user's own files, whose names are not the stores' to change.
import { decodeSegment, encodeSegment, keyOfFileName, windowsRefuses } from '../stores/safe-names.ts';
import { SnapshotError } from './snapshot-error.ts';

/** Whether file names on `platform` ignore case and Unicode normalization (their usual file systems do). */
function foldsNames(platform: NodeJS.Platform): boolean {
  return platform === 'win32' || platform === 'darwin';
}

function fold(part: string): string {
  return part.normalize('NFC').toLowerCase();
}

/** Whether two file names in one folder are the same file on `platform`. */
export function sameFileName(a: string, b: string, platform: NodeJS.Platform = process.platform): boolean {
  return a === b || (foldsNames(platform) && fold(a) === fold(b));
}

/** The name an entry's part gets on `platform`. */
function localPart(parts: readonly string[], at: number, isFile: boolean, platform: NodeJS.Platform): string {
  const part = parts[at]!;
  if (platform !== 'win32' || parts[0] === 'volumes' || at === 0 || !windowsRefuses(part)) return part;
  const keyFile = parts[0] === 'keyvalue' && isFile && at === parts.length - 1;
  return encodeSegment(keyFile ? keyOfFileName(part) : decodeSegment(part));
}

/**
 * Maps each archive path (files, then empty folders) to the relative path it is written to on
 * `platform`, or throws `archive-unsafe` naming two entries this system would make one.
 */
export function localNames(file: string, files: readonly string[], folders: readonly string[], platform: NodeJS.Platform = process.platform): Map<string, string> {
  const local = new Map<string, string>();
  // Each folded path (and every folder above it) and the archive path it came from.
  const taken = new Map<string, string>();
  const clash = (a: string, b: string, why: string) =>
    new SnapshotError('archive-unsafe', `${file} is refused: its entries ${JSON.stringify(a.slice(0, 300))} and ${JSON.stringify(b.slice(0, 300))} ${why}; importing would merge them into one.`, 'Rename one of them where the snapshot was exported (or import it on Linux), then export it again; nothing was changed.');
  /** Each file's local path and the archive path it came from. */
  const sources = new Map<string, string>();
  const place = (path: string, isFile: boolean) => {
    const parts = path.split('/');
    const mapped = parts.map((_, at) => localPart(parts, at, isFile, platform));
    const target = mapped.join('/');
    local.set(path, target);
    if (isFile) {
      const other = sources.get(target);
      if (other !== undefined) throw clash(other, path, 'name the same key or object here');
      sources.set(target, path);
    }
    if (!foldsNames(platform)) return;
    for (let end = 1; end <= mapped.length; end++) {
      const exact = mapped.slice(0, end).join('/');
      const folded = fold(exact);
      const before = taken.get(folded);
      if (before === undefined) taken.set(folded, exact);
      else if (before !== exact) throw clash(before, exact, 'differ only in letter case or Unicode normalization, which file names on this system do not tell apart');
    }
  };
  for (const path of files) place(path, true);
  for (const path of folders) place(path, false);
  return local;
}
