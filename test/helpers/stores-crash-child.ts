// A child process for the store crash tests. It writes to the stores as fast as it can, from
// its main thread and from COUNTER_THREADS worker threads sharing its StoreLocks (as a
// studio's workers do), and prints one line per acknowledged write, only after the call
// returned:
//   set <key> <sha256 of value>     a key-value set
//   hot <seq>                       an overwrite of the "hot" key with sequence number seq
//   inc <new value>                 an increment of the counter (from any thread)
//   put <object> <sha256 of bytes>  a blob put
// The parent kills it with SIGKILL at a random moment and checks every acknowledged write.
// Values carry their own checksum, so a torn value shows even where no line was printed.
//
//   node --import tsx stores-crash-child.ts loop <kvRoot> <blobRoot> <round>
//   node --import tsx stores-crash-child.ts set-and-exit <kvRoot> <bucket> <key> <value>
//   node --import tsx stores-crash-child.ts damage-and-exit <kvRoot> garbage|zeros|moved|link
//     (sets b/before, has it written to its file, damages the journal as named, sets b/after
//     with no file written, and exits without closing: only the journal can bring it back)
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, symlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { stopMaterializer } from '../../runtime/stores/kv-materializer.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { spawnWorker } from '../../runtime/threads/spawn-worker.ts';

/** Threads of the child that increment the counter alongside its main thread. */
export const COUNTER_THREADS = 3;

function say(line: string): void {
  writeSync(1, `${line}\n`);
}

export function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A value that proves its own integrity: `<label>|<payload>|<sha256 of label|payload>`. */
export function checkedValue(label: string, payloadBytes: number): Buffer {
  const body = `${label}|${randomBytes(payloadBytes).toString('base64')}`;
  return Buffer.from(`${body}|${createHash('sha256').update(body).digest('hex')}`);
}

/** The label of a checked value, or undefined when the value is torn or not one. */
export function checkedLabel(bytes: Uint8Array): string | undefined {
  const text = Buffer.from(bytes).toString();
  const cut = text.lastIndexOf('|');
  if (cut < 0) return undefined;
  const body = text.slice(0, cut);
  if (createHash('sha256').update(body).digest('hex') !== text.slice(cut + 1)) return undefined;
  return body.slice(0, body.indexOf('|'));
}

const [mode, ...args] = process.argv.slice(2);
if (!isMainThread) {
  const { kvRoot, locks } = (workerData as { data: { kvRoot: string; locks: SharedArrayBuffer } }).data;
  const kv = new KeyValueStore(kvRoot, { locks: new StoreLocks(locks), guest: true, journalCapacity: 64 * 1024 });
  parentPort!.postMessage('open');
  for (;;) say(`inc ${kv.increment('', 'counter', 1n)}`);
} else if (mode === 'set-and-exit') {
  // root bucket key value [key value]...
  const [root, bucket, ...pairs] = args as [string, string, ...string[]];
  const store = new KeyValueStore(root);
  for (let i = 0; i + 1 < pairs.length; i += 2) store.set(bucket, pairs[i]!, Buffer.from(pairs[i + 1]!));
  // The value file is written too, as the materializer does a moment after the set.
  store.writeJournaled();
  say('done');
  // Exit without close(): the journal keeps its records, as after a crash.
  process.exit(0);
} else if (mode === 'damage-and-exit') {
  const [root, damage] = args as [string, string];
  const locks = new StoreLocks();
  const store = new KeyValueStore(root, { locks });
  stopMaterializer(locks);
  store.set('b', 'before', Buffer.from('1'));
  store.writeJournaled();
  const journal = join(root, '.cs-journal');
  if (damage === 'garbage' || damage === 'zeros') {
    const fd = openSync(journal, 'r+');
    writeSync(fd, damage === 'zeros' ? Buffer.alloc(32) : randomBytes(32), 0, 32, 0);
    closeSync(fd);
  } else {
    renameSync(journal, join(root, '..', `${damage}-journal-elsewhere`));
    if (damage === 'link') symlinkSync(join(root, '..', `${damage}-journal-elsewhere`), journal);
  }
  store.set('b', 'after', Buffer.from('2'));
  say('done');
  process.exit(0);
} else if (mode === 'loop') {
  const [kvRoot, blobRoot, round] = args as [string, string, string];
  // A small journal, so checkpoints (and kills during them) happen often.
  const locks = new StoreLocks();
  const kv = new KeyValueStore(kvRoot, { locks, journalCapacity: 64 * 1024 });
  const blobs = new BlobStore(blobRoot, { locks });
  blobs.createContainer('crash');
  // The threads run this file bundled (spawnWorker): a TypeScript loader given with --import
  // does not reach worker threads.
  const threads = Array.from({ length: COUNTER_THREADS }, () => spawnWorker(new URL(import.meta.url), { data: { kvRoot, locks: locks.buffer } }));
  // Ready once every counter thread has its store open: on a loaded machine threads start
  // slowly, and a kill soon after an early "ready" found them not counting yet.
  await Promise.all(threads.map((thread) => new Promise((resolve) => thread.once('message', resolve))));
  say('ready');
  for (let i = 0; ; i++) {
    const key = `r${round}-${i}`;
    const value = checkedValue(key, 16 + ((i * 37) % 3000));
    kv.set('crash', key, value);
    say(`set ${key} ${sha(value)}`);
    if (i % 3 === 0) say(`inc ${kv.increment('', 'counter', 1n)}`);
    if (i % 5 === 0) {
      const hot = checkedValue(`hot-${round}-${i}`, 64 + (i % 500));
      kv.set('crash', 'hot', hot);
      say(`hot ${round} ${i}`);
    }
    if (i % 10 === 0) {
      const name = `r${round}/obj-${i}.bin`;
      const bytes = checkedValue(name, 1000 + ((i * 7919) % 60000));
      blobs.put('crash', name, bytes);
      say(`put ${name} ${sha(bytes)}`);
    }
  }
}
