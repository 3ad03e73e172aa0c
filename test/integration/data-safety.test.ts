// The studio's data folders, seen from the CLI: nothing is created before a component writes,
// a second studio on the same data (or the same project) is refused by name, what a damaged folder holds is reported
// at start, blob uploads and reads stream (a 500 MB object does not grow the studio's memory),
// and a system folder is not opened as a project without asking.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { watFixture } from '../fixtures/fixtures.ts';
import { growthDuring } from '../helpers/memory.ts';
import { makeProject, probe } from '../helpers/store-probe.ts';
import { runStudio, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

let tempDir: string;
before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'studio-data-safety-'));
});
after(async () => {
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

let projects = 0;
async function project(): Promise<{ dir: string; data: string }> {
  const dir = await makeProject(join(tempDir, `p${projects++}`), 'version: 1\n');
  return { dir, data: join(dir, '.wash', 'data') };
}

describe('data folders', () => {
  it('are created when a component first writes, not when the project opens', async () => {
    const { dir, data } = await project();
    const studio = await startStudio(dir);
    try {
      assert.equal(existsSync(data), false, '.wash/data appeared before anything was written');
      await probe(() => studio).ok('POST', '/kv/increment', { bucket: 'b', key: 'n' });
      assert.deepEqual((await readdir(join(data, 'keyvalue'))).sort(), ['.cs-journal', '.cs-owner', 'b']);
      assert.equal(existsSync(join(data, 'blobstore')), false);
    } finally {
      await studio.stop();
    }
  });

  it('are let go when the terminal closes (SIGHUP), as on Ctrl+C: checkpointed, no owner file left', { skip: process.platform === 'win32' && 'no SIGHUP to send' }, async () => {
    const { dir, data } = await project();
    const studio = await startStudio(dir);
    try {
      await probe(() => studio).ok('POST', '/kv/increment', { bucket: 'b', key: 'n' });
      const exited = new Promise<number | null>((resolve) => studio.child.once('exit', (code) => resolve(code)));
      studio.child.kill('SIGHUP');
      assert.equal(await exited, 0);
      const left = await readdir(join(data, 'keyvalue'));
      assert.ok(!left.includes('.cs-owner'), `the owner file was left: ${left.join(', ')}`);
      assert.ok(left.includes('b'));
    } finally {
      await studio.stop();
    }
  });

  it('in use by one studio are refused to a second, which names the first', async () => {
    const { dir, data } = await project();
    const first = await startStudio(dir);
    try {
      await probe(() => first).ok('POST', '/kv/increment', { bucket: 'b', key: 'n' });
      // Another project kept on the same data (the same project is refused before its data: below).
      const other = await makeProject(join(tempDir, `p${projects++}`), `version: 1\ndev:\n  wasi_keyvalue_path: ${JSON.stringify(join(data, 'keyvalue'))}\n  wasi_blobstore_path: ${JSON.stringify(join(data, 'blobstore'))}\n`);
      const second = await runStudio(['dev', other, '--port', '0', '--no-ui']);
      assert.notEqual(second.code, 0);
      assert.match(second.output, new RegExp(`key-value store folder .* is in use by process ${first.child.pid}`));
      assert.match(second.output, /Stop process \d+ first, or point this project at other data folders/);
    } finally {
      await first.stop();
    }
  });

  it('of a project open in one studio are not touched by a second: the project is refused, naming the first, even before any data exists', async () => {
    const { dir, data } = await project();
    const first = await startStudio(dir);
    try {
      const second = await runStudio(['dev', dir, '--port', '0', '--no-ui']);
      assert.notEqual(second.code, 0);
      assert.match(second.output, new RegExp(`The project .* is open in another Component Studio \\(process ${first.child.pid}\\)`));
      assert.match(second.output, /Two studios on one project would each take the other's build for a save/);
      assert.equal(existsSync(data), false);
    } finally {
      first.child.kill('SIGKILL');
      await first.stop();
    }
    // A studio that was killed holds nothing: the next one starts at once.
    const next = await startStudio(dir);
    await next.stop();
  });

  it('report at start what they found damaged, by name', async () => {
    const { dir, data } = await project();
    await mkdir(join(data, 'keyvalue', 'users', 'alice'), { recursive: true });
    await writeFile(join(data, 'keyvalue', '.cs-journal'), 'garbage, not a journal');
    await mkdir(join(data, 'blobstore', 'photos'), { recursive: true });
    await writeFile(join(data, 'blobstore', 'stray.txt'), 'x');
    const studio = await startStudio(dir);
    try {
      const output = studio.output();
      assert.match(output, /The key-value journal .*\.cs-journal was unreadable .* It was kept as .*\.cs-journal\.corrupt-/);
      assert.match(output, /Key "alice" in bucket "users" is a folder/);
      assert.match(output, /holds files outside any container \("stray\.txt"\)/);
    } finally {
      await studio.stop();
    }
  });
});

describe('a 500 MB blob through wasi:blobstore', () => {
  const SIZE = 500 * 1024 * 1024;
  let studio: StudioProcess;
  let data: string;

  before(async () => {
    // A WAT component holds one 64 KiB chunk at a time, so any growth is the host's.
    const dir = join(tempDir, 'blob-stream');
    await mkdir(dir, { recursive: true });
    const wasm = join(dir, 'blob-stream.wasm');
    await copyFile(await watFixture('blob-stream'), wasm);
    data = join(dir, '.wash', 'data');
    // One worker, so the bound below is one worker's.
    studio = await startStudio(wasm, ['--body-limit', '600', '--timeout', '300', '--workers', '1']);
  });
  after(async () => {
    await studio?.stop();
  });

  /**
   * The bodies stream in 1 MiB windows; spent chunk buffers are collected in batches, so a
   * transfer lifts the studio's memory by a bounded amount (about 70 MB here, once). What
   * must not happen is growth with the data: three transfers of a 500 MB object (1.5 GB in
   * all) stay within the bound, which one object held in memory would already pass.
   */
  const BOUND = 128 * 2 ** 20;
  const ROUNDS = 3;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

  async function upload(): Promise<void> {
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let sent = 0;
    const body = new Readable({
      read() {
        this.push(sent < SIZE ? chunk : null);
        sent += chunk.length;
      },
    });
    const res = await fetch(studio.url, { method: 'PUT', body: Readable.toWeb(body) as ReadableStream, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 200, await res.text());
  }

  async function download(): Promise<void> {
    let received = 0;
    const res = await fetch(studio.url);
    assert.equal(res.status, 200);
    // Read slowly at first, so a host without backpressure would pile the object up.
    const reader = res.body!.getReader();
    for (let reads = 0; ; reads++) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.length;
      if (reads < 50) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(received, SIZE);
  }

  it('is written as it arrives, without holding it in memory', { timeout: 300_000 }, async () => {
    const growth = await growthDuring(studio.child.pid!, async () => {
      for (let i = 0; i < ROUNDS; i++) await upload();
    });
    assert.equal(statSync(join(data, 'blobstore', 'big', 'huge.bin')).size, SIZE);
    assert.ok(growth < BOUND, `the studio grew by ${mb(growth)} while a 500 MB object was written ${ROUNDS} times`);
  });

  it('is read back as a stream, without holding it in memory', { timeout: 300_000 }, async () => {
    const growth = await growthDuring(studio.child.pid!, async () => {
      for (let i = 0; i < ROUNDS; i++) await download();
    });
    assert.ok(growth < BOUND, `the studio grew by ${mb(growth)} while a 500 MB object was read ${ROUNDS} times`);
  });
});

describe('system folders', () => {
  it('are not opened as a project from the CLI without --yes', async () => {
    const refused = await runStudio(['dev', '/etc', '--port', '0', '--no-ui']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.output, /\/etc is a system folder\. Opening it as a project builds in it/);
    assert.match(refused.output, /add --yes to open it anyway/);
  });
});
