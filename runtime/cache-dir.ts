// Where the studio keeps its files outside projects: derived files (built and transpiled
// components) in the platform's user cache folder, or COMPONENT_STUDIO_CACHE when set
// (deleting it only costs rebuild time); the UI's own state (playground history) in the
// user config folder, or COMPONENT_STUDIO_CONFIG when set.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

// A relative override is taken from the working directory once, here: worker threads load
// modules from the cache by path, and a relative module path would be read as a package name.
export function studioCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMPONENT_STUDIO_CACHE) return resolve(env.COMPONENT_STUDIO_CACHE);
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Caches', 'component-studio');
    case 'win32':
      return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'component-studio', 'Cache');
    default:
      return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'component-studio');
  }
}

export function studioConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMPONENT_STUDIO_CONFIG) return resolve(env.COMPONENT_STUDIO_CONFIG);
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'component-studio');
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'component-studio');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'component-studio');
  }
}

/** A folder beside the cache entry `dir`, unique to this call, to fill and then publish. */
export function cacheTempDir(dir: string): string {
  return `${dir}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Moves a finished cache entry from `temp` into place at `dir`. Entries are named by the hash
 * of what they derive from, so when two studios (or test files) make the same entry at once,
 * whichever lands first is kept and the other's copy dropped: a finished entry is not deleted
 * under a reader. A `dir` that is not `complete` (left by an interrupted run, or pointing at
 * files since removed) is replaced. `temp` is gone afterwards, whatever happened.
 */
export async function publishCacheEntry(temp: string, dir: string, complete: (dir: string) => Promise<boolean>): Promise<void> {
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await rename(temp, dir);
        return;
      } catch (err) {
        if (!existsSync(dir) || attempt === 3) throw err;
      }
      if (await complete(dir)) return;
      // Moved aside before it is deleted: deleting it in place could delete an entry another
      // process renamed there meanwhile, and on Windows a deleted folder can linger a moment.
      const aside = `${dir}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
      await rename(dir, aside).catch(() => {});
      await rm(aside, { recursive: true, force: true }).catch(() => {});
    }
  } finally {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
  }
}
