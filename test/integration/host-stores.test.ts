// wasi:keyvalue (store, atomics, batch @0.2.0-draft) and wasi:blobstore@0.2.0-draft, seen
// from inside a componentize-js component (the store-probe fixture, whose routes call every
// function of both interfaces), checked against the files on disk: the studio keeps wash's
// layout (`<root>/<bucket>/<key>` holding the raw value, `<root>/<container>/<a/b/c>` as
// nested folders), so these tests read and write the store folders with plain `fs`, the way
// wash (or a user) would.
//
// Like host-interfaces.test.ts, the studio runs on a temporary project folder (a copy of the
// fixture's src/ and wit/ plus a `.wash/config.yaml`) that it builds itself; the build is
// cached by content, so only the first run after a change to the fixture componentizes.
// The project is then stopped (SIGINT) and started again, and everything must still be there.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileBecomes, fileGone, folderBecomes } from '../helpers/settled-files.ts';
import { makeProject, probe, type Query, type Shown } from '../helpers/store-probe.ts';
import { letWatcherSettle, reloadAfter, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

const U64_MAX = '18446744073709551615';

/** Writes a file the way wash (or a person) would: plainly, creating the folders. */
async function plainWrite(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** Every file below `dir`, as `/`-joined paths relative to it, sorted. */
async function filesBelow(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) found.push(...(await filesBelow(join(dir, entry.name), `${prefix}${entry.name}/`)));
    else found.push(prefix + entry.name);
  }
  return found.sort();
}

function bytes(length: number, seed = 0): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function hex(data: Uint8Array | string): string {
  return Buffer.from(data).toString('hex');
}

