// Worker entries: a prebuilt `.mjs` starts as it is (the compiled studio); a TypeScript entry
// is bundled into the user's own cache folder, which only they can write (0700), and a file
// found there under the bundle's name is used only when its bytes are the bundle's. And the
// packaged app's paths: what lies inside the asar archive is started from its unpacked copy.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { outsideArchive, outsideArchiveUrl } from '../../runtime/outside-archive.ts';
import { spawnWorker } from '../../runtime/threads/spawn-worker.ts';

const cache = mkdtempSync(join(tmpdir(), 'cs-spawn-worker-'));
after(() => rmSync(cache, { recursive: true, force: true }));
const ENTRY = new URL('../fixtures/threads/echo-worker.ts', import.meta.url);

function answer(entry: URL, data: string): Promise<unknown> {
  const worker = spawnWorker(entry, { data });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  }).finally(() => void worker.terminate());
}

describe('worker entries', () => {
  it('bundles a TypeScript entry into the user cache, private to the user, and replaces a planted file', async () => {
    process.env.COMPONENT_STUDIO_CACHE = cache;
    try {
      assert.equal(await answer(ENTRY, 'one'), 'echo one');
    } finally {
      delete process.env.COMPONENT_STUDIO_CACHE;
    }
    const dir = join(cache, 'workers');
    if (process.platform !== 'win32') assert.equal(statSync(dir).mode & 0o777, 0o700);
    const [bundle] = readdirSync(dir);
    assert.match(bundle!, /^echo-worker-\w+\.mjs$/);
    const genuine = readFileSync(join(dir, bundle!), 'utf8');
    // Another program writes code under the same name: the next studio process rewrites it.
    writeFileSync(join(dir, bundle!), "import { parentPort } from 'node:worker_threads'; parentPort.postMessage('planted');");
    const script = `import { spawnWorker } from ${JSON.stringify(new URL('../../runtime/threads/spawn-worker.ts', import.meta.url).href)};
      const w = spawnWorker(new URL(${JSON.stringify(ENTRY.href)}), { data: 'two' });
      w.once('message', (m) => { console.log(m); void w.terminate(); });`;
    const scriptFile = join(cache, 'second-process.mjs');
    writeFileSync(scriptFile, script);
    const out = execFileSync(process.execPath, ['--import', 'tsx', scriptFile], { encoding: 'utf8', env: { ...process.env, COMPONENT_STUDIO_CACHE: cache } });
    assert.equal(out.trim(), 'echo two');
    assert.equal(readFileSync(join(dir, bundle!), 'utf8'), genuine);
  });

  it('starts a prebuilt .mjs entry as it is', async () => {
    const file = join(cache, 'prebuilt-worker.mjs');
    writeFileSync(file, "import { parentPort, workerData } from 'node:worker_threads'; parentPort.postMessage(`prebuilt ${workerData.data}`);");
    assert.equal(await answer(new URL(`file://${file}`), 'three'), 'prebuilt three');
  });

  it('points paths inside the app archive at the unpacked copy, and no other path', () => {
    assert.equal(outsideArchive('/opt/Component Studio/resources/app.asar/dist/component-worker.mjs'), '/opt/Component Studio/resources/app.asar.unpacked/dist/component-worker.mjs');
    assert.equal(outsideArchive('C:\\Program Files\\Component Studio\\resources\\app.asar\\dist\\x.mjs'), 'C:\\Program Files\\Component Studio\\resources\\app.asar.unpacked\\dist\\x.mjs');
    assert.equal(outsideArchive('/home/me/app.asar.unpacked/dist/x.mjs'), '/home/me/app.asar.unpacked/dist/x.mjs');
    assert.equal(outsideArchive('/home/me/my-app.asar-notes/x.mjs'), '/home/me/my-app.asar-notes/x.mjs');
    assert.equal(outsideArchive('/home/me/project/dist/cli.mjs'), '/home/me/project/dist/cli.mjs');
    if (process.platform !== 'win32') {
      assert.equal(outsideArchiveUrl(new URL('file:///Applications/Component%20Studio.app/Contents/Resources/app.asar/dist/x.mjs')).href, 'file:///Applications/Component%20Studio.app/Contents/Resources/app.asar.unpacked/dist/x.mjs');
    }
  });
});
