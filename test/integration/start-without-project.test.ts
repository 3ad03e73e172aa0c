// `npm start` in browser mode (no Electron binary) runs `component-studio dev --last-project`:
// without a project it opens what the desktop app would, the project the studio UI had open
// last, or at first the studio's own copy of the QR example in its config folder, and never
// the example in the install folder (whose build and data would land there, and beside which
// a relative name typed in Create would make a project among the bundled examples).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { messageProject } from '../helpers/message-project.ts';
import { launchStudio } from '../helpers/studio-process.ts';

const header = /Component Studio dev · (?:project|component) (.+)\n/;

/** Starts `dev --last-project` with the UI and its own config folder; answers what it opened. */
async function startWithoutProject(configDir: string): Promise<string> {
  // launchStudio puts its target right after `dev`: here, the option in its place.
  const studio = launchStudio('--last-project', [], { ui: true, configDir });
  try {
    await studio.waitFor(header, 60_000);
    return header.exec(studio.output())![1]!;
  } finally {
    await studio.stop();
  }
}

describe('the studio started without a project (npm start in browser mode)', () => {
  const made: string[] = [];
  after(() => Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('opens its own copy of the QR example in its config folder the first time, not the installed example', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'studio-start-config-'));
    made.push(configDir);
    const opened = await startWithoutProject(configDir);
    assert.equal(opened, join(configDir, 'examples', 'qrcode'));
    assert.ok(existsSync(join(opened, 'src', 'component.ts')));
  });

  it('reopens the project the studio UI had open last', async () => {
    const configDir = await mkdtemp(join(tmpdir(), 'studio-start-config-'));
    made.push(configDir);
    const project = await messageProject('mine\n');
    after(() => project.remove());
    const first = launchStudio(project.root, [], { ui: true, configDir });
    try {
      await first.serving();
    } finally {
      await first.stop();
    }
    assert.equal(await startWithoutProject(configDir), project.root);
  });
});
