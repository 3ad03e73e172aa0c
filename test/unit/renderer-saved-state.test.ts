// The UI state saved in ui-state.json (and the page's localStorage copy) is read back as it is
// found: an older build, a hand edit or a torn copy can leave anything there. Each store that
// reads it back gets malformed state here, through a stand-in for the Studio API, and must come
// out with state its view can use (the HTTP view once died on a draft without `headers`).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type * as HttpStore from '../../renderer/src/views/http/http-store.ts';
import type * as DeployStore from '../../renderer/src/views/deploy/deploy-store.ts';
import type * as TrafficStore from '../../renderer/src/views/traffic/traffic-store.ts';
import type * as ProjectScope from '../../renderer/src/stores/project-scope.ts';
import type { ProjectView } from '../../runtime/studio/api.ts';

/** What ui.state.get answers, by the start of the key (the HTTP keys end with a hash of the project). */
const serverState = new Map<string, unknown>();
/** The localStorage copy, by the start of the key too. */
const localState = new Map<string, string>();
const listeners = new Map<string, ((payload: unknown) => void)[]>();
const byPrefix = <T>(map: Map<string, T>, key: string): T | undefined => [...map].find(([prefix]) => key.startsWith(prefix))?.[1];

const fakeStudio = {
  async call(command: string, args: { key?: string }): Promise<unknown> {
    switch (command) {
      case 'ui.state.get':
        return { value: byPrefix(serverState, args.key ?? '') ?? null };
      case 'ui.state.set':
        return null;
      case 'traffic.settings':
        return { defaultIgnoredHeaders: ['date'], folder: undefined };
      default:
        throw new Error(`not in this test: ${command}`);
    }
  },
  on(event: string, listener: (payload: unknown) => void) {
    listeners.set(event, [...(listeners.get(event) ?? []), listener]);
    return () => {};
  },
};

// The renderer's modules read these at import: the Electron path of the client (window.studio) needs no socket.
Object.assign(globalThis, {
  window: { studio: fakeStudio },
  location: { hash: '', href: 'http://localhost/' },
  localStorage: { getItem: (key: string) => byPrefix(localState, key) ?? null, setItem: () => {}, removeItem: () => {} },
});

const settle = () => new Promise((resolve) => setImmediate(resolve));
const huge = 'x'.repeat(3_000_000);

let http: typeof HttpStore;
let deploy: typeof DeployStore;
let traffic: typeof TrafficStore;
let scope: typeof ProjectScope;
before(async () => {
  http = await import('../../renderer/src/views/http/http-store.ts');
  deploy = await import('../../renderer/src/views/deploy/deploy-store.ts');
  traffic = await import('../../renderer/src/views/traffic/traffic-store.ts');
  scope = await import('../../renderer/src/stores/project-scope.ts');
});

const BAD_VALUES: [string, unknown][] = [
  ['null', null],
  ['a string', 'GET /'],
  ['a number', 42],
  ['true', true],
  ['an array', [{ method: 'GET', url: '/' }]],
  ['an empty object', {}],
];

/** What the HTTP view does with a request: all of it must work on what was read back. */
function assertUsable(draft: HttpStore.RequestDraft): void {
  http.effectiveHeaders(draft);
  http.bodyText(draft);
  http.paramsOf(draft.url);
  http.checkUrl(draft.url, 'http://127.0.0.1:8000');
  assert.equal(typeof draft.method, 'string');
  assert.equal(typeof draft.url, 'string');
  assert.ok(['none', 'text', 'json', 'form', 'file'].includes(draft.bodyMode), `bodyMode ${String(draft.bodyMode)}`);
  assert.equal(typeof draft.bodyText, 'string');
  assert.equal(typeof draft.bodyJson, 'string');
  for (const pair of [...draft.headers, ...draft.form]) assert.deepEqual([typeof pair.key, typeof pair.value, typeof pair.enabled], ['string', 'string', 'boolean']);
}

let project = 0;
/** Opens a new project whose saved draft and history are these, and waits for the server's copy. */
async function openWithSaved(saved: { draft?: unknown; history?: unknown; localDraft?: string; localHistory?: string }) {
  serverState.clear();
  localState.clear();
  if ('draft' in saved) serverState.set('component-studio.http.draft|', saved.draft);
  if ('history' in saved) serverState.set('component-studio.http.history|', saved.history);
  if (saved.localDraft !== undefined) localState.set('component-studio.http.draft|', saved.localDraft);
  if (saved.localHistory !== undefined) localState.set('component-studio.http.history|', saved.localHistory);
  http.showProject(`/work/project-${++project}`);
  await http.hydrateHttpState();
  return http.useHttp.getState();
}

