// The file-backed key-value store: wash's layout (`<root>/<bucket>/<key>`, raw bytes), safe
// names, paging, counters, batches, crash recovery, and refusing what would escape the root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { StoreError } from '../../runtime/stores/store-error.ts';
import { stopMaterializer } from '../../runtime/stores/kv-materializer.ts';
import { lastWrites, type JournalRecord } from '../../runtime/stores/kv-journal.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { spawnWorker } from '../../runtime/threads/spawn-worker.ts';
import { fails } from '../helpers/store-assertions.ts';
import { fileBecomes } from '../helpers/settled-files.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-kv-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let counter = 0;
const open: KeyValueStore[] = [];
after(() => {
  for (const store of open) store.close();
});

/** A fresh, empty folder for a store root. */
function freshRoot(): string {
  const root = join(scratch, `kv-${counter++}`);
  mkdirSync(root);
  return root;
}

/** A fresh, empty store root (and the store on it, with its own locks). */
function fresh(options: { journalCapacity?: number } = {}): { root: string; store: KeyValueStore } {
  const root = freshRoot();
  const store = new KeyValueStore(root, { locks: new StoreLocks(), ...options });
  open.push(store);
  return { root, store };
}

const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : Buffer.from(value).toString());
const bytes = (value: string) => Buffer.from(value);

const isRoot = process.getuid?.() === 0;

describe('KeyValueStore: values', () => {
  it('sets, gets, checks and deletes a key', () => {
    const { store } = fresh();
    assert.equal(store.get('b', 'k'), undefined);
    assert.equal(store.exists('b', 'k'), false);
    store.set('b', 'k', bytes('v1'));
    assert.equal(text(store.get('b', 'k')), 'v1');
    assert.equal(store.exists('b', 'k'), true);
    store.set('b', 'k', bytes('v2'));
    assert.equal(text(store.get('b', 'k')), 'v2');
    store.delete('b', 'k');
    assert.equal(store.get('b', 'k'), undefined);
    store.delete('b', 'k');
    store.delete('no-such-bucket', 'k');
  });

  it('keeps any bytes, including an empty value', () => {
    const { store } = fresh();
    const all = new Uint8Array(256).map((_, i) => i);
    store.set('b', 'bin', all);
    assert.deepEqual(store.get('b', 'bin'), all);
    store.set('b', 'empty', new Uint8Array(0));
    assert.deepEqual(store.get('b', 'empty'), new Uint8Array(0));
    assert.equal(store.exists('b', 'empty'), true);
  });

  it('writes one plain file per key, at <root>/<bucket>/<key>, holding the raw value', () => {
    const { root, store } = fresh();
    store.set('sessions', 'user42', bytes('hello'));
    store.set('sessions', 'a/b:c', bytes('escaped'));
    store.writeJournaled();
    assert.equal(readFileSync(join(root, 'sessions', 'user42'), 'utf8'), 'hello');
    assert.equal(readFileSync(join(root, 'sessions', 'a%2Fb%3Ac'), 'utf8'), 'escaped');
    assert.deepEqual(readdirSync(join(root, 'sessions')).sort(), ['a%2Fb%3Ac', 'user42']);
  });

  it('keeps the bucket "" in the root folder itself, as wash does', () => {
    const { root, store } = fresh();
    assert.equal(store.bucketExists(''), true);
    store.set('', 'greeting', bytes('hi'));
    store.set('named', 'k', bytes('v'));
    store.writeJournaled();
    assert.equal(readFileSync(join(root, 'greeting'), 'utf8'), 'hi');
    assert.deepEqual(store.buckets(), ['', 'named']);
    assert.deepEqual(store.list('').keys, ['greeting']);
    store.deleteBucket('');
    assert.equal(store.get('', 'greeting'), undefined);
    assert.equal(text(store.get('named', 'k')), 'v', 'deleting "" leaves the other buckets alone');
    assert.deepEqual(store.buckets(), ['named']);
  });

  it('refuses values that are not bytes', () => {
    const { store } = fresh();
    fails(() => store.set('b', 'k', 'text' as unknown as Uint8Array), 'invalid-value', /bytes/);
  });
});

