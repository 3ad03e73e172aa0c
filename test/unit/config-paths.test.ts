// The paths a project config names, checked before anything reads them: each failure is an
// error value with a code, the config key and the resolved path, never an exception.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StudioError } from '../../runtime/errors.ts';
import { checkCreatableFolder, componentFilesOf, halfTlsConfig, tlsFilesOf, volumesOf } from '../../runtime/project/config-paths.ts';

let root: string;

before(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'studio-config-paths-')));
  await writeFile(join(root, 'cert.pem'), 'cert');
  await writeFile(join(root, 'key.pem'), 'key');
  await writeFile(join(root, 'a-file'), 'not a folder');
  await mkdir(join(root, 'a-folder'));
});
after(() => rm(root, { recursive: true, force: true }));

function errorOf(result: { ok: boolean }): StudioError {
  assert.equal(result.ok, false, 'expected an error');
  return (result as { ok: false; error: StudioError }).error;
}

describe('tlsFilesOf', () => {
  it('resolves the cert, key and CA against the project root', async () => {
    const result = await tlsFilesOf({ dev: { tls_cert_path: 'cert.pem', tls_key_path: './key.pem', tls_ca_path: 'cert.pem' } }, root);
    assert.deepEqual(result, { ok: true, value: { certPath: join(root, 'cert.pem'), keyPath: join(root, 'key.pem'), caPath: join(root, 'cert.pem') } });
  });

  it('is undefined unless both the cert and the key are set, as in wash', async () => {
    assert.deepEqual(await tlsFilesOf({ dev: { tls_cert_path: 'cert.pem' } }, root), { ok: true, value: undefined });
    assert.deepEqual(await tlsFilesOf({}, root), { ok: true, value: undefined });
  });

  for (const key of ['tls_cert_path', 'tls_key_path', 'tls_ca_path'] as const) {
    it(`names dev.${key} and the resolved path when its file is missing (config-file-missing)`, async () => {
      const dev = { tls_cert_path: 'cert.pem', tls_key_path: 'key.pem', [key]: 'missing.pem' };
      const error = errorOf(await tlsFilesOf({ dev }, root));
      assert.equal(error.code, 'config-file-missing');
      assert.equal(error.message, `dev.${key}: ${join(root, 'missing.pem')} does not exist.`);
      assert.match(error.hint ?? '', new RegExp(`dev\\.${key}`));
    });
  }

  it('refuses a folder where the cert should be (config-path-wrong-type)', async () => {
    const error = errorOf(await tlsFilesOf({ dev: { tls_cert_path: 'a-folder', tls_key_path: 'key.pem' } }, root));
    assert.equal(error.code, 'config-path-wrong-type');
    assert.equal(error.message, `dev.tls_cert_path: ${join(root, 'a-folder')} is a folder, not a file.`);
  });
});

describe('halfTlsConfig', () => {
  it('says why a cert without a key serves plain HTTP', () => {
    assert.match(halfTlsConfig({ dev: { tls_cert_path: 'cert.pem' } }) ?? '', /dev\.tls_cert_path is set but dev\.tls_key_path is not, so the gateway serves plain HTTP/);
  });

  it('has nothing to say about a full TLS config or none', () => {
    assert.equal(halfTlsConfig({ dev: { tls_cert_path: 'c', tls_key_path: 'k' } }), undefined);
    assert.equal(halfTlsConfig({ dev: {} }), undefined);
  });
});

describe('checkCreatableFolder', () => {
  it('accepts an existing folder and one that can still be made', async () => {
    assert.ok((await checkCreatableFolder('dev.wasi_keyvalue_path', join(root, 'a-folder'))).ok);
    assert.ok((await checkCreatableFolder('dev.wasi_keyvalue_path', join(root, 'new', 'deeper'))).ok);
  });

  it('refuses a file in place of the folder, naming the key', async () => {
    const error = errorOf(await checkCreatableFolder('dev.wasi_keyvalue_path', join(root, 'a-file')));
    assert.equal(error.code, 'config-path-wrong-type');
    assert.equal(error.message, `dev.wasi_keyvalue_path: ${join(root, 'a-file')} is a file, not a folder.`);
  });

  it('refuses a path that runs through a file, naming the file in the way', async () => {
    const error = errorOf(await checkCreatableFolder('dev.wasi_blobstore_path', join(root, 'a-file', 'blobs')));
    assert.equal(error.code, 'config-path-wrong-type');
    assert.equal(error.message, `dev.wasi_blobstore_path: ${join(root, 'a-file')}, on the way to ${join(root, 'a-file', 'blobs')}, is a file, not a folder.`);
  });
});

describe('volumesOf', () => {
  it('resolves host folders against the project root', async () => {
    assert.deepEqual(await volumesOf({ dev: { volumes: [{ host_path: 'a-folder', guest_path: '/data' }] } }, root), { ok: true, value: [{ hostPath: join(root, 'a-folder'), guestPath: '/data' }] });
  });

  it('names the entry whose host folder is missing (volume-missing)', async () => {
    const error = errorOf(await volumesOf({ dev: { volumes: [{ host_path: 'a-folder', guest_path: '/a' }, { host_path: 'a-file', guest_path: '/b' }] } }, root));
    assert.equal(error.code, 'volume-missing');
    assert.equal(error.message, `dev.volumes[1].host_path: ${join(root, 'a-file')} is not a folder.`);
  });
});

describe('componentFilesOf', () => {
  it('names the entry, by index and name, whose file is missing (config-file-missing)', async () => {
    const error = errorOf(await componentFilesOf({ dev: { components: [{ name: 'one', file: 'cert.pem' }, { name: 'ghost', file: 'gone.wasm' }] } }, root));
    assert.equal(error.code, 'config-file-missing');
    assert.equal(error.message, `dev.components[1].file ("ghost"): ${join(root, 'gone.wasm')} does not exist.`);
  });

  it('gives each entry with its resolved file', async () => {
    assert.deepEqual(await componentFilesOf({ dev: { components: [{ name: 'one', file: 'cert.pem' }] } }, root), { ok: true, value: [{ name: 'one', file: join(root, 'cert.pem') }] });
  });
});
