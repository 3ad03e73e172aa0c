// The file-backed blob store: wash's layout (`<root>/<container>/<object/name>`, nested
// folders), ranges, paging, streamed writes, copy and move, and refusing what would escape.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { fails } from '../helpers/store-assertions.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-blob-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;

function fresh(): { root: string; store: BlobStore } {
  const root = join(scratch, `blob-${counter++}`);
  const store = new BlobStore(root, { locks: new StoreLocks() });
  store.createContainer('c');
  return { root, store };
}

const text = (value: Uint8Array) => Buffer.from(value).toString();
const bytes = (value: string) => Buffer.from(value);

/** Every name of one folder level under `prefix` in container 'c', page by page, in order. */
function levelByPages(store: BlobStore, prefix: string, limit: number): string[] {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = store.list('c', { delimiter: '/', prefix, limit, ...(cursor === undefined ? {} : { cursor }) });
    // A page gives folders and objects apart; together they are one stretch of the order.
    names.push(...[...page.prefixes, ...page.objects.map((o) => o.name)].sort());
    cursor = page.cursor;
  } while (cursor !== undefined);
  return names;
}

/** Every file and folder below `dir`, as relative paths. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('BlobStore: objects', () => {
  it('puts, reads, describes and deletes an object', () => {
    const { store } = fresh();
    const info = store.put('c', 'hello.txt', bytes('hello world'));
    assert.equal(info.name, 'hello.txt');
    assert.equal(info.size, 11);
    assert.equal(info.contentType, 'text/plain');
    assert.ok(Math.abs(info.modified - Date.now()) < 60_000);
    assert.equal(text(store.get('c', 'hello.txt')), 'hello world');
    assert.equal(store.has('c', 'hello.txt'), true);
    assert.deepEqual(store.info('c', 'hello.txt'), info);
    store.delete('c', ['hello.txt']);
    assert.equal(store.has('c', 'hello.txt'), false);
    fails(() => store.get('c', 'hello.txt'), 'no-such-key', /"hello.txt" does not exist in container "c"/);
    fails(() => store.info('c', 'hello.txt'), 'no-such-key');
    store.delete('c', 'hello.txt');
  });

  it('starts anew when its folder is deleted while open, and claims it again', () => {
    const { root, store } = fresh();
    store.put('c', 'before', bytes('1'));
    rmSync(root, { recursive: true, force: true });
    store.createContainer('c');
    store.put('c', 'after', bytes('2'));
    assert.equal(text(store.get('c', 'after')), '2');
    assert.ok(existsSync(join(root, '.cs-owner')), 'the folder is claimed again');
    fails(() => store.get('c', 'before'), 'no-such-key');
  });

  it('reads inclusive byte ranges, clamped to the object as wash does', () => {
    const { store } = fresh();
    store.put('c', 'digits', bytes('0123456789'));
    assert.equal(text(store.get('c', 'digits', { start: 2, end: 4 })), '234');
    assert.equal(text(store.get('c', 'digits', { start: 7 })), '789');
    assert.equal(text(store.get('c', 'digits', { start: 8, end: 1000 })), '89');
    assert.equal(text(store.get('c', 'digits', { start: 5, end: 5 })), '5');
    assert.equal(store.get('c', 'digits', { start: 10 }).length, 0);
    assert.equal(store.get('c', 'digits', { start: 6, end: 3 }).length, 0);
    fails(() => store.get('c', 'digits', { start: -1 }), 'invalid-value');
    fails(() => store.get('c', 'digits', { start: 1.5 }), 'invalid-value');
  });

  it('makes nested folders for "/" in names and removes the ones a delete leaves empty', () => {
    const { root, store } = fresh();
    store.put('c', 'photos/2024/jan/a.jpg', bytes('a'));
    store.put('c', 'photos/2024/feb/b.jpg', bytes('b'));
    assert.equal(readFileSync(join(root, 'c', 'photos', '2024', 'jan', 'a.jpg'), 'utf8'), 'a');
    store.delete('c', 'photos/2024/jan/a.jpg');
    assert.deepEqual(tree(join(root, 'c')), ['photos', 'photos/2024', 'photos/2024/feb', 'photos/2024/feb/b.jpg']);
    store.delete('c', ['photos/2024/feb/b.jpg']);
    assert.deepEqual(tree(join(root, 'c')), [], 'empty folders go, the container stays');
    assert.equal(store.containerExists('c'), true);
  });

  it('escapes unsafe characters in each part of a name', () => {
    const { root, store } = fresh();
    store.put('c', 'a:b/CON/.hidden?', bytes('x'));
    assert.deepEqual(tree(join(root, 'c')), ['a%3Ab', 'a%3Ab/%43ON', 'a%3Ab/%43ON/%2Ehidden%3F']);
    assert.deepEqual(store.list('c').objects.map((o) => o.name), ['a:b/CON/.hidden?']);
    assert.equal(text(store.get('c', 'a:b/CON/.hidden?')), 'x');
  });

  it('guesses the content type from the extension', () => {
    const { store } = fresh();
    const types = Object.fromEntries(['a.json', 'b.PNG', 'c.html', 'd', 'e.tar.gz', 'f.wasm', '.g'].map((name) => [name, store.put('c', name, bytes('x')).contentType]));
    assert.deepEqual(types, {
      'a.json': 'application/json',
      'b.PNG': 'image/png',
      'c.html': 'text/html',
      d: 'application/octet-stream',
      'e.tar.gz': 'application/gzip',
      'f.wasm': 'application/wasm',
      '.g': 'application/octet-stream',
    });
  });
});

describe('BlobStore: streamed writes', () => {
  it('shows nothing until commit, then the whole object at once', () => {
    const { root, store } = fresh();
    const writer = store.openWrite('c', 'big/file.bin');
    writer.write(bytes('part one, '));
    writer.write(bytes('part two'));
    assert.equal(writer.size, 18);
    assert.equal(store.has('c', 'big/file.bin'), false);
    assert.deepEqual(store.list('c').objects, []);
    assert.ok(readdirSync(root).some((name) => name.startsWith('.cs-tmp-')), 'the bytes wait in a hidden temp file in the store folder');
    assert.deepEqual(tree(join(root, 'c')), [], 'no folder of the object is made before commit');
    const info = writer.commit();
    assert.equal(info.size, 18);
    assert.equal(text(store.get('c', 'big/file.bin')), 'part one, part two');
    assert.deepEqual(tree(join(root, 'c')), ['big', 'big/file.bin']);
  });

  it('leaves nothing behind on abort, not even the folders it made', () => {
    const { root, store } = fresh();
    const writer = store.openWrite('c', 'new/folder/x');
    writer.write(bytes('data'));
    writer.abort();
    assert.deepEqual(tree(join(root, 'c')), []);
    assert.throws(() => writer.commit());
  });

  it('replaces an existing object atomically', () => {
    const { store } = fresh();
    store.put('c', 'k', bytes('old'));
    const writer = store.openWrite('c', 'k');
    writer.write(bytes('new'));
    assert.equal(text(store.get('c', 'k')), 'old');
    writer.commit();
    assert.equal(text(store.get('c', 'k')), 'new');
  });
});

describe('BlobStore: staged uploads and streamed reads', () => {
  it('stages bytes before the object is named, then shows the whole object at once', () => {
    const { root, store } = fresh();
    const upload = store.openUpload();
    upload.write(bytes('hello, '));
    upload.write(bytes('world'));
    assert.equal(upload.size, 12);
    assert.deepEqual(store.list('c').objects, []);
    const info = upload.commit('c', 'greetings/hello.txt');
    assert.equal(info.size, 12);
    assert.equal(readFileSync(join(root, 'c', 'greetings', 'hello.txt'), 'utf8'), 'hello, world');
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith('.cs-tmp-')), [], 'the staged file was moved, not copied');
  });

  it('leaves nothing behind when a staged upload is abandoned', () => {
    const { root, store } = fresh();
    const upload = store.openUpload();
    upload.write(bytes('never named'));
    upload.abort();
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith('.cs-')), ['.cs-owner']);
  });

  it('refuses to commit a staged upload under a bad name, and drops its bytes', () => {
    const { root, store } = fresh();
    const upload = store.openUpload();
    upload.write(bytes('x'));
    fails(() => upload.commit('c', '../escape'), 'invalid-name');
    assert.deepEqual(readdirSync(root).filter((name) => name.startsWith('.cs-tmp-')), []);
  });

  it('reads an object in pieces, ranges clamped, as it was when opened', () => {
    const { store } = fresh();
    store.put('c', 'o', bytes('0123456789'));
    const reader = store.openRead('c', 'o', { start: 2, end: 100 });
    assert.equal(reader.size, 8);
    store.put('c', 'o', bytes('replaced'));
    const pieces: string[] = [];
    for (let piece = reader.read(3); piece; piece = reader.read(3)) pieces.push(text(piece));
    reader.close();
    assert.deepEqual(pieces, ['234', '567', '89']);
    fails(() => store.openRead('c', 'missing'), 'no-such-key');
  });
});

describe('BlobStore: listing', () => {
  function filled(): BlobStore {
    const { store } = fresh();
    for (let i = 0; i < 25; i++) store.put('c', `flat/item-${String(i).padStart(2, '0')}.txt`, bytes(String(i)));
    store.put('c', 'photos/2023/x.jpg', bytes('x'));
    store.put('c', 'photos/2024/a.jpg', bytes('a'));
    store.put('c', 'photos/2024/b.jpg', bytes('b'));
    store.put('c', 'photos/cover.png', bytes('c'));
    store.put('c', 'readme.md', bytes('r'));
    return store;
  }

  it('lists every object, sorted by full name, with size and type', () => {
    const store = filled();
    const page = store.list('c', { prefix: 'photos/' });
    assert.deepEqual(page.objects.map((o) => o.name), ['photos/2023/x.jpg', 'photos/2024/a.jpg', 'photos/2024/b.jpg', 'photos/cover.png']);
    assert.deepEqual(page.prefixes, []);
    assert.equal(page.objects[3]!.contentType, 'image/png');
    assert.equal(page.objects[3]!.size, 1);
  });

  it('pages with a cursor, each object exactly once', () => {
    const store = filled();
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.list('c', { prefix: 'flat/', limit: 10, ...(cursor === undefined ? {} : { cursor }) });
      names.push(...page.objects.map((o) => o.name));
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.equal(names.length, 25);
    assert.deepEqual(names, [...names].sort());
  });

  it('lists one folder level with the "/" delimiter', () => {
    const store = filled();
    const top = store.list('c', { delimiter: '/' });
    assert.deepEqual(top.prefixes, ['flat/', 'photos/']);
    assert.deepEqual(top.objects.map((o) => o.name), ['readme.md']);
    const photos = store.list('c', { delimiter: '/', prefix: 'photos/' });
    assert.deepEqual(photos.prefixes, ['photos/2023/', 'photos/2024/']);
    assert.deepEqual(photos.objects.map((o) => o.name), ['photos/cover.png']);
    const partial = store.list('c', { delimiter: '/', prefix: 'photos/202' });
    assert.deepEqual(partial.prefixes, ['photos/2023/', 'photos/2024/']);
    assert.deepEqual(partial.objects, []);
    const paged = store.list('c', { delimiter: '/', prefix: 'photos/', limit: 2 });
    assert.deepEqual(paged.prefixes, ['photos/2023/', 'photos/2024/']);
    assert.equal(paged.cursor, 'photos/2024/');
    const next = store.list('c', { delimiter: '/', prefix: 'photos/', limit: 2, cursor: paged.cursor! });
    assert.deepEqual(next.objects.map((o) => o.name), ['photos/cover.png']);
    assert.equal(next.cursor, undefined);
    assert.deepEqual(store.list('c', { delimiter: '/', prefix: 'nothing//here/' }), { objects: [], prefixes: [] });
  });

  it('pages through a big folder level in order, the same whether its listing is cached or fresh', () => {
    const { store, root } = fresh();
    for (let i = 0; i < 250; i++) store.put('c', `big/object-${String(i).padStart(3, '0')}.txt`, bytes(String(i)));
    store.put('c', 'big/object-100/inside.txt', bytes('a folder sorts as its name with a slash'));
    store.put('c', 'big/a b.txt', bytes('encoded on disk'));
    const pages = () => levelByPages(store, 'big/object-1', 40);
    const fresh1 = pages();
    // A folder untouched for a while is listed from the cache.
    const past = new Date(Date.now() - 60_000);
    utimesSync(join(root, 'c', 'big'), past, past);
    assert.deepEqual(pages(), fresh1);
    assert.equal(fresh1.length, 101);
    assert.deepEqual(fresh1.slice(0, 2), ['big/object-100.txt', 'big/object-100/']);
    // A page that ends on the folder: the next one starts right after it.
    const end = store.list('c', { delimiter: '/', prefix: 'big/object-10', limit: 2 });
    assert.deepEqual([end.objects.map((o) => o.name), end.prefixes, end.cursor], [['big/object-100.txt'], ['big/object-100/'], 'big/object-100/']);
    assert.deepEqual(store.list('c', { delimiter: '/', prefix: 'big/object-10', limit: 1, cursor: end.cursor! }).objects.map((o) => o.name), ['big/object-101.txt']);
    assert.deepEqual(fresh1, [...fresh1].sort());
    assert.deepEqual(store.list('c', { delimiter: '/', prefix: 'big/', limit: 1 }).objects.map((o) => o.name), ['big/a b.txt']);
    assert.deepEqual(store.list('c', { delimiter: '/', prefix: 'big/', cursor: 'zzz' }), { objects: [], prefixes: [] }, 'a cursor past the folder');
    assert.equal(store.list('c', { delimiter: '/', prefix: 'big/', cursor: 'a', limit: 1 }).objects[0]?.name, 'big/a b.txt', 'a cursor before the folder');
  });
});

describe('BlobStore: copy and move', () => {
  it('copies into another container, making folders', () => {
    const { store } = fresh();
    store.createContainer('backup');
    store.put('c', 'a.txt', bytes('A'));
    const info = store.copy({ container: 'c', name: 'a.txt' }, { container: 'backup', name: 'deep/copy.txt' });
    assert.equal(info.size, 1);
    assert.equal(text(store.get('backup', 'deep/copy.txt')), 'A');
    assert.equal(text(store.get('c', 'a.txt')), 'A');
    fails(() => store.copy({ container: 'c', name: 'missing' }, { container: 'c', name: 'x' }), 'no-such-key');
  });

  it('moves an object, replacing the destination and pruning emptied folders', () => {
    const { root, store } = fresh();
    store.put('c', 'in/box/a.txt', bytes('A'));
    store.put('c', 'out/a.txt', bytes('old'));
    store.move({ container: 'c', name: 'in/box/a.txt' }, { container: 'c', name: 'out/a.txt' });
    assert.equal(text(store.get('c', 'out/a.txt')), 'A');
    assert.equal(store.has('c', 'in/box/a.txt'), false);
    assert.deepEqual(tree(join(root, 'c')), ['out', 'out/a.txt']);
  });
});

describe('BlobStore: containers', () => {
  it('creates (idempotently), describes, lists, clears and deletes containers', () => {
    const { root, store } = fresh();
    store.createContainer('b:2');
    const info = store.createContainer('b:2');
    assert.equal(info.name, 'b:2');
    assert.ok(info.createdAt > 0);
    assert.ok(existsSync(join(root, 'b%3A2')));
    assert.deepEqual(store.containers().map((c) => c.name), ['b:2', 'c']);
    store.put('b:2', 'x/y', bytes('1'));
    store.put('b:2', 'z', bytes('2'));
    store.clear('b:2');
    assert.deepEqual(store.list('b:2').objects, []);
    assert.equal(store.containerExists('b:2'), true);
    store.deleteContainer('b:2');
    assert.equal(store.containerExists('b:2'), false);
    assert.deepEqual(store.containers().map((c) => c.name), ['c']);
  });

  it('says which container is missing', () => {
    const { store } = fresh();
    fails(() => store.list('ghost'), 'no-such-store', /"ghost" does not exist/);
    fails(() => store.put('ghost', 'x', bytes('1')), 'no-such-store');
    fails(() => store.deleteContainer('ghost'), 'no-such-store');
    fails(() => store.containerInfo('ghost'), 'no-such-store');
    assert.equal(store.has('ghost', 'x'), false);
  });
});

describe('BlobStore: folders written by wash or by hand', () => {
  it('reads the raw-named object wash wrote after the studio wrote the escaped one', () => {
    const { root, store } = fresh();
    try {
      store.put('c', 'img:1.png', bytes('studio'));
      writeFileSync(join(root, 'c', 'img:1.png'), 'wash');
      const later = new Date(Date.now() + 5000);
      utimesSync(join(root, 'c', 'img:1.png'), later, later);
      assert.equal(text(store.get('c', 'img:1.png')), 'wash');
      assert.equal(store.info('c', 'img:1.png').size, 4);
    } finally {
      store.close();
    }
  });

  it('lists and reads raw names and nested folders; what it writes is plain files at the expected paths', () => {
    const root = join(scratch, `wash-${counter++}`);
    mkdirSync(join(root, 'uploads', 'docs'), { recursive: true });
    writeFileSync(join(root, 'uploads', 'a:b.txt'), 'raw name');
    writeFileSync(join(root, 'uploads', 'docs', 'readme.md'), 'nested');
    const store = new BlobStore(root, { locks: new StoreLocks() });
    assert.deepEqual(store.containers().map((c) => c.name), ['uploads']);
    assert.deepEqual(store.list('uploads').objects.map((o) => o.name), ['a:b.txt', 'docs/readme.md']);
    assert.equal(text(store.get('uploads', 'a:b.txt')), 'raw name');
    assert.equal(text(store.get('uploads', 'docs/readme.md')), 'nested');
    store.put('uploads', 'docs/new.txt', bytes('written by the studio'));
    assert.equal(readFileSync(join(root, 'uploads', 'docs', 'new.txt'), 'utf8'), 'written by the studio');
    store.put('uploads', 'a:b.txt', bytes('rewritten'));
    assert.deepEqual(tree(join(root, 'uploads')), ['a%3Ab.txt', 'docs', 'docs/new.txt', 'docs/readme.md'], 'the raw-named copy is replaced, not duplicated');
  });

  it('pages through a folder wash wrote raw merged with its encoded twin, cached or fresh', () => {
    const root = join(scratch, `twins-${counter++}`);
    mkdirSync(join(root, 'c', 'a:b'), { recursive: true });
    for (const name of ['1.txt', '3.txt', 'sub:x']) writeFileSync(join(root, 'c', 'a:b', name), 'raw');
    const store = new BlobStore(root, { locks: new StoreLocks() });
    store.put('c', 'a:b/2.txt', bytes('encoded'));
    store.put('c', 'a:b/4/deep.txt', bytes('encoded'));
    const expected = ['a:b/1.txt', 'a:b/2.txt', 'a:b/3.txt', 'a:b/4/', 'a:b/sub:x'];
    const pages = () => levelByPages(store, 'a:b/', 2);
    assert.ok(readdirSync(join(root, 'c')).length === 2, 'a raw folder and its encoded twin');
    assert.deepEqual(pages(), expected);
    const past = new Date(Date.now() - 60_000);
    for (const folder of readdirSync(join(root, 'c'))) utimesSync(join(root, 'c', folder), past, past);
    assert.deepEqual(pages(), expected);
  });

  it('removes temp files left by dead processes when it opens, and never lists them', () => {
    const root = join(scratch, `leftovers-${counter++}`);
    mkdirSync(join(root, 'c', 'deep'), { recursive: true });
    writeFileSync(join(root, 'c', 'deep', '.cs-tmp-999999999-0-0-dead'), 'half');
    writeFileSync(join(root, 'c', `.cs-tmp-${process.pid}-0-0-live`), 'in flight');
    writeFileSync(join(root, 'c', 'deep', 'kept'), 'x');
    const store = new BlobStore(root, { locks: new StoreLocks() });
    assert.deepEqual(tree(join(root, 'c')), [`.cs-tmp-${process.pid}-0-0-live`, 'deep', 'deep/kept']);
    assert.deepEqual(store.list('c').objects.map((o) => o.name), ['deep/kept']);
    assert.deepEqual(store.list('c', { delimiter: '/' }).prefixes, ['deep/']);
  });
});

describe('BlobStore: bad input', () => {
  it('refuses invalid container and object names', () => {
    const { store } = fresh();
    fails(() => store.createContainer(''), 'invalid-name', /empty/);
    fails(() => store.createContainer('a/b'), 'invalid-name');
    fails(() => store.put('c', '../escape', bytes('x')), 'invalid-name', /\.\./);
    fails(() => store.put('c', '/abs', bytes('x')), 'invalid-name', /absolute/);
    fails(() => store.put('c', 'a//b', bytes('x')), 'invalid-name', /empty folder part/);
    fails(() => store.get('c', 'x/../../y'), 'invalid-name');
    fails(() => store.put('c', `${'n'.repeat(300)}/x`, bytes('x')), 'invalid-name', /255/);
  });

  it('refuses a container or folder that is a symlink leading out of the root', () => {
    const { root, store } = fresh();
    const outside = mkdtempSync(join(scratch, 'outside-'));
    writeFileSync(join(outside, 'secret'), 'do not read');
    symlinkSync(outside, join(root, 'linked'));
    symlinkSync(outside, join(root, 'c', 'folder'));
    fails(() => store.get('linked', 'secret'), 'access-denied', /leads out of the store/);
    fails(() => store.get('c', 'folder/secret'), 'access-denied', /leads out of the store/);
    fails(() => store.put('c', 'folder/new', bytes('x')), 'access-denied');
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.deepEqual(store.containers().map((c) => c.name), ['c']);
  });

  it('says "not a folder" when an object sits where a folder of the name should be', () => {
    const { store } = fresh();
    store.put('c', 'a', bytes('an object'));
    fails(() => store.put('c', 'a/b', bytes('x')), 'not-a-folder', /should be a folder/);
    assert.equal(store.has('c', 'a/b'), false);
  });

  it('says "not a file" when a folder sits where the object should be', () => {
    const { store } = fresh();
    store.put('c', 'dir/inner', bytes('x'));
    fails(() => store.get('c', 'dir'), 'not-a-file');
    fails(() => store.put('c', 'dir', bytes('x')), 'not-a-file');
  });
});
