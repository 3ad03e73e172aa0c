// Which folders the studio asks about before opening them as a project: disk roots, the
// user's home, and the operating system's own folders, on each platform.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { riskyTarget } from '../../runtime/project/risky-folders.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-risky-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('riskyTarget', () => {
  it('names a disk root, the home folder and system folders on Linux and macOS', () => {
    assert.match(riskyTarget('/', 'linux', '/home/ann')!, /^\/ is the root of a disk\. Opening it as a project builds in it/);
    assert.match(riskyTarget('/home/ann', 'linux', '/home/ann')!, /is your home folder/);
    assert.match(riskyTarget('/home/ann/', 'linux', '/home/ann')!, /is your home folder/);
    for (const folder of ['/etc', '/etc/nginx', '/usr/lib/node_modules', '/var', '/opt', '/System/Library', '/tmp']) {
      assert.match(riskyTarget(folder, 'darwin', '/Users/ann') ?? '', /is a system folder|is inside the system folder \//, folder);
    }
    assert.match(riskyTarget('/etc/nginx', 'linux', '/home/ann')!, /^\/etc\/nginx is inside the system folder \/etc\./);
    assert.match(riskyTarget('/dev/null', 'linux', '/home/ann')!, /^\/dev\/null is inside the system folder \/dev\./, 'a device file is no folder');
  });

  it('leaves ordinary project folders alone, including ones below /opt, /var and /tmp', () => {
    for (const folder of ['/home/ann/code/app', '/opt/projects/app', '/var/folders/xy/T/app', '/tmp/app', '/Users/ann/Library-of-things']) {
      assert.equal(riskyTarget(folder, 'linux', '/home/ann'), undefined, folder);
    }
  });

  it('names drive roots and system folders on Windows, in any letter case', () => {
    assert.match(riskyTarget('C:\\', 'win32', 'C:\\Users\\ann')!, /root of a disk/);
    assert.match(riskyTarget('c:\\users\\ANN', 'win32', 'C:\\Users\\ann')!, /home folder/);
    assert.match(riskyTarget('C:\\Windows\\System32', 'win32', 'C:\\Users\\ann')!, /system folder/);
    assert.match(riskyTarget('C:\\Program Files\\app', 'win32', 'C:\\Users\\ann')!, /system folder/);
    assert.equal(riskyTarget('C:\\Users\\ann\\src\\app', 'win32', 'C:\\Users\\ann'), undefined);
  });

  it('judges a .wasm file by the folder its data would go in', () => {
    const wasm = join(scratch, 'app.wasm');
    writeFileSync(wasm, '');
    assert.equal(riskyTarget(wasm), undefined);
    assert.match(riskyTarget(wasm, process.platform, scratch)!, /is your home folder/);
  });
});
