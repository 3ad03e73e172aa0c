// The channel `component-studio snapshot …` reaches a running studio through, when things
// around it go wrong, with the real CLI and real studios: a config folder that cannot take the
// studio's note costs the channel (said in one warning line), not the studio; a suspended
// studio (Ctrl+Z, here SIGSTOP) costs a command a few seconds, not forever, fails it only when
// it owns the project's data, and does not run it later when it resumes.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { ANSWER_MS } from '../../runtime/studio/snapshot-channel.ts';
import { watFixtureAlone } from '../fixtures/fixtures.ts';
import { runCli } from '../helpers/cli-run.ts';
import { launchStudio, startStudio } from '../helpers/studio-process.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const folders: string[] = [];
after(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

async function alone(): Promise<{ dir: string; wasm: string }> {
  const hello = await watFixtureAlone('hello');
  folders.push(hello.dir);
  return hello;
}

async function configFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'studio-channel-config-'));
  folders.push(dir);
  return dir;
}

describe('a studio whose config folder cannot take its note', () => {
  it('runs and serves without the channel, and says in one line what does not work and how to fix it', async () => {
    const hello = await alone();
    const config = await configFolder();
    await writeFile(join(config, 'studios'), 'a file where the notes folder belongs');
    const studio = launchStudio(hello.wasm, [], { configDir: config });
    try {
      await studio.serving();
      await studio.waitFor(/cannot reach this studio/);
      const said = studio.output().split('\n').filter((line) => line.includes('cannot reach this studio'));
      assert.equal(said.length, 1, studio.output());
      assert.match(
        said[0]!,
        /WARN\s+studio Snapshot commands from another terminal \(component-studio snapshot …\) cannot reach this studio: the note that tells them where it listens cannot be written in \S+\/studios \(E[A-Z]+: [^)]+\)\. Make \S+\/studios a folder you can write, or set COMPONENT_STUDIO_CONFIG to one, and restart the studio/,
      );
      assert.doesNotMatch(studio.output(), /^\s+at /m, 'no stack trace');
      assert.equal((await fetch(studio.url)).status, 200);
    } finally {
      await studio.stop();
    }
  });
});

describe('a channel request that is not one', () => {
  it('is answered (JSON that is no object) or dropped (a client gone mid-body), and the studio goes on', async () => {
    const hello = await alone();
    const config = await configFolder();
    const studio = launchStudio(hello.wasm, [], { configDir: config });
    try {
      await studio.serving();
      const notePath = join(config, 'studios', `${studio.child.pid}.json`);
      await waitUntil(() => existsSync(notePath), () => 'the studio noted its channel', 10_000);
      const { port, token } = JSON.parse(await readFile(notePath, 'utf8')) as { port: number; token: string };
      for (const body of ['null', '5', '"x"', '[]']) {
        const res = await fetch(`http://127.0.0.1:${port}/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
        assert.equal(res.status, 400, body);
        assert.match(await res.text(), /bad-frame/, body);
      }
      // Headers and a part of the body, then a reset.
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.write(`POST /snapshots HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Length: 1000\r\n\r\n{"command":`);
          setTimeout(() => {
            socket.resetAndDestroy();
            resolve();
          }, 300);
        });
        socket.on('error', () => {});
      });
      await sleep(500);
      assert.equal(studio.child.exitCode, null, `the studio ended:\n${studio.output()}`);
      assert.equal((await fetch(studio.url)).status, 200);
    } finally {
      await studio.stop();
    }
  });
});

describe('a suspended studio', () => {
  it('holds up snapshot commands a few seconds at most: another project\'s go on, its own fail naming it, and it does not run them when resumed', async () => {
    const config = await configFolder();
    const env = { COMPONENT_STUDIO_CONFIG: config };
    const owned = await alone();
    // An existing data folder is claimed as the studio opens it.
    const keyvalue = join(owned.dir, '.wash', 'data', 'keyvalue');
    await mkdir(keyvalue, { recursive: true });
    const other = await alone();
    const studio = await startStudio(owned.wasm, [], undefined, { configDir: config });
    const pid = studio.child.pid!;
    try {
      await waitUntil(() => existsSync(join(keyvalue, '.cs-owner')), () => `the studio owns ${keyvalue}`);
      process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        const listed = await runCli(['snapshot', 'list', other.wasm], { env });
        assert.equal(listed.code, 0, listed.stdout + listed.stderr);
        assert.match(listed.stdout, /no snapshots yet/);
        assert.ok(Date.now() - started < ANSWER_MS + 10_000, `took ${Date.now() - started} ms`);

        const saved = await runCli(['snapshot', 'save', 'while suspended', owned.wasm], { env });
        assert.equal(saved.code, 1, saved.stdout + saved.stderr);
        assert.match(saved.stderr, new RegExp(`as process ${pid} did not answer within ${ANSWER_MS / 1000} s: it may be suspended \\(Ctrl\\+Z\\) or stuck\\.\\n {2}hint: Resume it \\(fg in its terminal, or kill -CONT ${pid}\\) or stop it`));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      // Resumed, it reads the save it was sent while suspended, too late to take it up.
      await sleep(1000);
      const listed = await runCli(['snapshot', 'list', owned.wasm], { env });
      assert.equal(listed.code, 0, listed.stdout + listed.stderr);
      assert.match(listed.stdout, /no snapshots yet/);
    } finally {
      await studio.stop();
    }
  });
});
