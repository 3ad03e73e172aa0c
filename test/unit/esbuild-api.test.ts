// esbuild's API as the studio loads it: in the packaged app its binary is resolved inside the
// asar archive, where child_process.spawn cannot start it, so the unpacked copy is named to
// esbuild instead; anywhere else esbuild finds its binary itself, and the studio's
// environment (which users' build commands inherit) never keeps the override.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { esbuildApi, unpackedBinary } from '../../runtime/builders/esbuild-api.ts';

describe('esbuild API loading', () => {
  const binary = `@esbuild/${process.platform}-${process.arch}/${process.platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild'}`;

  it('names the unpacked binary when the one Node resolves is inside the app archive', () => {
    const asked: string[] = [];
    const inArchive = unpackedBinary((request) => {
      asked.push(request);
      return `/opt/Component Studio/resources/app.asar/node_modules/${request}`;
    });
    assert.deepEqual(asked, [binary]);
    assert.equal(inArchive, `/opt/Component Studio/resources/app.asar.unpacked/node_modules/${binary}`);
  });

  it('leaves a binary outside any archive, or none for this platform, to esbuild', () => {
    assert.equal(unpackedBinary((request) => `/home/me/studio/node_modules/${request}`), undefined);
    assert.equal(
      unpackedBinary(() => {
        throw new Error('Cannot find module');
      }),
      undefined,
    );
    const real = unpackedBinary();
    assert.equal(real, undefined, 'a checkout resolves its binary outside an archive');
  });

  it('builds with the binary it found, and leaves ESBUILD_BINARY_PATH as it was', async () => {
    const before = process.env.ESBUILD_BINARY_PATH;
    const result = await esbuildApi().transform('let answer: number = 42', { loader: 'ts' });
    assert.match(result.code, /let answer = 42/);
    assert.equal(process.env.ESBUILD_BINARY_PATH, before);
  });
});
