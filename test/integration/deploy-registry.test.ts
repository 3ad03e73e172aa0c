// Pushing components to a real OCI registry (CNCF distribution, started per test group on
// 127.0.0.1 with its own config) and pulling them back: the Wasm artifact layout, digest
// checks (including a blob changed on the registry's disk), anonymous, Basic (htpasswd) and
// Bearer (a token service in front of the registry) authentication, wrong credentials, the
// Docker config, and the CLI's `push`.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { componentWorld } from '../../runtime/deploy/component-world.ts';
import { parseImageReference, type ImageReference } from '../../runtime/deploy/image-reference.ts';
import { pullComponent } from '../../runtime/deploy/pull.ts';
import { pushComponent, type PushInput, type PushProgress } from '../../runtime/deploy/push.ts';
import type { WitWorld } from '../../runtime/components/wit-world.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { runCli } from '../helpers/cli-run.ts';

let hello: { path: string; bytes: Buffer; world: WitWorld };

before(async () => {
  const path = await watFixture('hello');
  const bytes = await readFile(path);
  const world = await componentWorld(bytes, 'hello');
  assert.ok(world.ok, JSON.stringify(world));
  hello = { path, bytes, world: world.value };
});

function ref(text: string): ImageReference {
  const parsed = parseImageReference(text);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.value;
}

function push(input: Partial<PushInput> & { reference: ImageReference }) {
  // An empty Docker config folder, so a developer's own `docker login` never joins in.
  return pushComponent({ bytes: hello.bytes, world: hello.world, title: 'hello', env: { ...process.env, DOCKER_CONFIG: emptyDockerConfig }, ...input });
}

