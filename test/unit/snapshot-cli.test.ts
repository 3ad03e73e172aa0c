// `component-studio snapshot …` working on a project's folders itself (no studio runs on them):
// what opening the folders repaired (a restore a kill cut short, files out of place) is
// printed to stderr as `dev` prints it, not done silently. Real folders, the real command.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { after, it } from 'node:test';
import { stageSwap } from '../../runtime/stores/root-swap.ts';
import { runSnapshotCli } from '../../runtime/studio/snapshot-cli.ts';

const temp = mkdtempSync(join(tmpdir(), 'studio-snapshot-cli-'));
// No studio's note is found here: the command opens the folders itself.
process.env.COMPONENT_STUDIO_CONFIG = join(temp, 'config');
after(() => rmSync(temp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runSnapshotCli(argv, (text) => (stdout += text), (text) => (stderr += text));
  return { code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) };
}

it('prints what opening the data repaired: a restore a kill cut short, and files out of place', async () => {
  const project = join(temp, 'project');
  mkdirSync(join(project, '.wash'), { recursive: true });
  writeFileSync(join(project, '.wash', 'config.yaml'), 'version: 1\n');
  const keyvalue = join(project, '.wash', 'data', 'keyvalue');
  mkdirSync(join(keyvalue, 'old-bucket'), { recursive: true });
  writeFileSync(join(keyvalue, 'old-bucket', 'k'), 'old');
  // As a restore killed while the new data moved in leaves it (its process is gone).
  const staged = stageSwap(keyvalue);
  mkdirSync(join(staged.newContents, 'new-bucket'));
  writeFileSync(join(staged.newContents, 'new-bucket', 'k'), 'new');
  mkdirSync(staged.oldContents);
  renameSync(join(keyvalue, 'old-bucket'), join(staged.oldContents, 'old-bucket'));
  writeFileSync(join(staged.dir, 'state'), 'in');
  renameSync(staged.dir, staged.dir.replace(/restore-\d+(\.\d+)?-/, 'restore-999999999-'));
  const blobstore = join(project, '.wash', 'data', 'blobstore');
  mkdirSync(blobstore, { recursive: true });
  writeFileSync(join(blobstore, 'stray.txt'), 'not in a container');

  const listed = await run('list', project);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /no snapshots yet/);
  assert.match(listed.stderr, /^warn A restore into \S+keyvalue was cut short while the new data moved in; it was finished\./m);
  assert.match(listed.stderr, /^warn The blob folder \S+blobstore holds files outside any container \("stray\.txt"\)/m);
});
