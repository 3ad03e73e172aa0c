// The built-in JS/TS component builder, on the bundled QR example and broken copies of it.
// One real componentize (5-25 s) is shared by every test; the other cases fail or are
// cancelled before componentize gets expensive.

import assert from 'node:assert/strict';
import { appendFile, copyFile, cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import lockfile from 'proper-lockfile';
import { buildJsComponent, stillRunningNote, type BuildProgress, type JsBuildResult } from '../../runtime/builders/js-component-builder.ts';
import { cutShortAt, wasmKind } from '../../runtime/components/component-file.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const example = fileURLToPath(new URL('../../assets/examples/qrcode/', import.meta.url));

let temp: string;
let cacheDir: string;
let first: JsBuildResult;
let firstPhases: BuildProgress['phase'][];

/** Build folders in the temp folder as a studio killed mid-build leaves them, and a running one's. */
const abandonedWork = join(tmpdir(), 'studio-js-build-999999999-left-by-a-kill');
const liveWork = join(tmpdir(), `studio-js-build-${process.pid}-in-use`);

before(async () => {
  temp = await mkdtemp(join(tmpdir(), 'js-builder-test-'));
  cacheDir = join(temp, 'cache');
  for (const dir of [abandonedWork, liveWork]) await mkdir(dir, { recursive: true });
  firstPhases = [];
  first = await buildJsComponent(
    { projectDir: example, outFile: join(temp, 'out', 'qrcode.wasm'), cacheDir },
    (p) => firstPhases.push(p.phase),
  );
});

after(async () => {
  await rm(temp, { recursive: true, force: true });
  await rm(liveWork, { recursive: true, force: true });
});

/** A copy of the QR example that a test may break. */
async function exampleCopy(name: string): Promise<string> {
  const dir = join(temp, name);
  await cp(join(example, 'src'), join(dir, 'src'), { recursive: true });
  await cp(join(example, 'wit'), join(dir, 'wit'), { recursive: true });
  await copyFile(join(example, 'package.json'), join(dir, 'package.json'));
  return dir;
}

test('builds the QR example into a WebAssembly component', async () => {
  assert.ok(first.ok, first.ok ? '' : `${first.error.message}\n${first.output ?? ''}`);
  assert.equal(first.cached, false);
  // On a loaded machine componentize may pass 30 s and say it is still running: that is no other phase.
  assert.deepEqual(firstPhases.filter((phase) => phase !== 'slow'), ['bundle', 'componentize', 'done']);
  assert.equal(first.wasmPath, join(temp, 'out', 'qrcode.wasm'));

  const bytes = await readFile(first.wasmPath);
  // "\0asm", then version 0x0d and layer 1: a component, not a core module.
  assert.deepEqual([...bytes.subarray(0, 8)], [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
  assert.ok(bytes.includes('wasi:http/incoming-handler@0.2.10'), 'exports the HTTP handler');
  assert.ok(bytes.includes('wasi:logging/logging@0.1.0-draft'), 'imports wasi:logging');
});

test('a build removes the build folders of studios that are gone, and keeps those of running ones', () => {
  assert.equal(existsSync(abandonedWork), false);
  assert.equal(existsSync(liveWork), true);
});

test('an unchanged project reuses the cached component without componentizing', async () => {
  assert.ok(first.ok);
  const phases: BuildProgress['phase'][] = [];
  const second = await buildJsComponent(
    { projectDir: example, outFile: join(temp, 'again', 'qrcode.wasm'), cacheDir },
    (p) => phases.push(p.phase),
  );

  assert.ok(second.ok);
  assert.equal(second.cached, true);
  assert.equal(second.componentizeMs, 0);
  // Its files are as the first build recorded them: not even bundled again (when a file
  // changes, it is: test/unit/build-inputs.test.ts).
  assert.deepEqual(phases, ['cached', 'done']);
  assert.equal(second.bundleMs, 0);
  assert.deepEqual(await readFile(second.wasmPath), await readFile(first.wasmPath));
});

test('copies of a project in other folders, at other depths, reuse its component: the bundle does not say where the project is', async () => {
  // The QR example imports qrcode from the studio's own node_modules, which esbuild names by
  // its path from the project.
  assert.ok(first.ok);
  for (const name of ['copy', join('deeper', 'still', 'copy')]) {
    const copy = await exampleCopy(name);
    const built = await buildJsComponent({ projectDir: copy, outFile: join(copy, 'dist', 'qrcode.wasm'), cacheDir }, () => {});
    assert.ok(built.ok, built.ok ? '' : built.error.message);
    assert.equal(built.cached, true, `${name} reuses the component built for the example`);
    assert.equal(built.componentizeMs, 0);
    assert.deepEqual(await readFile(built.wasmPath), await readFile(first.wasmPath));
  }
});

test('a syntax error fails the bundle step with file:line:column', async () => {
  const dir = await exampleCopy('syntax-error');
  const source = join(dir, 'src', 'component.ts');
  const lines = (await readFile(source, 'utf8')).split('\n');
  const brokenLine = lines.push('const = 1;'); // 1-based number of the new last line
  await writeFile(source, lines.join('\n'));

  const result = await buildJsComponent({ projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir });

  assert.ok(!result.ok);
  assert.equal(result.error.code, 'build-failed');
  assert.match(result.error.message, new RegExp(`src/component\\.ts:${brokenLine}:\\d+: `));
  assert.ok(result.error.hint);
  assert.equal(existsSync(join(dir, 'out.wasm')), false);
});

test('importing a Node built-in fails the bundle step with a hint', async () => {
  const dir = await exampleCopy('node-builtin');
  await appendFile(join(dir, 'src', 'component.ts'), "\nimport { readFileSync } from 'node:fs';\nconsole.log(readFileSync);\n");

  const result = await buildJsComponent({ projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir });

  assert.ok(!result.ok);
  assert.equal(result.error.code, 'build-failed');
  assert.match(result.error.message, /src\/component\.ts:\d+:\d+: Could not resolve "node:fs"/);
  assert.match(result.error.hint ?? '', /Node built-in/);
});

test('a broken WIT world fails componentize with its message and output', async () => {
  const dir = await exampleCopy('broken-wit');
  await appendFile(join(dir, 'wit', 'world.wit'), '\ninterface unfinished {\n');

  const result = await buildJsComponent({ projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir });

  assert.ok(!result.ok);
  assert.equal(result.error.code, 'build-failed');
  assert.match(result.error.message, /^componentize failed: /);
  assert.match(result.error.message, /failed to parse package/);
  assert.match(result.error.hint ?? '', /WIT/);
  assert.match(result.output ?? '', /found eof/);
});

test('a world that uses a package wit/deps lacks says which and where its WIT goes', async () => {
  const dir = await exampleCopy('missing-package');
  await rm(join(dir, 'wit', 'deps', 'wasi-blobstore-0.2.0-draft'), { recursive: true });

  const result = await buildJsComponent({ projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir });

  assert.ok(!result.ok);
  assert.match(result.error.hint ?? '', /uses wasi:blobstore@0\.2\.0-draft, and wit\/deps has no WIT for it: put its package there \(e\.g\. wit\/deps\/wasi-blobstore-0\.2\.0-draft\/package\.wit\)/);
});

test('builds queue one componentize at a time, and cancelling stops them', async () => {
  const projects = await Promise.all(['cancel-a', 'cancel-b'].map((name) => exampleCopy(name)));
  // Different code per copy, so neither is in the cache.
  await Promise.all(
    projects.map((dir, i) => appendFile(join(dir, 'src', 'component.ts'), `\nexport const buildMarker = ${i};\n`)),
  );
  const controllers = projects.map(() => new AbortController());
  const start = (i: number, until: RegExp) => {
    let reached!: () => void;
    const milestone = new Promise<void>((r) => (reached = r));
    const dir = projects[i]!;
    const result = buildJsComponent(
      { projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir },
      (p) => until.test(`${p.phase}: ${p.message}`) && reached(),
      controllers[i]!.signal,
    );
    return { milestone, result };
  };

  const running = start(0, /^componentize: Componentizing/);
  await running.milestone;
  const waiting = start(1, /^waiting: Waiting for another/);
  await waiting.milestone;

  const started = performance.now();
  controllers[1]!.abort();
  controllers[0]!.abort();
  const results = await Promise.all([running.result, waiting.result]);
  const ms = performance.now() - started;

  for (const [i, result] of results.entries()) {
    assert.ok(!result.ok);
    assert.equal(result.error.code, 'build-cancelled');
    assert.equal(existsSync(join(projects[i]!, 'out.wasm')), false);
  }
  // Stopped, not left to finish: the running componentize had just started, and one takes
  // as long as the first build's did (the waiting one would take that again after it).
  assert.ok(first.ok);
  assert.ok(ms < first.componentizeMs / 2, `cancelling took ${ms.toFixed(0)} ms, a componentize ${first.componentizeMs.toFixed(0)} ms`);
});

test('waits for a build another process holds the cache lock for, and reuses what it built', async () => {
  assert.ok(first.ok);
  // Another studio (this test holding the lock, as proper-lockfile does in each process) is
  // building the same component into a cache of its own.
  const otherCache = join(temp, 'shared-cache');
  await mkdir(otherCache, { recursive: true });
  const release = await lockfile.lock(join(otherCache, 'componentize'), { realpath: false });
  const messages: string[] = [];
  const building = buildJsComponent({ projectDir: example, outFile: join(temp, 'waited', 'qrcode.wasm'), cacheDir: otherCache }, (p) => messages.push(`${p.phase}: ${p.message}`));
  await waitUntil(() => messages.some((m) => /^waiting: Waiting for a component build in another studio/.test(m)), () => messages.join('\n'));
  const name = (await readdir(cacheDir)).find((n) => /^js-.*\.wasm$/.test(n))!;
  await copyFile(join(cacheDir, name), join(otherCache, name));
  await release();
  const result = await building;
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  assert.equal(result.componentizeMs, 0);
  assert.ok(!messages.some((m) => m.startsWith('componentize: Componentizing')), messages.join('\n'));
  assert.deepEqual(await readFile(result.wasmPath), await readFile(first.wasmPath));
});

test('a componentize that runs on (top-level code that loops) says so every 30 s, and a save stops it', async (t) => {
  // The note's clocks are mocked: the componentize below really runs on, but the test need not
  // wait 30 s (a core's worth of CPU) to see the note, and sees it come at 30 s exactly.
  t.mock.timers.enable({ apis: ['setInterval'] });
  const now = performance.now();
  let waited = 0;
  t.mock.method(performance, 'now', () => now + waited);
  const dir = await exampleCopy('top-level-loop');
  await appendFile(join(dir, 'src', 'component.ts'), '\nwhile (Date.now() > 0) { /* runs at build time, for ever */ }\n');
  const controller = new AbortController();
  const notes: string[] = [];
  let componentizing!: () => void;
  const started = new Promise<void>((resolve) => (componentizing = resolve));
  const result = buildJsComponent({ projectDir: dir, outFile: join(dir, 'out.wasm'), cacheDir }, (p) => {
    if (p.phase === 'componentize') componentizing();
    if (p.phase === 'slow') notes.push(p.message);
  }, controller.signal);
  await started;
  waited = 29_999;
  t.mock.timers.tick(29_999);
  assert.deepEqual(notes, []);
  waited = 30_000;
  t.mock.timers.tick(1);
  assert.deepEqual(notes, [stillRunningNote(30_000)]);
  // What a save does to the build it replaces.
  controller.abort();
  const ended = await result;
  assert.ok(!ended.ok);
  assert.equal(ended.error.code, 'build-cancelled');
});

test('a cached component that is not whole (cut short by a power cut, emptied) is built again, never placed', async () => {
  assert.ok(first.ok);
  const name = (await readdir(cacheDir)).find((n) => /^js-.*\.wasm$/.test(n))!;
  const bytes = await readFile(join(cacheDir, name));
  await writeFile(join(cacheDir, name), bytes.subarray(0, bytes.length >> 1));
  const progress: string[] = [];
  const outFile = join(temp, 'after-damage', 'qrcode.wasm');
  const result = await buildJsComponent({ projectDir: example, outFile, cacheDir }, (p) => progress.push(`${p.phase}: ${p.message}`));
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  assert.equal(result.cached, false);
  assert.match(progress[0]!, /^damaged: The cached build .*js-.*\.wasm was damaged \(\d+ bytes, not a whole component\); building the component again\.$/);
  assert.ok(progress.some((p) => p.startsWith('componentize:')), progress.join('\n'));
  // A new componentize run need not give the same bytes; it gives a whole component.
  const built = await readFile(outFile);
  assert.equal(wasmKind(built), 'component');
  assert.equal(cutShortAt(built), undefined);
  assert.ok(built.equals(await readFile(join(cacheDir, name))), 'the cache holds the component placed');
});
