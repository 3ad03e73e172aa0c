// Paths typed or pasted into the UI's Open and Create fields, and where a relative one starts.
import assert from 'node:assert/strict';
import { join, resolve, win32 } from 'node:path';
import { describe, it } from 'node:test';
import { resolveTypedPath, typedPathBase } from '../../runtime/studio/typed-path.ts';
import { INSTALL_FOLDERS } from '../../runtime/install-folder.ts';
import { repoRoot } from '../helpers/studio-process.ts';

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

  it('takes a file:// URL as the path it names, escapes decoded', () => {
    assert.equal(resolveTypedPath('file:///tmp/a/hello1', base, home, 'linux'), '/tmp/a/hello1');
    assert.equal(resolveTypedPath(' "file:///srv/my%20app/app.wasm" ', base, home, 'linux'), '/srv/my app/app.wasm');
    assert.equal(resolveTypedPath('FILE://localhost/srv/x', base, home, 'linux'), '/srv/x');
  });

  it('takes a file:// URL on Windows too: a drive path, or a share', () => {
    const winBase = 'C:\\work\\projects';
    assert.equal(resolveTypedPath('file:///C:/Users/Me/My%20App', winBase, 'C:\\Users\\Me', 'win32'), 'C:\\Users\\Me\\My App');
    assert.equal(resolveTypedPath('file://server/share/app', winBase, 'C:\\Users\\Me', 'win32'), '\\\\server\\share\\app');
    assert.equal(resolveTypedPath('other-app', winBase, 'C:\\Users\\Me', 'win32'), win32.join(winBase, 'other-app'));
  });
});

describe('where a relative typed path starts', () => {
  const studioData = resolve('/home/someone/.config/component-studio');

  it('is the open project\'s folder, where its sibling projects are', () => {
    assert.equal(typedPathBase(join(base, 'my-app'), '/', [...INSTALL_FOLDERS, join(studioData, 'examples')], home), base);
  });

  it('is the home folder while a bundled example is open where the studio is installed, so nothing lands among the examples', () => {
    assert.ok(INSTALL_FOLDERS.some((folder) => resolve(folder) === resolve(repoRoot)), INSTALL_FOLDERS.join());
    const example = join(repoRoot, 'assets', 'examples', 'qrcode');
    assert.equal(typedPathBase(example, '/', INSTALL_FOLDERS, home), home);
    assert.equal(resolveTypedPath('my-first', typedPathBase(example, '/', INSTALL_FOLDERS, home), home), join(home, 'my-first'));
  });

  it('is the home folder while the studio\'s own copy of the example is open, and when nothing is open but the working folder is the install folder', () => {
    assert.equal(typedPathBase(join(studioData, 'examples', 'qrcode'), '/', [...INSTALL_FOLDERS, join(studioData, 'examples')], home), home);
    assert.equal(typedPathBase(undefined, repoRoot, INSTALL_FOLDERS, home), home);
  });
});
