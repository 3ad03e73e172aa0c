// The WAT fixtures build, are what their names say, and have the worlds tests rely on.

import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { componentWit, metadataShow } from '@bytecodealliance/jco-transpile/wasm-tools';
import { watFixture, watFixtures, type WatFixture } from '../fixtures/fixtures.ts';

async function bytesOf(name: WatFixture): Promise<Uint8Array> {
  return new Uint8Array(await readFile(await watFixture(name)));
}

describe('WAT fixtures', () => {
  for (const name of watFixtures) {
    it(`builds ${name} into an absolute .wasm path`, async () => {
      const file = await watFixture(name);
      assert.ok(path.isAbsolute(file), file);
      assert.ok(file.endsWith('.wasm'), file);
      assert.ok((await stat(file)).size > 0);
    });
  }

  for (const name of watFixtures.filter((fixture) => fixture !== 'core-module')) {
    it(`builds ${name} as a component`, async () => {
      const [outermost] = await metadataShow(await bytesOf(name));
      assert.equal(outermost?.metaType.tag, 'component');
    });
  }

  it('leaves core-module a core module', async () => {
    const [outermost] = await metadataShow(await bytesOf('core-module'));
    assert.equal(outermost?.metaType.tag, 'module');
  });

  it('returns the cached file on a second call', async () => {
    assert.equal(await watFixture('hello'), await watFixture('hello'));
  });

  it('gives hello a wasi:http@0.2.0 handler export and only 0.2.0 imports', async () => {
    const wit = await componentWit(await bytesOf('hello'));
    assert.match(wit, /export wasi:http\/incoming-handler@0\.2\.0;/);
    assert.match(wit, /import wasi:http\/types@0\.2\.0;/);
    assert.match(wit, /import wasi:io\/streams@0\.2\.0;/);
    for (const [, version] of wit.matchAll(/^\s*(?:import|export) [\w-]+:[\w-]+\/[\w-]+@([\w.-]+);/gm)) {
      assert.equal(version, '0.2.0');
    }
  });

  it('gives hello-echo a wasi:http@0.2.0 handler export', async () => {
    const wit = await componentWit(await bytesOf('hello-echo'));
    assert.match(wit, /export wasi:http\/incoming-handler@0\.2\.0;/);
  });

  it('gives unknown-import an import of example:missing/thing@1.2.3 next to the handler', async () => {
    const wit = await componentWit(await bytesOf('unknown-import'));
    assert.match(wit, /import example:missing\/thing@1\.2\.3;/);
    assert.match(wit, /export wasi:http\/incoming-handler@0\.2\.0;/);
  });

  it('gives no-exports only an add function and no wasi:http', async () => {
    const wit = await componentWit(await bytesOf('no-exports'));
    assert.match(wit, /export add: func\(a: u32, b: u32\) -> u32;/);
    assert.doesNotMatch(wit, /wasi:http/);
  });
});
