// Planning the links of a workload: imports wired to the one component exporting them (or to
// the host), instantiation order, routes, and an error naming the interface and components
// for an import nobody provides, two providers, or a cycle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planLinks, versionsCompatible, type LinkedComponent } from '../../runtime/workloads/link-plan.ts';

const HOST = new Set(['wasi:http/types@0.2.0', 'wasi:io/streams@0.2.0', 'wasi:keyvalue/store@0.2.0-draft', 'wasi:http/incoming-handler@0.2.0']);
const host = (name: string) => HOST.has(name);

function plan(components: LinkedComponent[]) {
  const planned = planLinks(components, host);
  assert.ok(planned.ok, planned.ok ? '' : planned.error.message);
  return planned.value;
}

function error(components: LinkedComponent[]) {
  const planned = planLinks(components, host);
  assert.ok(!planned.ok, 'the plan should have failed');
  return planned.error;
}

const http = { name: 'http', imports: ['wasi:http/types@0.2.0', 'acme:shop/middleware@0.1.0'], exports: ['wasi:http/incoming-handler@0.2.0'] };
const middleware = { name: 'middleware', imports: ['acme:shop/receiver@0.1.0', 'wasi:io/streams@0.2.0'], exports: ['acme:shop/middleware@0.1.0'] };
const receiver = { name: 'receiver', imports: ['wasi:keyvalue/store@0.2.0-draft'], exports: ['acme:shop/receiver@0.1.2'] };

describe('planLinks', () => {
  it('wires a chain of custom interfaces and instantiates callees first', () => {
    const planned = plan([http, middleware, receiver]);
    assert.deepEqual(planned.wiring.get('http')!.get('acme:shop/middleware@0.1.0'), { kind: 'component', component: 'middleware', export: 'acme:shop/middleware@0.1.0' });
    assert.deepEqual(planned.wiring.get('middleware')!.get('acme:shop/receiver@0.1.0'), { kind: 'component', component: 'receiver', export: 'acme:shop/receiver@0.1.2' });
    assert.deepEqual(planned.wiring.get('http')!.get('wasi:http/types@0.2.0'), { kind: 'host' });
    assert.deepEqual(planned.instantiationOrder('http'), ['receiver', 'middleware', 'http']);
    assert.deepEqual(planned.instantiationOrder('middleware'), ['receiver', 'middleware']);
    assert.deepEqual(planned.routed, ['http']);
  });

  it('gives no route to a handler that only serves behind a middleware', () => {
    const front = { name: 'front', imports: ['wasi:http/incoming-handler@0.2.0'], exports: ['wasi:http/incoming-handler@0.2.0'] };
    const back = { name: 'back', imports: [], exports: ['wasi:http/incoming-handler@0.2.0'] };
    const planned = plan([front, back]);
    assert.deepEqual(planned.wiring.get('front')!.get('wasi:http/incoming-handler@0.2.0'), { kind: 'component', component: 'back', export: 'wasi:http/incoming-handler@0.2.0' });
    assert.deepEqual(planned.routed, ['front']);
  });

  it('names the import nobody provides and who imports it', () => {
    const failed = error([http]);
    assert.equal(failed.code, 'link-missing');
    assert.match(failed.message, /acme:shop\/middleware@0\.1\.0 \(imported by "http"\)/);
    assert.match(failed.hint!, /dev\.components/);
  });

  it('names both providers when two components export what a third imports', () => {
    const twin = { ...middleware, name: 'middleware-2' };
    const failed = error([http, middleware, twin, receiver]);
    assert.equal(failed.code, 'link-ambiguous');
    assert.match(failed.message, /"http" imports acme:shop\/middleware@0\.1\.0, and both "middleware" and "middleware-2" export it/);
  });

  it('names the components of a cycle', () => {
    const a = { name: 'a', imports: ['acme:x/b@1.0.0'], exports: ['acme:x/a@1.0.0'] };
    const b = { name: 'b', imports: ['acme:x/a@1.0.0'], exports: ['acme:x/b@1.0.0'] };
    const failed = error([a, b]);
    assert.equal(failed.code, 'link-cycle');
    assert.match(failed.message, /"a" → "b" → "a"/);
  });

  it('prefers a component over the host for an interface both provide', () => {
    const store = { name: 'memory-kv', imports: [], exports: ['wasi:keyvalue/store@0.2.0-draft'] };
    const planned = plan([receiver, store]);
    assert.equal(planned.wiring.get('receiver')!.get('wasi:keyvalue/store@0.2.0-draft')!.kind, 'component');
  });
});

describe('versionsCompatible', () => {
  it('follows semver lines as wasmtime does', () => {
    assert.equal(versionsCompatible('0.2.0', '0.2.6'), true);
    assert.equal(versionsCompatible('0.2.0', '0.3.0'), false);
    assert.equal(versionsCompatible('1.0.0', '1.4.2'), true);
    assert.equal(versionsCompatible('1.0.0', '2.0.0'), false);
    assert.equal(versionsCompatible('0.2.0-draft', '0.2.0-draft'), true);
    assert.equal(versionsCompatible('0.2.0-draft', '0.2.0-draft2'), false);
    assert.equal(versionsCompatible(undefined, '0.1.0'), false);
  });
});
