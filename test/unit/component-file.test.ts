// readComponentFile decides from a file's header and the outline of its sections whether it
// is a component the studio can run, and says what to do when it is not. wasmKind reads the
// header alone.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cutShortAt, readComponentFile, wasmKind } from '../../runtime/components/component-file.ts';
import type { StudioError } from '../../runtime/errors.ts';
import { watFixture } from '../fixtures/fixtures.ts';

const header = (...bytes: number[]) => new Uint8Array(bytes);
const MAGIC = [0x00, 0x61, 0x73, 0x6d];

describe('wasmKind', () => {
  it('calls version 1, layer 0 a core module', () => {
    assert.equal(wasmKind(header(...MAGIC, 0x01, 0x00, 0x00, 0x00)), 'core-module');
  });

  it('calls layer 1, version 0x0d a component, and a draft version of it unknown', () => {
    assert.equal(wasmKind(header(...MAGIC, 0x0d, 0x00, 0x01, 0x00)), 'component');
    assert.equal(wasmKind(header(...MAGIC, 0x0c, 0x00, 0x01, 0x00)), 'unknown-version');
  });

  it('calls other versions unknown', () => {
    assert.equal(wasmKind(header(...MAGIC, 0x02, 0x00, 0x00, 0x00)), 'unknown-version');
    assert.equal(wasmKind(header(...MAGIC, 0x0d, 0x00, 0x02, 0x00)), 'unknown-version');
  });

  it('calls bytes without the \\0asm magic not wasm', () => {
    assert.equal(wasmKind(new TextEncoder().encode('hello, world')), 'not-wasm');
  });

  it('calls a header shorter than 8 bytes not wasm, even with the magic', () => {
    assert.equal(wasmKind(header(...MAGIC, 0x01)), 'not-wasm');
    assert.equal(wasmKind(new Uint8Array(0)), 'not-wasm');
  });
});

