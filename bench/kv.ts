// Durable store throughput, against SQLite in the same run (better-sqlite3, WAL,
// synchronous=FULL: Spin's default key-value store, committed writes survive a power cut).
// Target (docs/stores.md): key-value sets at least at parity with SQLite, same crash safety.
//
// Both run in temp folders on the same disk. The disk is shared with whatever else runs, so
// the phases alternate between the two engines in small rounds and the ratio is also given
// as the median of per-round ratios. Each write phase ends with a full checkpoint of both
// (the studio's journal / SQLite's WAL), inside the timing, so deferred work is paid for.
//
//   npx tsx bench/kv.ts            (or import { run } from './kv.ts')
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, workerData, type Worker } from 'node:worker_threads';
import { BlobStore } from '../runtime/stores/blob-store.ts';
import { KeyValueStore } from '../runtime/stores/key-value-store.ts';
import { StoreLocks } from '../runtime/stores/store-locks.ts';
import { spawnWorker } from '../runtime/threads/spawn-worker.ts';
import type { Benchmark, TargetCheck } from './lib/bench.ts';

/** The part of better-sqlite3 this bench uses. */
interface Statement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}
interface Database {
  pragma(source: string): unknown;
  exec(source: string): void;
  prepare(source: string): Statement;
  close(): void;
}
type DatabaseConstructor = new (path: string) => Database;

export interface KvBenchResult {
  name: string;
  ops: number;
  studioOpsPerSec: number;
  sqliteOpsPerSec: number;
  /** studio / sqlite over the whole phase. */
  ratio: number;
  /** Median of the per-round ratios (less sensitive to a noisy neighbour). */
  medianRoundRatio: number;
}

export interface KvBenchOptions {
  kvOps?: number;
  blobOps?: number;
  rounds?: number;
  /** Writer threads in the concurrent phase. */
  threads?: number;
  print?: (line: string) => void;
}

interface Engine {
  setup(): void;
  op(i: number): void;
  /** An untimed operation to warm the JIT and caches before timing (default: none). */
  warm?(i: number): void;
  /** Work deferred by the ops (a checkpoint), timed with them. */
  finish?(): void;
}

function now(): number {
  return performance.now();
}

/** Runs two engines' ops alternately in rounds; returns ms per engine and per round. */
function alternate(ops: number, rounds: number, studio: Engine, sqlite: Engine): { studioMs: number; sqliteMs: number; roundRatios: number[] } {
  studio.setup();
  sqlite.setup();
  for (let i = 0; i < 100; i++) {
    studio.warm?.(i);
    sqlite.warm?.(i);
  }
  let studioMs = 0;
  let sqliteMs = 0;
  const roundRatios: number[] = [];
  const perRound = Math.ceil(ops / rounds);
  for (let round = 0; round < rounds; round++) {
    const from = round * perRound;
    const to = Math.min(ops, from + perRound);
    const timed = (engine: Engine): number => {
      const start = now();
      for (let i = from; i < to; i++) engine.op(i);
      return now() - start;
    };
    let a: number;
    let b: number;
    if (round % 2 === 0) {
      a = timed(studio);
      b = timed(sqlite);
    } else {
      b = timed(sqlite);
      a = timed(studio);
    }
    studioMs += a;
    sqliteMs += b;
    roundRatios.push(b / a);
  }
  const finish = (engine: Engine): number => {
    const start = now();
    engine.finish?.();
    return now() - start;
  };
  studioMs += finish(studio);
  sqliteMs += finish(sqlite);
  return { studioMs, sqliteMs, roundRatios };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** What a writer thread of the concurrent phase is asked to do. */
interface WriterTask {
  role: 'kv-bench-writer';
  engine: 'studio' | 'sqlite';
  dir: string;
  locks: SharedArrayBuffer;
  /** Int32 word 0: writers ready; word 1: go. */
  gate: SharedArrayBuffer;
  from: number;
  to: number;
}

function openSqlite(path: string): { db: Database; upsert: Statement } {
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  const db = new Sqlite(path);
  db.pragma('busy_timeout = 30000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)');
  return { db, upsert: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value') };
}

/** One writer thread: waits at the gate, then sets its keys, each its own durable write. */
function writerThread(task: WriterTask): void {
  const gate = new Int32Array(task.gate);
  const value = new Uint8Array(1024).fill(7);
  let write: (i: number) => void;
  let close: () => void;
  if (task.engine === 'studio') {
    const kv = new KeyValueStore(join(task.dir, 'keyvalue'), { locks: new StoreLocks(task.locks) });
    write = (i) => kv.set('concurrent', `key-${i}`, value);
    close = () => kv.close();
  } else {
    const { db, upsert } = openSqlite(join(task.dir, 'sqlite.db'));
    write = (i) => upsert.run(`concurrent-${i}`, value);
    close = () => db.close();
  }
  Atomics.add(gate, 0, 1);
  Atomics.notify(gate, 0);
  while (Atomics.load(gate, 1) === 0) Atomics.wait(gate, 1, 0);
  for (let i = task.from; i < task.to; i++) write(i);
  parentPort!.postMessage('done');
  close();
}

/** Concurrent sets from `threads` worker threads; returns the wall time in ms. */
async function concurrentSets(engine: WriterTask['engine'], dir: string, locks: StoreLocks, ops: number, threads: number, finish: () => void): Promise<number> {
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const workers: Worker[] = [];
  const done: Promise<unknown>[] = [];
  const per = Math.ceil(ops / threads);
  for (let t = 0; t < threads; t++) {
    const task: WriterTask = { role: 'kv-bench-writer', engine, dir, locks: locks.buffer, gate: gate.buffer as SharedArrayBuffer, from: t * per, to: Math.min(ops, (t + 1) * per) };
    // Through tsx, not bundled: better-sqlite3 is a native package that must load from node_modules.
    const worker = spawnWorker(new URL(import.meta.url), { data: task, bundle: false });
    workers.push(worker);
    done.push(new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }));
  }
  while (Atomics.load(gate, 0) < threads) await new Promise((resolve) => setTimeout(resolve, 5));
  const start = now();
  Atomics.store(gate, 1, 1);
  Atomics.notify(gate, 1);
  await Promise.all(done);
  finish();
  const ms = now() - start;
  await Promise.all(workers.map((worker) => new Promise((resolve) => (worker.threadId === -1 ? resolve(undefined) : worker.once('exit', resolve)))));
  return ms;
}

