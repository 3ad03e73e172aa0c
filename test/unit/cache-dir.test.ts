// Cache entries are published by rename, and two processes making the same entry at once
// must both end up with a whole entry: the first to land is kept, never deleted under a reader.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { publishCacheEntry, studioCacheDir, studioConfigDir } from '../../runtime/cache-dir.ts';

describe('publishCacheEntry', () => {
  const hasManifest = async (dir: string) => existsSync(join(dir, 'manifest.json'));
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'studio-cache-entry-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function entry(name: string, content: string, complete = true): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'glue.js'), content);
    if (complete) await writeFile(join(dir, 'manifest.json'), '{}');
    return dir;
  }

  it('moves a new entry into place', async () => {
    const temp = await entry('a.tmp', 'mine');
    await publishCacheEntry(temp, join(root, 'a'), hasManifest);
    assert.equal(await readFile(join(root, 'a', 'glue.js'), 'utf8'), 'mine');
    assert.ok(!(await readdir(root)).includes('a.tmp'));
  });

  it('keeps an entry another process finished first, and drops its own copy', async () => {
    await entry('b', 'theirs');
    const temp = await entry('b.tmp', 'mine');
    await publishCacheEntry(temp, join(root, 'b'), hasManifest);
    assert.equal(await readFile(join(root, 'b', 'glue.js'), 'utf8'), 'theirs');
    assert.ok(!(await readdir(root)).includes('b.tmp'));
  });

  it('removes its temp folder when the entry cannot be put in place', async () => {
    const temp = await entry('d.tmp', 'mine');
    await assert.rejects(publishCacheEntry(temp, join(root, 'no-such-folder', 'd'), hasManifest));
    assert.ok(!(await readdir(root)).includes('d.tmp'));
  });

  it('replaces a leftover without the marker, from a run that was interrupted', async () => {
    await entry('c', 'half', false);
    const temp = await entry('c.tmp', 'mine');
    await publishCacheEntry(temp, join(root, 'c'), hasManifest);
    assert.equal(await readFile(join(root, 'c', 'glue.js'), 'utf8'), 'mine');
  });
});

describe('the studio\'s own folders', () => {
  it('take a relative override from the working directory (workers load cached modules by absolute path)', () => {
    const env = { COMPONENT_STUDIO_CACHE: '.cache/studio', COMPONENT_STUDIO_CONFIG: 'my config' };
    assert.equal(studioCacheDir(env), resolve('.cache/studio'));
    assert.equal(studioConfigDir(env), resolve('my config'));
  });

  it('default to the platform\'s user folders', () => {
    assert.ok(isAbsolute(studioCacheDir({})) && studioCacheDir({}).includes('component-studio'));
    assert.ok(isAbsolute(studioConfigDir({})) && studioConfigDir({}).includes('component-studio'));
  });
});