describe('readComponentFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-component-file-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function refused(path: string): Promise<StudioError> {
    const result = await readComponentFile(path);
    assert.equal(result.ok, false, `${path} should be refused`);
    return (result as { ok: false; error: StudioError }).error;
  }

  async function fileWith(name: string, bytes: Uint8Array | string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return path;
  }

  it('reads a component with its name, bytes and sha256', async () => {
    const path = await watFixture('hello');
    const result = await readComponentFile(path);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    const bytes = await readFile(path);
    assert.equal(result.value.path, path);
    assert.match(result.value.name, /^hello-[0-9a-f]+$/);
    assert.deepEqual(Buffer.from(result.value.bytes), bytes);
    assert.equal(result.value.hash, createHash('sha256').update(bytes).digest('hex'));
  });

  it('names the component after its file without .wasm', async () => {
    const path = await fileWith('my-app.wasm', header(...MAGIC, 0x0d, 0x00, 0x01, 0x00));
    const result = await readComponentFile(path);
    assert.ok(result.ok);
    assert.equal(result.value.name, 'my-app');
  });

  it('refuses a missing file with component-not-found, naming the path', async () => {
    const path = join(dir, 'nowhere.wasm');
    const error = await refused(path);
    assert.equal(error.code, 'component-not-found');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.hint ?? '', /check the path|build the project/i);
  });

  it('refuses a folder with component-not-found, saying it is a folder', async () => {
    const folder = join(dir, 'a-folder.wasm');
    await mkdir(folder, { recursive: true });
    const error = await refused(folder);
    assert.equal(error.code, 'component-not-found');
    assert.ok(error.message.includes(folder), error.message);
    assert.match(error.message, /is a folder/);
    assert.match(error.hint ?? '', /\.wasm file|project folder/);
  });

  it('refuses a text file with not-wasm, naming the path', async () => {
    const path = await fileWith('notes.wasm', 'this is text, not wasm\n');
    const error = await refused(path);
    assert.equal(error.code, 'not-wasm');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /is not a WebAssembly file/);
    assert.match(error.hint ?? '', /\.wasm file your build produces/);
  });

  it('refuses an empty file with not-wasm, saying it is empty', async () => {
    const path = await fileWith('empty.wasm', new Uint8Array(0));
    const error = await refused(path);
    assert.equal(error.code, 'not-wasm');
    assert.equal(error.message, `${path} is empty (0 bytes).`);
  });

  it('refuses a header begun and cut short with wasm-truncated, not as a file without the header', async () => {
    for (const bytes of [header(0x00, 0x61), header(...MAGIC), header(...MAGIC, 0x0d, 0x00)]) {
      const path = await fileWith('truncated.wasm', bytes);
      const error = await refused(path);
      assert.equal(error.code, 'wasm-truncated');
      assert.equal(error.message, `${path} is cut short: it is ${bytes.length} bytes, fewer than the 8 of a WebAssembly header.`);
    }
  });

  it('refuses a component cut short, or with zeros where its end should be, with wasm-truncated', async () => {
    const whole = await readFile(await watFixture('hello'));
    assert.equal(cutShortAt(whole), undefined);
    for (const [name, bytes] of [
      ['cut.wasm', whole.subarray(0, whole.length - 7)],
      ['half.wasm', whole.subarray(0, Math.floor(whole.length / 2))],
      ['zeroed.wasm', Buffer.concat([whole.subarray(0, 200), Buffer.alloc(whole.length - 200)])],
    ] as const) {
      const path = await fileWith(name, bytes);
      const error = await refused(path);
      assert.equal(error.code, 'wasm-truncated', name);
      assert.ok(error.message.startsWith(`${path} is cut short: it is ${bytes.length} bytes`), error.message);
      assert.match(error.hint ?? '', /build or copy it again/);
    }
  });

  it('refuses a core module with core-module, and the hint says how to make a component', async () => {
    const path = await watFixture('core-module');
    const error = await refused(path);
    assert.equal(error.code, 'core-module');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /is a core WebAssembly module, not a component/);
    assert.match(error.hint ?? '', /wasm32-wasip2/);
    assert.match(error.hint ?? '', /wasm-tools component new/);
  });

  it('tells a Spin 1 HTTP app (a core module exporting handle-http-request) that no adapter makes it a component', async () => {
    const name = [...Buffer.from('handle-http-request')];
    const exports = [1, name.length, ...name, 0x00, 0x00];
    const path = await fileWith('spin-v1.wasm', header(...MAGIC, 0x01, 0x00, 0x00, 0x00, 7, exports.length, ...exports));
    const error = await refused(path);
    assert.equal(error.code, 'core-module');
    assert.equal(error.message, `${path} is a Spin 1 HTTP app: a core WebAssembly module that exports handle-http-request, Spin's own interface before components.`);
    assert.match(error.hint ?? '', /^No WASI adapter turns it into a wasi:http component\. Rebuild it with a current Spin SDK/);
  });

  it('tells a WASI adapter (a core module exporting the preview 1 functions) that it is no program, and how it is used', async () => {
    const exports = ['fd_write', 'proc_exit', 'args_get', 'cabi_import_realloc'].flatMap((name) => [name.length, ...Buffer.from(name), 0x00, 0x00]);
    const section = [4, ...exports];
    const path = await fileWith('wasi_snapshot_preview1.reactor.wasm', header(...MAGIC, 0x01, 0x00, 0x00, 0x00, 7, section.length, ...section));
    const error = await refused(path);
    assert.equal(error.code, 'core-module');
    assert.match(error.message, /is a WASI adapter: .* It is no program of its own/);
    assert.match(error.hint ?? '', /--adapt wasi_snapshot_preview1=<this file>/);
  });

  it('refuses an unknown binary version with unsupported-wasm-version, naming the path', async () => {
    const path = await fileWith('future.wasm', header(...MAGIC, 0x02, 0x00, 0x00, 0x00, 0x00));
    const error = await refused(path);
    assert.equal(error.code, 'unsupported-wasm-version');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.hint ?? '', /rebuild/i);
  });

  it('refuses a path it cannot read for another reason with component-unreadable', async () => {
    // A path through a regular file fails with ENOTDIR: neither missing nor a folder.
    const parent = await fileWith('plain-file', 'x');
    const path = join(parent, 'inner.wasm');
    const error = await refused(path);
    assert.equal(error.code, 'component-unreadable');
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.hint ?? '', /a part of it names a file where a folder should be/);
  });

  it('refuses a pipe without waiting for a writer, and a file over 2 GiB without reading it', async () => {
    const fifo = join(dir, 'pipe.wasm');
    execFileSync('mkfifo', [fifo]);
    const piped = await refused(fifo);
    assert.equal(piped.code, 'component-unreadable');
    assert.match(piped.message, /is not a regular file \(a pipe, socket or device\)/);
    // Sparse: 3 GiB on paper, one block on disk.
    const huge = await fileWith('huge.wasm', header(...MAGIC, 0x0d, 0x00, 0x01, 0x00));
    await truncate(huge, 3 * 2 ** 30);
    const large = await refused(huge);
    assert.equal(large.code, 'component-too-large');
    assert.match(large.message, /is 3\.0 GiB, larger than any component the studio can load \(2 GiB\)/);
    // Text is refused from its header alone, however large.
    const text = await fileWith('huge-text.wasm', 'not wasm');
    await truncate(text, 3 * 2 ** 30);
    assert.equal((await refused(text)).code, 'not-wasm');
  });

  it('tells bytes added after a component\'s end from a component cut short: wasm-damaged, at the first byte that is no section', async () => {
    const whole = await readFile(await watFixture('hello'));
    const path = await fileWith('appended.wasm', Buffer.concat([whole, Buffer.from([0xf3, 0x11, 0x22, 0x33])]));
    const error = await refused(path);
    assert.equal(error.code, 'wasm-damaged');
    assert.equal(error.message, `${path} is not valid WebAssembly from byte ${whole.length} on (of ${whole.length + 4}): a section starts there with id 243, which the format does not have.`);
    assert.match(error.hint ?? '', /wrote over the file or added bytes to its end/);
  });

  it('refuses a WIT package (types and exports only, as in a wit/deps folder) with wit-package', async () => {
    // The outline of a binary WIT package: a type section, an export section, a custom section.
    const section = (id: number, ...body: number[]) => [id, body.length, ...body];
    const custom = [...Buffer.from('package-docs')];
    const bytes = header(...MAGIC, 0x0d, 0x00, 0x01, 0x00, ...section(7, 1, 0x42, 0), ...section(11, 0), ...section(0, custom.length, ...custom));
    const path = await fileWith('wasi-io.wasm', bytes);
    const error = await refused(path);
    assert.equal(error.code, 'wit-package');
    assert.equal(error.message, `${path} is a WIT package: it defines interfaces and worlds, and holds no code to run.`);
    assert.match(error.hint ?? '', /the component your build produces/);
  });

  it('puts no stack trace in any message', async () => {
    const errors = await Promise.all([
      refused(join(dir, 'gone.wasm')),
      refused(await fileWith('text.wasm', 'not wasm')),
      refused(await watFixture('core-module')),
    ]);
    for (const error of errors) assert.doesNotMatch(`${error.message}\n${error.hint}`, /\n\s+at /);
  });
});
