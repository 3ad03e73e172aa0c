// Components in the fetch-event style (componentize-js's addEventListener('fetch')) can answer
// only one request per instance. Under the default (fresh instances, put back to their start
// after each request) that is no matter; under `reuse` the studio notices on the second
// request, replays it on a new instance, and from then on gives every request a fresh one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildJsFixture } from '../fixtures/js/build.ts';
import { startStudio, type StudioProcess } from '../helpers/studio-process.ts';

describe('a component that answers one request per instance', () => {
  let studio: StudioProcess;
  before(async () => {
    studio = await startStudio(await buildJsFixture('fetch-event'), ['--workers', '1', '--instances', 'reuse']);
  });
  after(() => studio.stop());

  it('answers every request, the second and later included', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await fetch(studio.url);
      assert.equal(res.status, 200, `request ${i + 1}`);
      assert.equal(await res.text(), 'hello from fetch-event\n');
    }
  });

  it('says that it switched to a fresh instance per request', async () => {
    await studio.waitFor('answers one request per instance');
  });

  it('with several workers, replays the failed request on a new instance, not on another worker\'s used one', async () => {
    // Each worker's first instance answers once; the next requests fail there and are replayed.
    // A replay sent to another worker whose instance had answered a request failed again (a 500).
    for (let round = 0; round < 3; round++) {
      const several = await startStudio(await buildJsFixture('fetch-event'), ['--workers', '3', '--instances', 'reuse']);
      try {
        for (const width of [3, 1, 2, 1, 3]) {
          const statuses = await Promise.all(Array.from({ length: width }, () => fetch(several.url).then((r) => r.status)));
          assert.deepEqual(statuses, Array(width).fill(200), several.output().split('\n').filter((line) => /ERROR|trying it once more/.test(line)).join('\n'));
        }
      } finally {
        await several.stop();
      }
    }
  });

  it('works under the default fresh instances, one put back after each request', async () => {
    const fresh = await startStudio(await buildJsFixture('fetch-event'), ['--workers', '1']);
    try {
      for (let i = 0; i < 4; i++) assert.equal((await fetch(fresh.url)).status, 200, `request ${i + 1}`);
      const statuses = await Promise.all(Array.from({ length: 4 }, () => fetch(fresh.url).then((r) => r.status)));
      assert.deepEqual(statuses, [200, 200, 200, 200]);
      assert.doesNotMatch(fresh.output(), /answers one request per instance/, 'no replay was needed');
    } finally {
      await fresh.stop();
    }
  });
});

describe('a failing request of a component that answers many requests per instance', () => {
  let studio: StudioProcess;
  before(async () => {
    studio = await startStudio(await buildJsFixture('host-probe'), ['--workers', '1']);
  });
  after(() => studio.stop());

  const runs = (tag: string) => studio.output().split('\n').filter((line) => line.endsWith(`throwing ${tag}`)).length;

  it('runs once, not again on a new instance, once an instance has answered a second request', async () => {
    // Two answers from one instance (put back to its start in between) prove it serves many.
    for (let i = 0; i < 2; i++) assert.equal((await fetch(new URL('/env', studio.url))).status, 200);
    assert.equal((await fetch(new URL('/throw?tag=third', studio.url))).status, 500);
    // The instance that failed is replaced: this request is the new one's second.
    assert.equal((await fetch(new URL('/env', studio.url))).status, 200);
    assert.equal((await fetch(new URL('/throw?tag=second', studio.url))).status, 500);
    await studio.waitFor(/GET \/throw\?tag=second: .*(trapped|response)/);
    assert.equal(runs('third'), 1);
    assert.equal(runs('second'), 1, 'the second request of an instance is not replayed');
    assert.doesNotMatch(studio.output(), /trying it once more/);
    // Instances are still put back after a failure (no new instance per request): the
    // answers keep coming at the pace of a put-back.
    for (let i = 0; i < 3; i++) assert.equal((await fetch(new URL('/env', studio.url))).status, 200);
  });
});
