// The traffic inspector on real components through the real CLI: every kind of request is
// captured as it happened (bodies streamed both ways, bodies over the capture's limit, a 413,
// a 504, a trap's 500), the lines a component logs belong to the request that logged them
// even when requests run at once, captured traffic survives a restart, HAR goes out valid and
// comes back, a replay after an edit shows what changed, checks run after each reload and
// fail when an answer changes, and `component-studio check` says so with its exit code.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import type { CheckRun, TrafficSummaryView } from '../../runtime/studio/api.ts';
import { buildJsFixture } from '../fixtures/js/build.ts';
import { watFixtureAlone, type WatFixture } from '../fixtures/fixtures.ts';
import { messageProject, type MessageProject } from '../helpers/message-project.ts';
import { makeProject, probe } from '../helpers/store-probe.ts';
import { apiErrorOf, StudioApiClient } from '../helpers/studio-api-client.ts';
import { letWatcherSettle, runStudio, startStudio, type StudioProcess } from '../helpers/studio-process.ts';

/** Sends a body in chunks (chunked encoding) and reads the answer. */
function sendChunked(url: string, chunks: Buffer[]): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    let i = 0;
    const next = () => {
      if (i === chunks.length) return req.end();
      req.write(chunks[i++], () => setImmediate(next));
    };
    next();
  });
}

/** The next captured record whose path is `path` (from traffic.appended, or already there). */
async function recordOf(client: StudioApiClient, path: string, since: number): Promise<TrafficSummaryView> {
  const batch = await client.waitForEvent('traffic.appended', (records) => records.some((r) => r.path === path), 60_000, since);
  return batch.find((r) => r.path === path)!;
}

