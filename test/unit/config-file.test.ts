// Reading one settings file: what is not a small regular file is refused with the reason,
// at once, rather than read (a FIFO would hang every start and reload; a huge file too).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_SETTINGS_BYTES, readSettingsFile } from '../../runtime/project/config-file.ts';

const KIND = { topLevelKeys: 'build, dev', doc: 'docs/projects.md', invalidCode: 'config-invalid' };

describe('readSettingsFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-config-file-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('reads a YAML mapping, and an empty file as an empty one', async () => {
    await writeFile(join(dir, 'a.yaml'), 'build:\n  command: make\n');
    assert.deepEqual(await readSettingsFile(join(dir, 'a.yaml'), KIND), { ok: true, value: { build: { command: 'make' } } });
    await writeFile(join(dir, 'empty.yaml'), '');
    assert.deepEqual(await readSettingsFile(join(dir, 'empty.yaml'), KIND), { ok: true, value: {} });
  });

  it('refuses a FIFO in the file\'s place at once, where reading it would wait for a writer for ever', { skip: process.platform === 'win32' && 'no FIFOs' }, async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const read = await readSettingsFile(fifo, KIND);
    assert.ok(Date.now() - started < 5000);
    assert.equal(read.ok, false);
    if (read.ok) return;
    assert.equal(read.error.code, 'config-unreadable');
    assert.match(read.error.message, /fifo\.yaml cannot be read: it is not a regular file \(a pipe or a device\)/);
  });

  it('refuses a file over the size limit without reading it, and a folder, naming each', async () => {
    const big = join(dir, 'big.yaml');
    await writeFile(big, Buffer.alloc(MAX_SETTINGS_BYTES + 1, 0x20));
    const read = await readSettingsFile(big, KIND);
    assert.ok(!read.ok && read.error.code === 'config-unreadable' && read.error.message.includes(`over the ${MAX_SETTINGS_BYTES}-byte limit`), JSON.stringify(read));
    await mkdir(join(dir, 'folder.yaml'));
    const folder = await readSettingsFile(join(dir, 'folder.yaml'), KIND);
    assert.ok(!folder.ok && /cannot be read: it is a folder/.test(folder.error.message), JSON.stringify(folder));
  });
});
