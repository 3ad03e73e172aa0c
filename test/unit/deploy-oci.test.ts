// The pieces of the OCI client that need no registry: image references as Docker reads them,
// WWW-Authenticate challenges, credentials from a Docker config (entries and a credential
// helper), and the Wasm artifact's config and manifest bytes.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAuthChallenges } from '../../runtime/deploy/auth-challenge.ts';
import { dockerCredentials } from '../../runtime/deploy/docker-credentials.ts';
import { formatImageReference, isLoopbackRegistry, parseImageReference, siblingReference } from '../../runtime/deploy/image-reference.ts';
import { buildWasmArtifact, sha256Digest } from '../../runtime/deploy/wasm-artifact.ts';
import { waitUntil } from '../helpers/wait-until.ts';

describe('image references', () => {
  const parse = (text: string) => {
    const parsed = parseImageReference(text);
    assert.ok(parsed.ok, `${text}: ${JSON.stringify(parsed)}`);
    return parsed.value;
  };

  it('reads the registry, repository, tag and digest as Docker does', () => {
    assert.deepEqual(parse('ghcr.io/you/app:1.0'), { registry: 'ghcr.io', repository: 'you/app', tag: '1.0' });
    assert.deepEqual(parse('localhost:5000/app'), { registry: 'localhost:5000', repository: 'app' });
    assert.deepEqual(parse('localhost/team/app:dev'), { registry: 'localhost', repository: 'team/app', tag: 'dev' });
    assert.deepEqual(parse('[::1]:5000/app:1'), { registry: '[::1]:5000', repository: 'app', tag: '1' });
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.deepEqual(parse(`ghcr.io/you/app:1.0@${digest}`), { registry: 'ghcr.io', repository: 'you/app', tag: '1.0', digest });
  });

  it('puts names without a registry on Docker Hub, one-part ones under library/', () => {
    assert.deepEqual(parse('alpine'), { registry: 'docker.io', repository: 'library/alpine' });
    assert.deepEqual(parse('you/app:2'), { registry: 'docker.io', repository: 'you/app', tag: '2' });
    assert.deepEqual(parse('index.docker.io/you/app'), { registry: 'docker.io', repository: 'you/app' });
  });

  it('refuses what a registry would refuse, saying what is wrong', () => {
    for (const [text, why] of [
      ['ghcr.io/You/App:1', /not a repository name/],
      ['ghcr.io/you/app:-bad', /not a valid tag/],
      ['ghcr.io/you/app@sha256:short', /digest/],
      ['127.0.0.1:99999/x:1', /has the port 99999; a port is 1 to 65535/],
      ['', /No image reference/],
    ] as const) {
      const parsed = parseImageReference(text);
      assert.ok(!parsed.ok, text);
      assert.equal(parsed.error.code, 'image-ref-invalid');
      assert.match(parsed.error.message, why);
    }
  });

  it('prints references back, and names the other artifacts of a workload beside the first', () => {
    assert.equal(formatImageReference(parse('localhost:5000/app')), 'localhost:5000/app:latest');
    assert.equal(formatImageReference(siblingReference(parse('ghcr.io/you/app:1.0'), 'API_v2')), 'ghcr.io/you/app-api-v2:1.0');
  });

  it('knows which registries are on this machine', () => {
    for (const host of ['localhost:5000', '127.0.0.1:5000', '[::1]:5000', 'registry.localhost']) assert.equal(isLoopbackRegistry(host), true, host);
    for (const host of ['ghcr.io', '10.0.0.5:5000', 'localhost.example.com']) assert.equal(isLoopbackRegistry(host), false, host);
  });
});

