// Folders nobody means to open as a component project: a file-system root, the user's home,
// and the operating system's own folders. Opening one builds in it, watches all of it and
// puts data folders in it once a component writes, so the studio asks first (the UI) or
// wants an explicit flag (the CLI). This module only decides; it touches nothing.
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, parse, resolve, sep, win32 } from 'node:path';

/** Folders that are risky with everything inside them. */
const SYSTEM_TREES: Record<string, string[]> = {
  posix: ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc', '/sbin', '/sys', '/usr', '/private/etc', '/System', '/Library'],
  win32: ['Windows', 'Program Files', 'Program Files (x86)'],
};

/** Folders that are risky themselves, though projects may live below them. */
const SYSTEM_FOLDERS: Record<string, string[]> = {
  posix: ['/var', '/opt', '/home', '/Users', '/Applications', '/private', '/mnt', '/media', '/srv', '/run', '/tmp'],
  win32: ['Users', 'ProgramData'],
};

function inside(path: string, tree: string, separator: string, fold: boolean): boolean {
  const [p, t] = fold ? [path.toLowerCase(), tree.toLowerCase()] : [path, tree];
  return p === t || p.startsWith(t.endsWith(separator) ? t : t + separator);
}

/**
 * Why the target (a project folder, or a .wasm file, whose data would go beside it) should
 * not be opened without asking: a sentence ending in what opening it would do. Undefined for
 * an ordinary folder. `platform` and `home` are for tests.
 */
export function riskyTarget(target: string, platform: NodeJS.Platform = process.platform, home = homedir()): string | undefined {
  let folder = target;
  try {
    if (statSync(target).isFile()) folder = dirname(target);
  } catch {
    // Missing: opening it fails with its own message.
  }
  const reason = riskyFolder(folder, platform, home);
  return reason && `${reason} Opening it as a project builds in it, watches everything in it and creates .wash/data there once a component writes.`;
}

function riskyFolder(folder: string, platform: NodeJS.Platform, home: string): string | undefined {
  const windows = platform === 'win32';
  const path = windows ? win32.resolve(folder) : resolve(folder);
  const separator = windows ? '\\' : sep;
  const same = (a: string, b: string) => (windows ? a.toLowerCase() === b.toLowerCase() : a === b);
  const root = windows ? win32.parse(path).root : parse(path).root;
  if (same(path, root)) return `${path} is the root of a disk.`;
  if (same(path, windows ? win32.resolve(home) : resolve(home))) return `${path} is your home folder.`;
  const key = windows ? 'win32' : 'posix';
  const under = (name: string) => (windows ? win32.join(root, name) : name);
  for (const tree of SYSTEM_TREES[key]!) {
    if (inside(path, under(tree), separator, windows)) return same(path, under(tree)) ? `${path} is a system folder.` : `${path} is inside the system folder ${under(tree)}.`;
  }
  for (const name of SYSTEM_FOLDERS[key]!) {
    if (same(path, under(name))) return `${path} is a system folder.`;
  }
  return undefined;
}
