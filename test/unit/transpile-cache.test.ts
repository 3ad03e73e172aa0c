// The transpiled components in the cache are pruned after each new entry: the newest stay,
// so do entries used in the last hour and the entries whose glue a kept entry loads; links
// to removed entries and temp folders of dead transpiles go too.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { IN_USE_MS, KEPT, keepGlueInUse, pruneTranspiled } from '../../runtime/components/transpile-cache.ts';

const root = await mkdtemp(join(tmpdir(), 'studio-transpiled-'));
after(() => rm(root, { recursive: true, force: true }));

const name = (i: number) => `${i.toString(16).padStart(32, '0')}-jco0.15.0-g4`;
const now = Date.now();
const hour = 60 * 60 * 1000;

/** An entry `hoursOld` hours old whose glue is its own, or the glue of `donor`. */
async function entry(i: number, hoursOld: number, donor?: number): Promise<void> {
  const dir = join(root, name(i));
  await mkdir(dir);
  await writeFile(join(dir, 'manifest.json'), JSON.stringify({ witText: '', coreModules: [], glue: donor === undefined ? 'component.js' : `../${name(donor)}/component.js` }));
  if (donor === undefined) await writeFile(join(dir, 'component.js'), '');
  const time = new Date(now - hoursOld * hour);
  await utimes(dir, time, time);
}

it('keeps the newest entries, those in use, and the glue they load; removes the rest with their links', async () => {
  // Entry 0 is the oldest: the glue of entry 1, the newest. Entries 2.. are ordinary.
  await entry(0, 1000);
  await entry(1, 0, 0);
  for (let i = 2; i < KEPT + 10; i++) await entry(i, 2 + i);
  // Used by a running studio a moment ago, however old it was made.
  await entry(500, 900);
  const marked = keepGlueInUse([pathToFileURL(join(root, name(500), 'component.js')).href]);
  marked();
  await writeFile(join(root, 'skeleton-aaaa-jco0.15.0-g4'), name(KEPT + 9));
  await writeFile(join(root, 'skeleton-bbbb-jco0.15.0-g4'), name(1));
  await mkdir(join(root, `${name(900)}.tmp-123-abcdef`));
  const old = new Date(now - 48 * hour);
  await utimes(join(root, `${name(900)}.tmp-123-abcdef`), old, old);
  // The mark is asynchronous; let it land.
  await new Promise((resolve) => setTimeout(resolve, 50));

  await pruneTranspiled(root, now);

  const left = new Set(await readdir(root));
  // The newest KEPT by time: entry 1 and 500 (both fresh), then 2, 3, …
  for (let i = 1; i < KEPT - 1; i++) assert.ok(left.has(name(i)), `entry ${i} kept`);
  assert.ok(left.has(name(500)), 'the entry in use is kept');
  assert.ok(left.has(name(0)), 'the glue of a kept entry is kept');
  for (let i = KEPT; i < KEPT + 10; i++) assert.ok(!left.has(name(i)), `entry ${i} removed`);
  assert.ok(!left.has('skeleton-aaaa-jco0.15.0-g4'), 'a link to a removed entry goes');
  assert.ok(left.has('skeleton-bbbb-jco0.15.0-g4'));
  assert.ok(![...left].some((n) => n.includes('.tmp-')), 'a day-old temp folder goes');
  assert.ok(IN_USE_MS >= hour);
});
