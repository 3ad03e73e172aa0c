// Where the studio keeps its files outside projects: derived files (built and transpiled
// components) in the platform's user cache folder, or COMPONENT_STUDIO_CACHE when set
// (deleting it only costs rebuild time); the UI's own state (playground history) in the
// user config folder, or COMPONENT_STUDIO_CONFIG when set.
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';

export function studioCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COMPONENT_STUDIO_CACHE) return env.COMPONENT_STUDIO_CACHE;
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
  if (env.COMPONENT_STUDIO_CONFIG) return env.COMPONENT_STUDIO_CONFIG;
  switch (platform()) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'component-studio');
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'component-studio');
    default:
      return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'component-studio');
  }
}

/**
 * Moves a finished cache entry from `temp` into place at `dir`. Entries are named by the hash
 * of what they derive from, so when two studios (or test files) make the same entry at once,
 * whichever lands first is kept and the other's copy dropped: a finished entry is never
 * deleted under a reader. A `dir` that is not `complete` (left by an interrupted run, or
 * pointing at files since removed) is replaced.
 */
export async function publishCacheEntry(temp: string, dir: string, complete: (dir: string) => Promise<boolean>): Promise<void> {
  try {
    await rename(temp, dir);
    return;
  } catch (err) {
    if (!existsSync(dir)) throw err;
  }
  if (await complete(dir)) {
    await rm(temp, { recursive: true, force: true });
    return;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(temp, dir);
}