/** A custom section (as wasm-metadata writes them) appended to a component: a component of its own. */
function withCustomSection(bytes: Uint8Array, name: string, payload: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const body = Buffer.concat([Buffer.from([nameBytes.length]), nameBytes, Buffer.from(payload, 'utf8')]);
  assert.ok(body.length < 128, 'one LEB128 byte of size');
  return Buffer.concat([bytes, Buffer.from([0, body.length]), body]);
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A plain GET on the registry, with no studio code in between. */
async function rawGet(host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const response = await fetch(`http://${host}${path}`, { headers });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** The real CLI, with an empty Docker config unless the test gives another environment. */
function cli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  return runCli(args, { ...options, env: { DOCKER_CONFIG: emptyDockerConfig, ...options.env } });
}

let emptyDockerConfig: string;
before(async () => {
  emptyDockerConfig = await mkdtemp(join(tmpdir(), 'cs-docker-config-'));
});
after(() => rm(emptyDockerConfig, { recursive: true, force: true }));

describe('an anonymous registry', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
  });
  after(() => registry.stop());

  it('takes a component as a Wasm artifact in wash oci push\'s layout, and reports progress and the digest', async () => {
    const progress: PushProgress[] = [];
    const pushed = await push({ reference: ref(`${registry.host}/demo/hello:0.1.0`), insecure: true, onProgress: (p) => progress.push(p), annotations: { 'org.opencontainers.image.source': 'https://example.com/hello' } });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    assert.equal(pushed.value.reference, `${registry.host}/demo/hello:0.1.0`);
    assert.equal(pushed.value.pinned, `${registry.host}/demo/hello:0.1.0@${pushed.value.digest}`);
    assert.equal(pushed.value.verified, true);
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['connecting', 'uploading', 'manifest', 'verifying', 'done']);
    assert.equal(progress.at(-1)!.sent, hello.bytes.byteLength);

    // What the registry holds, read without the studio: the tag resolves to the digest reported.
    const manifest = await rawGet(registry.host, '/v2/demo/hello/manifests/0.1.0', { accept: 'application/vnd.oci.image.manifest.v1+json' });
    assert.equal(manifest.status, 200);
    assert.equal(sha256(manifest.body), pushed.value.digest);
    assert.equal(manifest.headers.get('docker-content-digest'), pushed.value.digest);
    const parsed = JSON.parse(manifest.body.toString('utf8'));
    assert.equal(parsed.schemaVersion, 2);
    assert.equal(parsed.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(parsed.config.mediaType, 'application/vnd.wasm.config.v0+json');
    assert.equal(parsed.layers.length, 1);
    assert.deepEqual(parsed.layers[0], { mediaType: 'application/wasm', digest: sha256(hello.bytes), size: hello.bytes.byteLength });
    assert.equal(parsed.annotations['org.opencontainers.image.title'], 'hello');
    assert.equal(parsed.annotations['org.opencontainers.image.version'], '0.1.0');
    assert.equal(parsed.annotations['org.opencontainers.image.source'], 'https://example.com/hello');
    assert.ok(!Number.isNaN(Date.parse(String(parsed.annotations['org.opencontainers.image.created']))));

    const config = await rawGet(registry.host, `/v2/demo/hello/blobs/${parsed.config.digest}`);
    const wasmConfig = JSON.parse(config.body.toString('utf8'));
    assert.equal(wasmConfig.architecture, 'wasm');
    assert.equal(wasmConfig.os, 'wasip2');
    assert.deepEqual(wasmConfig.layerDigests, [sha256(hello.bytes)]);
    assert.deepEqual(wasmConfig.component.exports, ['wasi:http/incoming-handler@0.2.0']);
    assert.ok(wasmConfig.component.imports.includes('wasi:http/types@0.2.0'));

    const layer = await rawGet(registry.host, `/v2/demo/hello/blobs/${sha256(hello.bytes)}`);
    assert.ok(layer.body.equals(hello.bytes));
  });

  it('gives the component back byte for byte, checked against every digest', async () => {
    const pushed = await push({ reference: ref(`${registry.host}/demo/pulled:1.0`), insecure: true });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    for (const text of [`${registry.host}/demo/pulled:1.0`, `${registry.host}/demo/pulled@${pushed.value.digest}`]) {
      const pulled = await pullComponent(ref(text), { insecure: true });
      assert.ok(pulled.ok, JSON.stringify(pulled));
      assert.ok(pulled.value.bytes.equals(hello.bytes));
      assert.equal(pulled.value.manifestDigest, pushed.value.digest);
      assert.equal(pulled.value.config.os, 'wasip2');
    }
  });

  it('annotates the artifact with the component\'s own metadata (wasm-metadata\'s custom sections)', async () => {
    const bytes = withCustomSection(withCustomSection(hello.bytes, 'description', 'Says hello'), 'licenses', 'Apache-2.0');
    const pushed = await push({ reference: ref(`${registry.host}/demo/described:latest`), insecure: true, bytes });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    assert.equal(pushed.value.annotations['org.opencontainers.image.description'], 'Says hello');
    assert.equal(pushed.value.annotations['org.opencontainers.image.licenses'], 'Apache-2.0');
    assert.equal(pushed.value.annotations['org.opencontainers.image.version'], undefined, 'latest is no version');
  });

  it('skips blobs the repository already has when the same component is pushed again', async () => {
    const first = await push({ reference: ref(`${registry.host}/demo/again:1`), insecure: true });
    assert.ok(first.ok, JSON.stringify(first));
    const second = await push({ reference: ref(`${registry.host}/demo/again:2`), insecure: true });
    assert.ok(second.ok, JSON.stringify(second));
    assert.deepEqual(second.value.reused, ['layer']);
  });

  it('refuses a component whose bytes changed on the registry\'s disk', async () => {
    // A component of its own: blobs are shared by every repository of the registry.
    const bytes = withCustomSection(hello.bytes, 'tamper-test', randomBytes(8).toString('hex'));
    const pushed = await push({ reference: ref(`${registry.host}/demo/tampered:1.0`), insecure: true, bytes });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    const hex = pushed.value.layerDigest.slice('sha256:'.length);
    const blob = join(registry.storageDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const changed = Buffer.from(bytes);
    changed[changed.length - 1]! ^= 0xff;
    await writeFile(blob, changed);
    const pulled = await pullComponent(ref(`${registry.host}/demo/tampered:1.0`), { insecure: true });
    assert.ok(!pulled.ok);
    assert.equal(pulled.error.code, 'digest-mismatch');
    assert.match(pulled.error.message, /component of .*tampered:1\.0 came back as \d+ bytes hashing to sha256:/);
  });

  it('says to add --insecure when the registry speaks plain HTTP', async () => {
    const pushed = await push({ reference: ref(`${registry.host}/demo/hello:tls`) });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-tls');
    assert.match(pushed.error.message, /does not speak HTTPS/);
    assert.match(pushed.error.hint ?? '', /--insecure/);
  });

  it('pushes from the command line and prints the digest the registry holds', async () => {
    const run = await cli(['push', `${registry.host}/cli/hello:2.0`, hello.path, '--insecure']);
    assert.equal(run.code, 0, run.stderr);
    const digest = /digest (sha256:[a-f0-9]{64})/.exec(run.stdout)?.[1];
    assert.ok(digest, run.stdout);
    assert.match(run.stdout, /pulled back and verified/);
    const head = await fetch(`http://${registry.host}/v2/cli/hello/manifests/2.0`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(head.headers.get('docker-content-digest'), digest);
    assert.match(run.stderr, /uploading 100% of/);
  });
});