describe('wasi:keyvalue and wasi:blobstore, seen from a componentize-js component', () => {
  let tempDir: string;
  let project: string;
  let kvRoot: string;
  let blobRoot: string;
  let studio: StudioProcess;
  const { ok, err, send } = probe(() => studio);

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-store-probe-'));
    project = await makeProject(tempDir, 'version: 1\n');
    kvRoot = join(project, '.wash', 'data', 'keyvalue');
    blobRoot = join(project, '.wash', 'data', 'blobstore');
    // Data wash left behind, written the way wash writes it: raw key names, raw values,
    // counters as decimal text, nested object folders.
    await plainWrite(join(kvRoot, 'washbucket', 'plain'), 'written by wash');
    await plainWrite(join(kvRoot, 'washbucket', 'user:1'), 'a raw name with a colon');
    await plainWrite(join(kvRoot, 'washbucket', 'visits'), '41');
    await plainWrite(join(kvRoot, 'root-key-by-wash'), 'in the root folder');
    await plainWrite(join(blobRoot, 'washcontainer', 'docs', '2024', 'report.txt'), 'nested by wash');
    await plainWrite(join(blobRoot, 'washcontainer', 'top.bin'), bytes(256));
    // Folders that lead out of the stores, which components must not reach.
    await plainWrite(join(tempDir, 'outside', 'secret'), 'not for components');
    await symlink(join(tempDir, 'outside'), join(kvRoot, 'linked-out'));
    await symlink(join(tempDir, 'outside'), join(blobRoot, 'linked-out'));
    studio = await startStudio(project);
  });

  after(async () => {
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('builds the project and shows the keyvalue and blobstore imports', () => {
    for (const name of ['wasi:keyvalue/store', 'wasi:keyvalue/atomics', 'wasi:keyvalue/batch', 'wasi:blobstore/blobstore']) {
      assert.match(studio.output(), new RegExp(`imports .*${name}@0\\.2\\.0-draft`), name);
    }
    assert.match(studio.output(), new RegExp(`keyvalue\\s+${escapeRegExp(kvRoot)}`));
  });

  describe('wasi:keyvalue', () => {
    it('opens a bucket, creating its folder', async () => {
      assert.equal(await ok('GET', '/kv/open', { bucket: 'fresh' }), null);
      assert.ok((await stat(join(kvRoot, 'fresh'))).isDirectory());
    });

    it('answers the `other` error variant for bucket names that are not one folder', async () => {
      for (const bucket of ['../escape', 'a/b', '..', '/abs']) {
        const { err: error, at } = await err('GET', '/kv/open', { bucket });
        assert.equal(at, 'open');
        assert.equal((error as { tag: string }).tag, 'other', `open(${JSON.stringify(bucket)}) -> ${JSON.stringify(error)}`);
        assert.match((error as { val: string }).val, new RegExp(escapeRegExp(bucket)));
      }
      assert.ok(!existsSync(join(kvRoot, '..', 'escape')), 'open("../escape") made a folder next to the store');
      assert.ok(!existsSync(join(kvRoot, 'a')));
    });

    it('answers the `access-denied` error variant for a bucket folder that links out of the store', async () => {
      const { err: error, at } = await err('GET', '/kv/open', { bucket: 'linked-out' });
      assert.equal(at, 'open');
      assert.deepEqual(error, { tag: 'access-denied' });
      assert.deepEqual(await readdir(join(tempDir, 'outside')), ['secret']);
      // The variant names no file and no fix; the studio's log does, for the user.
      await studio.waitFor(/WARN .*linked-out.*(link|outside)/);
    });

    it('sets, gets, checks and deletes a key, as one file holding the raw value', async () => {
      const q = { bucket: 'b1', key: 'hello' };
      assert.equal(await ok('GET', '/kv/get', q), null);
      assert.equal(await ok('GET', '/kv/exists', q), false);
      assert.equal(await ok('PUT', '/kv/set', q, 'world'), null);
      await fileBecomes(join(kvRoot, 'b1', 'hello'), 'world');
      assert.deepEqual(await ok<Shown>('GET', '/kv/get', q), { text: 'world', hex: hex('world'), length: 5 });
      assert.equal(await ok('GET', '/kv/exists', q), true);
      assert.equal(await ok('PUT', '/kv/set', q, 'world, again'), null);
      await fileBecomes(join(kvRoot, 'b1', 'hello'), 'world, again');
      assert.equal(await ok('DELETE', '/kv/delete', q), null);
      await fileGone(join(kvRoot, 'b1', 'hello'));
      assert.equal(await ok('GET', '/kv/exists', q), false);
      assert.equal(await ok('GET', '/kv/get', q), null);
      assert.equal(await ok('DELETE', '/kv/delete', q), null, 'deleting a missing key is fine');
    });

    it('keeps binary values byte for byte', async () => {
      const value = bytes(70_000, 7);
      await ok('PUT', '/kv/set', { bucket: 'b1', key: 'binary' }, value);
      await fileBecomes(join(kvRoot, 'b1', 'binary'), value);
      const got = await ok<Shown>('GET', '/kv/get', { bucket: 'b1', key: 'binary' });
      assert.equal(got.length, value.length);
      assert.equal(got.hex, hex(value));
      assert.equal(await ok('PUT', '/kv/set', { bucket: 'b1', key: 'empty' }, ''), null);
      await fileBecomes(join(kvRoot, 'b1', 'empty'), '');
      assert.deepEqual(await ok('GET', '/kv/get', { bucket: 'b1', key: 'empty' }), { text: '', hex: '', length: 0 });
    });

    it('keeps the bucket named "" in the store folder itself, next to the bucket folders', async () => {
      assert.equal(await ok('GET', '/kv/open', { bucket: '' }), null);
      await ok('PUT', '/kv/set', { bucket: '', key: 'root-key' }, 'at the root');
      await fileBecomes(join(kvRoot, 'root-key'), 'at the root');
      assert.deepEqual(await ok<Shown>('GET', '/kv/get', { bucket: '', key: 'root-key' }), { text: 'at the root', hex: hex('at the root'), length: 11 });
      const { keys } = await ok<{ keys: string[] }>('GET', '/kv/list-keys', { bucket: '' });
      assert.ok(keys.includes('root-key'), JSON.stringify(keys));
      assert.ok(keys.includes('root-key-by-wash'), JSON.stringify(keys));
      assert.ok(!keys.includes('b1') && !keys.includes('washbucket'), `bucket folders listed as keys: ${JSON.stringify(keys)}`);
      assert.ok(!keys.some((key) => key.startsWith('.')), `the studio's own files listed as keys: ${JSON.stringify(keys)}`);
      assert.equal(await ok('GET', '/kv/exists', { bucket: '', key: 'b1' }), false, 'a bucket folder is not a key');
    });

    it('stores keys with characters unsafe in file names percent-encoded, and lists them decoded', async () => {
      const key = 'user/42:name';
      await ok('PUT', '/kv/set', { bucket: 'odd', key }, 'v');
      await folderBecomes(join(kvRoot, 'odd'), ['user%2F42%3Aname']);
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'odd', key })).text, 'v');
      assert.deepEqual((await ok<{ keys: string[] }>('GET', '/kv/list-keys', { bucket: 'odd' })).keys, [key]);
    });

    it('answers an error for a key too long for a file name, and writes nothing', async () => {
      const key = 'k'.repeat(300);
      const { err: error, at } = await err('PUT', '/kv/set', { bucket: 'long', key }, 'x');
      assert.equal(at, 'set');
      assert.equal((error as { tag: string }).tag, 'other');
      assert.match((error as { val: string }).val, /255/);
      assert.deepEqual(await readdir(join(kvRoot, 'long')), []);
      assert.equal((await err('GET', '/kv/get', { bucket: 'long', key })).at, 'get');
    });

    it('increments a counter and returns the running total', async () => {
      const q = { bucket: 'counters', key: 'hits' };
      const totals = [];
      for (const delta of [1, 1, 5, 0, 10]) totals.push(await ok('POST', '/kv/increment', { ...q, delta }));
      assert.deepEqual(totals, [1, 2, 7, 7, 17]);
      assert.ok(await ok('GET', '/kv/exists', q));
      const concurrent = await Promise.all(Array.from({ length: 20 }, () => ok<number>('POST', '/kv/increment', { ...q, key: 'parallel' })));
      assert.deepEqual([...concurrent].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i + 1), 'increments from several workers are atomic');
    });

    it('keeps a counter as decimal text, as wash does', async () => {
      // wash's filesystem keyvalue reads a counter with `read_to_string(..).trim().parse::<u64>()`
      // and writes `new_value.to_string()`; the studio's own KeyValueStore.increment (the UI's)
      // also keeps decimal text. A folder must move between wash and the studio intact.
      await fileBecomes(join(kvRoot, 'counters', 'hits'), '17');
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'counters', key: 'hits' })).text, '17');
    });

    it('refuses to count on a value that is not a number, and the log says which and why', async () => {
      await mkdir(join(kvRoot, 'counters'), { recursive: true });
      await writeFile(join(kvRoot, 'counters', 'edited'), 'twelve');
      const { at } = await err('POST', '/kv/increment', { bucket: 'counters', key: 'edited', delta: 1 });
      assert.equal(at, 'increment');
      await studio.waitFor(/WARN .*"edited".*"counters"/);
    });

    it('continues a counter wash wrote (decimal text)', async () => {
      assert.equal(await ok('POST', '/kv/increment', { bucket: 'washbucket', key: 'visits', delta: 1 }), 42);
      await fileBecomes(join(kvRoot, 'washbucket', 'visits'), '42');
    });

    it('gets, sets and deletes many keys at once', async () => {
      const entries = [['m1', 'one'], ['m2', 'two'], ['m3', 'three']];
      assert.equal(await ok('POST', '/kv/set-many', { bucket: 'batch' }, JSON.stringify(entries)), null);
      for (const [key, text] of entries) await fileBecomes(join(kvRoot, 'batch', key!), text!);
      const got = await ok<([string, Shown] | null)[]>('POST', '/kv/get-many', { bucket: 'batch' }, JSON.stringify(['m1', 'missing', 'm3']));
      assert.deepEqual(
        got.map((entry) => (entry ? [entry[0], entry[1].text] : null)),
        [['m1', 'one'], null, ['m3', 'three']],
      );
      assert.equal(await ok('POST', '/kv/delete-many', { bucket: 'batch' }, JSON.stringify(['m1', 'm3', 'missing'])), null);
      await folderBecomes(join(kvRoot, 'batch'), ['m2']);
      assert.deepEqual(await ok('POST', '/kv/get-many', { bucket: 'batch' }, JSON.stringify(['m1', 'm2'])), [null, ['m2', { text: 'two', hex: hex('two'), length: 3 }]]);
    });

    describe('list-keys over more than one page', () => {
      const COUNT = 1100;
      before(async () => {
        assert.equal(await ok('POST', '/kv/fill', { bucket: 'many', count: COUNT, prefix: 'k' }), COUNT);
      });

      it('wrote one file per key', async () => {
        await folderBecomes(join(kvRoot, 'many'), Array.from({ length: COUNT }, (_, i) => `k${String(i).padStart(5, '0')}`));
        await fileBecomes(join(kvRoot, 'many', 'k01099'), 'v1099');
      });

      it('pages by 1000 keys with a u64 cursor, and following it lists every key once', async () => {
        const first = await ok<{ keys: string[]; cursor: number | null }>('GET', '/kv/list-keys', { bucket: 'many' });
        assert.equal(first.keys.length, 1000);
        assert.equal(typeof first.cursor, 'number');
        const second = await ok<{ keys: string[]; cursor: number | null }>('GET', '/kv/list-keys', { bucket: 'many', cursor: first.cursor! });
        assert.equal(second.keys.length, COUNT - 1000);
        assert.equal(second.cursor, null);
        const all = [...first.keys, ...second.keys];
        assert.equal(new Set(all).size, COUNT);
        assert.deepEqual([...all].sort(), (await readdir(join(kvRoot, 'many'))).sort());

        const followed = await ok<{ keys: string[]; pages: { count: number; cursor: number | null }[] }>('GET', '/kv/list-all', { bucket: 'many' });
        assert.deepEqual(followed.pages.map((p) => p.count), [1000, COUNT - 1000]);
        assert.deepEqual(followed.keys, all);
      });

      it('lists every key after a cursor that is not a multiple of the page size', async () => {
        // The draft's cursor is a count of keys already seen (wash: skip + 1000). A client may
        // start anywhere; from 50 the rest is 1050 keys, over two pages.
        const followed = await ok<{ keys: string[]; pages: { count: number; cursor: number | null }[] }>('GET', '/kv/list-all', { bucket: 'many', cursor: 50 });
        assert.equal(followed.keys.length, COUNT - 50, `pages: ${JSON.stringify(followed.pages)}`);
        assert.equal(new Set(followed.keys).size, COUNT - 50);
      });
    });

    it('reads a bucket folder wash wrote', async () => {
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'washbucket', key: 'plain' })).text, 'written by wash');
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'washbucket', key: 'user:1' })).text, 'a raw name with a colon');
      assert.equal(await ok('GET', '/kv/exists', { bucket: 'washbucket', key: 'user:1' }), true);
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: '', key: 'root-key-by-wash' })).text, 'in the root folder');
      const { keys } = await ok<{ keys: string[] }>('GET', '/kv/list-keys', { bucket: 'washbucket' });
      for (const key of ['plain', 'user:1', 'visits']) assert.ok(keys.includes(key), `${key} missing from ${JSON.stringify(keys)}`);
      const many = await ok<([string, Shown] | null)[]>('POST', '/kv/get-many', { bucket: 'washbucket' }, JSON.stringify(['plain', 'user:1']));
      assert.deepEqual(many.map((e) => e?.[1].text), ['written by wash', 'a raw name with a colon']);
    });
  });

  describe('wasi:blobstore', () => {
    const NOW_S = () => Math.floor(Date.now() / 1000);

    it('streams an upload into an object as it arrives, and reads it back in pieces', async () => {
      await ok('POST', '/blob/create-container', { container: 'streamed' });
      const data = bytes(3 * 1024 * 1024 + 17, 5);
      assert.deepEqual(await ok('PUT', '/blob/upload', { container: 'streamed', name: 'big/upload.bin' }, data), { length: data.length });
      assert.equal(hex(await readFile(join(blobRoot, 'streamed', 'big', 'upload.bin'))), hex(data));
      const read = await ok<{ length: number; reads: number }>('GET', '/blob/stream-length', { container: 'streamed', name: 'big/upload.bin' });
      assert.equal(read.length, data.length);
      assert.ok(read.reads >= 48, `read in ${read.reads} pieces of at most 64 KiB`);
    });

    it('creates a container (a folder), and tells its name and info', async () => {
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'c1' }), false);
      const created = await ok<{ name: string; info: { name: string; createdAt: number } }>('POST', '/blob/create-container', { container: 'c1' });
      assert.equal(created.name, 'c1');
      assert.equal(created.info.name, 'c1');
      assert.ok(Math.abs(created.info.createdAt - NOW_S()) < 120, `created-at ${created.info.createdAt} is not seconds since the epoch`);
      assert.ok((await stat(join(blobRoot, 'c1'))).isDirectory());
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'c1' }), true);
      const got = await ok<{ name: string; info: { name: string } }>('GET', '/blob/get-container', { container: 'c1' });
      assert.equal(got.name, 'c1');
      assert.equal(got.info.name, 'c1');
    });

    it('answers an error string for a missing or invalid container', async () => {
      const missing = await err('GET', '/blob/get-container', { container: 'nope' });
      assert.equal(missing.at, 'get-container');
      assert.equal(typeof missing.err, 'string');
      assert.match(missing.err as string, /nope/);
      const invalid = await err('POST', '/blob/create-container', { container: '../outside' });
      assert.equal(typeof invalid.err, 'string');
      assert.ok(!existsSync(join(blobRoot, '..', 'outside')));
      assert.equal(typeof (await err('DELETE', '/blob/delete-container', { container: 'nope' })).err, 'string');
    });

    it('refuses a container folder that links out of the store', async () => {
      const { err: error } = await err('GET', '/blob/get-container', { container: 'linked-out' });
      assert.match(error as string, /leads out of the store/);
      assert.equal(typeof (await err('POST', '/blob/create-container', { container: 'linked-out' })).err, 'string');
      assert.equal(typeof (await err('POST', '/blob/copy', { 'from-container': 'linked-out', from: 'secret', 'to-container': 'c1', to: 'stolen' })).err, 'string');
      assert.ok(!existsSync(join(blobRoot, 'c1', 'stolen')));
    });

    it('writes an object whose stream was written and dropped before write-data', async () => {
      const written = await ok<{ visibleBeforeDrop: boolean; visibleAfter: boolean }>('PUT', '/blob/write', { container: 'c1', name: 'a/b/c.txt', order: 'stream-first' }, 'hello nested world');
      assert.deepEqual(written, { visibleBeforeDrop: false, visibleAfter: true });
      assert.equal(await readFile(join(blobRoot, 'c1', 'a', 'b', 'c.txt'), 'utf8'), 'hello nested world');
    });

    it('writes an object whose write-data came before the stream was written and dropped', async () => {
      const value = bytes(100_000, 3);
      const written = await ok<{ visibleBeforeDrop: boolean; visibleAfter: boolean }>('PUT', '/blob/write', { container: 'c1', name: 'data-first.bin', order: 'data-first' }, value);
      assert.deepEqual(written, { visibleBeforeDrop: false, visibleAfter: true }, 'the object must appear whole, when the stream is dropped');
      assert.deepEqual(new Uint8Array(await readFile(join(blobRoot, 'c1', 'data-first.bin'))), value);
    });

    it('writes an object whose write-data came before its body stream was even asked for', async () => {
      // wash only records the target at write-data and writes the object when the
      // outgoing-value is finished or dropped, so this order works there.
      const answer = await send<{ visibleBeforeDrop: boolean; visibleAfter: boolean }>('PUT', '/blob/write', { container: 'c1', name: 'late-body.txt', order: 'data-before-body' }, 'body after write-data');
      assert.deepEqual(answer, { ok: { visibleBeforeDrop: false, visibleAfter: true } });
      assert.equal(await readFile(join(blobRoot, 'c1', 'late-body.txt'), 'utf8'), 'body after write-data');
    });

    it('saves an object named by write-data whose stream was never dropped when the request ends, and says how to write it whole', async () => {
      const answer = await ok<{ visibleBeforeDrop: boolean }>('PUT', '/blob/write', { container: 'c1', name: 'never-dropped.txt', order: 'never-dropped' }, 'written, never dropped');
      assert.deepEqual(answer, { visibleBeforeDrop: false, visibleAfter: false });
      await fileBecomes(join(blobRoot, 'c1', 'never-dropped.txt'), 'written, never dropped');
      await studio.waitFor(/WARN .*"never-dropped\.txt" in "c1" was written with write-data, but its body stream was still open/);
      assert.ok(!(await filesBelow(join(blobRoot))).some((f) => f.split('/').pop()!.startsWith('.cs-tmp')), 'a temp file was left behind');
    });

    it('replaces an object, with no temp files left behind', async () => {
      await ok('PUT', '/blob/write', { container: 'c1', name: 'replace.txt' }, 'first version');
      await ok('PUT', '/blob/write', { container: 'c1', name: 'replace.txt', order: 'data-first' }, 'second');
      assert.equal(await readFile(join(blobRoot, 'c1', 'replace.txt'), 'utf8'), 'second');
      assert.ok(!(await filesBelow(join(blobRoot, 'c1'))).some((f) => f.split('/').pop()!.startsWith('.')), 'a temp file was left in the container');
    });

    it('reads inclusive byte ranges, with u64 max as end meaning the rest', async () => {
      const q = { container: 'c1', name: 'a/b/c.txt' };
      const text = 'hello nested world';
      const read = (range: Query) => ok<{ size: number; reads: number; value: Shown }>('GET', '/blob/get-data', { ...q, ...range });
      assert.deepEqual(await read({}), { size: text.length, reads: 1, value: { text, hex: hex(text), length: text.length } });
      assert.equal((await read({ start: 0, end: U64_MAX })).value.text, text);
      assert.equal((await read({ start: 6, end: 11 })).value.text, 'nested');
      assert.equal((await read({ start: 6, end: 11 })).size, 6);
      assert.equal((await read({ start: 0, end: 0 })).value.text, 'h');
      assert.equal((await read({ start: 13, end: U64_MAX })).value.text, 'world');
      assert.equal((await read({ start: 13, end: 1000 })).value.text, 'world', 'an end past the object is clamped');
      assert.deepEqual(await read({ start: 100, end: 200 }), { size: 0, reads: 1, value: { text: '', hex: '', length: 0 } });
    });

    it('streams an object through incoming-value-consume-async until the stream closes', async () => {
      const value = bytes(100_000, 3);
      const streamed = await ok<{ size: number; reads: number; value: Shown }>('GET', '/blob/get-data', { container: 'c1', name: 'data-first.bin', mode: 'async', chunk: 8192 });
      assert.equal(streamed.size, value.length);
      assert.equal(streamed.value.hex, hex(value));
      assert.ok(streamed.reads >= Math.ceil(value.length / 8192), `${streamed.reads} reads of at most 8192 bytes`);
      const ranged = await ok<{ size: number; value: Shown }>('GET', '/blob/get-data', { container: 'c1', name: 'a/b/c.txt', start: 6, end: 11, mode: 'async', chunk: 4 });
      assert.equal(ranged.size, 6);
      assert.equal(ranged.value.text, 'nested');
    });

    it('answers an error string for get-data of a missing object', async () => {
      const { err: error, at } = await err('GET', '/blob/get-data', { container: 'c1', name: 'no/such.txt' });
      assert.equal(at, 'get-data');
      assert.equal(typeof error, 'string');
      assert.match(error as string, /no\/such\.txt/);
    });

    it('tells whether an object exists and its metadata', async () => {
      assert.equal(await ok('GET', '/blob/has-object', { container: 'c1', name: 'a/b/c.txt' }), true);
      assert.equal(await ok('GET', '/blob/has-object', { container: 'c1', name: 'a/b' }), false, 'a folder is not an object');
      assert.equal(await ok('GET', '/blob/has-object', { container: 'c1', name: 'a/b/missing.txt' }), false);
      const info = await ok<{ name: string; container: string; createdAt: number; size: number }>('GET', '/blob/object-info', { container: 'c1', name: 'a/b/c.txt' });
      assert.equal(info.name, 'a/b/c.txt');
      assert.equal(info.container, 'c1');
      assert.equal(info.size, 'hello nested world'.length);
      assert.ok(Math.abs(info.createdAt - NOW_S()) < 120, `created-at ${info.createdAt} is not seconds since the epoch`);
      assert.equal(typeof (await err('GET', '/blob/object-info', { container: 'c1', name: 'missing' })).err, 'string');
    });

    describe('listing object names', () => {
      const names = ['x/1.txt', 'x/2.txt', 'x/deeper/3.txt', 'y.txt', 'z.txt'];
      before(async () => {
        await ok('POST', '/blob/create-container', { container: 'listing' });
        for (const name of names) await ok('PUT', '/blob/write', { container: 'listing', name }, name);
      });

      it('lists every object, nested names included, in batches', async () => {
        const listed = await ok<{ reads: [string[], boolean][]; names: string[] }>('GET', '/blob/list-objects', { container: 'listing', batch: 2 });
        assert.deepEqual([...listed.names].sort(), names);
        assert.deepEqual([...listed.names].sort(), await filesBelow(join(blobRoot, 'listing')));
        assert.ok(listed.reads.every(([page]) => page.length <= 2), JSON.stringify(listed.reads));
        assert.equal(listed.reads.at(-1)![1], true, 'the last read says the stream ended');
        assert.ok(listed.reads.slice(0, -1).every(([, ended]) => !ended), 'only the last read says the stream ended');
      });

      it('skips names, and says when skipping reached the end', async () => {
        const skipped = await ok<{ skipped: [number, boolean]; names: string[] }>('GET', '/blob/list-objects', { container: 'listing', skip: 2, batch: 10 });
        assert.deepEqual(skipped.skipped, [2, false]);
        assert.equal(skipped.names.length, names.length - 2);
        for (const name of skipped.names) assert.ok(names.includes(name), name);
        const past = await ok<{ skipped: [number, boolean]; names: string[] }>('GET', '/blob/list-objects', { container: 'listing', skip: 50 });
        assert.deepEqual(past.skipped, [names.length, true]);
        assert.deepEqual(past.names, []);
      });
    });

    it('copies and moves objects between containers, creating nested folders', async () => {
      await ok('POST', '/blob/create-container', { container: 'c2' });
      assert.equal(await ok('POST', '/blob/copy', { 'from-container': 'c1', from: 'a/b/c.txt', 'to-container': 'c2', to: 'copied/deep/c.txt' }), null);
      assert.equal(await readFile(join(blobRoot, 'c2', 'copied', 'deep', 'c.txt'), 'utf8'), 'hello nested world');
      assert.equal(await readFile(join(blobRoot, 'c1', 'a', 'b', 'c.txt'), 'utf8'), 'hello nested world', 'the copy left the source');

      await ok('PUT', '/blob/write', { container: 'c1', name: 'to-move/m.txt' }, 'moving');
      assert.equal(await ok('POST', '/blob/move', { 'from-container': 'c1', from: 'to-move/m.txt', 'to-container': 'c2', to: 'moved/m.txt' }), null);
      assert.equal(await readFile(join(blobRoot, 'c2', 'moved', 'm.txt'), 'utf8'), 'moving');
      assert.ok(!existsSync(join(blobRoot, 'c1', 'to-move', 'm.txt')));
      assert.equal(await ok('GET', '/blob/has-object', { container: 'c1', name: 'to-move/m.txt' }), false);
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'c2', name: 'moved/m.txt' })).value.text, 'moving');

      // Within one container, too.
      await ok('POST', '/blob/copy', { 'from-container': 'c2', from: 'moved/m.txt', 'to-container': 'c2', to: 'moved/copy.txt' });
      assert.equal(await readFile(join(blobRoot, 'c2', 'moved', 'copy.txt'), 'utf8'), 'moving');

      assert.equal(typeof (await err('POST', '/blob/copy', { 'from-container': 'c1', from: 'missing', 'to-container': 'c2', to: 'x' })).err, 'string');
      assert.equal(typeof (await err('POST', '/blob/copy', { 'from-container': 'c1', from: 'a/b/c.txt', 'to-container': 'nope', to: 'x' })).err, 'string');
    });

    it('deletes one object, then several, removing folders left empty', async () => {
      await ok('PUT', '/blob/write', { container: 'c2', name: 'solo/only.txt' }, 'x');
      assert.equal(await ok('DELETE', '/blob/delete-object', { container: 'c2', name: 'solo/only.txt' }), null);
      assert.ok(!existsSync(join(blobRoot, 'c2', 'solo', 'only.txt')));
      assert.ok(!existsSync(join(blobRoot, 'c2', 'solo')), 'the folder left empty was kept');
      assert.equal(await ok('GET', '/blob/has-object', { container: 'c2', name: 'solo/only.txt' }), false);

      assert.equal(await ok('POST', '/blob/delete-objects', { container: 'c2' }, JSON.stringify(['moved/m.txt', 'moved/copy.txt'])), null);
      assert.ok(!existsSync(join(blobRoot, 'c2', 'moved')));
      assert.deepEqual(await filesBelow(join(blobRoot, 'c2')), ['copied/deep/c.txt']);
    });

    it('clears a container, which stays', async () => {
      await ok('POST', '/blob/create-container', { container: 'to-clear' });
      for (const name of ['one.txt', 'sub/two.txt']) await ok('PUT', '/blob/write', { container: 'to-clear', name }, name);
      assert.equal(await ok('POST', '/blob/clear', { container: 'to-clear' }), null);
      assert.deepEqual(await readdir(join(blobRoot, 'to-clear')), []);
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'to-clear' }), true);
      assert.deepEqual((await ok<{ names: string[] }>('GET', '/blob/list-objects', { container: 'to-clear' })).names, []);
    });

    it('deletes a container with everything in it', async () => {
      await ok('POST', '/blob/create-container', { container: 'doomed' });
      await ok('PUT', '/blob/write', { container: 'doomed', name: 'deep/down/file.txt' }, 'bye');
      assert.equal(await ok('DELETE', '/blob/delete-container', { container: 'doomed' }), null);
      assert.ok(!existsSync(join(blobRoot, 'doomed')));
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'doomed' }), false);
      assert.equal(typeof (await err('GET', '/blob/get-container', { container: 'doomed' })).err, 'string');
    });

    it('reads a container folder wash wrote', async () => {
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'washcontainer' }), true);
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'washcontainer', name: 'docs/2024/report.txt' })).value.text, 'nested by wash');
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'washcontainer', name: 'top.bin', mode: 'async' })).value.hex, hex(bytes(256)));
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'washcontainer', name: 'top.bin', start: 16, end: 17 })).value.hex, hex(bytes(256).subarray(16, 18)));
      const listed = await ok<{ names: string[] }>('GET', '/blob/list-objects', { container: 'washcontainer' });
      assert.deepEqual([...listed.names].sort(), ['docs/2024/report.txt', 'top.bin']);
      const info = await ok<{ size: number }>('GET', '/blob/object-info', { container: 'washcontainer', name: 'top.bin' });
      assert.equal(info.size, 256);
    });
  });

  describe('after the studio is stopped (SIGINT) and started again on the same project', () => {
    before(async () => {
      assert.equal(await studio.stop(), 0, `the studio did not exit cleanly:\n${studio.output()}`);
      studio = await startStudio(project);
    });

    it('still has the values', async () => {
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'b1', key: 'binary' })).hex, hex(bytes(70_000, 7)));
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: '', key: 'root-key' })).text, 'at the root');
      assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'odd', key: 'user/42:name' })).text, 'v');
      assert.deepEqual(await ok('POST', '/kv/get-many', { bucket: 'batch' }, JSON.stringify(['m1', 'm2'])), [null, ['m2', { text: 'two', hex: hex('two'), length: 3 }]]);
      const all = await ok<{ keys: string[] }>('GET', '/kv/list-all', { bucket: 'many' });
      assert.equal(all.keys.length, 1100);
    });

    it('still has the counters, and keeps counting', async () => {
      assert.equal(await ok('POST', '/kv/increment', { bucket: 'counters', key: 'hits', delta: 0 }), 17);
      assert.equal(await ok('POST', '/kv/increment', { bucket: 'counters', key: 'hits', delta: 3 }), 20);
      assert.equal(await ok('POST', '/kv/increment', { bucket: 'counters', key: 'parallel', delta: 0 }), 20);
    });

    it('still has the objects', async () => {
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'c1', name: 'a/b/c.txt' })).value.text, 'hello nested world');
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'c1', name: 'data-first.bin', mode: 'async' })).value.hex, hex(bytes(100_000, 3)));
      assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'c2', name: 'copied/deep/c.txt' })).value.text, 'hello nested world');
      assert.deepEqual([...(await ok<{ names: string[] }>('GET', '/blob/list-objects', { container: 'listing' })).names].sort(), ['x/1.txt', 'x/2.txt', 'x/deeper/3.txt', 'y.txt', 'z.txt']);
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'to-clear' }), true);
      assert.equal(await ok('GET', '/blob/container-exists', { container: 'doomed' }), false);
    });
  });
});

