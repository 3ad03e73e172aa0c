// The studio's own per-project settings, .wash/studio.yaml: read and checked like wash's
// config (errors name the file and the key path, unknown keys warn), written back keeping what
// a person wrote; and how a session weighs them against --instances.
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StudioError } from '../../runtime/errors.ts';
import { environmentFrom, loadStudioSettings, saveStudioSetting, saveStudioSettingAt, studioSettingsPath } from '../../runtime/project/studio-settings.ts';
import { SessionInstances } from '../../runtime/session/session-instances.ts';

let temp: string;
let count = 0;

/** A project folder whose .wash/studio.yaml holds `text` (no file when undefined). */
async function project(text?: string): Promise<string> {
  const root = join(temp, `project-${++count}`);
  await mkdir(join(root, '.wash'), { recursive: true });
  if (text !== undefined) await writeFile(studioSettingsPath(root), text);
  return root;
}

function errorOf(result: { ok: boolean }): StudioError {
  assert.equal(result.ok, false, 'expected an error');
  return (result as { ok: false; error: StudioError }).error;
}

before(async () => {
  temp = await realpath(await mkdtemp(join(tmpdir(), 'studio-settings-')));
});
after(() => rm(temp, { recursive: true, force: true }));

describe('loadStudioSettings', () => {
  it('gives no settings when there is no .wash/studio.yaml', async () => {
    const root = await project();
    assert.deepEqual(await loadStudioSettings(root), { ok: true, value: { path: studioSettingsPath(root), settings: {}, warnings: [] } });
  });

  it('reads instances: fresh and instances: reuse', async () => {
    for (const mode of ['fresh', 'reuse'] as const) {
      const result = await loadStudioSettings(await project(`instances: ${mode}\n`));
      assert.ok(result.ok);
      assert.equal(result.value.settings.instances, mode);
    }
  });

  it('refuses another value with studio-settings-invalid, naming the file and the key', async () => {
    const root = await project('instances: sometimes\n');
    const error = errorOf(await loadStudioSettings(root));
    assert.equal(error.code, 'studio-settings-invalid');
    assert.ok(error.message.startsWith(`${studioSettingsPath(root)} has an error:`), error.message);
    assert.match(error.message, /^ {2}instances: /m);
    assert.match(error.hint ?? '', /Studio settings/);
  });

  it('warns about an unknown key, naming the file and the key, and reads the rest', async () => {
    const root = await project('instances: fresh\noutbund: offline\n');
    const result = await loadStudioSettings(root);
    assert.ok(result.ok);
    assert.equal(result.value.settings.instances, 'fresh');
    assert.deepEqual(result.value.warnings, [`${studioSettingsPath(root)}: outbund: unknown key, ignored`]);
  });

  it('refuses a YAML syntax error with config-unparsable, naming the file and line', async () => {
    const root = await project('instances: [fresh\n');
    const error = errorOf(await loadStudioSettings(root));
    assert.equal(error.code, 'config-unparsable');
    assert.match(error.message, /studio\.yaml:\d+:\d+: /);
  });

  it('refuses a top level that is not a mapping with studio-settings-invalid', async () => {
    const error = errorOf(await loadStudioSettings(await project('- fresh\n')));
    assert.equal(error.code, 'studio-settings-invalid');
    assert.match(error.message, /top level must be a mapping of keys \(instances, outbound, sockets, env\)/);
  });

  it('reads an empty file as no settings', async () => {
    const result = await loadStudioSettings(await project('# nothing yet\n'));
    assert.ok(result.ok);
    assert.deepEqual(result.value.settings, {});
  });
});

