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
  const clash = (a: string, b: string, why: string) =>
    new SnapshotError('archive-unsafe', `${file} is refused: its entries ${JSON.stringify(a.slice(0, 300))} and ${JSON.stringify(b.slice(0, 300))} ${why}; importing would merge them into one.`, 'Rename one of them where the snapshot was exported (or import it on Linux), then export it again; nothing was changed.');
  const folds = foldsNames(platform);
  /**
   * Every local path an entry makes (the file or folder, and each folder above it), as this
   * system compares names, with the archive path it stands for and whether it is a file: two
   * archive paths that land on one local path are refused, whatever the step that joined them.
   */
  const made = new Map<string, { from: string; exact: string; isFile: boolean }>();
  const place = (path: string, isFile: boolean) => {
    const parts = path.split('/');
    const mapped = parts.map((_, at) => localPart(parts, at, isFile, platform));
    local.set(path, mapped.join('/'));
    for (let end = 1; end <= mapped.length; end++) {
      const exact = mapped.slice(0, end).join('/');
      const from = parts.slice(0, end).join('/');
      const here = { from, exact, isFile: isFile && end === mapped.length };
      const key = folds ? fold(exact) : exact;
      const before = made.get(key);
      if (!before) made.set(key, here);
      else if (before.exact !== exact) throw clash(before.from, from, 'differ only in letter case or Unicode normalization, which file names on this system do not tell apart');
      else if (before.from !== from) throw clash(before.from, from, 'name the same key, object or folder here');
      else if (before.isFile !== here.isFile) throw clash(before.from, path, 'make one name both a file and a folder');
    }
  };
  for (const path of files) place(path, true);
  for (const path of folders) place(path, false);
  return local;
}