describe('KeyValueStore: buckets', () => {
  it('creates (idempotently), lists and deletes buckets', () => {
    const { root, store } = fresh();
    store.createBucket('one');
    store.createBucket('one');
    store.createBucket('two:x');
    assert.equal(store.bucketExists('one'), true);
    assert.equal(existsSync(join(root, 'two%3Ax')), true);
    assert.deepEqual(store.buckets(), ['one', 'two:x']);
    store.set('one', 'k', bytes('v'));
    store.deleteBucket('one');
    assert.equal(store.bucketExists('one'), false);
    assert.deepEqual(store.buckets(), ['two:x']);
    assert.deepEqual(readdirSync(root).filter((name) => !name.startsWith('.cs-')), ['two%3Ax']);
  });

  it('creates a missing bucket on the first set', () => {
    const { store } = fresh();
    assert.equal(store.bucketExists('later'), false);
    store.set('later', 'k', bytes('v'));
    assert.equal(store.bucketExists('later'), true);
  });

  it('notices a bucket folder removed by another program', () => {
    const { root, store } = fresh();
    store.set('gone', 'k', bytes('v'));
    store.writeJournaled();
    rmSync(join(root, 'gone'), { recursive: true });
    assert.equal(store.bucketExists('gone'), false);
    fails(() => store.list('gone'), 'no-such-store');
    assert.equal(store.get('gone', 'k'), undefined);
    store.set('gone', 'k', bytes('again'));
    assert.equal(text(store.get('gone', 'k')), 'again');
  });

  it('says which bucket is missing when listing or deleting it', () => {
    const { store } = fresh();
    fails(() => store.list('ghost'), 'no-such-store', /"ghost"/);
    fails(() => store.deleteBucket('ghost'), 'no-such-store', /"ghost"/);
    assert.equal(store.size('ghost'), 0);
  });
});

describe('KeyValueStore: listing', () => {
  function filled(count: number): KeyValueStore {
    const { store } = fresh();
    store.setMany(
      'b',
      Array.from({ length: count }, (_, i) => [`key-${String(i).padStart(5, '0')}`, bytes(String(i))] as [string, Uint8Array]),
    );
    return store;
  }

  it('lists keys in sorted order, decoded', () => {
    const { store } = fresh();
    for (const key of ['b', 'a/1', 'c:3', '.dot', 'A']) store.set('b', key, bytes(key));
    assert.deepEqual(store.list('b').keys, ['.dot', 'A', 'a/1', 'b', 'c:3']);
    assert.equal(store.size('b'), 5);
  });

  it('pages through every key exactly once with the cursor', () => {
    const store = filled(2500);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = store.list('b', { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      seen.push(...page.keys);
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined);
    assert.equal(pages, 3);
    assert.equal(seen.length, 2500);
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, 2500);
  });

  it('keeps paging stable when keys are added before the cursor', () => {
    const store = filled(30);
    const first = store.list('b', { limit: 10 });
    store.set('b', 'aaa-before-everything', bytes('x'));
    const second = store.list('b', { limit: 10, cursor: first.cursor! });
    assert.equal(second.keys[0], 'key-00010');
  });

  it('filters by prefix, with and without a cursor', () => {
    const store = filled(300);
    store.set('b', 'other', bytes('x'));
    const page = store.list('b', { prefix: 'key-001', limit: 50 });
    assert.equal(page.keys.length, 50);
    assert.ok(page.keys.every((key) => key.startsWith('key-001')));
    assert.equal(page.cursor, 'key-00149');
    const rest = store.list('b', { prefix: 'key-001', limit: 500, cursor: page.cursor! });
    assert.equal(rest.keys.length, 50);
    assert.equal(rest.cursor, undefined);
    assert.deepEqual(store.list('b', { prefix: 'zzz' }), { keys: [] });
  });

  it('hides the studio\'s own files (journal, temp files) from every listing', () => {
    const { root, store } = fresh();
    store.set('', 'k', bytes('v'));
    writeFileSync(join(root, '.cs-tmp-1-2-3-4'), 'x');
    assert.ok(readdirSync(root).includes('.cs-journal'));
    assert.deepEqual(store.list('').keys, ['k']);
    assert.deepEqual(store.buckets(), ['']);
  });
});

