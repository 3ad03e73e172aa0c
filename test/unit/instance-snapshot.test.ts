// An instance's whole state, saved right after it starts and put back after a request: every
// mutable global a module defines is exported for it (the module otherwise unchanged), and
// putting back restores memory and globals, as a new instance would have them, or refuses
// when a memory grew (it cannot shrink: a new instance is needed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from '@bytecodealliance/jco-transpile/wasm-tools';
import { mutableGlobalExports } from '../../runtime/components/global-exports.ts';
import { spliced } from '../../runtime/components/wasm-binary.ts';
import { InstanceSnapshot } from '../../runtime/workloads/instance-snapshot.ts';

/** The module with its mutable globals exported, as the studio compiles it. */
function exportMutableGlobals(bytes: Uint8Array<ArrayBuffer>): { module: Uint8Array<ArrayBuffer>; complete: boolean } {
  const { splice, complete } = mutableGlobalExports(bytes);
  return { module: spliced(bytes, splice ? [splice] : []), complete };
}

async function module(text: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await parse(text));
}

const COUNTER = `(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "base" (global $base i32))
  (memory (export "memory") 1 100)
  (global $count (mut i32) (i32.const 0))
  (global $big (mut i64) (i64.const 11))
  (global $fixed f64 (f64.const 2.5))
  (global $sum (mut i32) (global.get $base))
  (func (export "bump") (result i32)
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (global.set $big (i64.add (global.get $big) (i64.const 1)))
    (global.set $sum (i32.add (global.get $sum) (i32.const 1)))
    (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (i32.const 1)))
    (drop (memory.grow (i32.const 1)))
    (i32.store (i32.const 70000) (i32.const 7))
    (call $log (global.get $count))
    (i32.add (global.get $count) (i32.load (i32.const 64)))))`;

describe('exporting mutable globals', () => {
  it('exports every mutable global the module defines, by index, and nothing else changes', async () => {
    const { module: opened, complete } = exportMutableGlobals(await module(COUNTER));
    assert.equal(complete, true);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(opened)).map((e) => `${e.kind} ${e.name}`);
    // Index 0 is the imported global; 3 ($fixed) is immutable.
    assert.deepEqual(exports, ['memory memory', 'function bump', 'global studio:global:1', 'global studio:global:2', 'global studio:global:4']);
  });

  it('adds an export section to a module that has none', async () => {
    const { module: opened } = exportMutableGlobals(await module('(module (global (mut i32) (i32.const 5)) (func (result i32) (i32.const 1)))'));
    assert.deepEqual(WebAssembly.Module.exports(new WebAssembly.Module(opened)), [{ name: 'studio:global:0', kind: 'global' }]);
  });

  it('leaves a module with no mutable global as it is, and says when one cannot be saved', async () => {
    const plain = await module('(module (global i32 (i32.const 1)) (memory 1))');
    assert.equal(exportMutableGlobals(plain).module, plain);
    const vector = exportMutableGlobals(await module('(module (global (mut v128) (v128.const i32x4 0 0 0 0)))'));
    assert.equal(vector.complete, false, 'JavaScript cannot read a v128 global');
    assert.equal(exportMutableGlobals(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 6, 9])).complete, false, 'a cut module');
  });
});

describe('putting an instance back as it started', () => {
  async function started(text: string, logged: number[] = []) {
    const { instance } = await WebAssembly.instantiate(exportMutableGlobals(await module(text)).module, { env: { log: (n: number) => logged.push(n), base: 100 } });
    return { instance, snapshot: InstanceSnapshot.take([instance])! };
  }

  it('restores memory and every mutable global', async () => {
    const logged: number[] = [];
    const { instance, snapshot } = await started(COUNTER.replace('(drop (memory.grow (i32.const 1)))', '').replace('(i32.store (i32.const 70000) (i32.const 7))', ''), logged);
    const bump = instance.exports.bump as () => number;
    assert.equal(bump(), 2);
    assert.equal(bump(), 4, 'without a put-back the state carries on');
    assert.equal(snapshot.restore(), true);
    assert.equal(bump(), 2, 'as the first call on a new instance');
    assert.deepEqual(logged, [1, 2, 1]);
    assert.equal(snapshot.restore(), true);
    assert.equal((instance.exports['studio:global:2'] as WebAssembly.Global).value, 11n);
    assert.equal((instance.exports['studio:global:4'] as WebAssembly.Global).value, 100);
  });

  it('puts back stretches that were all zeros and stretches with data alike, byte for byte', async () => {
    // Chunk 1 (64 KiB each) holds data, chunks 0 and 2 are zeros; the call writes into both kinds.
    const { instance, snapshot } = await started(`(module
      (memory (export "memory") 3)
      (data (i32.const 70000) "\\2a")
      (func (export "scribble") (result i32)
        (local $before i32)
        (local.set $before (i32.add (i32.load8_u (i32.const 70000)) (i32.load8_u (i32.const 140000))))
        (i32.store8 (i32.const 70000) (i32.const 1))
        (i32.store8 (i32.const 140000) (i32.const 9))
        (i32.store8 (i32.const 5) (i32.const 3))
        (local.get $before)))`);
    const memory = instance.exports.memory as WebAssembly.Memory;
    const saved = new Uint8Array(memory.buffer).slice();
    const scribble = instance.exports.scribble as () => number;
    assert.equal(scribble(), 42);
    assert.equal(scribble(), 10, 'without a put-back the writes stay');
    assert.equal(snapshot.restore(), true);
    assert.deepEqual(new Uint8Array(memory.buffer), saved);
    assert.equal(scribble(), 42, 'as the first call on a new instance');
  });

  it('refuses, changing nothing, once a memory grew', async () => {
    const { instance, snapshot } = await started(COUNTER);
    const bump = instance.exports.bump as () => number;
    assert.equal(bump(), 2);
    assert.equal(snapshot.restore(), false);
    assert.equal(bump(), 4, 'the state was left as it was');
  });
});
