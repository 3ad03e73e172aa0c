// The views' project scopes (renderer/src/lib/project-scopes.ts): when another project opens,
// every view that holds a project's state is reset at once and loads the new one's once it is
// ready; an answer to a call made for the old project never lands; a reconnect reloads
// without a reset. Then the same through real view stores (Key-value, Blobs, Traffic) over a
// stand-in for the Studio API whose answers the test releases in the order it wants.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CommandName, ProjectView } from '../../runtime/studio/api.ts';
import { projectScopes, type Call, type ScopedView } from '../../renderer/src/lib/project-scopes.ts';
import type * as ProjectScope from '../../renderer/src/stores/project-scope.ts';
import type * as KvStore from '../../renderer/src/views/kv/kv-store.ts';
import type * as BlobStore from '../../renderer/src/views/blobs/blob-store.ts';
import type * as TrafficStore from '../../renderer/src/views/traffic/traffic-store.ts';

/** A ProjectView with only what the scopes read. */
function projectView(session: string, options: { ready?: boolean; keyvaluePath?: string } = {}): ProjectView {
  return { session, ready: options.ready ?? true, name: session, path: `/work/${session}`, keyvaluePath: options.keyvaluePath ?? `/work/${session}/.wash/data/keyvalue`, blobstorePath: `/work/${session}/.wash/data/blobstore` } as ProjectView;
}

/** Calls that wait until the test answers them, in the order it chooses. */
function heldCalls() {
  const held: { command: CommandName; args: unknown; answer(value: unknown): void; fail(error: Error): void }[] = [];
  const call = ((command: CommandName, args: unknown) =>
    new Promise((answer, fail) => {
      held.push({ command, args, answer, fail });
    })) as Call;
  return { call, held };
}

/** What a view was asked to do, in order. */
function recordingView(log: string[], name: string): ScopedView {
  return { reset: () => log.push(`${name} reset`), load: (project) => log.push(`${name} load ${project.session}`) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the project scopes', () => {
  it('load a view once the project is ready, not before', () => {
    const scopes = projectScopes(heldCalls().call);
    const log: string[] = [];
    scopes.project.follow(recordingView(log, 'traffic'));
    scopes.seen(projectView('a', { ready: false }));
    assert.deepEqual(log, []);
    scopes.seen(projectView('a'));
    assert.deepEqual(log, ['traffic load a']);
    // A view that comes later loads at once.
    scopes.data.follow(recordingView(log, 'kv'));
    assert.deepEqual(log, ['traffic load a', 'kv load a']);
  });

  it('reset every view the moment another project opens, and load it when that one is ready', () => {
    const scopes = projectScopes(heldCalls().call);
    const log: string[] = [];
    scopes.project.follow(recordingView(log, 'traffic'));
    scopes.data.follow(recordingView(log, 'kv'));
    scopes.seen(projectView('a'));
    log.length = 0;
    scopes.seen(projectView('b', { ready: false }));
    assert.deepEqual(log, ['traffic reset', 'kv reset']);
    scopes.seen(projectView('b'));
    assert.deepEqual(log, ['traffic reset', 'kv reset', 'traffic load b', 'kv load b']);
  });

  it('start nothing again for news of the same project (a build, a config read), and the data views only when the data folders move', () => {
    const scopes = projectScopes(heldCalls().call);
    const log: string[] = [];
    scopes.project.follow(recordingView(log, 'traffic'));
    scopes.data.follow(recordingView(log, 'kv'));
    scopes.seen(projectView('a'));
    log.length = 0;
    scopes.seen(projectView('a'));
    assert.deepEqual(log, []);
    scopes.seen(projectView('a', { keyvaluePath: '/elsewhere' }));
    assert.deepEqual(log, ['kv reset', 'kv load a']);
  });

  it('reload every view after a reconnect, without a reset', () => {
    const scopes = projectScopes(heldCalls().call);
    const log: string[] = [];
    scopes.project.follow(recordingView(log, 'traffic'));
    scopes.seen(projectView('a'));
    log.length = 0;
    scopes.seen(projectView('a'), true);
    assert.deepEqual(log, ['traffic load a']);
  });

  it('drop the answer, and the failure, of a call made before the project changed', async () => {
    const { call, held } = heldCalls();
    const scopes = projectScopes(call);
    scopes.seen(projectView('a'));
    const landed: string[] = [];
    void scopes.data.call('kv.buckets', {}).then((v) => landed.push(`old answer ${String(v)}`));
    void scopes.data.call('kv.buckets', {}).catch(() => landed.push('old failure'));
    scopes.seen(projectView('b'));
    void scopes.data.call('kv.buckets', {}).then((v) => landed.push(`new answer ${String(v)}`));
    held[2]!.answer(['b-bucket']);
    held[0]!.answer(['a-bucket']);
    held[1]!.fail(new Error('the container does not exist'));
    await settle();
    assert.deepEqual(landed, ['new answer b-bucket']);
  });

  it('keep a project-scope call through a move of the data folders, which only the data scope follows', async () => {
    const { call, held } = heldCalls();
    const scopes = projectScopes(call);
    scopes.seen(projectView('a'));
    const landed: string[] = [];
    void scopes.project.call('traffic.settings', {}).then(() => landed.push('traffic'));
    void scopes.data.call('kv.buckets', {}).then(() => landed.push('kv'));
    scopes.seen(projectView('a', { keyvaluePath: '/elsewhere' }));
    for (const h of held) h.answer(null);
    await settle();
    assert.deepEqual(landed, ['traffic']);
  });
});

