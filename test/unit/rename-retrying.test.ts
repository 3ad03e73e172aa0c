// renameRetrying: on Windows a rename that fails because something holds the file for a
// moment (a virus scanner, the indexer) is tried again for up to two seconds; elsewhere, and
// for any other error, it fails at once. Real renames on disk, with the busy spells of a
// scanner stood in by a rename that refuses its first tries.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renameRetrying } from '../../runtime/stores/atomic-write.ts';

const dir = mkdtempSync(join(tmpdir(), 'studio-rename-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** renameSync that fails `times` times with `code` first. */
function busyFor(times: number, code: string): typeof renameSync & { tries: number } {
  const rename = Object.assign(
    (from: Parameters<typeof renameSync>[0], to: Parameters<typeof renameSync>[1]) => {
      rename.tries++;
      if (rename.tries <= times) throw Object.assign(new Error(`${code}: operation not permitted, rename`), { code });
      renameSync(from, to);
    },
    { tries: 0 },
  );
  return rename;
}

describe('renameRetrying', () => {
  it('on Windows, tries again while the file is busy, then renames it', () => {
    writeFileSync(join(dir, 'a'), 'value');
    const rename = busyFor(3, 'EPERM');
    renameRetrying(join(dir, 'a'), join(dir, 'b'), 'win32', rename);
    assert.equal(rename.tries, 4);
    assert.equal(readFileSync(join(dir, 'b'), 'utf8'), 'value');
  });

  it('on Windows, gives up after about two seconds with the last error', () => {
    writeFileSync(join(dir, 'c'), 'value');
    const started = Date.now();
    assert.throws(() => renameRetrying(join(dir, 'c'), join(dir, 'd'), 'win32', busyFor(Infinity, 'EBUSY')), { code: 'EBUSY' });
    assert.ok(Date.now() - started >= 1900, 'it kept trying for the whole time');
    assert.ok(existsSync(join(dir, 'c')));
  });

  it('fails at once elsewhere, and on Windows for errors that do not pass (a missing file)', () => {
    writeFileSync(join(dir, 'e'), 'value');
    const linux = busyFor(1, 'EPERM');
    assert.throws(() => renameRetrying(join(dir, 'e'), join(dir, 'f'), 'linux', linux), { code: 'EPERM' });
    assert.equal(linux.tries, 1);
    const missing = busyFor(0, 'EPERM');
    assert.throws(() => renameRetrying(join(dir, 'nothing'), join(dir, 'g'), 'win32', missing), { code: 'ENOENT' });
    assert.equal(missing.tries, 1);
  });
});
