// memoryCap rewrites the memory section of a core module so that memory.grow past the
// limit fails inside the guest (returns -1) instead of taking the machine's RAM.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { memoryCap } from '../../runtime/components/memory-limit.ts';
import { spliced } from '../../runtime/components/wasm-binary.ts';
import { studioCoreModule } from '../../runtime/workloads/prepared-component.ts';

const PAGE = 65536;

/** The module with its memories capped, as the studio compiles it. */
function capMemories(bytes: Uint8Array<ArrayBuffer>, limitBytes: number): Uint8Array<ArrayBuffer> {
  const cap = memoryCap(bytes, limitBytes);
  return spliced(bytes, cap ? [cap] : []);
}

/** Core module bytes from WAT, in the buffer type memoryCap takes. */
async function wat(text: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await parse(text));
}

/** A module with one memory (given as its WAT limits) and functions to grow it and read its size. */
function growable(limits: string): string {
  return `(module
    (memory (export "memory") ${limits})
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "size") (result i32) (memory.size)))`;
}

interface Growable {
  memory: WebAssembly.Memory;
  grow(pages: number): number;
  size(): number;
}

async function instantiate(bytes: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> {
  const { instance } = await WebAssembly.instantiate(bytes, imports);
  return instance;
}

async function cappedInstance(limits: string, limitBytes: number): Promise<Growable> {
  const capped = capMemories(await wat(growable(limits)), limitBytes);
  return (await instantiate(capped)).exports as unknown as Growable;
}

describe('memoryCap', () => {
  it('keeps the module valid', async () => {
    const capped = capMemories(await wat(growable('1')), 4 * PAGE);
    assert.ok(WebAssembly.validate(capped));
  });

  it('lets a memory without a maximum grow up to the cap', async () => {
    const guest = await cappedInstance('1', 4 * PAGE);
    assert.equal(guest.grow(3), 1, 'memory.grow returns the old size in pages');
    assert.equal(guest.size(), 4);
  });

  it('refuses growth past the cap with -1 from memory.grow', async () => {
    const guest = await cappedInstance('1', 4 * PAGE);
    assert.equal(guest.grow(4), -1);
    assert.equal(guest.size(), 1, 'a refused grow leaves the memory as it was');
  });

  it('refuses growth past the cap one page at a time too', async () => {
    const guest = await cappedInstance('1', 4 * PAGE);
    for (let i = 0; i < 3; i++) assert.notEqual(guest.grow(1), -1, `grow ${i + 1}`);
    assert.equal(guest.grow(1), -1);
    assert.equal(guest.memory.buffer.byteLength, 4 * PAGE);
  });

  it('lowers a maximum above the cap to the cap', async () => {
    const guest = await cappedInstance('1 100', 8 * PAGE);
    assert.equal(guest.grow(7), 1);
    assert.equal(guest.grow(1), -1);
  });

  it('keeps a maximum below the cap', async () => {
    const guest = await cappedInstance('1 2', 8 * PAGE);
    assert.equal(guest.grow(1), 1);
    assert.equal(guest.grow(1), -1);
  });

  it('keeps the initial size when it is already above the cap, and allows no growth', async () => {
    const capped = capMemories(await wat(growable('2000')), 16 * PAGE);
    assert.ok(WebAssembly.validate(capped));
    const guest = (await instantiate(capped)).exports as unknown as Growable;
    assert.equal(guest.size(), 2000);
    assert.equal(guest.grow(1), -1);
  });

  it('caps at one page when the limit is less than a page', async () => {
    const guest = await cappedInstance('1', 1000);
    assert.equal(guest.grow(1), -1);
    assert.equal(guest.size(), 1);
  });

  it('rounds a limit that is not a whole number of pages down', async () => {
    const guest = await cappedInstance('1', 3 * PAGE + 100);
    assert.equal(guest.grow(2), 1);
    assert.equal(guest.grow(1), -1);
  });

  it('leaves an imported memory untouched', async () => {
    const module = await wat(`(module
      (import "env" "memory" (memory 1))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
    const capped = capMemories(module, 2 * PAGE);
    assert.deepEqual(capped, module);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { grow } = (await instantiate(capped, { env: { memory } })).exports as unknown as Growable;
    assert.equal(grow(10), 1, 'its owner caps it, not the importer');
  });

  it('leaves a module without memory as it was', async () => {
    const module = await wat(`(module (func (export "answer") (result i32) (i32.const 42)))`);
    const capped = capMemories(module, 2 * PAGE);
    assert.deepEqual(capped, module);
    const { answer } = (await instantiate(capped)).exports as { answer(): number };
    assert.equal(answer(), 42);
  });

  it('keeps the rest of the module working: data, globals and functions after the memory section', async () => {
    const module = await wat(`(module
      (memory (export "memory") 1)
      (global $g (mut i32) (i32.const 7))
      (func (export "read") (result i32) (i32.add (i32.load8_u (i32.const 16)) (global.get $g)))
      (data (i32.const 16) "\\05"))`);
    const capped = capMemories(module, 2 * PAGE);
    assert.ok(WebAssembly.validate(capped));
    const { read } = (await instantiate(capped)).exports as { read(): number };
    assert.equal(read(), 12);
  });

  it('keeps the module valid when the limit is above the 4 GiB a 32-bit memory can address', async () => {
    // `--memory-limit 8192` asks for more than wasm32 allows (65536 pages); the cap must not
    // write a maximum the engine refuses to compile.
    const capped = capMemories(await wat(growable('1')), 8 * 2 ** 30);
    assert.ok(WebAssembly.validate(capped), 'a maximum over 65536 pages makes the module invalid');
  });

  it('writes a maximum that needs a multi-byte LEB128 encoding', async () => {
    // 4096 pages = 256 MiB: the section grows by bytes, and the module must stay valid.
    const guest = await cappedInstance('1', 4096 * PAGE);
    assert.equal(guest.grow(4095), 1);
    assert.equal(guest.grow(1), -1);
  });
});

describe('studioCoreModule: the memory cap and the exported globals in one copy', () => {
  it('makes both changes, before and after other sections, and the module runs', async () => {
    const module = await wat(`(module
      (memory (export "memory") 1)
      (global $g (mut i32) (i32.const 7))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "read") (result i32) (i32.add (i32.load8_u (i32.const 16)) (global.get $g)))
      (data (i32.const 16) "\\05"))`);
    const { module: opened, complete } = studioCoreModule(module, 2 * PAGE);
    assert.equal(complete, true);
    const exports = (await instantiate(opened)).exports as { grow(pages: number): number; read(): number; 'studio:global:0': WebAssembly.Global };
    assert.equal(exports.read(), 12);
    assert.equal(exports['studio:global:0'].value, 7);
    assert.equal(exports.grow(1), 1);
    assert.equal(exports.grow(1), -1, 'capped at 2 pages');
  });

  it('returns the very bytes when nothing needs changing, and refuses overlapping changes', async () => {
    const plain = await wat('(module (func (export "f")))');
    assert.equal(studioCoreModule(plain, 2 * PAGE).module, plain);
    assert.throws(() => spliced(plain, [{ start: 8, end: 12, bytes: [] }, { start: 10, end: 11, bytes: [] }]), /overlapping/);
  });
});
