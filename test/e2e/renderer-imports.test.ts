// The renderer talks to the Node side only through the Studio API: from runtime/ it may take
// the API's types (runtime/studio/api.ts, `import type`), never code. Vite would otherwise
// happily bundle Node modules into the page.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { it } from 'node:test';
import { repoRoot } from '../helpers/studio-process.ts';

it('renderer/ imports nothing from runtime/ but the Studio API types', async () => {
  const dir = join(repoRoot, 'renderer', 'src');
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  const offenders: string[] = [];
  for (const entry of entries.filter((e) => e.isFile() && /\.(ts|tsx)$/.test(e.name))) {
    const file = join(entry.parentPath, entry.name);
    const text = await readFile(file, 'utf8');
    for (const match of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = match[3] ?? match[4]!;
      if (!/(^|\/)runtime\//.test(spec) && !/^electron($|\/)/.test(spec)) continue;
      const typeOnly = match[2] !== undefined;
      if (!typeOnly || !spec.endsWith('runtime/studio/api.ts')) offenders.push(`${relative(repoRoot, file)}: ${match[0].trim()}`);
    }
  }
  assert.deepEqual(offenders, []);
});
