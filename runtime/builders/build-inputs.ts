// Remembers, per project, which files a JS build read and the cache key they gave, so that a
// studio starting on an unchanged project finds its cached component without bundling again
// (esbuild's start and the bundle are most of a cached build's 200-400 ms).
//
// A memo holds the size, modification and change times of every input: the bundle's files,
// the WIT files, and the folders they sit in (a file added beside them can change what an
// import resolves to). It is trusted only when all of them are as recorded, and it is written
// only when every one was modified more than RACY_MS ago: a file changed within the same clock
// tick as its recording could otherwise look unchanged (the "racily clean" case of git's index).
import { createHash } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const RACY_MS = 2000;

interface Stamp {
  path: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

interface Memo {
  /** What else decides the output: builder and componentize-js versions, the world. */
  setup: string;
  key: string;
  stamps: Stamp[];
}

/** The memo file of one project's build in the cache folder. */
export function inputsMemoFile(cacheDir: string, projectDir: string, entry: string, witDir: string): string {
  const id = createHash('sha256').update(`${projectDir}\0${entry}\0${witDir}`).digest('hex').slice(0, 16);
  return join(cacheDir, `inputs-${id}.json`);
}

async function stampOf(path: string): Promise<Stamp | undefined> {
  try {
    const info = await stat(path);
    return { path, size: info.isDirectory() ? 0 : info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
  } catch {
    return undefined;
  }
}

/** The cache key the memo recorded, when every input is still exactly as it was. */
export async function unchangedKey(memoFile: string, setup: string): Promise<string | undefined> {
  let memo: Memo;
  try {
    memo = JSON.parse(await readFile(memoFile, 'utf8')) as Memo;
    if (memo.setup !== setup || typeof memo.key !== 'string' || !Array.isArray(memo.stamps) || memo.stamps.length === 0) return undefined;
  } catch {
    return undefined; // none yet, or unreadable: bundle as usual
  }
  const now = await Promise.all(memo.stamps.map((s) => stampOf(s.path)));
  const same = memo.stamps.every((s, i) => now[i] !== undefined && now[i].size === s.size && now[i].mtimeMs === s.mtimeMs && now[i].ctimeMs === s.ctimeMs);
  return same ? memo.key : undefined;
}

/** Records the inputs of a build that gave `key`, unless one of them is too fresh to trust. */
export async function rememberInputs(memoFile: string, setup: string, key: string, files: readonly string[]): Promise<void> {
  const paths = [...new Set([...files, ...files.map((f) => dirname(f))])].sort();
  const stamps = await Promise.all(paths.map(stampOf));
  const newest = Date.now() - RACY_MS;
  if (stamps.some((s) => s === undefined || s.mtimeMs > newest)) return;
  const memo: Memo = { setup, key, stamps: stamps as Stamp[] };
  const temp = `${memoFile}.${process.pid}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(memo));
    await rename(temp, memoFile);
  } catch {
    // Only a faster next start is lost.
  }
}
