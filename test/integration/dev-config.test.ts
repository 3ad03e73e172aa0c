// Project config keys that shape how the dev loop serves: several components on one gateway
// (routed by Host), HTTPS from dev.tls_*, dev.command (the build command of `wash dev`), and
// keys the studio does not act on yet.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import selfsigned from 'selfsigned';
import { watFixture } from '../fixtures/fixtures.ts';
import { messageBuildCommand, messageProject } from '../helpers/message-project.ts';
import { launchStudio, startStudio } from '../helpers/studio-process.ts';

function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { headers, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dev.components', () => {
  it('serves the main component at the root and each other one at <name>.localhost', async () => {
    const echo = await watFixture('hello-echo');
    const project = await messageProject('main component\n', `dev:\n  components:\n    - name: echo\n      file: ${JSON.stringify(echo)}\n`);
    const studio = await startStudio(project.root);
    try {
      const port = new URL(studio.url).port;
      assert.equal((await get(studio.url)).body, 'main component\n');
      const routed = await get(`${studio.url}some/path`, { host: `echo.localhost:${port}` });
      assert.equal(routed.status, 200);
      assert.equal(routed.headers['x-echo-path'], '/some/path');
      assert.equal((await get(studio.url, { host: `unknown.localhost:${port}` })).body, 'main component\n', 'unknown names fall back to the main component');
      await studio.waitFor(new RegExp(`serving\\s+http://echo\\.localhost:${port}/`));
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('names the component whose file is missing, by its key and its resolved path', async () => {
    const project = await messageProject('main\n', 'dev:\n  components:\n    - name: ghost\n      file: nowhere/ghost.wasm\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(`dev.components[0].file ("ghost"): ${join(project.root, 'nowhere', 'ghost.wasm')} does not exist.`);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('says which entry holds a file that is no component, before what is wrong with it', async () => {
    const echo = await watFixture('hello-echo');
    const project = await messageProject('main\n', `dev:\n  components:\n    - name: echo\n      file: ${JSON.stringify(echo)}\n    - name: notes\n      file: notes.wasm\n`);
    await writeFile(join(project.root, 'notes.wasm'), 'text, not a component\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(`dev.components[1] ("notes"): ${join(project.root, 'notes.wasm')} is not a WebAssembly file`);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('dev.command', () => {
  it('is the build command of a dev session, run instead of build.command, as wash dev does', async () => {
    const project = await messageProject('built by dev.command\n');
    // build.command would fail: only dev.command may run.
    await project.writeConfig(`build:\n  command: "exit 3"\ndev:\n  command: ${JSON.stringify(messageBuildCommand())}\n`);
    const studio = await startStudio(project.root);
    try {
      assert.equal((await get(studio.url)).body, 'built by dev.command\n');
      assert.match(studio.output(), /building with dev\.command/);
      assert.doesNotMatch(studio.output(), /dev\.command is not yet supported|dev\.command: unknown key/);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('is named when it fails', async () => {
    const project = await messageProject('never served\n', 'dev:\n  command: "exit 7"\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(/The build command failed with exit code 7 \(dev\.command: exit 7\)/);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('dev.address', () => {
  it('says a change needs a restart instead of ignoring it: the gateway keeps the address it started on', async () => {
    const project = await messageProject('first\n', 'dev:\n  address: 127.0.0.1:0\n');
    const studio = await startStudio(project.root);
    try {
      await project.writeConfig(`build:\n  command: ${JSON.stringify(messageBuildCommand())}\ndev:\n  address: 127.0.0.2:0\n`);
      await studio.waitFor(/The config now asks for the gateway at 127\.0\.0\.2:0, but it keeps listening at http:\/\/127\.0\.0\.1:\d+\/[^\n]*Restart the studio to move it\./);
      assert.equal((await get(studio.url)).body, 'first\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('dev.tls_cert_path and dev.tls_key_path', () => {
  it('serve HTTPS', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      notAfterDate: new Date(Date.now() + 86_400_000),
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
    });
    const project = await messageProject('over tls\n', 'dev:\n  tls_cert_path: cert.pem\n  tls_key_path: key.pem\n');
    await writeFile(join(project.root, 'cert.pem'), pems.cert);
    await writeFile(join(project.root, 'key.pem'), pems.private);
    const studio = await startStudio(project.root);
    try {
      assert.match(studio.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
      const res = await get(studio.url, {}, pems.cert);
      assert.equal(res.body, 'over tls\n');

      // A new certificate and key, saved while it serves: the next connections get them.
      const next = await selfsigned.generate([{ name: 'commonName', value: 'renewed.localhost' }], { notAfterDate: new Date(Date.now() + 86_400_000) });
      let since = studio.output().length;
      await writeFile(join(project.root, 'cert.pem'), next.cert);
      await writeFile(join(project.root, 'key.pem'), next.private);
      await studio.waitFor('The gateway serves the certificate and key of dev.tls_* as they are now', 60_000, since);
      assert.equal(await servedCertificate(studio.url), new X509Certificate(next.cert).fingerprint256);

      // A key that does not match: said, and the certificate served stays.
      const other = await selfsigned.generate([{ name: 'commonName', value: 'other' }], { notAfterDate: new Date(Date.now() + 86_400_000) });
      since = studio.output().length;
      await writeFile(join(project.root, 'key.pem'), other.private);
      await studio.waitFor(/do not make a usable certificate and private key: .*The gateway keeps the certificate it had\./, 60_000, since);
      assert.equal(await servedCertificate(studio.url), new X509Certificate(next.cert).fingerprint256);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });

  it('refuse a CA file that holds no certificate, naming it', async () => {
    const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { notAfterDate: new Date(Date.now() + 86_400_000) });
    const project = await messageProject('over tls\n', 'dev:\n  tls_cert_path: cert.pem\n  tls_key_path: key.pem\n  tls_ca_path: ca.pem\n');
    await writeFile(join(project.root, 'cert.pem'), pems.cert);
    await writeFile(join(project.root, 'key.pem'), pems.private);
    await writeFile(join(project.root, 'ca.pem'), 'this is not a certificate\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(/dev\.tls_ca_path: \S*ca\.pem holds no PEM certificate\./);
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

/** The SHA-256 fingerprint of the certificate an HTTPS server presents. */
function servedCertificate(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(new URL(url).port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('dev.volumes', () => {
  it('names a volume whose host folder is missing, and waits for a fix', async () => {
    const project = await messageProject('with a volume\n', 'dev:\n  volumes:\n    - host_path: nowhere\n      guest_path: /data\n');
    const studio = launchStudio(project.root);
    try {
      await studio.waitFor(/dev\.volumes\[0\]\.host_path: \S*nowhere is not a folder/);
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(project.root, 'nowhere'));
      await project.save('with a volume, fixed\n');
      const url = await studio.serving();
      assert.equal((await get(url)).body, 'with a volume, fixed\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});

describe('keys the studio does not act on', () => {
  it('dev.wasi_webgpu: true gets a warning that the studio has no WebGPU yet, and the component still serves', async () => {
    const project = await messageProject('no gpu needed\n', 'dev:\n  wasi_webgpu: true\n');
    const studio = await startStudio(project.root);
    try {
      await studio.waitFor(/WARN\s+studio dev\.wasi_webgpu is true, but Component Studio does not provide WebGPU/);
      assert.doesNotMatch(studio.output(), /wasi_webgpu: unknown key/);
      assert.equal((await get(studio.url)).body, 'no gpu needed\n');
    } finally {
      await studio.stop();
      await project.remove();
    }
  });
});
