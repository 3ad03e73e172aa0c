// Crash safety of the stores: a child process writes keys, overwrites a hot key, increments a
// counter from several threads at once and puts blobs as fast as it can, printing each write
// only after the call returned. It is killed with SIGKILL at random moments (mid-write,
// mid-checkpoint, mid-recovery), round after round. After every kill the stores must hold
// every acknowledged write, whole; the counter must never fall below the highest value any
// thread was given (and never run past the ones in flight), no counter value may ever be
// handed out twice across all rounds, and no temp file may be listed or survive reopening.
//
// A SIGKILL stops the process but not the kernel, so this proves atomicity and recovery, not
// the flush ordering against power loss (that is argued in docs/stores.md, and the replay of
// a value file cut short is tested in stores-kv.test.ts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BlobStore } from '../../runtime/stores/blob-store.ts';
import { KeyValueStore } from '../../runtime/stores/key-value-store.ts';
import { StoreLocks } from '../../runtime/stores/store-locks.ts';
import { bundleForNode } from '../helpers/node-bundle.ts';
import { COUNTER_THREADS, checkedLabel } from '../helpers/stores-crash-child.ts';

const ROUNDS = 40;
// Bundled, so that a round's time goes to the stores: through tsx the child took one to two
// seconds to load, and a kill meant for startup and recovery landed in the loader instead.
let child: string;
before(async () => {
  child = await bundleForNode(fileURLToPath(new URL('../helpers/stores-crash-child.ts', import.meta.url)));
});
const scratch = mkdtempSync(join(tmpdir(), 'cs-stores-crash-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Acknowledged {
  sets: Map<string, string>;
  puts: Map<string, string>;
  /** Every counter value a thread was given, in order of arrival. */
  increments: bigint[];
  hot: { round: number; seq: number } | undefined;
  ready: boolean;
}

/** Runs the child until it is killed `killAfterMs` after start (or after it is ready). */
async function crashRound(kvRoot: string, blobRoot: string, round: number, killAfterMs: number, waitForReady: boolean): Promise<Acknowledged> {
  const acked: Acknowledged = { sets: new Map(), puts: new Map(), increments: [], hot: undefined, ready: false };
  const proc = spawn(process.execPath, [child, 'loop', kvRoot, blobRoot, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer = setTimeout(() => proc.kill('SIGKILL'), killAfterMs));
  proc.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const [kind, a, b] = line.split(' ');
      if (kind === 'ready') {
        acked.ready = true;
        if (waitForReady) arm();
      } else if (kind === 'set') acked.sets.set(a!, b!);
      else if (kind === 'put') acked.puts.set(a!, b!);
      else if (kind === 'inc') acked.increments.push(BigInt(a!));
      else if (kind === 'hot') acked.hot = { round: Number(a), seq: Number(b) };
    }
  });
  if (!waitForReady) arm();
  // 'close', not 'exit': every line the child printed before dying has been read by then.
  const code = await new Promise<number | null>((resolve) => proc.once('close', (c, signal) => resolve(signal === 'SIGKILL' ? null : c)));
  clearTimeout(timer);
  assert.equal(code, null, `the child should only stop when killed; it exited with ${code}: ${stderr}`);
  return acked;
}

