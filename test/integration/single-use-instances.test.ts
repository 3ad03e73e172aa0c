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
