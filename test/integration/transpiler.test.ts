// jco transpiles a component once; a rebuilt component with the same skeleton (same engine,
// new code and data) reuses that transpile's glue file in place, and an entry whose glue was
// removed from the cache, or whose files were emptied or cut short, is transpiled again
// instead of failing. The glue is tuned on the way
// into the cache (glue-tuning.ts).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { readComponentFile, type ComponentFile } from '../../runtime/components/component-file.ts';
import { transpileBytes } from '@bytecodealliance/jco-transpile';
import { leanHostCalls } from '../../runtime/components/glue-tuning.ts';
import { transpile, type TranspiledComponent } from '../../runtime/components/transpiler.ts';
import { describe as describeError } from '../../runtime/errors.ts';
import { repoRoot } from '../helpers/studio-process.ts';

const buildScript = join(repoRoot, 'test', 'fixtures', 'message-project', 'build-component.mjs');

describe('the transpiler cache', () => {
  let temp: string;
  let cache: string;
  const component = async (message: string): Promise<ComponentFile> => {
    const dir = await mkdtemp(join(temp, 'project-'));
    await writeFile(join(dir, 'message.txt'), message);
    const out = join(dir, 'message.wasm');
    execFileSync(process.execPath, [buildScript], { cwd: dir, env: { ...process.env, WASH_COMPONENT_PATH: out } });
    const file = await readComponentFile(out);
    assert.ok(file.ok);
    return file.value;
  };
  const transpiled = async (file: ComponentFile): Promise<TranspiledComponent> => {
    const result = await transpile(file, cache);
    assert.ok(result.ok, result.ok ? '' : describeError(result.error));
    return result.value;
  };

  before(async () => {
    temp = await mkdtemp(join(tmpdir(), 'studio-transpiler-'));
    cache = join(temp, 'cache');
  });
  after(() => rm(temp, { recursive: true, force: true }));

  it('shares one glue file between versions with the same skeleton, and finds each in the cache after', async () => {
    const first = await transpiled(await component('version one\n'));
    const secondFile = await component('version two\n');
    const second = await transpiled(secondFile);
    assert.equal(first.cached, false);
    assert.equal(second.cached, false);
    assert.notEqual(second.dir, first.dir);
    assert.equal(second.glueUrl, first.glueUrl, 'the second version loads the first one\'s glue');
    assert.equal(existsSync(join(second.dir, 'component.js')), false, 'no copy of the glue');
    assert.deepEqual(second.world, first.world);
    const again = await transpiled(secondFile);
    assert.equal(again.cached, true);
    assert.equal(again.glueUrl, second.glueUrl);
  });

  it('tunes the glue: no set of every resource ever created, one read of JCO_DEBUG', async () => {
    const { glueUrl } = await transpiled(await component('tuned\n'));
    const glue = await readFile(fileURLToPath(glueUrl), 'utf8');
    // The table code the fix edits is there (else this test would pass for nothing)...
    assert.match(glue, /function rscTableCreateOwn\(table, rep\)/);
    // ...without the write-only set that grew by every resource of every request.
    assert.doesNotMatch(glue, /_createdReps\.add\(/);
    assert.doesNotMatch(glue, /if \(!globalThis\?\.process\?\.env\?\.JCO_DEBUG\)/);
    assert.match(glue, /if \(!STUDIO_JCO_DEBUG\) \{ return; \}/);
  });

  it('gives the host calls of a component without async no task bookkeeping, and leaves glue of another shape as jco wrote it', async () => {
    const file = await component('lean\n');
    const raw = new TextDecoder().decode((await transpileBytes(file.bytes, { name: 'component', instantiation: 'async', base64Cutoff: 0 })).files['component.js']);
    const trampolines = raw.split('const hostProvided = true;').length - 1;
    assert.ok(trampolines > 0, 'the component calls the host');
    const lean = leanHostCalls(raw);
    assert.ok(lean);
    assert.equal(lean.split('const task = STUDIO_HOST_TASK;').length - 1, trampolines);
    assert.equal(lean.split(') : studioSyncImport(').length - 1, trampolines);
    assert.doesNotMatch(lean, /\) : _lowerImportBackwardsCompat\.bind\(/);
    // What the studio caches is that glue, and the component served from it answers (the other tests here and every serving test).
    const { glueUrl } = await transpiled(file);
    assert.match(await readFile(fileURLToPath(glueUrl), 'utf8'), /\) : studioSyncImport\(/);
    // Async anywhere, or a trampoline of another shape: nothing is changed.
    assert.equal(leanHostCalls(raw.replace('isAsync: false', 'isAsync: true')), undefined);
    assert.equal(leanHostCalls(raw.replace('taskCreation: {', 'creation: {')), undefined);
    assert.equal(leanHostCalls(raw.replace('fn: () => _trackHostOperation(', 'fn: () => otherOperation(')), undefined);
  });

  it('transpiles again when the glue an entry points at was removed', async () => {
    cache = join(temp, 'another-cache'); // so that the first version here is the one transpiled
    const first = await transpiled(await component('donor\n'));
    const laterFile = await component('borrower\n');
    const later = await transpiled(laterFile);
    assert.equal(first.cached, false);
    assert.equal(later.glueUrl, first.glueUrl);
    await rm(first.dir, { recursive: true, force: true });
    const redone = await transpiled(laterFile);
    assert.equal(redone.cached, false);
    assert.equal(redone.dir, later.dir);
    assert.ok(existsSync(fileURLToPath(redone.glueUrl)), 'its own glue now');
    assert.ok(fileURLToPath(redone.glueUrl).startsWith(redone.dir));
  });

  it('transpiles again when a file of an entry is emptied or cut short (a power cut, a full disk), and the shared glue with it', async () => {
    cache = join(temp, 'damaged-cache');
    const first = await transpiled(await component('first\n'));
    const laterFile = await component('later\n');
    const later = await transpiled(laterFile);
    assert.equal(later.glueUrl, first.glueUrl);
    const glue = fileURLToPath(first.glueUrl);
    await writeFile(glue, '');
    const redone = await transpiled(laterFile);
    assert.equal(redone.cached, false);
    assert.ok((await readFile(fileURLToPath(redone.glueUrl))).length > 1000, 'a whole glue file again');
    const core = join(redone.dir, redone.coreModules[0]!);
    await writeFile(core, (await readFile(core)).subarray(0, 100));
    const again = await transpiled(laterFile);
    assert.equal(again.cached, false);
    assert.ok((await readFile(join(again.dir, again.coreModules[0]!))).length > 100);
    assert.equal((await transpiled(laterFile)).cached, true, 'whole again: found in the cache');
  });
});
