// Keeps the transpiled components in the cache from growing without end. Each reload of a
// componentize-js project adds an entry with its own core modules (about 13 MB for the QR
// example; the glue stays with the first entry of the same skeleton, which later ones load),
// so a day of saves would add gigabytes. After each new entry the folder is pruned: the
// newest KEPT entries stay, so does every entry used in the last IN_USE_MS, and so does every
// entry whose glue a kept one loads. A running studio marks the glue its workers load every
// MARK_EVERY_MS (workers start later too: a pool growing, a reload's spare thread), so no
// studio sharing the cache loses a file it still needs.
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Each entry's description: its WIT, its core modules, where its glue is. */
export const MANIFEST = 'manifest.json';

/** Entries kept whatever their age. */
export const KEPT = 24;
/** An entry used (or marked) this recently is kept whatever its rank. */
export const IN_USE_MS = 60 * 60 * 1000;
/** How often a running studio marks the glue it loads. */
const MARK_EVERY_MS = 10 * 60 * 1000;
/** A temp folder of a transpile this old was left by a process that died. */
const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** `<component hash>-jco<version>-g<glue format>`, of this jco version or an older one. */
const ENTRY = /^[0-9a-f]{32}-jco.+-g\d+$/;
const TEMP = /\.tmp-\d+-[0-9a-f]+$/;
const SKELETON_LINK = /^skeleton-/;

/** Marks cache entries as in use now (their folders' times): a prune keeps them. */
export async function markInUse(dirs: readonly string[]): Promise<void> {
  const now = new Date();
  await Promise.all(dirs.map((dir) => utimes(dir, now, now).catch(() => {})));
}

/** The cache entry a glue module lives in. */
function entryOfGlue(glueUrl: string): string {
  return dirname(fileURLToPath(glueUrl));
}

/**
 * Marks the entries of these glue modules now and every few minutes, until the returned
 * function is called.
 */
export function keepGlueInUse(glueUrls: readonly string[]): () => void {
  const dirs = [...new Set(glueUrls.map(entryOfGlue))];
  void markInUse(dirs);
  const timer = setInterval(() => void markInUse(dirs), MARK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Removes entries of `transpiledRoot` that are neither recent, nor in use, nor loaded by a kept entry. */
export async function pruneTranspiled(transpiledRoot: string, now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(transpiledRoot);
  } catch {
    return;
  }
  const entries = (
    await Promise.all(
      names.filter((name) => ENTRY.test(name)).map(async (name) => {
        const info = await stat(join(transpiledRoot, name)).catch(() => undefined);
        return info?.isDirectory() ? { name, mtime: info.mtimeMs } : undefined;
      }),
    )
  )
    .filter((entry) => entry !== undefined)
    .sort((a, b) => b.mtime - a.mtime);
  const kept = new Set(entries.filter((entry, rank) => rank < KEPT || now - entry.mtime < IN_USE_MS).map((entry) => entry.name));
  // The glue a kept entry loads lives in another entry: that one stays too.
  for (const name of [...kept]) {
    const glue = await gluePathOf(join(transpiledRoot, name));
    if (glue && resolve(dirname(glue)) !== resolve(transpiledRoot)) kept.add(basename(dirname(glue)));
  }
  const gone = entries.filter((entry) => !kept.has(entry.name)).map((entry) => entry.name);
  await Promise.all(gone.map((name) => rm(join(transpiledRoot, name), { recursive: true, force: true }).catch(() => {})));
  await Promise.all(
    names.map(async (name) => {
      const path = join(transpiledRoot, name);
      if (SKELETON_LINK.test(name)) {
        // A link to a removed entry leads nowhere.
        const target = await readFile(path, 'utf8').catch(() => undefined);
        if (target !== undefined && gone.includes(target.trim())) await rm(path, { force: true }).catch(() => {});
      } else if (TEMP.test(name)) {
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true }).catch(() => {});
      }
    }),
  );
}

async function gluePathOf(entry: string): Promise<string | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(entry, MANIFEST), 'utf8')) as { glue?: unknown };
    return typeof manifest.glue === 'string' ? resolve(entry, manifest.glue) : undefined;
  } catch {
    return undefined;
  }
}