describe('the view stores when another project opens', () => {
  const { call, held } = heldCalls();
  const stand = { call, on: () => () => {} };
  let scope: typeof ProjectScope;
  let kv: typeof KvStore;
  let blobs: typeof BlobStore;
  let traffic: typeof TrafficStore;
  const answer = (command: CommandName, value: unknown) => {
    const at = held.findIndex((h) => h.command === command);
    assert.ok(at >= 0, `a ${command} call is waiting (waiting: ${held.map((h) => h.command).join(', ')})`);
    held.splice(at, 1)[0]!.answer(value);
  };

  before(async () => {
    // The renderer's modules read these at import: the Electron path of the client (window.studio) needs no socket.
    Object.assign(globalThis, { window: { studio: stand }, location: { hash: '', href: 'http://localhost/' }, localStorage: { getItem: () => null, setItem: () => {}, removeItem: () => {} } });
    scope = await import('../../renderer/src/stores/project-scope.ts');
    kv = await import('../../renderer/src/views/kv/kv-store.ts');
    blobs = await import('../../renderer/src/views/blobs/blob-store.ts');
    traffic = await import('../../renderer/src/views/traffic/traffic-store.ts');
    kv.useKv.getState().start();
    blobs.useBlobs.getState().start();
    traffic.useTraffic.getState().start();
  });

  it('show nothing of the old project, even when its answers come after the switch', async () => {
    scope.projectSeen(projectView('old'));
    answer('kv.buckets', ['qrcode']);
    answer('blob.containers', [{ name: 'qrcodes', createdAt: 1 }]);
    await settle();
    assert.equal(blobs.useBlobs.getState().container, 'qrcodes');
    // The old project's listing and traffic are still on their way when the other project opens.
    assert.ok(held.some((h) => h.command === 'blob.list'));
    assert.ok(held.some((h) => h.command === 'traffic.query'));
    scope.projectSeen(projectView('new', { ready: false }));
    assert.deepEqual([kv.useKv.getState().buckets, blobs.useBlobs.getState().containers, blobs.useBlobs.getState().container], [[], [], undefined]);
    answer('blob.list', { objects: [{ name: '000001-a.png', size: 233, modified: 1, contentType: 'image/png' }], prefixes: [] });
    answer('traffic.query', { records: [{ id: 1 }, { id: 2 }], total: 2, newestId: 2, size: 2, capacity: 10_000, builds: [1] });
    await settle();
    assert.deepEqual(blobs.useBlobs.getState().objects, []);
    assert.equal(traffic.useTraffic.getState().total, 0);

    scope.projectSeen(projectView('new'));
    answer('kv.buckets', []);
    answer('blob.containers', []);
    await settle();
    assert.deepEqual([kv.useKv.getState().buckets, kv.useKv.getState().bucketsLoaded, blobs.useBlobs.getState().containers, blobs.useBlobs.getState().containersLoaded], [[], true, [], true]);
  });
});