describe('KeyValueStore: folders written by wash or by hand', () => {
  it('reads raw file names, nested folders aside', () => {
    const root = join(scratch, `wash-${counter++}`);
    mkdirSync(join(root, 'my:bucket', 'not-a-key'), { recursive: true });
    writeFileSync(join(root, 'my:bucket', 'user:1'), 'raw');
    writeFileSync(join(root, 'my:bucket', '100%'), 'percent');
    writeFileSync(join(root, 'my:bucket', 'plain'), 'plain');
    writeFileSync(join(root, 'top-level-key'), 'in the "" bucket');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.deepEqual(store.buckets(), ['', 'my:bucket']);
    assert.deepEqual(store.list('my:bucket').keys, ['100%', 'plain', 'user:1']);
    assert.equal(text(store.get('my:bucket', 'user:1')), 'raw');
    assert.equal(text(store.get('my:bucket', '100%')), 'percent');
    assert.equal(text(store.get('', 'top-level-key')), 'in the "" bucket');
    assert.equal(store.exists('my:bucket', 'user:1'), true);
  });

  it('lists a file whose decoded name is no valid key under its own name, and reads and deletes it', () => {
    const root = join(scratch, `wash-${counter++}`);
    mkdirSync(join(root, 'b'), { recursive: true });
    // Decoded, these would be "/", "..", "/x" and "a/../b": keys the studio refuses.
    const names = ['%2F', '%2E%2E', '%2Fx', 'a%2F..%2Fb'];
    for (const name of names) writeFileSync(join(root, 'b', name), `file ${name}`);
    // Not valid UTF-8: no key can open it, so it is not listed.
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'b') + '/'), Buffer.from([0x61, 0xff, 0x62])]), 'unreachable');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.deepEqual(store.list('b').keys, [...names].sort());
    for (const name of names) assert.equal(text(store.get('b', name)), `file ${name}`, name);
    store.delete('b', '%2F');
    store.writeJournaled();
    assert.equal(existsSync(join(root, 'b', '%2F')), false);
    assert.equal(store.get('b', '%2F'), undefined);
  });

  it('replaces a raw-named file by the escaped one on write, so a key has one file', () => {
    const root = join(scratch, `wash-${counter++}`);
    mkdirSync(join(root, 'b'), { recursive: true });
    writeFileSync(join(root, 'b', 'user:1'), 'old');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    store.set('b', 'user:1', bytes('new'));
    store.writeJournaled();
    assert.deepEqual(readdirSync(join(root, 'b')), ['user%3A1']);
    assert.equal(text(store.get('b', 'user:1')), 'new');
    store.delete('b', 'user:1');
    store.writeJournaled();
    assert.deepEqual(readdirSync(join(root, 'b')), []);
  });

  it('reads the raw-named file wash wrote after the studio wrote the escaped one, and counts on from it', () => {
    const root = join(scratch, `wash-${counter++}`);
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    store.set('b', 'user:1', bytes('studio'));
    assert.equal(store.increment('b', 'hits:today', 5n), 5n);
    store.writeJournaled();
    // wash writes raw names in place; a file written later is newer, whatever the clock's resolution.
    const later = new Date(Date.now() + 5000);
    writeFileSync(join(root, 'b', 'user:1'), 'wash');
    writeFileSync(join(root, 'b', 'hits:today'), '7');
    for (const file of ['user:1', 'hits:today']) utimesSync(join(root, 'b', file), later, later);
    assert.equal(text(store.get('b', 'user:1')), 'wash');
    assert.equal(store.increment('b', 'hits:today', 1n), 8n);
    store.writeJournaled();
    assert.equal(readFileSync(join(root, 'b', 'hits%3Atoday'), 'utf8'), '8');
    assert.equal(text(store.get('b', 'hits:today')), '8');
  });

  it('reads a counter wash wrote (decimal text) and keeps writing decimal text', () => {
    const root = join(scratch, `wash-${counter++}`);
    mkdirSync(join(root, 'counters'), { recursive: true });
    writeFileSync(join(root, 'counters', 'hits'), '41\n');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.equal(store.increment('counters', 'hits', 1n), 42n);
    store.writeJournaled();
    assert.equal(readFileSync(join(root, 'counters', 'hits'), 'utf8'), '42');
  });
});

