// The end-to-end tests drive the built renderer (renderer/dist), as users get it. `npm install`
// builds it (the prepare script); this rebuilds it when a source is newer than the build, so
// a test run never checks a stale UI.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/studio-process.ts';

const rendererDir = join(repoRoot, 'renderer');
const builtIndex = join(rendererDir, 'dist', 'index.html');

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const info = statSync(path);
    if (info.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, info.mtimeMs);
  };
  for (const part of ['src', 'index.html', 'vite.config.ts']) visit(join(rendererDir, part));
  visit(join(repoRoot, 'runtime', 'studio', 'api.ts'));
  return newest;
}

export function ensureRendererBuilt(): void {
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= newestSource()) return;
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', join(rendererDir, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`npm run build:renderer failed:\n${result.stdout}\n${result.stderr}`);
}