describe('outbound and env', () => {
  it('reads sockets.host_loopback, and refuses a value that is not a boolean, naming the key', async () => {
    const read = await loadStudioSettings(await project('sockets:\n  host_loopback: false\n'));
    assert.ok(read.ok);
    assert.deepEqual(read.value.settings.sockets, { host_loopback: false });
    const error = errorOf(await loadStudioSettings(await project('sockets:\n  host_loopback: sometimes\n')));
    assert.equal(error.code, 'studio-settings-invalid');
    assert.match(error.message, /sockets\.host_loopback/);
  });

  it('reads offline mode, CA files and stand-ins as written', async () => {
    const text = `outbound:
  offline: true
  ca_files: [certs/dev-ca.pem]
  stand_ins:
    - match: GET https://example.com/*
      status: 200
      headers: { content-type: text/html }
      body: "<html>offline page</html>"
    - match: "* https://api.example.com/*"
      body_file: fixtures/api.json
    - match: https://payments.example.com/*
      forward: http://127.0.0.1:9000
`;
    const result = await loadStudioSettings(await project(text));
    assert.ok(result.ok);
    assert.deepEqual(result.value.settings.outbound, {
      offline: true,
      ca_files: ['certs/dev-ca.pem'],
      stand_ins: [
        { match: 'GET https://example.com/*', status: 200, headers: { 'content-type': 'text/html' }, body: '<html>offline page</html>' },
        { match: '* https://api.example.com/*', body_file: 'fixtures/api.json' },
        { match: 'https://payments.example.com/*', forward: 'http://127.0.0.1:9000' },
      ],
    });
  });

  it('names the stand-in key that is wrong, and says what was expected', async () => {
    const root = await project('outbound:\n  stand_ins:\n    - match: fetch example.com\n      body: x\n');
    const error = errorOf(await loadStudioSettings(root));
    assert.equal(error.code, 'studio-settings-invalid');
    assert.match(error.message, /^ {2}outbound\.stand_ins\[0\]\.match: expected a method \(or \*\) and a URL glob/m);
  });

  it('refuses a header no HTTP response can carry: a name with a space, a value with a character past Latin-1', async () => {
    const error = errorOf(await loadStudioSettings(await project('outbound:\n  stand_ins:\n    - match: GET https://x.example/*\n      headers:\n        "x-bad header": "1"\n        x-uni: "ü ✓"\n')));
    assert.match(error.message, /outbound\.stand_ins\[0\]\.headers\.x-bad header: expected a header name: letters, digits and .* no spaces/);
    assert.match(error.message, /outbound\.stand_ins\[0\]\.headers\.x-uni: the value has "✓" \(U\+2713\), which an HTTP header cannot carry/);
    assert.ok(loadStudioSettings(await project('outbound:\n  stand_ins:\n    - match: GET https://x.example/*\n      headers:\n        content-type: text/html; charset=utf-8\n        x-latin1: café\n')).then((r) => assert.ok(r.ok, JSON.stringify(r))));
  });

  it('refuses a stand-in with two answers', async () => {
    const error = errorOf(await loadStudioSettings(await project('outbound:\n  stand_ins:\n    - match: GET https://x.example/*\n      body: x\n      forward: http://127.0.0.1:9000\n')));
    assert.match(error.message, /outbound\.stand_ins\[0\]: set at most one of body, body_file and forward/);
  });

  it('warns about an unknown key under outbound', async () => {
    const root = await project('outbound:\n  ofline: true\n');
    const result = await loadStudioSettings(root);
    assert.ok(result.ok);
    assert.deepEqual(result.value.warnings, [`${studioSettingsPath(root)}: outbound.ofline: unknown key, ignored`]);
  });

  it('gives env values as text, numbers and booleans included', async () => {
    const result = await loadStudioSettings(await project('env:\n  GRPC_SERVER_URI: http://[::1]:50051\n  RETRIES: 3\n  VERBOSE: true\n'));
    assert.ok(result.ok);
    assert.deepEqual(environmentFrom(result.value.settings), [
      ['GRPC_SERVER_URI', 'http://[::1]:50051'],
      ['RETRIES', '3'],
      ['VERBOSE', 'true'],
    ]);
  });

  it('refuses an env value that is a list', async () => {
    const error = errorOf(await loadStudioSettings(await project('env:\n  HOSTS: [a, b]\n')));
    assert.match(error.message, /^ {2}env\.HOSTS: /m);
  });
});