export async function run(options: KvBenchOptions = {}): Promise<KvBenchResult[]> {
  const print = options.print ?? ((line: string) => console.log(line));
  const kvOps = options.kvOps ?? 2000;
  const blobOps = options.blobOps ?? 100;
  const rounds = options.rounds ?? 8;
  const threads = options.threads ?? 4;
  const Sqlite = createRequire(import.meta.url)('better-sqlite3') as DatabaseConstructor;
  const dir = mkdtempSync(join(tmpdir(), 'cs-bench-kv-'));
  const results: KvBenchResult[] = [];

  const locks = new StoreLocks();
  const kv = new KeyValueStore(join(dir, 'keyvalue'), { locks });
  const blobs = new BlobStore(join(dir, 'blobstore'));
  blobs.createContainer('bench');
  const db = new Sqlite(join(dir, 'sqlite.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)');
  db.exec('CREATE TABLE blobs (name TEXT PRIMARY KEY, value BLOB NOT NULL)');
  const upsert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  const select = db.prepare('SELECT value FROM kv WHERE key = ?');
  const blobUpsert = db.prepare('INSERT INTO blobs (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value');
  const blobSelect = db.prepare('SELECT value FROM blobs WHERE name = ?');
  const checkpointSqlite = () => db.pragma('wal_checkpoint(TRUNCATE)');

  const value = (i: number, salt: number): Uint8Array => {
    const bytes = new Uint8Array(1024);
    bytes.fill((i * 31 + salt) & 0xff);
    return bytes;
  };
  const record = (name: string, ops: number, timing: { studioMs: number; sqliteMs: number; roundRatios: number[] }) => {
    const result: KvBenchResult = {
      name,
      ops,
      studioOpsPerSec: (ops * 1000) / timing.studioMs,
      sqliteOpsPerSec: (ops * 1000) / timing.sqliteMs,
      ratio: timing.sqliteMs / timing.studioMs,
      medianRoundRatio: median(timing.roundRatios),
    };
    results.push(result);
    print(`${name.padEnd(30)} studio ${fmt(result.studioOpsPerSec).padStart(8)} ops/s   sqlite ${fmt(result.sqliteOpsPerSec).padStart(8)} ops/s   ratio ${result.ratio.toFixed(2)}x (median of rounds ${result.medianRoundRatio.toFixed(2)}x)`);
  };

  try {
    print(`Durable stores, ${kvOps} x 1 KiB key-value ops and ${blobOps} x 1 MiB blobs, ${rounds} alternating rounds, in ${dir}`);
    const noop = () => {};
    record(
      'kv set 1 KiB (new keys)',
      kvOps,
      alternate(
        kvOps,
        rounds,
        { setup: noop, warm: (i) => kv.set('warm', `warm-${i}`, value(i, 0)), op: (i) => kv.set('bench', `key-${i}`, value(i, 1)), finish: () => kv.checkpoint() },
        { setup: noop, warm: (i) => upsert.run(`warm-${i}`, value(i, 0)), op: (i) => upsert.run(`key-${i}`, value(i, 1)), finish: checkpointSqlite },
      ),
    );
    record(
      'kv set 1 KiB (overwrite)',
      kvOps,
      alternate(kvOps, rounds, { setup: noop, op: (i) => kv.set('bench', `key-${i}`, value(i, 2)), finish: () => kv.checkpoint() }, { setup: noop, op: (i) => upsert.run(`key-${i}`, value(i, 2)), finish: checkpointSqlite }),
    );
    let sink = 0;
    record(
      'kv get 1 KiB',
      kvOps,
      alternate(
        kvOps,
        rounds,
        { setup: noop, warm: (i) => (sink += kv.get('warm', `warm-${i}`)!.length), op: (i) => (sink += kv.get('bench', `key-${i}`)!.length) },
        { setup: noop, warm: (i) => (sink += (select.get(`warm-${i}`) as { value: Uint8Array }).value.length), op: (i) => (sink += (select.get(`key-${i}`) as { value: Uint8Array }).value.length) },
      ),
    );
    {
      // Alternating engines, two runs each; a concurrent phase cannot share the disk fairly.
      let studioMs = 0;
      let sqliteMs = 0;
      const roundRatios: number[] = [];
      for (let round = 0; round < 2; round++) {
        const a = await concurrentSets('studio', dir, locks, kvOps, threads, () => kv.checkpoint());
        const b = await concurrentSets('sqlite', dir, locks, kvOps, threads, checkpointSqlite);
        studioMs += a;
        sqliteMs += b;
        roundRatios.push(b / a);
      }
      record(`kv set 1 KiB, ${threads} threads`, 2 * kvOps, { studioMs, sqliteMs, roundRatios });
    }
    const mib = new Uint8Array(1024 * 1024);
    const blob = (i: number): Uint8Array => {
      mib.fill(i & 0xff);
      return mib;
    };
    record(
      'blob put 1 MiB',
      blobOps,
      alternate(blobOps, Math.min(rounds, blobOps), { setup: noop, op: (i) => blobs.put('bench', `objects/${i}.bin`, blob(i)) }, { setup: noop, op: (i) => blobUpsert.run(`objects/${i}.bin`, blob(i)), finish: checkpointSqlite }),
    );
    record(
      'blob get 1 MiB',
      blobOps,
      alternate(blobOps, Math.min(rounds, blobOps), { setup: noop, op: (i) => (sink += blobs.get('bench', `objects/${i}.bin`).length) }, { setup: noop, op: (i) => (sink += (blobSelect.get(`objects/${i}.bin`) as { value: Uint8Array }).value.length) }),
    );
    if (sink === 0) print('(nothing was read)');
    const sets = results[0]!;
    print(`Target: kv sets at least at parity with SQLite (synchronous=FULL): ${sets.ratio >= 1 ? 'met' : 'NOT met'} (${sets.ratio.toFixed(2)}x).`);
  } finally {
    kv.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const task = isMainThread ? undefined : (workerData as { data?: WriterTask } | undefined)?.data;
if (task?.role === 'kv-bench-writer') writerThread(task);
else if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await run();

/** For `npm run bench`: the figures above, with the design's target on durable sets. */
export const benchmark: Benchmark = {
  description: 'durable 1 KiB key-value set/get and 1 MiB blob put/get, against SQLite (WAL, synchronous=FULL) in the same run',
  async run(_options, print) {
    const results = await run({ print: (line) => print(line) });
    const targets: TargetCheck[] = results
      .filter((r) => r.name.startsWith('kv set'))
      .map((r) => ({ benchmark: 'kv', subject: r.name, target: 'at least SQLite (≥ 1.00x)', measured: `${r.ratio.toFixed(2)}x`, met: r.ratio >= 1 }));
    return { targets, data: results };
  },
};