describe('KeyValueStore: counters and compare-and-swap', () => {
  it('increments from a missing key, and by any delta within u64', () => {
    const { store } = fresh();
    assert.equal(store.increment('c', 'n', 5n), 5n);
    assert.equal(store.increment('c', 'n', 10n), 15n);
    assert.equal(store.increment('c', 'n', -15n), 0n);
    assert.equal(text(store.get('c', 'n')), '0');
    store.set('c', 'max', bytes(((1n << 64n) - 2n).toString()));
    assert.equal(store.increment('c', 'max', 1n), (1n << 64n) - 1n);
    fails(() => store.increment('c', 'max', 1n), 'invalid-value', /outside/);
    fails(() => store.increment('c', 'n', -1n), 'invalid-value', /outside/);
  });

  it('counts signed 64-bit numbers when asked (later wasi:keyvalue drafts)', () => {
    const { store } = fresh();
    assert.equal(store.increment('c', 's', -5n, { signed: true }), -5n);
    assert.equal(text(store.get('c', 's')), '-5');
    assert.equal(store.increment('c', 's', 7n, { signed: true }), 2n);
    fails(() => store.increment('c', 's', 1n << 63n, { signed: true }), 'invalid-value', /-2\^63/);
  });

  it('refuses to increment a value that is not a decimal number', () => {
    const { store } = fresh();
    store.set('c', 'word', bytes('hello'));
    fails(() => store.increment('c', 'word', 1n), 'invalid-value', /not a decimal number/);
    assert.equal(text(store.get('c', 'word')), 'hello', 'the value is left alone');
  });

  it('updates a key atomically from what it holds (compare-and-swap)', () => {
    const { store } = fresh();
    const swapped = store.update('c', 'k', (current) => (current === undefined ? { value: bytes('first'), result: true } : { value: current, result: false }));
    assert.equal(swapped, true);
    const again = store.update('c', 'k', (current) => (current === undefined ? { value: bytes('second'), result: true } : { value: current, result: false }));
    assert.equal(again, false);
    assert.equal(text(store.get('c', 'k')), 'first');
    store.update('c', 'k', () => ({ value: undefined, result: null }));
    assert.equal(store.exists('c', 'k'), false);
  });

  it('counts exactly when 4 worker threads increment the same key 500 times each', async () => {
    const root = freshRoot();
    const locks = new StoreLocks();
    const store = new KeyValueStore(root, { locks });
    open.push(store);
    const entry = new URL('../helpers/stores-increment-worker.ts', import.meta.url);
    const results = await Promise.all(
      Array.from({ length: 4 }, () => {
        const worker = spawnWorker(entry, { data: { root, locks: locks.buffer, bucket: 'c', key: 'total', times: 500 } });
        return new Promise<{ last: string }>((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        });
      }),
    );
    assert.equal(store.increment('c', 'total', 0n), 2000n);
    assert.equal(text(store.get('c', 'total')), '2000');
    assert.ok(results.some((r) => r.last === '2000'), 'the last increment saw the full count');
  });
});

describe('KeyValueStore: batches', () => {
  it('sets, gets and deletes many keys', () => {
    const { store } = fresh();
    store.setMany('b', [
      ['a', bytes('1')],
      ['b', bytes('2')],
      ['a', bytes('3')],
    ]);
    assert.deepEqual(store.getMany('b', ['a', 'b', 'missing']).map(text), ['3', '2', undefined]);
    store.deleteMany('b', ['a', 'missing']);
    assert.deepEqual(store.list('b').keys, ['b']);
  });

  it('validates every key before writing any', () => {
    const { store } = fresh();
    fails(
      () =>
        store.setMany('b', [
          ['ok', bytes('1')],
          ['../bad', bytes('2')],
        ]),
      'invalid-name',
    );
    assert.equal(store.exists('b', 'ok'), false);
  });
});