describe('saveStudioSetting', () => {
  it('creates .wash/studio.yaml (and .wash/) with a comment saying what the file is', async () => {
    const root = join(temp, `bare-${++count}`);
    await mkdir(root);
    assert.deepEqual(await saveStudioSetting(root, 'instances', 'fresh'), { ok: true, value: studioSettingsPath(root) });
    const text = await readFile(studioSettingsPath(root), 'utf8');
    assert.match(text, /^# Component Studio's own settings for this project; wash does not read this file\./);
    assert.match(text, /^instances: fresh$/m);
    const read = await loadStudioSettings(root);
    assert.ok(read.ok);
    assert.deepEqual(read.value.settings, { instances: 'fresh' });
  });

  it('changes only the key, keeping other keys, comments and layout', async () => {
    const root = await project('# pinned by the team: wash semantics\ninstances: fresh # see the README\nlater_key: kept\n');
    assert.ok((await saveStudioSetting(root, 'instances', 'reuse')).ok);
    assert.equal(await readFile(studioSettingsPath(root), 'utf8'), '# pinned by the team: wash semantics\ninstances: reuse # see the README\nlater_key: kept\n');
  });

  it('keeps a .wash/studio.yaml that is a link a link, and changes the file it leads to', async () => {
    const root = await project();
    const shared = join(temp, `shared-${count}.yaml`);
    await writeFile(shared, 'instances: fresh\n');
    await symlink(shared, studioSettingsPath(root));
    assert.ok((await saveStudioSetting(root, 'instances', 'reuse')).ok);
    assert.ok((await lstat(studioSettingsPath(root))).isSymbolicLink());
    assert.equal(await readFile(shared, 'utf8'), 'instances: reuse\n');
  });

  it('sets a nested key (outbound.stand_ins), keeping the comments and keys around it', async () => {
    const root = await project('# the team\'s demo settings\noutbound:\n  offline: true # no internet on stage\n  stand_ins: []\nenv:\n  MODE: demo\n');
    assert.ok((await saveStudioSettingAt(root, ['outbound', 'stand_ins'], [{ match: 'GET https://example.com/*', body: 'hi' }])).ok);
    const text = await readFile(studioSettingsPath(root), 'utf8');
    assert.match(text, /^# the team's demo settings\n/);
    assert.match(text, /offline: true # no internet on stage/);
    assert.match(text, /MODE: demo/);
    const read = await loadStudioSettings(root);
    assert.ok(read.ok);
    assert.deepEqual(read.value.settings.outbound?.stand_ins, [{ match: 'GET https://example.com/*', body: 'hi' }]);
  });

  it('will not rewrite a file that is not valid YAML, and leaves it as it was', async () => {
    const broken = 'instances: [fresh\n';
    const root = await project(broken);
    const error = errorOf(await saveStudioSetting(root, 'instances', 'reuse'));
    assert.equal(error.code, 'studio-settings-unwritable');
    assert.match(error.message, /is not valid YAML/);
    assert.equal(await readFile(studioSettingsPath(root), 'utf8'), broken);
  });

  it('says when .wash/studio.yaml cannot be written', async () => {
    const root = join(temp, `blocked-${++count}`);
    await mkdir(root, { recursive: true });
    // A file where the .wash folder should be: nothing can be written under it.
    await writeFile(join(root, '.wash'), 'not a folder');
    const error = errorOf(await saveStudioSetting(root, 'instances', 'fresh'));
    assert.equal(error.code, 'studio-settings-unwritable');
    assert.match(error.message, /studio\.yaml/);
  });
});

describe('SessionInstances', () => {
  it('is the default without a flag or a setting', () => {
    const instances = new SessionInstances(undefined, 'reuse');
    assert.deepEqual([instances.mode, instances.from], ['reuse', 'default']);
  });

  it('takes .wash/studio.yaml over the default, and --instances over both', () => {
    const fromFile = new SessionInstances(undefined, 'reuse');
    fromFile.settingsRead('fresh');
    assert.deepEqual([fromFile.mode, fromFile.from], ['fresh', 'studio-settings']);
    const flagged = new SessionInstances('reuse', 'reuse');
    flagged.settingsRead('fresh');
    assert.deepEqual([flagged.mode, flagged.from], ['reuse', 'flag']);
  });

  it('lets a switch saved in the file replace the flag for the rest of the run', () => {
    const instances = new SessionInstances('reuse', 'reuse');
    instances.switchedInFile('fresh');
    assert.deepEqual([instances.mode, instances.from], ['fresh', 'studio-settings']);
    // A later edit of the file is what counts from then on.
    instances.settingsRead('reuse');
    assert.deepEqual([instances.mode, instances.from], ['reuse', 'studio-settings']);
  });

  it('keeps a switch without a settings file (a .wasm file) for this run', () => {
    const instances = new SessionInstances('reuse', 'reuse');
    instances.switchedForThisRun('fresh');
    assert.deepEqual([instances.mode, instances.from], ['fresh', 'this-run']);
  });
});