describe('a registry with Basic auth (htpasswd)', () => {
  let registry: TestRegistry;
  const login = { username: 'studio', password: randomBytes(9).toString('base64url') };
  before(async () => {
    registry = await startRegistry({ basicAuth: login });
  });
  after(() => registry.stop());

  it('takes a push with the right user name and password, and gives it back', async () => {
    const reference = ref(`${registry.host}/private/hello:1.0`);
    const pushed = await push({ reference, insecure: true, credentials: { kind: 'basic', ...login } });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    const pulled = await pullComponent(reference, { insecure: true, credentials: { kind: 'basic', ...login } });
    assert.ok(pulled.ok, JSON.stringify(pulled));
    assert.ok(pulled.value.bytes.equals(hello.bytes));
  });

  it('says that it wants a login when none is given', async () => {
    const pushed = await push({ reference: ref(`${registry.host}/private/hello:anon`), insecure: true });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-auth-required');
    assert.match(pushed.error.hint ?? '', /--username and --password-stdin/);
  });

  it('says the credentials were refused when the password is wrong', async () => {
    const pushed = await push({ reference: ref(`${registry.host}/private/hello:wrong`), insecure: true, credentials: { kind: 'basic', username: login.username, password: 'not-the-password' } });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-auth-failed');
    assert.equal(pushed.error.message, `${registry.host} refused the credentials of "studio" (UNAUTHORIZED: authentication required).`);
  });

  it('takes the password on standard input from the command line, and refuses a wrong one clearly', async () => {
    const good = await cli(['push', `${registry.host}/private/cli:1.0`, hello.path, '--insecure', '--username', login.username, '--password-stdin'], { stdin: `${login.password}\n` });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /digest sha256:/);
    const bad = await cli(['push', `${registry.host}/private/cli:1.0`, hello.path, '--insecure', '--username', login.username, '--password-stdin'], { stdin: 'wrong\n' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /error .* refused the credentials of "studio" \(UNAUTHORIZED: authentication required\)\.\n {2}hint: Check the user name and password/);
  });

  it('uses the credentials of the Docker config when none are given', async () => {
    const dockerConfig = await mkdtemp(join(tmpdir(), 'cs-docker-'));
    try {
      const auth = Buffer.from(`${login.username}:${login.password}`).toString('base64');
      await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }));
      const pushed = await push({ reference: ref(`${registry.host}/private/docker-config:1.0`), insecure: true, env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
      assert.ok(pushed.ok, JSON.stringify(pushed));
    } finally {
      await rm(dockerConfig, { recursive: true, force: true });
    }
  });
});

describe('a registry behind a Bearer token service', () => {
  let registry: TestRegistry;
  let front: Server;
  let host: string;
  const login = { username: 'robot', password: randomBytes(9).toString('base64url') };
  const tokens = new Set<string>();
  const scopesAsked: string[] = [];

  before(async () => {
    registry = await startRegistry();
    // The token protocol as ghcr.io or Docker Hub speak it: a 401 names the realm; the realm
    // hands out a token for a scope to whoever has the password; requests carry the token.
    front = createServer((req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        scopesAsked.push(url.searchParams.get('scope') ?? '');
        const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
        if (req.headers.authorization !== expected || url.searchParams.get('service') !== 'test-registry') {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
          return;
        }
        const token = randomBytes(12).toString('hex');
        tokens.add(token);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
        return;
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!bearer || !tokens.has(bearer)) {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:private/hello:pull,push"` }).end();
        return;
      }
      const { authorization: _dropped, ...headers } = req.headers;
      const upstream = request({ host: '127.0.0.1', port: Number(registry.host.split(':')[1]), method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const address = front.address();
    assert.ok(address && typeof address === 'object');
    host = `127.0.0.1:${address.port}`;
  });
  after(async () => {
    await new Promise((resolve) => front.close(resolve));
    await registry.stop();
  });

  it('fetches a token for the repository\'s pull and push scope, and pushes with it', async () => {
    const pushed = await push({ reference: ref(`${host}/private/hello:1.0`), insecure: true, credentials: { kind: 'basic', ...login } });
    assert.ok(pushed.ok, JSON.stringify(pushed));
    assert.equal(pushed.value.verified, true);
    assert.ok(scopesAsked.includes('repository:private/hello:pull,push'), scopesAsked.join(' '));
  });

  it('says the credentials were refused when the token service refuses them', async () => {
    const pushed = await push({ reference: ref(`${host}/private/hello:2.0`), insecure: true, credentials: { kind: 'basic', username: login.username, password: 'nope' } });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-auth-failed');
    assert.match(pushed.error.message, /refused the credentials of "robot" \(UNAUTHORIZED: bad credentials\)/);
  });
});

describe('registry addresses', () => {
  it('refuses plain HTTP to a registry that is not on this machine, before connecting', async () => {
    const pushed = await push({ reference: ref('registry.example.com/app:1.0'), insecure: true });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-insecure-remote');
  });

  it('says when nothing listens at the registry\'s address', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    const pushed = await push({ reference: ref(`127.0.0.1:${port}/app:1.0`), insecure: true });
    assert.ok(!pushed.ok);
    assert.equal(pushed.error.code, 'registry-unreachable');
    assert.equal(pushed.error.message, `127.0.0.1:${port} refused the connection.`);
  });
});
