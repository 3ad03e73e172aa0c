// New projects from the bundled examples: what is copied (sources, WIT, wash config) and what
// is not (a session's build, data and studio files), the build output named after the new
// folder, and the refusals (a folder with something in it, an example that does not exist).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exampleCopied, listExamples, newProject } from '../../runtime/project/new-project.ts';

describe('new projects from the examples', () => {
  let dir: string;
  let examples: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-new-unit-'));
    examples = join(dir, 'examples');
    const example = join(examples, 'hello');
    // An example that a session has used: built, with data and the studio's own files.
    for (const sub of ['src', 'dist', '.wash/data/keyvalue/hello', '.wash/studio/traffic', 'node_modules/x']) await mkdir(join(example, sub), { recursive: true });
    await writeFile(join(example, 'README.md'), '# `hello`\n\nThe smallest project: a greeting. More.\n\n    component-studio dev assets/examples/hello\n');
    await writeFile(join(example, 'src', 'component.ts'), 'export {};\n');
    await writeFile(join(example, 'dist', 'hello.wasm'), 'built');
    await writeFile(join(example, '.wash', 'config.yaml'), 'build:\n  component_path: dist/hello.wasm\n');
    await writeFile(join(example, '.wash', 'data', 'keyvalue', 'hello', 'visitors'), '3');
    await mkdir(join(examples, 'not-an-example'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('knows a copy of a bundled example by the studio:<example> WIT package it keeps, under any name', async () => {
    const made = await newProject(join(dir, 'copies', 'my-qr'), 'qrcode', join(import.meta.dirname, '..', '..', 'assets', 'examples'));
    assert.ok(made.ok, JSON.stringify(made));
    assert.equal(exampleCopied(made.value), 'qrcode');
    const mine = join(dir, 'mine');
    await mkdir(join(mine, 'wit'), { recursive: true });
    await writeFile(join(mine, 'wit', 'world.wit'), 'package acme:shop;\n\nworld shop {}\n');
    assert.equal(exampleCopied(mine), undefined);
    assert.equal(exampleCopied(join(dir, 'nowhere')), undefined);
  });

  it('copies the sources and the wash config, not the build, the data or the studio files', async () => {
    const made = await newProject(join(dir, 'out', 'My Service'), 'hello', examples);
    assert.ok(made.ok, JSON.stringify(made));
    assert.equal(made.value, join(dir, 'out', 'My Service'));
    assert.deepEqual((await readdir(made.value)).sort(), ['.wash', 'README.md', 'src']);
    assert.deepEqual(await readdir(join(made.value, '.wash')), ['config.yaml']);
    assert.equal(await readFile(join(made.value, '.wash', 'config.yaml'), 'utf8'), 'build:\n  component_path: dist/my-service.wasm\n');
    assert.deepEqual((await readdir(join(dir, 'out'))).sort(), ['My Service'], 'no staging folder is left beside it');
    assert.match(await readFile(join(made.value, 'README.md'), 'utf8'), /component-studio dev \.\n$/, 'the README runs the copy, not the example');
  });

  it('gives every bundled example, and so every copy, a .gitignore that keeps the data and the studio files out of git', async () => {
    const bundled = join(import.meta.dirname, '..', '..', 'assets', 'examples');
    for (const { name } of await listExamples(bundled)) {
      const lines = (await readFile(join(bundled, name, '.gitignore'), 'utf8')).split('\n');
      for (const ignored of ['.wash/data/', '.wash/studio/']) assert.ok(lines.includes(ignored), `${name}/.gitignore lacks ${ignored}`);
    }
  });

  it('takes an empty folder, and refuses one with anything in it without touching it', async () => {
    const empty = join(dir, 'empty');
    await mkdir(empty);
    const before = (await stat(empty)).ino;
    assert.ok((await newProject(empty, 'hello', examples)).ok);
    assert.ok((await readdir(empty)).includes('src'));
    assert.equal((await stat(empty)).ino, before, 'the folder itself stays (a shell may be in it: `new .`)');
    assert.deepEqual((await readdir(dir)).filter((n) => n.includes('copying')), []);
    const refused = await newProject(empty, 'hello', examples);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'folder-not-empty');
    assert.match(refused.error.hint ?? '', /does not exist yet/);
  });

  it('names the examples there are when asked for one that is not', async () => {
    const refused = await newProject(join(dir, 'nope'), 'qr', examples);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'unknown-example');
    assert.equal(refused.error.hint, 'Pick one of: hello.');
    assert.deepEqual(await readdir(dir).then((names) => names.includes('nope')), false);
  });

  it('says what a folder it cannot make is, with the cause', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const refused = await newProject(join(dir, 'a-file', 'project'), 'hello', examples);
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, 'new-project-failed');
    assert.match(refused.error.message, /a-file/);
  });

  it('lists the bundled examples, hello first, each with what it shows', async () => {
    const bundled = await listExamples();
    assert.equal(bundled[0]?.name, 'hello');
    for (const name of ['qrcode', 'fetch-page', 'service-tcp']) assert.ok(bundled.some((e) => e.name === name), name);
    for (const example of bundled) assert.ok(example.summary.length > 10 && !/[`#]/.test(example.summary), `${example.name}: ${example.summary}`);
    assert.deepEqual(await listExamples(examples), [{ name: 'hello', summary: 'The smallest project' }]);
  });

  it('lists only the examples the studio ships, not a project made among them', async () => {
    const stray = join(examples, 'my-first');
    await mkdir(join(stray, '.wash'), { recursive: true });
    await writeFile(join(stray, 'README.md'), '# my-first\n\nA project someone made here by mistake.\n');
    try {
      assert.deepEqual((await listExamples(examples)).map((e) => e.name), ['hello']);
      const refused = await newProject(join(dir, 'from-stray'), 'my-first', examples);
      assert.ok(!refused.ok && refused.error.code === 'unknown-example');
    } finally {
      await rm(stray, { recursive: true, force: true });
    }
  });
});