describe('WWW-Authenticate challenges', () => {
  it('reads a Bearer challenge whose quoted scope holds commas', () => {
    assert.deepEqual(parseAuthChallenges(['Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"']), [
      { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads several challenges, unquoted values and escaped quotes', () => {
    assert.deepEqual(parseAuthChallenges(['Basic realm="say \\"hi\\"", Bearer realm=https://t.example/token', 'Negotiate']), [
      { scheme: 'basic', params: { realm: 'say "hi"' } },
      { scheme: 'bearer', params: { realm: 'https://t.example/token' } },
      { scheme: 'negotiate', params: {} },
    ]);
  });
});

describe('credentials from the Docker config', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-docker-unit-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const envWith = async (config: unknown, name: string) => {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(config));
    return { ...process.env, DOCKER_CONFIG: folder };
  };

  it('reads an auths entry, under the host or its https:// form', async () => {
    const env = await envWith({ auths: { 'https://registry.example:5000': { auth: Buffer.from('me:s3cr:et').toString('base64') } } }, 'auths');
    assert.deepEqual(await dockerCredentials('registry.example:5000', { env }), { ok: true, value: { kind: 'basic', username: 'me', password: 's3cr:et' } });
    assert.deepEqual(await dockerCredentials('other.example', { env }), { ok: true, value: undefined });
  });

  it('reads an auths entry whose key names the registry in another form, as Docker does', async () => {
    const env = await envWith({ auths: { 'http://127.0.0.1:8651/v2/': { auth: Buffer.from('me:pw').toString('base64') } } }, 'other-form');
    assert.deepEqual(await dockerCredentials('127.0.0.1:8651', { env }), { ok: true, value: { kind: 'basic', username: 'me', password: 'pw' } });
    assert.deepEqual(await dockerCredentials('127.0.0.1:8652', { env }), { ok: true, value: undefined });
  });

  it('reads Docker Hub\'s entry under its historic key, and identity tokens', async () => {
    const env = await envWith({ auths: { 'https://index.docker.io/v1/': { identitytoken: 'refresh-me' } } }, 'hub');
    assert.deepEqual(await dockerCredentials('docker.io', { env }), { ok: true, value: { kind: 'identity-token', token: 'refresh-me' } });
  });

  it('asks the credential helper the config names, and takes "not found" for no credentials', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-fake');
    await writeFile(helper, '#!/bin/sh\nread server\nif [ "$server" = "ghcr.io" ]; then echo \'{"ServerURL":"ghcr.io","Username":"robot","Secret":"tok"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n');
    await chmod(helper, 0o755);
    const env = { ...(await envWith({ credHelpers: { 'ghcr.io': 'fake', 'quay.io': 'fake' } }, 'helpers')), PATH: `${bin}${delimiter}${process.env.PATH}` };
    assert.deepEqual(await dockerCredentials('ghcr.io', { env }), { ok: true, value: { kind: 'basic', username: 'robot', password: 'tok' } });
    assert.deepEqual(await dockerCredentials('quay.io', { env }), { ok: true, value: undefined });
  });

  it('stops a helper that does not answer in time, with what it started, and never quotes what it printed', async () => {
    const bin = join(dir, 'slow-bin');
    await mkdir(bin, { recursive: true });
    const marker = join(dir, 'slow-child-pid');
    // A wrapper whose child keeps the output open: stopping the wrapper alone would wait for it.
    await writeFile(join(bin, 'docker-credential-slow'), `#!/bin/sh\nsleep 30 &\necho $! > ${JSON.stringify(marker)}\nwait\n`);
    await writeFile(join(bin, 'docker-credential-leaky'), '#!/bin/sh\necho token=SUPERSECRET-abc\necho "keychain locked" >&2\nexit 3\n');
    await chmod(join(bin, 'docker-credential-slow'), 0o755);
    await chmod(join(bin, 'docker-credential-leaky'), 0o755);
    const env = { ...(await envWith({ credHelpers: { 'ghcr.io': 'slow', 'quay.io': 'leaky' } }, 'slow')), PATH: `${bin}${delimiter}${process.env.PATH}` };
    const started = Date.now();
    const slow = await dockerCredentials('ghcr.io', { env, helperTimeoutMs: 500 });
    assert.ok(!slow.ok);
    assert.match(slow.error.message, /docker-credential-slow did not answer in 1 s, so it was stopped/);
    assert.ok(Date.now() - started < 10_000, 'the wait ended with the timeout, not with the helper\'s child');
    const pid = Number(await readFile(marker, 'utf8'));
    await waitUntil(() => { try { process.kill(pid, 0); return false; } catch { return true; } }, () => `the helper's child ${pid} was stopped too`);
    const leaky = await dockerCredentials('quay.io', { env });
    assert.ok(!leaky.ok);
    assert.match(leaky.error.message, /docker-credential-leaky failed \(exit code 3\): keychain locked\./);
    assert.doesNotMatch(leaky.error.message, /SUPERSECRET/);
  });

  it('reads a config that is not an object, or entries of the wrong types, as an error or as no credentials, never a crash', async () => {
    const notObject = await dockerCredentials('ghcr.io', { env: await envWith(null, 'null-config') });
    assert.ok(!notObject.ok);
    assert.match(notObject.error.message, /is not a JSON object/);
    assert.deepEqual(await dockerCredentials('ghcr.io', { env: await envWith({ auths: { 'ghcr.io': { auth: 12 } }, credHelpers: { 'ghcr.io': 7 } }, 'wrong-types') }), { ok: true, value: undefined });
  });

  it('says which helper is missing when the config names one that is not installed', async () => {
    const env = { ...(await envWith({ credsStore: 'nowhere-to-be-found' }, 'missing')), PATH: dir };
    const found = await dockerCredentials('ghcr.io', { env });
    assert.ok(!found.ok);
    assert.equal(found.error.code, 'docker-credentials-failed');
    assert.match(found.error.message, /docker-credential-nowhere-to-be-found is not installed/);
  });
});

describe('the Wasm artifact layout', () => {
  it('writes the config and manifest as oci-wasm does, with digests over the exact bytes', () => {
    const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    const world = { imports: ['wasi:keyvalue/store@0.2.0-draft'], exports: ['wasi:http/incoming-handler@0.2.0'], text: '' };
    const artifact = buildWasmArtifact({ bytes, world, created: '2026-01-02T03:04:05.000Z', annotations: { 'org.opencontainers.image.title': 'x' } });
    assert.equal(artifact.config.toString('utf8'), JSON.stringify({
      created: '2026-01-02T03:04:05.000Z',
      author: null,
      architecture: 'wasm',
      os: 'wasip2',
      layerDigests: [sha256Digest(bytes)],
      component: { exports: ['wasi:http/incoming-handler@0.2.0'], imports: ['wasi:keyvalue/store@0.2.0-draft'], target: null },
    }));
    assert.deepEqual(JSON.parse(artifact.manifest.toString('utf8')), {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.wasm.config.v0+json', digest: sha256Digest(artifact.config), size: artifact.config.byteLength },
      layers: [{ mediaType: 'application/wasm', digest: sha256Digest(bytes), size: 8 }],
      annotations: { 'org.opencontainers.image.title': 'x' },
    });
    assert.equal(artifact.manifestDigest, sha256Digest(artifact.manifest));
  });
});
