// `component-studio dev . > out.txt` (or nohup, which writes nohup.out where it runs): the
// studio's own terminal output lands in a file inside the project it watches. Each line it
// prints is a write there, and must not count as a save: once it did, and every build's
// output started the next build, for ever, and the project never served.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageProject } from '../helpers/message-project.ts';
import { repoRoot, testCacheDir } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';

it('does not rebuild on its own output redirected into the project, and still rebuilds on a save', async () => {
  const project = await messageProject('first\n');
  after(() => project.remove());
  const outFile = join(project.root, 'out.txt');
  const out = openSync(outFile, 'w');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'component-studio.js'), 'dev', project.root, '--port', '0', '--no-ui'], {
    cwd: project.root,
    env: { ...process.env, COMPONENT_STUDIO_CACHE: process.env.COMPONENT_STUDIO_CACHE ?? testCacheDir, COMPONENT_STUDIO_CONFIG: join(repoRoot, '.cache', 'config'), NO_COLOR: '1' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  after(async () => {
    child.kill('SIGINT');
    await exited;
  });
  const printed = () => readFileSync(outFile, 'utf8');
  /** Rebuilds started after the first build (each prints more than one line). */
  const builds = () => new Set(printed().match(/↻ build \d+/g)).size;

  await waitUntil(() => /serving\s+http:\/\/\S+/.test(printed()), printed, 120_000);
  const url = /serving\s+(http:\/\/\S+)/.exec(printed())![1]!;
  assert.equal(await (await fetch(url)).text(), 'first\n');
  // Long enough for several rounds of a loop (a build of this project takes well under a second).
  await sleep(3000);
  assert.equal(builds(), 0, printed());

  await project.save('second\n');
  await waitUntil(async () => (await (await fetch(url)).text()) === 'second\n', printed, 30_000);
  await sleep(3000);
  assert.equal(builds(), 1, printed());
});
