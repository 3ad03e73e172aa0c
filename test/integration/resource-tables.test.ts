// A component that never drops what it is handed (the request, its headers: as componentize-js
// components do) must not make its worker keep every request it served. The hello-keeps
// fixture is such a component, transpiled by the studio's transpiler and run with the host a
// worker runs, on this thread: the glue's resource tables are emptied of a request's objects
// once it is over ('reuse'), or put back as they were when the instance started ('fresh').
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { instantiateDirect, type DirectInstance } from '../../bench/lib/direct.ts';
import { IncomingRequest, isRequestScoped, ResponseOutparam, type ResponseSink } from '../../runtime/host/http.ts';
import { EMPTY_SOURCE } from '../../runtime/host/io.ts';
import { InstanceSnapshot } from '../../runtime/workloads/instance-snapshot.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { testCacheDir } from '../helpers/studio-process.ts';

/** One GET / to the instance; the status it answered. */
function serve(instance: DirectInstance): number {
  let status = 0;
  const sink: ResponseSink = { head: (s) => void (status = s), chunk: () => {}, end: () => {}, failed: () => {} };
  const request = new IncomingRequest({ method: 'GET', pathWithQuery: '/', scheme: 'http', authority: '127.0.0.1', headers: [['accept', '*/*']], body: EMPTY_SOURCE });
  instance.handler.handle(request, new ResponseOutparam(sink));
  return status;
}

describe('the host objects a component never drops', () => {
  let wasm: string;
  before(async () => {
    wasm = await watFixture('hello-keeps');
  });

  it('pile up without the worker letting go of them: the fixture keeps its request and headers', async () => {
    const instance = await instantiateDirect(wasm, testCacheDir);
    const start = instance.tables.held();
    for (let i = 0; i < 5; i++) assert.equal(serve(instance), 200);
    assert.equal(instance.tables.held(), start + 10, 'a request and its headers kept per request');
  });

  it("are let go of after each request when the instance is kept ('reuse')", async () => {
    const instance = await instantiateDirect(wasm, testCacheDir);
    const start = instance.tables.held();
    for (let i = 0; i < 20; i++) {
      assert.equal(serve(instance), 200);
      instance.tables.releaseWhere(isRequestScoped);
      assert.equal(instance.tables.held(), start);
    }
  });

  it('leave the handle numbers taken: a request kept and dropped at the next one drops its own, not the new one', async () => {
    const instance = await instantiateDirect(await watFixture('hello-drops-late'), testCacheDir);
    for (let i = 0; i < 20; i++) {
      assert.equal(serve(instance), 200, `request ${i + 1}`);
      instance.tables.releaseWhere(isRequestScoped);
    }
  });

  it('in a composed component, whose inner components pass their own resources: it goes on answering in both modes', async () => {
    const composed = await watFixture('composed-resource');
    const kept = await instantiateDirect(composed, testCacheDir);
    const fresh = await instantiateDirect(composed, testCacheDir);
    const snapshot = InstanceSnapshot.take(fresh.coreInstances, [fresh.tables]);
    assert.ok(snapshot);
    const start = { kept: kept.tables.held(), fresh: fresh.tables.held() };
    for (let i = 0; i < 20; i++) {
      assert.equal(serve(kept), 200);
      kept.tables.releaseWhere(isRequestScoped);
      assert.equal(serve(fresh), 200);
      assert.equal(snapshot.restore(), true);
    }
    assert.deepEqual({ kept: kept.tables.held(), fresh: fresh.tables.held() }, start);
  });

  it("are let go of with the rest when the instance is put back as it started ('fresh')", async () => {
    const instance = await instantiateDirect(wasm, testCacheDir);
    const snapshot = InstanceSnapshot.take(instance.coreInstances, [instance.tables]);
    assert.ok(snapshot);
    const start = instance.tables.held();
    for (let i = 0; i < 20; i++) {
      assert.equal(serve(instance), 200);
      assert.equal(snapshot.restore(), true);
      assert.equal(instance.tables.held(), start);
    }
  });
});