describe('the HTTP view reading back its saved draft', () => {
  it('fills in what a draft with only a method and a URL lacks', async () => {
    const state = await openWithSaved({ draft: { method: 'GET', url: '/' } });
    assertUsable(state.draft);
    assert.deepEqual(state.draft, { method: 'GET', url: '/', headers: [], bodyMode: 'none', bodyText: '', bodyJson: '', form: [] });
    assert.equal(state.draftChosen, true);
  });

  for (const [what, value] of [...BAD_VALUES, ['a method that is not a string', { method: 5, url: '/' }], ['no URL', { method: 'GET', headers: [] }]] as [string, unknown][]) {
    it(`drops a draft that is ${what}`, async () => {
      const state = await openWithSaved({ draft: value });
      assertUsable(state.draft);
      assert.equal(state.draft.url, '/', 'the first example, as for a project without a draft');
      assert.equal(state.draftChosen, false);
    });
  }

  it('replaces fields of the wrong type by a fresh request\'s, and keeps the others', async () => {
    const state = await openWithSaved({ draft: { method: 'POST', url: '/x', headers: 'Accept: */*', bodyMode: 'xml', bodyText: 3, bodyJson: null, form: { a: 1 }, name: [], file: { base64: 5 } } });
    assertUsable(state.draft);
    assert.deepEqual(state.draft, { method: 'POST', url: '/x', headers: [], bodyMode: 'none', bodyText: '', bodyJson: '', form: [] });
  });

  it('keeps the well-formed header and form rows, and drops the others', async () => {
    const rows = [null, 1, 'x', [], { key: 1, value: 'v' }, { key: 'a', value: null }, { key: 'X-Ok', value: '1', enabled: false }, { key: 'X-On', value: '2', enabled: 'yes' }];
    const state = await openWithSaved({ draft: { method: 'POST', url: '/', headers: rows, bodyMode: 'form', form: rows } });
    assertUsable(state.draft);
    const kept = [
      { key: 'X-Ok', value: '1', enabled: false },
      { key: 'X-On', value: '2', enabled: true },
    ];
    assert.deepEqual(state.draft.headers, kept);
    assert.deepEqual(state.draft.form, kept);
  });

  it('takes huge strings as they are', async () => {
    const state = await openWithSaved({ draft: { method: 'GET', url: `/${huge}`, headers: [{ key: huge, value: huge, enabled: true }], bodyMode: 'text', bodyText: huge, bodyJson: huge, form: [], name: huge } });
    assertUsable(state.draft);
    assert.equal(state.draft.url.length, huge.length + 1);
  });

  it('checks the localStorage copy shown before the server answers the same way', async () => {
    for (const local of ['{"method":"GET","url":"/local"}', 'not json', 'null', '[1]', '{"method":"GET"}']) {
      const state = await openWithSaved({ localDraft: local, localHistory: '{"id":"a"}' });
      assertUsable(state.draft);
      assert.ok(Array.isArray(state.history));
    }
    const state = await openWithSaved({ localDraft: '{"method":"PUT","url":"/local"}' });
    assert.deepEqual([state.draft.method, state.draft.url, state.draft.headers], ['PUT', '/local', []]);
  });
});

describe('the HTTP view reading back its saved history', () => {
  const good = { id: 'good', at: 1, request: { method: 'GET', url: '/ok', headers: [], bodyMode: 'none', bodyText: '', bodyJson: '', form: [] }, status: 200, timeMs: 3, error: undefined };

  it('keeps the well-formed entries, in order, and drops the others', async () => {
    const history = [
      null,
      'GET /',
      [good],
      { id: 'no-request', at: 1 },
      { id: 'bad-request', at: 1, request: { method: 'GET' } },
      { id: 5, at: 1, request: good.request },
      { id: 'no-time', at: '1', request: good.request },
      good,
      { id: 'short', at: 2, request: { method: 'POST', url: '/s' }, status: '200', timeMs: null, error: 5, errorCode: 'x', errorHint: {} },
      { ...good, at: 3 },
    ];
    const state = await openWithSaved({ history });
    assert.deepEqual(
      state.history.map((h) => h.id),
      ['good', 'short'],
    );
    const short = state.history[1]!;
    assert.deepEqual([short.status, short.timeMs, short.error, short.errorCode, short.errorHint], [undefined, undefined, undefined, 'x', undefined]);
    for (const entry of state.history) assertUsable(entry.request);
    // What the history list does: search it, and open an entry.
    state.history.filter((h) => `${h.request.method} ${h.request.url} ${http.bodyText(h.request) ?? ''}`.includes('GET'));
    state.reopen(short);
    assertUsable(http.useHttp.getState().draft);
  });

  for (const [what, value] of BAD_VALUES) {
    it(`reads a history that is ${what} as a list`, async () => {
      const state = await openWithSaved({ history: value });
      assert.ok(Array.isArray(state.history));
      for (const entry of state.history) assertUsable(entry.request);
    });
  }
});

