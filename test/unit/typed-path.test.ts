// Paths typed or pasted into the UI's Open and New project fields.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { resolveTypedPath } from '../../runtime/studio/typed-path.ts';

const base = resolve('/work/projects');
const home = resolve('/home/someone');

describe('typed paths', () => {
  it('starts a relative path beside the open project', () => {
    assert.equal(resolveTypedPath('other-app', base, home), join(base, 'other-app'));
    assert.equal(resolveTypedPath('../elsewhere/app.wasm', base, home), resolve(base, '..', 'elsewhere', 'app.wasm'));
  });

  it('keeps an absolute path, tidied', () => {
    assert.equal(resolveTypedPath(resolve('/srv/app/../app2'), base, home), resolve('/srv/app2'));
  });

  it('reads ~ as the home folder', () => {
    assert.equal(resolveTypedPath('~', base, home), home);
    assert.equal(resolveTypedPath('~/code/app', base, home), join(home, 'code', 'app'));
    assert.equal(resolveTypedPath('~other', base, home), join(base, '~other'));
  });

  it('drops what pasting from a terminal brings along: outer spaces and one pair of quotes', () => {
    assert.equal(resolveTypedPath('  "/srv/my app"  ', base, home), resolve('/srv/my app'));
    assert.equal(resolveTypedPath("'~/my app'", base, home), join(home, 'my app'));
    assert.equal(resolveTypedPath('"unclosed', base, home), join(base, '"unclosed'));
  });
});