describe('capture of what a component was asked and answered', () => {
  let dir: string;
  let studio: StudioProcess;
  let client: StudioApiClient;

  before(async () => {
    const copy = await watFixtureAlone('hello-echo');
    dir = copy.dir;
    studio = await startStudio(copy.wasm, ['--workers', '2', '--body-limit', '2'], 120_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records a request streamed in and its answer streamed out, with who served it and when', async () => {
    const since = client.mark();
    const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(50_000, 97 + i));
    const answer = await sendChunked(`${studio.url}streamed?x=1`, chunks);
    assert.equal(answer.status, 200);
    const summary = await recordOf(client, '/streamed?x=1', since);
    assert.equal(summary.method, 'POST');
    assert.equal(summary.status, 200);
    assert.equal(summary.requestBytes, 400_000);
    assert.equal(summary.responseBytes, 400_000);
    assert.equal(summary.build, 1);
    assert.equal(summary.workload, 'hello-echo');
    assert.equal(summary.origin, 'client');
    assert.ok(summary.ttfbMs !== undefined && summary.ttfbMs <= summary.durationMs);
    const detail = (await client.call('traffic.get', { id: summary.id }))!;
    assert.ok(detail.bodiesKept);
    assert.deepEqual(Buffer.from(detail.requestBody, 'base64'), Buffer.concat(chunks));
    assert.deepEqual(Buffer.from(detail.responseBody, 'base64'), Buffer.concat(chunks));
    assert.ok(typeof detail.record.worker === 'number');
    assert.ok(detail.record.requestHeaders.some(([name, value]) => name.toLowerCase() === 'transfer-encoding' && value === 'chunked'));
    assert.deepEqual(detail.record.responseHeaders.find(([name]) => name === 'x-echo-path'), ['x-echo-path', '/streamed?x=1']);
  });

  it('keeps the first MiB of a larger body, with its whole size and a mark that it was cut', async () => {
    const since = client.mark();
    const body = Buffer.alloc(1_500_000, 'z');
    const answer = await fetch(`${studio.url}big`, { method: 'POST', body });
    assert.equal((await answer.arrayBuffer()).byteLength, 1_500_000);
    const summary = await recordOf(client, '/big', since);
    assert.equal(summary.cut, true);
    assert.equal(summary.requestBytes, 1_500_000);
    assert.equal(summary.responseBytes, 1_500_000);
    const detail = (await client.call('traffic.get', { id: summary.id }))!;
    assert.equal(detail.record.requestCut, true);
    assert.equal(detail.record.responseCut, true);
    assert.equal(Buffer.from(detail.requestBody, 'base64').length, 1 << 20);
    assert.equal(Buffer.from(detail.responseBody, 'base64').length, 1 << 20);
  });

  it('records a 413 the gateway answered before the component ran', async () => {
    const since = client.mark();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${studio.url}too-large`, { method: 'POST', headers: { 'content-length': String(3 * 2 ** 20) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1000));
    });
    assert.equal(status, 413);
    const summary = await recordOf(client, '/too-large', since);
    assert.equal(summary.status, 413);
    assert.equal(summary.workload, undefined, 'no component ran');
    const detail = (await client.call('traffic.get', { id: summary.id }))!;
    assert.match(Buffer.from(detail.responseBody, 'base64').toString(), /413 Payload Too Large/);
  });

  it('pages and filters the list in the studio, newest first', async () => {
    const since = client.mark();
    for (const path of ['/filter/a', '/filter/b', '/filter/c']) await (await fetch(`${studio.url}${path.slice(1)}`)).arrayBuffer();
    await recordOf(client, '/filter/c', since);
    const page = await client.call('traffic.query', { filter: { text: '/FILTER/', methods: ['GET'] }, limit: 2 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.records.map((r) => r.path), ['/filter/c', '/filter/b']);
    const next = await client.call('traffic.query', { filter: { text: '/filter/', maxId: page.newestId }, offset: 2, limit: 2 });
    assert.deepEqual(next.records.map((r) => r.path), ['/filter/a']);
    const errors = await client.call('traffic.query', { filter: { statusClasses: [4] } });
    assert.ok(errors.records.every((r) => r.status !== undefined && r.status >= 400 && r.status < 500));
    assert.ok(errors.records.some((r) => r.path === '/too-large'));
  });

  it('exports HAR 1.2 that the HAR schema accepts, and imports it back as requests to replay', async () => {
    const since = client.mark();
    await (await fetch(`${studio.url}har-me`, { method: 'PUT', body: 'some text', headers: { 'content-type': 'text/plain' } })).arrayBuffer();
    const original = await recordOf(client, '/har-me', since);
    const exported = await client.call('traffic.exportHar', { ids: [original.id] });
    const har = JSON.parse(exported.har) as { log: { version: string; entries: { request: { url: string; postData?: { text: string } }; response: { status: number; content: { text?: string } } }[] } };
    const schemas = createRequire(import.meta.url)('har-schema') as Record<string, object>;
    const ajv = new Ajv({ strict: false, validateFormats: false, meta: false });
    ajv.addMetaSchema(draft06);
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    const valid = ajv.getSchema('har.json#')!;
    assert.ok(valid(har), JSON.stringify(valid.errors));
    assert.equal(har.log.version, '1.2');
    assert.equal(har.log.entries[0]!.request.url, `${studio.url}har-me`);
    assert.equal(har.log.entries[0]!.request.postData?.text, 'some text');
    assert.equal(har.log.entries[0]!.response.content.text, 'some text');

    const imported = await client.call('traffic.importHar', { har: exported.har });
    assert.equal(imported.imported, 1);
    const back = (await client.call('traffic.get', { id: imported.ids[0]! }))!;
    assert.equal(back.record.origin, 'imported');
    assert.equal(back.record.method, 'PUT');
    assert.equal(back.record.path, '/har-me');
    assert.equal(back.record.status, 200);
    assert.equal(Buffer.from(back.requestBody, 'base64').toString(), 'some text');
    const replayed = await client.call('traffic.replay', { ids: [imported.ids[0]!] });
    assert.equal(replayed.matched, 1, JSON.stringify(replayed.results));
  });

  it('leaves out HAR entries that could never be sent again, says which, and replays the rest', async () => {
    const since = client.mark();
    await (await fetch(`${studio.url}har-odd`)).arrayBuffer();
    const original = await recordOf(client, '/har-odd', since);
    const har = JSON.parse((await client.call('traffic.exportHar', { ids: [original.id] })).har) as { log: { entries: { request: { method: string; headers: { name: string; value: string }[] }; _studio?: { logs?: unknown[] } }[] } };
    const good = har.log.entries[0]!;
    good._studio = { ...good._studio, logs: [null, 5, { text: 'kept', source: 'app', time: 1, level: 'info' }] };
    const badMethod = structuredClone(good);
    badMethod.request.method = 'GET\r\nX-Injected: 1';
    const badHeader = structuredClone(good);
    badHeader.request.headers.push({ name: 'bad name', value: 'v' });
    har.log.entries = [good, badMethod, badHeader];
    const imported = await client.call('traffic.importHar', { har: JSON.stringify(har) });
    assert.equal(imported.imported, 1);
    assert.match(imported.skipped.join('\n'), /entry 2: "GET\\r\\nX-Injected: 1" is not an HTTP method/);
    assert.match(imported.skipped.join('\n'), /entry 3: the header "bad name" cannot be sent/);
    const back = (await client.call('traffic.get', { id: imported.ids[0]! }))!;
    assert.deepEqual(back.record.logs.map((l) => l.text), ['kept']);
    const replayed = await client.call('traffic.replay', { ids: imported.ids });
    assert.equal(replayed.results.length, 1);
  });

  it('refuses a file that is not HAR, naming what is wrong', async () => {
    const error = await apiErrorOf(client.call('traffic.importHar', { har: JSON.stringify({ log: { version: '1.2', entries: [{ request: {} }] } }) }));
    assert.equal(error.code, 'har-invalid');
    assert.match(error.message, /creator|entries/);
    // A file that is not text is named as such, without its bytes quoted back.
    const binary = await apiErrorOf(client.call('traffic.importHar', { har: '\u0000\u0001\u0002 PNG bytes' }));
    assert.equal(binary.code, 'har-invalid');
    assert.match(binary.message, /^This is not a HAR 1\.2 file: it is not JSON \(Unexpected token 'U\+0000'\)/);
    assert.doesNotMatch(binary.message, /PNG bytes|\u0000/);
  });
});

describe('capture of the studio\'s own answers for a failing component', () => {
  const studios: { studio: StudioProcess; client: StudioApiClient; dir: string }[] = [];
  after(async () => {
    for (const { studio, client, dir } of studios) {
      client.close();
      await studio.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  async function start(name: WatFixture, args: string[]): Promise<{ studio: StudioProcess; client: StudioApiClient }> {
    const copy = await watFixtureAlone(name);
    const studio = await startStudio(copy.wasm, ['--workers', '1', ...args], 120_000, { ui: true });
    const client = await StudioApiClient.connect(studio.studioUrl);
    studios.push({ studio, client, dir: copy.dir });
    return { studio, client };
  }

  it('records a trap as the 500 it got, with the log line that says why', async () => {
    const { studio, client } = await start('trap', []);
    const since = client.mark();
    assert.equal((await fetch(`${studio.url}boom`)).status, 500);
    const summary = await recordOf(client, '/boom', since);
    assert.equal(summary.status, 500);
    assert.equal(summary.logCount, 1);
    const detail = (await client.call('traffic.get', { id: summary.id }))!;
    assert.match(detail.record.logs[0]!.text, /GET \/boom: trap trapped/);
    assert.match(Buffer.from(detail.responseBody, 'base64').toString(), /the component trapped/);
  });

  it('records a timeout as the 504 it got, with the log line that says the worker was replaced', async () => {
    const { studio, client } = await start('loop', ['--timeout', '1']);
    const since = client.mark();
    assert.equal((await fetch(`${studio.url}spin`)).status, 504);
    const summary = await recordOf(client, '/spin', since);
    assert.equal(summary.status, 504);
    const detail = (await client.call('traffic.get', { id: summary.id }))!;
    assert.match(detail.record.logs.map((l) => l.text).join('\n'), /did not answer within 1 s/);
  });
});

describe('log lines under concurrency', () => {
  let dir: string;
  let studio: StudioProcess;
  let client: StudioApiClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-traffic-'));
    const wasm = join(dir, 'host-probe.wasm');
    await copyFile(await buildJsFixture('host-probe'), wasm);
    studio = await startStudio(wasm, ['--workers', '4'], 180_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each request exactly the lines it logged, while 4 workers serve 24 requests at once', async () => {
    // Rounds until the requests spread over several workers: on a loaded machine the other
    // workers may still be starting while the first round is served.
    const workers = new Set<number>();
    for (let round = 0; round < 5 && workers.size < 2; round++) {
      const since = client.mark();
      const tags = Array.from({ length: 24 }, (_, i) => `r${round}t${i}`);
      const answers = await Promise.all(tags.map((tag) => fetch(`${studio.url}log-tag?tag=${tag}&ms=30`).then((r) => r.text())));
      assert.deepEqual(answers, tags.map((t) => `${t}\n`));
      const seen = new Map<string, TrafficSummaryView>();
      await client.waitForEvent('traffic.appended', (records) => {
        for (const r of records) if (r.path.startsWith('/log-tag')) seen.set(r.path, r);
        return tags.every((tag) => seen.has(`/log-tag?tag=${tag}&ms=30`));
      }, 60_000, since);
      for (const tag of tags) {
        const summary = seen.get(`/log-tag?tag=${tag}&ms=30`)!;
        const detail = (await client.call('traffic.get', { id: summary.id }))!;
        assert.deepEqual(detail.record.logs.map((l) => l.text), [`tag ${tag} before`, `tag ${tag} after`]);
        workers.add(detail.record.worker!);
      }
    }
    assert.ok(workers.size > 1, 'the requests ran on several workers');
  });

  it('marks the lines a replay makes the component log, and not the client\'s', async () => {
    const since = client.mark();
    assert.equal(await (await fetch(`${studio.url}log-tag?tag=mine&ms=1`)).text(), 'mine\n');
    const original = await client.waitForEvent('traffic.appended', (records) => records.some((r) => r.path === '/log-tag?tag=mine&ms=1'), 60_000, since);
    const id = original.find((r) => r.path === '/log-tag?tag=mine&ms=1')!.id;
    await client.call('traffic.replay', { ids: [id] });
    const { records } = await client.call('logs.query', { text: 'tag mine before' });
    assert.deepEqual(records.map((r) => r.by ?? 'client'), ['client', 'replay']);
  });
});

describe('captured traffic across a restart', () => {
  it('is still there, bodies and all, when the studio starts again on the project', async () => {
    const copy = await watFixtureAlone('hello-echo');
    try {
      let studio = await startStudio(copy.wasm, ['--workers', '1'], 120_000, { ui: true });
      let client = await StudioApiClient.connect(studio.studioUrl);
      const since = client.mark();
      await (await fetch(`${studio.url}remember-me`, { method: 'POST', body: 'kept across a restart' })).arrayBuffer();
      const first = await recordOf(client, '/remember-me', since);
      client.close();
      await studio.stop();
      studio = await startStudio(copy.wasm, ['--workers', '1'], 120_000, { ui: true });
      client = await StudioApiClient.connect(studio.studioUrl);
      try {
        const page = await client.call('traffic.query', { filter: { text: 'remember-me' } });
        assert.deepEqual(page.records.map((r) => r.id), [first.id]);
        const detail = (await client.call('traffic.get', { id: first.id }))!;
        assert.equal(Buffer.from(detail.responseBody, 'base64').toString(), 'kept across a restart');
        // New requests get ids after the old ones, so the list stays in order.
        const since2 = client.mark();
        await (await fetch(`${studio.url}after-restart`)).arrayBuffer();
        const next = await recordOf(client, '/after-restart', since2);
        assert.ok(next.id > first.id, `${next.id} follows ${first.id}`);
        const newest = await client.call('traffic.query', { limit: 1 });
        assert.equal(newest.records[0]!.id, next.id);
      } finally {
        client.close();
        await studio.stop();
      }
    } finally {
      await rm(copy.dir, { recursive: true, force: true });
    }
  });
});

describe('replays and checks on a project being edited', () => {
  let project: MessageProject;
  let studio: StudioProcess;
  let client: StudioApiClient;

  before(async () => {
    project = await messageProject('first answer');
    studio = await startStudio(project.root, ['--workers', '1'], 120_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await project?.remove();
  });

  async function saveAndReload(message: string): Promise<CheckRun> {
    const since = client.mark();
    await project.save(message);
    await client.waitForEvent('build.changed', (b) => b.outcome === 'ok' && b.number > 1, 60_000, since);
    return client.waitForEvent('checks.ran', () => true, 60_000, since);
  }

  it('starts no build when it writes its records and check files into the project', async () => {
    const since = client.mark();
    await (await fetch(`${studio.url}no-build`)).arrayBuffer();
    const record = await recordOf(client, '/no-build', since);
    await client.call('checks.pin', { ids: [record.id], kind: 'status', file: 'scratch' });
    await letWatcherSettle();
    assert.deepEqual(client.events.slice(since).filter((e) => e.event === 'build.changed'), []);
    await client.call('checks.delete', { file: 'scratch.json' });
  });

  it('replays a request after an edit and shows the body that changed', async () => {
    const since = client.mark();
    assert.equal(await (await fetch(`${studio.url}greet`)).text(), 'first answer');
    const original = await recordOf(client, '/greet', since);
    const same = await client.call('traffic.replay', { ids: [original.id] });
    assert.deepEqual([same.matched, same.changed, same.failed], [1, 0, 0]);
    await saveAndReload('second answer');
    const report = await client.call('traffic.replay', { ids: [original.id] });
    assert.deepEqual([report.matched, report.changed, report.failed], [0, 1, 0]);
    const result = report.results[0]!;
    assert.equal(result.diff?.body.kind, 'text');
    const replayed = (await client.call('traffic.get', { id: result.replayId! }))!;
    assert.equal(replayed.record.origin, 'replay');
    assert.equal(replayed.record.replayOf, original.id);
    assert.equal(Buffer.from(replayed.responseBody, 'base64').toString(), 'second answer');
    const wholeBuild = await client.call('traffic.replay', { build: 1 });
    assert.ok(wholeBuild.results.some((r) => r.id === original.id && r.outcome === 'changed'));
    assert.ok(wholeBuild.results.every((r) => r.id !== result.replayId), 'replays are not replayed again');
  });

  it('runs pinned checks after every reload, and they fail when the answer changes', async () => {
    const since = client.mark();
    await (await fetch(`${studio.url}pinned`)).arrayBuffer();
    const record = await recordOf(client, '/pinned', since);
    const pinned = await client.call('checks.pin', { ids: [record.id], kind: 'exact', file: 'greeting' });
    // A GET: nothing it does should change the data, so no word about the live data.
    assert.deepEqual(pinned, { file: 'greeting.json', added: 1, liveWrites: 0 });
    // Pinned again, it is not added twice.
    assert.deepEqual(await client.call('checks.pin', { ids: [record.id], kind: 'exact', file: 'greeting' }), { file: 'greeting.json', added: 0, liveWrites: 0 });
    // A POST may write: said, unless its file runs on a copy of the data.
    const postedSince = client.mark();
    await (await fetch(`${studio.url}pinned-post`, { method: 'POST', body: 'x' })).arrayBuffer();
    const posted = await recordOf(client, '/pinned-post', postedSince);
    assert.deepEqual(await client.call('checks.pin', { ids: [posted.id], kind: 'status', file: 'writes' }), { file: 'writes.json', added: 1, liveWrites: 1 });
    await writeFile(join(project.root, '.wash', 'checks', 'on-copy.json'), JSON.stringify({ data: 'copy', checks: [] }));
    assert.deepEqual(await client.call('checks.pin', { ids: [posted.id], kind: 'status', file: 'on-copy' }), { file: 'on-copy.json', added: 1, liveWrites: 0 });
    for (const name of ['writes.json', 'on-copy.json']) await client.call('checks.delete', { file: name });
    const file = JSON.parse(await readFile(join(project.root, '.wash', 'checks', 'greeting.json'), 'utf8')) as { checks: { expect: { body: { exact: string } } }[] };
    assert.equal(file.checks.length, 1);
    assert.equal(file.checks[0]!.expect.body.exact, 'second answer');

    const spaced = await saveAndReload('second answer ');
    assert.equal(spaced.failed, 1, 'a trailing space changes the body');
    const restored = await saveAndReload('second answer');
    assert.deepEqual([restored.passed, restored.failed], [1, 0]);
    const changed = await saveAndReload('third answer');
    assert.deepEqual([changed.passed, changed.failed], [0, 1]);
    assert.match(changed.results[0]!.problems.join(' '), /body differs/);
    const answer = (await client.call('traffic.get', { id: changed.results[0]!.recordId! }))!;
    assert.equal(answer.record.origin, 'check');
    assert.match(studio.output(), /checks: build \d+ · 0\/1 pass, 1 failed: GET \/pinned: The body differs/);
  });

  it('judges JSON subsets, regular expressions and status-only checks as written in the file', async () => {
    await writeFile(
      join(project.root, '.wash', 'checks', 'greeting.json'),
      JSON.stringify({
        checks: [
          { name: 'status only', request: { method: 'GET', path: '/a', headers: [] }, expect: { status: 200 } },
          { name: 'regex', request: { method: 'GET', path: '/b', headers: [] }, expect: { status: 200, body: { regex: '^third' } } },
          { name: 'regex that fails', request: { method: 'GET', path: '/c', headers: [] }, expect: { status: 200, body: { regex: '^fourth' } } },
          { name: 'json', request: { method: 'GET', path: '/d', headers: [] }, expect: { status: 200, body: { json: { a: 1 } } } },
        ],
      }),
    );
    const run = await client.call('checks.run', {});
    assert.deepEqual(run.results.map((r) => [r.name, r.passed]), [['status only', true], ['regex', true], ['regex that fails', false], ['json', false]]);
    assert.match(run.results[3]!.problems[0]!, /not JSON/);
  });

  it('refuses a check file that does not parse, naming the field', async () => {
    const error = await apiErrorOf(client.call('checks.save', { file: 'broken.json', text: JSON.stringify({ checks: [{ name: 'x', request: { method: 'GET', path: 'no-slash', headers: [] }, expect: { status: 200 } }] }) }));
    assert.equal(error.code, 'checks-invalid');
    assert.match(error.message, /checks\.0\.request\.path: must start with \//);
    const header = await apiErrorOf(client.call('checks.save', { file: 'broken.json', text: JSON.stringify({ checks: [{ name: 'x', request: { method: 'GET', path: '/', headers: [['bad name', 'v'], ['x-ok', 'a\r\nb']] }, expect: { status: 200 } }] }) }));
    assert.equal(header.code, 'checks-invalid');
    assert.match(header.message, /checks\.0\.request\.headers\.0\.0: must be a header name/);
  });
});

describe('replays that change data', () => {
  let tempDir: string;
  let studio: StudioProcess;
  let client: StudioApiClient;
  const kv = probe(() => studio);

  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-traffic-'));
    studio = await startStudio(await makeProject(tempDir, 'version: 1\n'), ['--workers', '1'], 180_000, { ui: true });
    client = await StudioApiClient.connect(studio.studioUrl);
  });

  after(async () => {
    client?.close();
    await studio?.stop();
    await rm(tempDir, { recursive: true, force: true });
  });

  const stored = async () => {
    const value = await client.call('kv.get', { bucket: 'notes', key: 'today' });
    return value ? Buffer.from(value.value, 'base64').toString() : undefined;
  };

  it('change the live data by default, and leave it as it was on a throwaway copy', async () => {
    const since = client.mark();
    await kv.ok('PUT', '/kv/set', { bucket: 'notes', key: 'today' }, 'written by the request');
    const put = await recordOf(client, '/kv/set?bucket=notes&key=today', since);
    await client.call('kv.set', { bucket: 'notes', key: 'today', value: Buffer.from('changed since').toString('base64') });

    const onCopy = await client.call('traffic.replay', { ids: [put.id], data: 'copy' });
    assert.equal(onCopy.data, 'copy');
    assert.deepEqual([onCopy.matched, onCopy.failed], [1, 0], JSON.stringify(onCopy.results));
    assert.equal(await stored(), 'changed since', 'the copy was restored');
    const snapshots = await client.call('snapshots.list', {});
    assert.deepEqual(snapshots.snapshots.map((s) => s.name), [], 'the copy leaves no snapshot behind');

    const live = await client.call('traffic.replay', { ids: [put.id] });
    assert.equal(live.data, 'live');
    assert.equal(await stored(), 'written by the request');
  });
});

describe('component-studio check', () => {
  let project: MessageProject;
  before(async () => {
    project = await messageProject('checked answer');
  });
  after(async () => project?.remove());

  const checkFile = (body: string) => JSON.stringify({ checks: [{ name: 'the answer', request: { method: 'GET', path: '/', headers: [] }, expect: { status: 200, body: { exact: body } } }] });

  it('exits 2 for a .wasm file that is no component, saying so before anything about checks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'studio-check-file-'));
    try {
      const file = join(dir, 'app.wasm');
      await writeFile(file, '');
      const run = await runStudio(['check', file]);
      assert.equal(run.code, 2, run.output);
      assert.match(run.output, /app\.wasm is empty \(0 bytes\)\./);
      assert.doesNotMatch(run.output, /no checks/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 when there are no checks, before building anything', async () => {
    const run = await runStudio(['check', project.root]);
    assert.equal(run.code, 2, run.output);
    assert.ok(run.output.includes(`no checks in ${join(project.root, '.wash', 'checks')}.`), run.output);
    assert.doesNotMatch(run.output, /building|serving/, 'nothing was built or started for it');
  });

  it('exits 0 when every check passes', async () => {
    await mkdir(join(project.root, '.wash', 'checks'), { recursive: true });
    await writeFile(join(project.root, '.wash', 'checks', 'answer.json'), checkFile('checked answer'));
    const run = await runStudio(['check', project.root, '--quiet']);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /✓ the answer/);
    assert.match(run.output, /1\/1 checks pass/);
    // It runs once and exits: no keys to press.
    const shown = await runStudio(['check', project.root]);
    assert.equal(shown.code, 0, shown.output);
    assert.doesNotMatch(shown.output, /r \+ Enter rebuilds|Ctrl\+C stops/);
    assert.match(shown.output, /^Component Studio check · project /m);
  });

  it('exits 1 when a check fails, saying why', async () => {
    await writeFile(join(project.root, '.wash', 'checks', 'answer.json'), checkFile('another answer'));
    const run = await runStudio(['check', project.root, '--quiet']);
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /✗ the answer\n\s+The body differs from the expected one/);
  });

  it('exits 2 when a check file is invalid', async () => {
    await writeFile(join(project.root, '.wash', 'checks', 'answer.json'), '{"checks": [{"name": 1}]}');
    const run = await runStudio(['check', project.root, '--quiet']);
    assert.equal(run.code, 2, run.output);
    assert.match(run.output, /answer\.json: checks\.0\.name/);
  });

  it('exits 2 when the build fails, saying why once', async () => {
    await writeFile(join(project.root, '.wash', 'checks', 'answer.json'), checkFile('checked answer'));
    await project.save('SYNTAX ERROR');
    const quiet = await runStudio(['check', project.root, '--quiet']);
    assert.equal(quiet.code, 2, quiet.output);
    assert.match(quiet.output, /^error .*build-failed|^error /m);
    // Shown with the build's progress, the failure is that log's line, not printed again.
    const shown = await runStudio(['check', project.root]);
    assert.equal(shown.code, 2, shown.output);
    assert.match(shown.output, /✗ build 1 failed: /);
    assert.doesNotMatch(shown.output, /^error /m, shown.output);
  });
});

describe('checks on a throwaway copy of the data, in a studio with no UI', () => {
  let tempDir: string;
  let studio: StudioProcess;
  const kv = probe(() => studio);
  before(async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'studio-checks-copy-'));
    const dir = await makeProject(tempDir, 'version: 1\n');
    await mkdir(join(dir, '.wash', 'checks'), { recursive: true });
    const write = { name: 'writes a key', request: { method: 'PUT', path: '/kv/set?bucket=notes&key=from-check', headers: [], body: 'written by the check' }, expect: { status: 200 } };
    await writeFile(join(dir, '.wash', 'checks', 'writes.json'), JSON.stringify({ data: 'copy', checks: [write] }));
    studio = await startStudio(dir);
  });
  after(async () => {
    await studio?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it('run after the build and leave the live data as it was', async () => {
    await studio.waitFor(/checks: build 1 · 1\/1 pass/, 120_000);
    assert.equal(await kv.ok('GET', '/kv/get', { bucket: 'notes', key: 'from-check' }), null);
  });
});
