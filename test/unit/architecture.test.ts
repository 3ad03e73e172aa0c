// The layers keep their direction: the runtime is a plain Node library that never reaches
// into the Electron shell or the renderer, so it runs headless, in tests and in the CLI.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from '../helpers/studio-process.ts';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && /\.(ts|mts|mjs|js)$/.test(e.name)).map((e) => join(e.parentPath, e.name));
}

it('runtime/ imports nothing from electron/, renderer/ or the electron package', async () => {
  const offenders: string[] = [];
  for (const file of await sourceFiles(join(repoRoot, 'runtime'))) {
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      const spec = match[1]!;
      if (spec === 'electron' || spec.startsWith('electron/') || /(^|\/)(electron|renderer)\//.test(spec)) {
        offenders.push(`${relative(repoRoot, file)} imports ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
