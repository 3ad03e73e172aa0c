// The key-value store's cache of value files: answers from memory only while a file's
// metadata shows it unchanged, and never keeps a value whose file changed so recently that a
// later write could leave its times as they are (a coarse clock, HFS+, FAT).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { FileValueCache } from '../../runtime/stores/file-value-cache.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-value-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

/** A file, a cache, and a reader that counts how often the cache went to the file. */
function subject(content: string): { path: string; get: () => string | undefined; reads: () => number } {
  const path = join(scratch, `value-${counter++}`);
  writeFileSync(path, content);
  const cache = new FileValueCache();
  let reads = 0;
  const readFile = (at: string) => {
    reads++;
    return new Uint8Array(readFileSync(at));
  };
  const get = () => {
    const value = cache.read(path, readFile);
    return value && Buffer.from(value).toString();
  };
  return { path, get, reads: () => reads };
}

describe('file value cache', () => {
  it('answers from memory from the third read of a file that changed a while ago', async () => {
    const file = subject('settled');
    await sleep(60);
    for (let i = 0; i < 5; i++) assert.equal(file.get(), 'settled');
    assert.equal(file.reads(), 2);
  });

  it('keeps reading a file that changed within its times\' resolution, then keeps it once that has passed', async () => {
    const file = subject('fresh');
    for (let i = 0; i < 4; i++) assert.equal(file.get(), 'fresh');
    // On a file system with coarse times, a same-size write now could keep every time the cache saw.
    assert.equal(file.reads(), 4);
    await sleep(60);
    for (let i = 0; i < 4; i++) assert.equal(file.get(), 'fresh');
    assert.equal(file.reads(), 5);
  });

  it('sees a same-size rewrite by another program at the next read', async () => {
    const file = subject('one');
    await sleep(60);
    file.get();
    file.get();
    writeFileSync(file.path, 'two');
    assert.equal(file.get(), 'two');
  });
});