describe('KeyValueStore: durability', () => {
  it('checkpoints when the journal fills, keeping every value', () => {
    const { root, store } = fresh({ journalCapacity: 64 * 1024 });
    for (let i = 0; i < 200; i++) store.set('b', `k${i}`, Buffer.alloc(1024, i));
    for (let i = 0; i < 200; i++) assert.deepEqual(Buffer.from(store.get('b', `k${i}`)!), Buffer.alloc(1024, i));
    store.checkpoint();
    assert.ok(readdirSync(root).includes('.cs-journal'));
  });

  it('acknowledges a set before its file is written, and every read sees it meanwhile', () => {
    const locks = new StoreLocks();
    const store = new KeyValueStore(freshRoot(), { locks });
    open.push(store);
    // Without the materializer thread the files wait for a checkpoint or a listing.
    stopMaterializer(locks);
    store.set('b', 'k', bytes('v1'));
    assert.equal(existsSync(join(store.root, 'b', 'k')), false, 'the file is not written yet');
    assert.equal(text(store.get('b', 'k')), 'v1');
    assert.equal(store.exists('b', 'k'), true);
    const guest = new KeyValueStore(store.root, { locks, guest: true });
    assert.equal(text(guest.get('b', 'k')), 'v1', 'another instance on the same locks (a worker) sees it too');
    guest.set('b', 'k', bytes('v2'));
    assert.equal(text(store.get('b', 'k')), 'v2');
    assert.equal(store.increment('b', 'n', 2n), 2n);
    assert.equal(guest.increment('b', 'n', 3n), 5n);
    guest.delete('b', 'k');
    assert.equal(store.get('b', 'k'), undefined);
    assert.equal(store.exists('b', 'k'), false);
    assert.deepEqual(store.list('b').keys, ['n'], 'a listing sees keys whose files are not written yet');
    assert.equal(store.size('b'), 1);
    store.set('', 'top', bytes('t'));
    assert.deepEqual(store.buckets(), ['', 'b']);
    assert.equal(existsSync(join(store.root, 'top')), false, 'listing wrote no file');
    store.writeJournaled();
    assert.equal(readFileSync(join(store.root, 'b', 'n'), 'utf8'), '5');
    assert.equal(existsSync(join(store.root, 'b', 'k')), false);
    guest.close();
  });

  it('answers for bucket "" (the root) before anything was written, and a delete there makes no folder', () => {
    const root = join(freshRoot(), 'never-written');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.equal(store.bucketExists(''), true);
    assert.deepEqual(store.list(''), { keys: [] });
    assert.equal(store.size(''), 0);
    store.delete('', 'nothing');
    store.deleteBucket('');
    assert.equal(existsSync(root), false, 'nothing was written, so no folder was made');
    store.set('', 'top', bytes('t'));
    assert.deepEqual(store.list('', { limit: Number.NaN }).keys, ['top'], 'a limit that is no number means the default');
  });

  it('lets a thread whose first write is a delete delete (a worker serving a request that only deletes)', () => {
    const locks = new StoreLocks();
    const store = new KeyValueStore(freshRoot(), { locks });
    open.push(store);
    store.setMany('b', [
      ['k', bytes('v')],
      ['other', bytes('o')],
    ]);
    store.writeJournaled();
    const guest = new KeyValueStore(store.root, { locks: new StoreLocks(locks.buffer), guest: true });
    guest.delete('b', 'k');
    assert.equal(store.get('b', 'k'), undefined);
    const another = new KeyValueStore(store.root, { locks: new StoreLocks(locks.buffer), guest: true });
    another.deleteMany('b', ['other', 'never-there']);
    assert.deepEqual(store.list('b').keys, []);
    another.close();
    guest.close();
  });

  it('writes each value file a moment after the set, with no further call', async () => {
    const { root, store } = fresh();
    store.set('b', 'soon', bytes('there'));
    await fileBecomes(join(root, 'b', 'soon'), 'there');
  });

  it('hands each get its own copy: changing one changes neither the stored value nor a later get', () => {
    const { store } = fresh();
    store.set('b', 'k', bytes('value'));
    store.writeJournaled();
    // The first read of a file, the second (which keeps the value) and the cached ones after.
    for (let read = 0; read < 4; read++) {
      const got = store.get('b', 'k')!;
      assert.equal(text(got), 'value', `read ${read}`);
      got.fill(0x21);
    }
    assert.equal(text(store.get('b', 'k')), 'value');
  });

  it('sees a value file another program wrote at the next get', () => {
    const { root, store } = fresh();
    store.set('b', 'k', bytes('mine'));
    store.writeJournaled();
    assert.equal(text(store.get('b', 'k')), 'mine');
    writeFileSync(join(root, 'b', 'k'), 'theirs');
    assert.equal(text(store.get('b', 'k')), 'theirs');
    writeFileSync(join(root, 'b', 'new'), 'made by hand');
    assert.equal(text(store.get('b', 'new')), 'made by hand');
    assert.equal(store.increment('b', 'counter', 1n), 1n);
    store.writeJournaled();
    writeFileSync(join(root, 'b', 'counter'), '41');
    assert.equal(store.increment('b', 'counter', 1n), 42n);
  });

  it('replays the journal after an unclean exit, repairing a value file cut short', () => {
    const root = join(scratch, `crash-${counter++}`);
    const child = fileURLToPath(new URL('../helpers/stores-crash-child.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, 'set-and-exit', root, 'b', 'k', 'the whole value'], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(run.stdout.trim(), 'done', run.stderr);
    // Simulate what a power cut can leave: the renamed file without all of its data.
    truncateSync(join(root, 'b', 'k'), 3);
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.equal(text(store.get('b', 'k')), 'the whole value');
    assert.equal(store.openReport?.replayed, 1);
  });

  it('removes temp files left by a dead process when it opens, and keeps those of live ones', () => {
    const root = join(scratch, `leftovers-${counter++}`);
    mkdirSync(join(root, 'b'), { recursive: true });
    const dead = '.cs-tmp-999999999-0-0-deadbeef';
    const live = `.cs-tmp-${process.pid}-0-0-cafebabe`;
    writeFileSync(join(root, 'b', dead), 'half a value');
    writeFileSync(join(root, 'b', live), 'in flight');
    writeFileSync(join(root, 'b', 'real'), 'value');
    const store = new KeyValueStore(root, { locks: new StoreLocks() });
    open.push(store);
    assert.equal(existsSync(join(root, 'b', dead)), false);
    assert.equal(existsSync(join(root, 'b', live)), true);
    assert.deepEqual(store.list('b').keys, ['real']);
  });
});

describe('journal replay order', () => {
  it('replays each key\'s last write in the order of those writes, so keys folded into one file end with the latest', () => {
    const set = (key: string, text: string): JournalRecord => ({ op: 'set', bucket: 'b', key, value: new TextEncoder().encode(text) });
    const replayed = lastWrites([set('A', 'v1'), set('a', 'v2'), set('A', 'v3'), set('x', '1'), { op: 'delete', bucket: 'b', key: 'a' }]);
    assert.deepEqual(
      replayed.map((r) => `${r.op} ${r.key}${r.op === 'set' ? `=${new TextDecoder().decode(r.value)}` : ''}`),
      ['set A=v3', 'set x=1', 'delete a'],
    );
  });
});

describe('KeyValueStore: bad input', () => {
  it('refuses invalid bucket names and keys with a clear error', () => {
    const { store } = fresh();
    fails(() => store.set('a/b', 'k', bytes('v')), 'invalid-name', /bucket name "a\/b"/);
    fails(() => store.set('..', 'k', bytes('v')), 'invalid-name');
    fails(() => store.get('b', ''), 'invalid-name', /empty/);
    fails(() => store.set('b', 'k'.repeat(2000), bytes('v')), 'invalid-name', /2000 bytes/);
    fails(() => store.set('b', '?'.repeat(90), bytes('v')), 'invalid-name', /270-byte file name/);
  });

  it('refuses traversal and absolute paths, writing nothing outside the root', () => {
    const { root, store } = fresh();
    fails(() => store.set('b', '../escape', bytes('v')), 'invalid-name', /\.\./);
    fails(() => store.set('b', '/etc/passwd', bytes('v')), 'invalid-name', /absolute/);
    fails(() => store.get('b', '../../etc/passwd'), 'invalid-name');
    assert.equal(existsSync(join(root, '..', 'escape')), false);
  });

  it('refuses a bucket folder that is a symlink leading out of the root', () => {
    const { root, store } = fresh();
    const outside = mkdtempSync(join(scratch, 'outside-'));
    writeFileSync(join(outside, 'secret'), 'do not read');
    symlinkSync(outside, join(root, 'sneaky'));
    fails(() => store.get('sneaky', 'secret'), 'access-denied', /leads out of the store/);
    fails(() => store.set('sneaky', 'k', bytes('v')), 'access-denied');
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.deepEqual(store.buckets(), [], 'a link leading out is not listed as a bucket');
  });

  it('refuses a key file that is a symlink leading out, and follows one that stays inside', () => {
    const { root, store } = fresh();
    store.set('b', 'target', bytes('inside'));
    store.writeJournaled();
    const outside = join(mkdtempSync(join(scratch, 'outside-')), 'secret');
    writeFileSync(outside, 'do not read');
    symlinkSync(outside, join(root, 'b', 'leak'));
    symlinkSync(join(root, 'b', 'target'), join(root, 'b', 'alias'));
    fails(() => store.get('b', 'leak'), 'access-denied', /leads out of the store/);
    assert.equal(text(store.get('b', 'alias')), 'inside');
    assert.deepEqual(store.list('b').keys, ['alias', 'target']);
    store.set('b', 'leak', bytes('replaced'));
    store.writeJournaled();
    assert.equal(readFileSync(outside, 'utf8'), 'do not read', 'a write replaces the link, never writes through it');
  });

  it('says "not a folder" when a file sits where the bucket folder should be', () => {
    const { root, store } = fresh();
    writeFileSync(join(root, 'clash'), 'a file named like the bucket');
    // The file is a key of the bucket "" too; as a bucket it is in the way.
    fails(() => store.set('clash', 'k', bytes('v')), 'not-a-folder', /should be a folder/);
    fails(() => store.get('clash', 'k'), 'not-a-folder');
  });

  it('says "not a file" when a folder sits where a key file should be', () => {
    const { root, store } = fresh();
    mkdirSync(join(root, 'b', 'dir'), { recursive: true });
    fails(() => store.get('b', 'dir'), 'not-a-file');
    fails(() => store.set('b', 'dir', bytes('v')), 'not-a-file');
  });

  it('reports an unreadable value file as access denied (where permissions apply)', (t) => {
    const { root, store } = fresh();
    store.set('b', 'locked', bytes('v'));
    store.writeJournaled();
    chmodSync(join(root, 'b', 'locked'), 0o000);
    if (isRoot) {
      // root reads any file whatever its mode, so there is no error to see here; the errno
      // mapping itself is covered in stores-errors.test.ts.
      t.diagnostic('running as root: chmod 000 does not stop reads');
      assert.equal(text(store.get('b', 'locked')), 'v');
    } else {
      fails(() => store.get('b', 'locked'), 'access-denied', /permission denied/);
    }
  });

  it('reports a write the file system refuses (a read-only folder for non-root, ENOTDIR for root)', (t) => {
    const { root, store } = fresh();
    store.createBucket('ro');
    if (!isRoot) {
      chmodSync(join(root, 'ro'), 0o555);
      fails(() => store.set('ro', 'k', bytes('v')), 'access-denied');
      chmodSync(join(root, 'ro'), 0o755);
      return;
    }
    // root ignores folder modes; a store rooted below a file is refused by any user.
    t.diagnostic('running as root: forcing the error with a file in place of the store root instead');
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    assert.throws(() => new KeyValueStore(join(file, 'store'), { locks: new StoreLocks() }), (error: unknown) => error instanceof StoreError && error.code === 'not-a-folder');
  });
});