describe('the Deploy view reading back its saved form', () => {
  const defaults = () => deploy.defaultForm('App');
  async function loadWithSaved(value: unknown) {
    serverState.clear();
    serverState.set('component-studio.deploy.', value);
    await deploy.useDeploy.getState().load(`/work/project-${++project}`, 'App');
    const form = deploy.useDeploy.getState().form;
    assert.deepEqual([typeof form.repository, typeof form.tag, typeof form.replicas, typeof form.host, typeof form.insecure], ['string', 'string', 'number', 'string', 'boolean']);
    assert.ok(Number.isInteger(form.replicas) && form.replicas >= 0, `replicas ${form.replicas}`);
    return form;
  }

  for (const [what, value] of BAD_VALUES) {
    it(`starts from the defaults when the form is ${what}`, async () => {
      assert.deepEqual(await loadWithSaved(value), defaults());
    });
  }

  it('replaces the fields of the wrong type and keeps the others', async () => {
    assert.deepEqual(await loadWithSaved({ repository: 5, tag: 'v2', replicas: '3', host: null, insecure: 'true' }), { ...defaults(), tag: 'v2' });
    assert.deepEqual(await loadWithSaved({ host: 'app.example.com', replicas: 0, insecure: false }), { ...defaults(), host: 'app.example.com', replicas: 0, insecure: false });
    for (const replicas of [-1, 2.5, null, [], {}]) assert.equal((await loadWithSaved({ replicas })).replicas, defaults().replicas);
  });

  it('takes huge strings as they are', async () => {
    assert.equal((await loadWithSaved({ repository: huge, tag: huge, host: huge })).host.length, huge.length);
  });
});

describe('the Traffic view reading back its ignored headers', () => {
  it('keeps the strings of a list, and takes the defaults for anything else', async () => {
    let opened = 0;
    const read = async (value: unknown) => {
      serverState.clear();
      serverState.set('component-studio.traffic.ignoredHeaders', value);
      traffic.useTraffic.getState().start();
      // Another project opens: the view reads its state again.
      scope.projectSeen({ session: `s${++opened}`, ready: true, name: 'traffic', path: `/work/traffic-${opened}`, keyvaluePath: '/kv', blobstorePath: '/blob' } as ProjectView);
      for (let i = 0; i < 10; i++) await settle();
      return traffic.useTraffic.getState().ignoredHeaders;
    };
    assert.deepEqual(await read(['x-id', 5, null, { a: 1 }, 'etag']), ['x-id', 'etag']);
    for (const [what, value] of BAD_VALUES) assert.deepEqual(await read(value), Array.isArray(value) ? [] : ['date'], what);
    assert.deepEqual(await read([huge]), [huge]);
  });
});

describe('the HTTP view sending a path while the gateway is not serving', () => {
  it('says why from the builds and workloads: a first build running, a failure, a service, or plainly not yet', () => {
    const building = http.notServingReason([{ outcome: 'running' }], [{ state: 'building' }]);
    assert.equal(building, 'The gateway is not serving yet: the first build is still running.');
    assert.equal(http.notServingReason([{ outcome: 'failed' }, { outcome: 'running' }], []), 'The gateway is not serving yet: a build is still running.');
    assert.match(http.notServingReason([{ outcome: 'failed' }], [{ state: 'failed' }]), /the component did not build or could not start/);
    assert.match(http.notServingReason([{ outcome: 'ok' }], [{ state: 'running', service: { command: 'run' } as never }]), /runs as a service/);
    assert.equal(http.notServingReason([], []), 'The gateway is not serving yet.');
    assert.equal(http.checkUrl('/qrcode', undefined, building), `${building} A path like this goes to the gateway; a full http:// URL can be sent now.`);
    assert.equal(http.checkUrl('/qrcode', 'http://127.0.0.1:8000', building), undefined);
  });
});