/** Every file name below `dir`, recursively. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

it(`keeps every acknowledged write whole across ${ROUNDS} SIGKILLs`, { timeout: 600_000 }, async (t) => {
  const kvRoot = join(scratch, 'keyvalue');
  const blobRoot = join(scratch, 'blobstore');
  const sets = new Map<string, string>();
  const puts = new Map<string, string>();
  let counterFloor = 0n;
  const handedOut = new Set<bigint>();
  let hotFloor: { round: number; seq: number } | undefined;
  let acknowledgedWrites = 0;
  let replayedRounds = 0;
  const started = Date.now();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);

  for (let round = 0; round < ROUNDS; round++) {
    // Most rounds die while writing; every fourth may die during startup and recovery.
    const early = round % 4 === 3;
    const acked = await crashRound(kvRoot, blobRoot, round, early ? Math.floor(random() * 400) : 60 + Math.floor(random() * 500), !early);
    for (const [key, digest] of acked.sets) sets.set(key, digest);
    for (const [name, digest] of acked.puts) puts.set(name, digest);
    acknowledgedWrites += acked.sets.size + acked.puts.size;

    // Reopen, as the next studio start would (fresh locks: this runs recovery).
    const kv = new KeyValueStore(kvRoot, { locks: new StoreLocks() });
    const blobs = new BlobStore(blobRoot, { locks: new StoreLocks() });
    if (kv.openReport) replayedRounds++;
    try {
      for (const [key, digest] of sets) {
        const value = kv.get('crash', key);
        assert.ok(value, `round ${round}: acknowledged key ${key} is missing`);
        assert.equal(sha(value), digest, `round ${round}: key ${key} does not hold the acknowledged value`);
      }
      for (const key of kv.list('crash', { limit: 10_000 }).keys) {
        assert.ok(!key.startsWith('.cs-'), `round ${round}: a temp file is listed: ${key}`);
        assert.ok(checkedLabel(kv.get('crash', key)!), `round ${round}: key ${key} holds a torn value`);
      }
      if (hotFloor || acked.hot) {
        const hot = kv.get('crash', 'hot');
        assert.ok(hot, `round ${round}: the hot key is missing`);
        const label = checkedLabel(hot);
        assert.ok(label, `round ${round}: the hot key holds a torn value`);
        const [, hotRound, hotSeq] = label.split('-').map(Number) as [number, number, number];
        const floor = acked.hot ?? hotFloor!;
        assert.ok(hotRound > floor.round || (hotRound === floor.round && hotSeq >= floor.seq), `round ${round}: the hot key went back to ${label}, before the acknowledged ${JSON.stringify(floor)}`);
        hotFloor = { round: hotRound, seq: hotSeq };
      }
      for (const value of acked.increments) {
        assert.ok(!handedOut.has(value), `round ${round}: counter value ${value} was handed out twice (the counter ran backwards)`);
        assert.ok(value > counterFloor, `round ${round}: counter value ${value} is not above ${counterFloor}, the counter after the previous crash`);
        handedOut.add(value);
      }
      const highest = acked.increments.reduce((max, value) => (value > max ? value : max), counterFloor);
      const counter = BigInt(Buffer.from(kv.get('', 'counter') ?? Buffer.from('0')).toString());
      // Each thread (the main one too) may have had one increment in flight, durable but not yet printed.
      assert.ok(counter >= highest && counter <= highest + BigInt(COUNTER_THREADS + 1), `round ${round}: counter ${counter}, highest acknowledged ${highest}`);
      counterFloor = counter;

      for (const [name, digest] of puts) assert.equal(sha(blobs.get('crash', name)), digest, `round ${round}: object ${name}`);
      for (const object of blobs.list('crash', { limit: 10_000 }).objects) {
        assert.ok(!object.name.split('/').some((part) => part.startsWith('.cs-')), `round ${round}: a temp file is listed: ${object.name}`);
        assert.ok(checkedLabel(blobs.get('crash', object.name)), `round ${round}: object ${object.name} is torn`);
      }
      const leftovers = [...allFiles(kvRoot), ...allFiles(blobRoot)].filter((path) => path.includes('.cs-tmp-') || path.includes('.cs-trash-'));
      assert.deepEqual(leftovers, [], `round ${round}: temp files of the killed process survived reopening`);
    } finally {
      kv.close();
      blobs.close();
    }
  }
  t.diagnostic(`${acknowledgedWrites} acknowledged writes and ${handedOut.size} increments from ${COUNTER_THREADS} threads, journal replayed after ${replayedRounds} of ${ROUNDS} kills, counter at ${counterFloor}, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(acknowledgedWrites > ROUNDS * 5, `only ${acknowledgedWrites} writes were acknowledged; the child barely ran`);
  assert.ok(handedOut.size > ROUNDS * COUNTER_THREADS, `only ${handedOut.size} increments were acknowledged; the counter threads barely ran`);
  assert.ok(replayedRounds > 0, 'no kill left anything in the journal to replay');
});