describe('dev.wasi_keyvalue_path and dev.wasi_blobstore_path', () => {
  let tempDir: string;
  let project: string;
  let studio: StudioProcess;
  const { ok } = probe(() => studio);

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-store-paths-'));
    // One folder inside the project, one next to it: both relative to the project root.
    project = await makeProject(tempDir, 'dev:\n  wasi_keyvalue_path: data/kv\n  wasi_blobstore_path: ../shared-blobs\n');
    await plainWrite(join(project, 'data', 'kv', 'pre', 'made'), 'before the studio started');
    await plainWrite(join(tempDir, 'shared-blobs', 'pre', 'nested', 'made.txt'), 'before the studio started');
    studio = await startStudio(project);
  });

  after(async () => {
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('prints where the data is, from the config', () => {
    assert.match(studio.output(), new RegExp(`keyvalue\\s+${escapeRegExp(join(project, 'data', 'kv'))} \\(from config\\)`));
    assert.match(studio.output(), new RegExp(`blobstore\\s+${escapeRegExp(join(tempDir, 'shared-blobs'))} \\(from config\\)`));
  });

  it('reads what was there before it started', async () => {
    assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'pre', key: 'made' })).text, 'before the studio started');
    assert.equal((await ok<{ value: Shown }>('GET', '/blob/get-data', { container: 'pre', name: 'nested/made.txt' })).value.text, 'before the studio started');
  });

  it('puts keys, counters and objects in the configured folders, not in .wash/data', async () => {
    await ok('PUT', '/kv/set', { bucket: 'cfg', key: 'k' }, 'configured');
    await ok('POST', '/kv/increment', { bucket: 'cfg', key: 'n', delta: 2 });
    await ok('POST', '/blob/create-container', { container: 'cfg' });
    await ok('PUT', '/blob/write', { container: 'cfg', name: 'a/b.txt' }, 'configured object');
    assert.equal(await readFile(join(project, 'data', 'kv', 'cfg', 'k'), 'utf8'), 'configured');
    assert.ok(existsSync(join(project, 'data', 'kv', 'cfg', 'n')));
    assert.equal(await readFile(join(tempDir, 'shared-blobs', 'cfg', 'a', 'b.txt'), 'utf8'), 'configured object');
    assert.ok(!existsSync(join(project, '.wash', 'data', 'keyvalue', 'cfg')));
    assert.ok(!existsSync(join(project, '.wash', 'data', 'blobstore', 'cfg')));
  });

  it('does not rebuild or reload when a component writes to a store folder inside the project', async () => {
    const lastBuild = studio.lastBuild();
    for (let i = 0; i < 3; i++) await ok('PUT', '/kv/set', { bucket: 'cfg', key: `again-${i}` }, String(i));
    await ok('PUT', '/kv/set', { bucket: `new-bucket-${Date.now()}`, key: 'k' }, 'a new folder');
    await ok('POST', '/kv/increment', { bucket: 'cfg', key: 'n' });
    await letWatcherSettle();
    // Control: a plain file saved in the project is a change (unchanged sources come from the
    // cache), so the watcher is alive and its build is the next one. Had the store writes
    // started a build, that one was done or cancelled by now, and the control's build would
    // be lastBuild + 2.
    const saved = studio.output().length;
    await writeFile(join(project, 'notes.txt'), 'a change the watcher must see\n');
    assert.equal(await reloadAfter(studio, saved), lastBuild + 1, `the studio rebuilt because of store writes:\n${studio.output()}`);
  });
});

