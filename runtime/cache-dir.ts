// Where the studio keeps derived files (built and transpiled components): the platform's
// user cache folder, or COMPONENT_STUDIO_CACHE when set. Deleting it only costs rebuild time.
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
