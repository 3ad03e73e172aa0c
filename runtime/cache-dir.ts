// Where the studio keeps its files outside projects: derived files (built and transpiled
// components) in the platform's user cache folder, or COMPONENT_STUDIO_CACHE when set
// (deleting it only costs rebuild time); the UI's own state (playground history) in the
// user config folder, or COMPONENT_STUDIO_CONFIG when set.
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