describe('key-value data across a clean stop and a crash', () => {
  let tempDir: string;
  let project: string;
  let kvRoot: string;
  let studio: StudioProcess;
  const { ok } = probe(() => studio);

  /** Kills the studio as a crash would: no shutdown work at all. */
  async function crash(): Promise<void> {
    const exited = new Promise((resolve) => studio.child.once('exit', resolve));
    studio.child.kill('SIGKILL');
    await exited;
  }

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-store-restarts-'));
    project = await makeProject(tempDir, 'version: 1\n');
    kvRoot = join(project, '.wash', 'data', 'keyvalue');
    studio = await startStudio(project);
  });

  after(async () => {
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('keeps a value another program changed while the studio was stopped', async () => {
    await ok('PUT', '/kv/set', { bucket: 'j', key: 'edited' }, 'set by the component');
    assert.equal(await studio.stop(), 0, `the studio did not exit cleanly:\n${studio.output()}`);
    // While the studio is stopped, wash (or an editor) changes the value.
    await writeFile(join(kvRoot, 'j', 'edited'), 'changed while the studio was stopped');
    studio = await startStudio(project);
    assert.equal(await readFile(join(kvRoot, 'j', 'edited'), 'utf8'), 'changed while the studio was stopped', 'the studio wrote an old value back at start');
    assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'j', key: 'edited' })).text, 'changed while the studio was stopped');
  });

  it('recovers an acknowledged write whose value file a crash lost', async () => {
    await ok('PUT', '/kv/set', { bucket: 'j', key: 'acked' }, 'acknowledged');
    await crash();
    // What a power cut can leave: the value file's rename never reached the disk.
    await writeFile(join(kvRoot, 'j', 'acked'), 'lost in the crash');
    studio = await startStudio(project);
    assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'j', key: 'acked' })).text, 'acknowledged');
  });

  it('recovers writes made after a component set an empty value', async () => {
    // A component's empty list<u8> arrives as a Uint8Array over a zero-length ArrayBuffer.
    await ok('PUT', '/kv/set', { bucket: 'j', key: 'empty' }, '');
    await ok('PUT', '/kv/set', { bucket: 'j', key: 'after-empty' }, 'acknowledged');
    await crash();
    await writeFile(join(kvRoot, 'j', 'after-empty'), 'lost in the crash');
    studio = await startStudio(project);
    assert.equal((await ok<Shown>('GET', '/kv/get', { bucket: 'j', key: 'after-empty' })).text, 'acknowledged');
    assert.equal((await stat(join(kvRoot, 'j', 'empty'))).size, 0);
  });
});
