// wash's config layers, through the real CLI: the user's wash config (found where wash finds
// it), under the project's .wash/config.*, under WASH_* variables; and where each value came
// from, as the Studio API tells the Settings view. The user's config folder is a temp folder
// (HOME or XDG_CONFIG_HOME of the child process), never the real one.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ConfigValueView } from '../../runtime/studio/api.ts';
import { messageBuildCommand, messageProject, type MessageProject } from '../helpers/message-project.ts';
import { StudioApiClient } from '../helpers/studio-api-client.ts';
import { runStudio, startStudio } from '../helpers/studio-process.ts';

const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
let home: string;
let project: MessageProject;

/** The environment the next studio starts with: HOME is a temp folder; the rest as given. */
function environment(vars: Record<string, string | undefined>): void {
  for (const name of Object.keys(process.env)) if (/^wash_/i.test(name)) delete process.env[name];
  delete process.env.XDG_CONFIG_HOME;
  process.env.HOME = home;
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

async function writeUserConfig(dir: string, yaml: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'config.yaml');
  await writeFile(file, yaml);
  return file;
}

async function get(url: string): Promise<string> {
  return (await fetch(url)).text();
}

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'studio-home-'));
});
afterEach(async () => {
  await project?.remove();
  await rm(join(home, '.config'), { recursive: true, force: true });
});
after(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(home, { recursive: true, force: true });
});

describe('the user\'s wash config', () => {
  it('is read from ~/.config/wash/config.yaml: a project with no build command builds with the user\'s', async () => {
    project = await messageProject('built by the user config\n');
    await project.writeConfig('');
    await writeUserConfig(join(home, '.config', 'wash'), `build:\n  command: ${JSON.stringify(messageBuildCommand())}\n`);
    environment({});
    const studio = await startStudio(project.root);
    try {
      assert.equal(await get(studio.url), 'built by the user config\n');
    } finally {
      await studio.stop();
    }
  });

  it('is read from $XDG_CONFIG_HOME/wash when XDG_CONFIG_HOME is set, and ~/.config/wash is not', async () => {
    project = await messageProject('built by the XDG config\n');
    await project.writeConfig('');
    const xdg = join(home, 'xdg');
    await writeUserConfig(join(xdg, 'wash'), `build:\n  command: ${JSON.stringify(messageBuildCommand())}\n`);
    await writeUserConfig(join(home, '.config', 'wash'), 'build:\n  command: "exit 4"\n');
    environment({ XDG_CONFIG_HOME: xdg });
    const studio = await startStudio(project.root);
    try {
      assert.equal(await get(studio.url), 'built by the XDG config\n');
    } finally {
      await studio.stop();
      await rm(xdg, { recursive: true, force: true });
    }
  });

  it('is overridden by the project\'s config', async () => {
    project = await messageProject('the project wins\n');
    await writeUserConfig(join(home, '.config', 'wash'), 'build:\n  command: "exit 4"\n');
    environment({});
    const studio = await startStudio(project.root);
    try {
      assert.equal(await get(studio.url), 'the project wins\n');
    } finally {
      await studio.stop();
    }
  });

  it('with an error stops the build, naming the user\'s config file', async () => {
    project = await messageProject('never served\n');
    const file = await writeUserConfig(join(home, '.config', 'wash'), 'dev:\n  address: [not, a, string]\n');
    environment({});
    const { code, output } = await runStudio(['dev', project.root, '--no-ui', '--no-watch', '--port', '0']);
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has an error:\\n\\s+dev\\.address: `));
  });
});

describe('WASH_* environment variables', () => {
  it('override the project\'s config for the top-level key they name', async () => {
    project = await messageProject('not built\n');
    environment({ WASH_BUILD: '{command="exit 9"}' });
    const { code, output } = await runStudio(['dev', project.root, '--no-ui', '--no-watch', '--port', '0']);
    assert.equal(code, 1, output);
    assert.match(output, /The build command failed with exit code 9 \(build\.command: exit 9\)/);
  });
});

describe('where each value came from, through the Studio API', () => {
  it('settings.get names the file, the variable or the studio default of every effective value', async () => {
    project = await messageProject('provenance\n');
    const userFile = await writeUserConfig(join(home, '.config', 'wash'), 'build:\n  env:\n    FROM_USER: "yes"\ndev:\n  address: 0.0.0.0:1\n');
    environment({ WASH_DEV: '{address="127.0.0.1:0"}' });
    const studio = await startStudio(project.root, [], 180_000, { ui: true });
    const client = await StudioApiClient.connect(studio.studioUrl);
    try {
      const settings = await client.call('settings.get', {});
      const config = settings.config;
      assert.ok(config, 'a project has a config view');
      assert.equal(config.userConfigDir, join(home, '.config', 'wash'));
      assert.equal(config.userConfigPath, userFile);
      assert.equal(config.projectConfigPath, join(project.root, '.wash', 'config.yaml'));
      assert.deepEqual(config.envVariables, ['WASH_DEV']);
      const byKey = new Map<string, ConfigValueView>(config.values.map((v) => [v.key, v]));
      assert.deepEqual(byKey.get('build.command'), { key: 'build.command', value: JSON.stringify(messageBuildCommand()), origin: { kind: 'project', file: join(project.root, '.wash', 'config.yaml') } });
      assert.deepEqual(byKey.get('build.env.FROM_USER'), { key: 'build.env.FROM_USER', value: '"yes"', origin: { kind: 'user', file: userFile } });
      // --port (which the test helper passes) wins over every layer, and the view says so.
      assert.deepEqual(byKey.get('dev.address'), { key: 'dev.address', value: '"127.0.0.1:0"', origin: { kind: 'env', variable: 'WASH_DEV' }, overriddenBy: '--port 0' });
      assert.deepEqual(byKey.get('dev.wasi_keyvalue_path'), { key: 'dev.wasi_keyvalue_path', value: '".wash/data/keyvalue"', origin: { kind: 'default' } });
      assert.deepEqual(byKey.get('build.component_path')?.origin, { kind: 'default' });
      assert.deepEqual(
        config.values.map((v) => v.key),
        [...config.values.map((v) => v.key)].sort(),
        'sorted by key',
      );
    } finally {
      client.close();
      await studio.stop();
    }
  });
});
