// The whole studio killed with SIGKILL while clients increment a counter through a real
// component over HTTP, round after round, as a user's crash would: no shutdown work at all,
// and the next studio started on the same project at once. Every value the component
// answered was acknowledged to a client, so across all rounds no value may be handed out
// twice, and after every restart the counter may never be below the highest one handed out.
// (stores-crash.test.ts does the same below the studio, with more kinds of writes.)
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { makeProject } from '../helpers/store-probe.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

// Each round starts a whole studio (about 2.5 s): 20 rounds keep the suite inside its 15
// minutes; stores-crash.test.ts does 40 below the studio, where a round is cheaper.
const ROUNDS = 20;
const CLIENTS = 4;

let tempDir: string;
let project: string;
before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'studio-crash-'));
  project = await makeProject(tempDir, 'version: 1\n');
});
after(async () => {
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

/** Increments until the studio dies; returns the values it answered. */
async function client(url: string): Promise<bigint[]> {
  const given: bigint[] = [];
  for (;;) {
    let text: string;
    try {
      const res = await fetch(new URL('/kv/increment?bucket=crash&key=counter', url), { method: 'POST' });
      text = await res.text();
      if (res.status !== 200) continue;
    } catch {
      return given; // the studio is gone
    }
    const answer = JSON.parse(text) as { ok?: number | string };
    if (answer.ok !== undefined) given.push(BigInt(answer.ok));
  }
}

/** A small deterministic generator, so a failing round can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

it(`never hands out a counter value twice across ${ROUNDS} SIGKILLs of the studio under load`, { timeout: 600_000 }, async () => {
  const next = random(0x5eed);
  const handedOut = new Set<bigint>();
  let highest = 0n;
  const counterFile = join(project, '.wash', 'data', 'keyvalue', 'crash', 'counter');
  for (let round = 0; round < ROUNDS; round++) {
    const studio: StudioProcess = await startStudio(project);
    // The counter after a restart: at least every value any client was given before.
    if (round > 0) {
      const onDisk = BigInt((await readFile(counterFile, 'latin1')).trim());
      assert.ok(onDisk >= highest, `round ${round}: the counter reads ${onDisk} after the restart, below ${highest}, which a client was given`);
    }
    const exited = new Promise((resolve) => studio.child.once('exit', resolve));
    const clients = Array.from({ length: CLIENTS }, () => client(studio.url));
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(next() * 900)));
    studio.child.kill('SIGKILL');
    await exited;
    for (const given of await Promise.all(clients)) {
      for (const value of given) {
        assert.ok(!handedOut.has(value), `round ${round}: the counter value ${value} was handed out twice (the counter ran backwards)`);
        handedOut.add(value);
        if (value > highest) highest = value;
      }
    }
  }
  assert.ok(handedOut.size > ROUNDS, `only ${handedOut.size} increments were acknowledged in ${ROUNDS} rounds: the load did not run`);
});
