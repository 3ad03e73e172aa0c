// Finding a wash project (the nearest folder with .wash/) and reading its config the way wash
// does: .wash/config.yaml, .yml, .json or .toml, every key optional, merged over the user's
// wash config and under WASH_* variables, each value remembering where it came from.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StudioError } from '../../runtime/errors.ts';
import { configValues, findProjectRoot, loadProject, type WashConfig } from '../../runtime/project/project-config.ts';

let temp: string;
let count = 0;

/** A fresh folder with the given files (paths relative to it) and returns its path. */
async function folderWith(files: Record<string, string> = {}, dirs: string[] = []): Promise<string> {
  const root = join(temp, `project-${++count}`);
  await mkdir(root, { recursive: true });
  for (const dir of dirs) await mkdir(join(root, dir), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

async function loadError(start: string): Promise<StudioError> {
  const result = await loadProject(start);
  assert.equal(result.ok, false, 'the config should be refused');
  return (result as { ok: false; error: StudioError }).error;
}

before(async () => {
  // realpath: on some systems the temp folder is behind a symlink, and paths are compared.
  temp = await realpath(await mkdtemp(join(tmpdir(), 'studio-project-config-')));
  // Whatever this machine's user has in their wash config or environment stays out of these tests.
  process.env.XDG_CONFIG_HOME = join(temp, 'no-user-config');
  for (const name of Object.keys(process.env)) if (/^wash_/i.test(name)) delete process.env[name];
});
after(() => rm(temp, { recursive: true, force: true }));

describe('findProjectRoot', () => {
  it('is the folder itself when it has .wash/', async () => {
    const root = await folderWith({}, ['.wash']);
    assert.equal(await findProjectRoot(root), root);
  });

  it('is the nearest folder above with .wash/', async () => {
    const root = await folderWith({}, ['.wash', 'src/deep/er']);
    assert.equal(await findProjectRoot(join(root, 'src', 'deep', 'er')), root);
  });

  it('passes over a .wash/ above that only serving a .wasm file made (data/, studio/)', async () => {
    const outer = await folderWith({}, ['.wash/data/keyvalue', '.wash/studio/traffic', 'myapp/src']);
    assert.equal(await findProjectRoot(join(outer, 'myapp')), join(outer, 'myapp'));
    // The folder itself is a project with such a .wash/ all the same: it was asked for.
    assert.equal(await findProjectRoot(outer), outer);
  });

  it('picks the nearest .wash/ when projects are nested', async () => {
    const outer = await folderWith({}, ['.wash', 'inner/.wash', 'inner/src']);
    assert.equal(await findProjectRoot(join(outer, 'inner', 'src')), join(outer, 'inner'));
  });

  it('is the starting folder when no folder above has .wash/', async () => {
    const start = join(await folderWith({}, ['a/b']), 'a', 'b');
    const found = await findProjectRoot(start);
    if (found.startsWith(temp)) assert.equal(found, start);
    // A .wash/ above the temp folder (in a home folder, say) is a real project root.
    else assert.ok(await stat(join(found, '.wash')).then((s) => s.isDirectory(), () => false), found);
  });

  it('does not take the .wash/ in the home folder, where wash 0.x keeps its own data, for a project', async () => {
    // wash 0.x creates ~/.wash/ (downloads, keys) on first use. A project under the home
    // folder without its own .wash/ must not resolve to the whole home folder: the builder
    // would look for sources there and the watcher would watch all of it.
    const home = await folderWith({}, ['.wash/downloads', '.wash/keys', 'code/app/src']);
    await writeFile(join(home, 'code', 'app', 'src', 'component.js'), 'export const incomingHandler = {};\n');
    const saved = { HOME: process.env.HOME, USERPROFILE: process.env.USERPROFILE };
    process.env.HOME = home;
    process.env.USERPROFILE = home;
    try {
      const start = join(home, 'code', 'app');
      assert.equal(await findProjectRoot(start), start);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('resolves a relative start against the working folder', async () => {
    const root = await folderWith({}, ['.wash', 'src']);
    assert.equal(await findProjectRoot(relative(process.cwd(), join(root, 'src'))), root);
  });
});

describe('loadProject', () => {
  it('gives an empty config, no config path and the folder name when there is no config file', async () => {
    const root = await folderWith({}, ['.wash']);
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.deepEqual(result.value, {
      root,
      name: basename(root),
      configPath: undefined,
      userConfigDir: join(temp, 'no-user-config', 'wash'),
      userConfigPath: undefined,
      envVariables: {},
      config: {},
      origins: {},
      warnings: [],
    });
  });

  it('reads .wash/config.yaml', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'build:\n  command: make\n  component_path: out/app.wasm\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.configPath, join(root, '.wash', 'config.yaml'));
    assert.deepEqual(result.value.config.build, { command: 'make', component_path: 'out/app.wasm' });
  });

  it('reads .wash/config.yml', async () => {
    const root = await folderWith({ '.wash/config.yml': 'version: 1\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.configPath, join(root, '.wash', 'config.yml'));
    assert.equal(result.value.config.version, 1);
  });

  it('reads .wash/config.json', async () => {
    const root = await folderWith({ '.wash/config.json': JSON.stringify({ build: { command: 'cargo build' } }) });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.configPath, join(root, '.wash', 'config.json'));
    assert.equal(result.value.config.build?.command, 'cargo build');
  });

  it('reads .wash/config.toml', async () => {
    const root = await folderWith({ '.wash/config.toml': '[build]\ncommand = "go build"\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.configPath, join(root, '.wash', 'config.toml'));
    assert.equal(result.value.config.build?.command, 'go build');
  });

  it('prefers config.yaml over config.yml, config.json and config.toml', async () => {
    const root = await folderWith({
      '.wash/config.yaml': 'version: yaml\n',
      '.wash/config.yml': 'version: yml\n',
      '.wash/config.json': '{"version":"json"}',
      '.wash/config.toml': 'version = "toml"\n',
    });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.config.version, 'yaml');
  });

  it('loads the project of the nearest .wash/ above the start', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'version: 2\n' }, ['src']);
    const result = await loadProject(join(root, 'src'));
    assert.ok(result.ok);
    assert.equal(result.value.root, root);
    assert.equal(result.value.name, basename(root));
    assert.equal(result.value.config.version, 2);
  });

  it('treats an empty config file as an empty config', async () => {
    const root = await folderWith({ '.wash/config.yaml': '# nothing set yet\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.deepEqual(result.value.config, {});
  });

  it('loads a config with unknown keys and warns about each, naming the file and key path', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'build:\n  command: make\n  flavour: fast\nsomething_new: true\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.config.build?.command, 'make');
    const file = join(root, '.wash', 'config.yaml');
    assert.deepEqual([...result.value.warnings].sort(), [`${file}: build.flavour: unknown key, ignored`, `${file}: something_new: unknown key, ignored`]);
  });

  it('gives no warnings for a config with only known keys', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'version: 1\nbuild:\n  command: make\ndev:\n  address: 127.0.0.1:8000\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.deepEqual(result.value.warnings, []);
  });

  it('knows dev.wasi_webgpu, a wash key, so it gets no unknown-key warning', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'dev:\n  wasi_webgpu: true\n' });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.equal(result.value.config.dev?.wasi_webgpu, true);
    assert.deepEqual(result.value.warnings, []);
  });

  it('refuses a dev.wasi_webgpu that is not a boolean', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'dev:\n  wasi_webgpu: please\n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-invalid');
    assert.match(error.message, /^ {2}dev\.wasi_webgpu: /m);
  });

  it('refuses two dev.components of one name, naming the second', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'dev:\n  components:\n    - name: middleware\n      file: a.wasm\n    - name: middleware\n      file: b.wasm\n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-invalid');
    assert.match(error.message, /^ {2}dev\.components\[1\]\.name: is "middleware" again: each component needs a name of its own/m);
  });

  it('refuses a key of the wrong type with config-invalid, naming the key path', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'build:\n  command: [make, all]\ndev:\n  components:\n    - name: api\n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-invalid');
    assert.ok(error.message.startsWith(join(root, '.wash', 'config.yaml')), error.message);
    assert.match(error.message, /2 errors/);
    assert.match(error.message, /^ {2}build\.command: /m);
    assert.match(error.message, /^ {2}dev\.components\[0\]\.file: /m);
    assert.match(error.hint ?? '', /docs\/projects\.md/);
  });

  it('refuses a dev.address that is not HOST:PORT, where it was ignored and 127.0.0.1:8000 served instead', async () => {
    for (const [address, message] of [
      ['nonsense', /dev\.address: must be HOST:PORT, such as 127\.0\.0\.1:8000/],
      ['127.0.0.1', /dev\.address: must be HOST:PORT/],
      ['localhost:abc', /dev\.address: must be HOST:PORT/],
      ['localhost:70000', /dev\.address: has a port over 65535/],
    ] as const) {
      const error = await loadError(await folderWith({ '.wash/config.yaml': `dev:\n  address: "${address}"\n` }));
      assert.equal(error.code, 'config-invalid', address);
      assert.match(error.message, message, address);
    }
    for (const address of ['0.0.0.0:8000', '[::1]:0', 'my-box.local:9000']) {
      const loaded = await loadProject(await folderWith({ '.wash/config.yaml': `dev:\n  address: "${address}"\n` }));
      assert.ok(loaded.ok, address);
    }
  });

  it('refuses YAML with a syntax error with config-unparsable, naming the file, line and column', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'build:\n  command: make\n  env: [unclosed\n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-unparsable');
    const file = join(root, '.wash', 'config.yaml');
    assert.ok(error.message.startsWith(`${file}:`), error.message);
    assert.match(error.message.slice(file.length), /^:\d+:\d+: /);
    assert.doesNotMatch(error.message, /at line \d+, column \d+/, 'the position is given once');
    assert.match(error.hint ?? '', /valid YAML/);
  });

  it('points the line of a YAML error at the offending line', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'version: 1\nbuild:\n  command: "unterminated\n' });
    const error = await loadError(root);
    const where = /config\.yaml:(\d+):(\d+):/.exec(error.message);
    assert.ok(where, error.message);
    assert.ok(Number(where[1]) >= 3, `line ${where[1]}`);
  });

  it('puts the parser\'s message on one line', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'a: [1\n' });
    const error = await loadError(root);
    assert.doesNotMatch(error.message, /\n/);
  });

  it('refuses TOML with a syntax error with config-unparsable, naming the file, line and column', async () => {
    const root = await folderWith({ '.wash/config.toml': '[build]\ncommand = \n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-unparsable');
    assert.match(error.message, /config\.toml:\d+:\d+: /);
  });

  it('refuses JSON with a syntax error with config-unparsable, naming the file', async () => {
    const root = await folderWith({ '.wash/config.json': '{"build": ' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-unparsable');
    assert.ok(error.message.startsWith(join(root, '.wash', 'config.json')), error.message);
  });

  it('refuses a top-level list with config-invalid, naming the file', async () => {
    const root = await folderWith({ '.wash/config.yaml': '- build\n- dev\n' });
    const error = await loadError(root);
    assert.equal(error.code, 'config-invalid');
    assert.ok(error.message.startsWith(join(root, '.wash', 'config.yaml')), error.message);
    assert.match(error.message, /mapping of keys/);
  });

  it('refuses a top-level scalar with config-invalid', async () => {
    const root = await folderWith({ '.wash/config.yaml': 'just a string\n' });
    assert.equal((await loadError(root)).code, 'config-invalid');
  });
});

describe('loadProject: the layers wash merges', () => {
  it('reads the user\'s config when the project has none', async () => {
    const user = await folderWith({ 'config.yaml': 'build:\n  command: make\n' });
    const root = await folderWith({}, ['.wash']);
    const result = await loadProject(root, { userConfigDir: user, env: {} });
    assert.ok(result.ok);
    assert.equal(result.value.config.build?.command, 'make');
    assert.equal(result.value.userConfigPath, join(user, 'config.yaml'));
    assert.deepEqual(result.value.origins, { 'build.command': { kind: 'user', file: join(user, 'config.yaml') } });
  });

  it('lets the project\'s config win over the user\'s, key by key', async () => {
    const user = await folderWith({ 'config.yaml': 'build:\n  command: make\n  env:\n    A: user\n    B: user\ndev:\n  address: 0.0.0.0:1\n' });
    const root = await folderWith({ '.wash/config.toml': '[build.env]\nB = "project"\n[dev]\naddress = "127.0.0.1:2"\n' });
    const result = await loadProject(root, { userConfigDir: user, env: {} });
    assert.ok(result.ok);
    assert.deepEqual(result.value.config, { build: { command: 'make', env: { A: 'user', B: 'project' } }, dev: { address: '127.0.0.1:2' } });
    const userFile = { kind: 'user', file: join(user, 'config.yaml') };
    const projectFile = { kind: 'project', file: join(root, '.wash', 'config.toml') };
    assert.deepEqual(result.value.origins, { 'build.command': userFile, 'build.env.A': userFile, 'build.env.B': projectFile, 'dev.address': projectFile });
  });

  it('lets WASH_* variables win over both, for the top-level key they name', async () => {
    const user = await folderWith({ 'config.yaml': 'dev:\n  address: 0.0.0.0:1\n' });
    const root = await folderWith({ '.wash/config.yaml': 'build:\n  command: make\ndev:\n  address: 127.0.0.1:2\n  service: false\n' });
    const result = await loadProject(root, { userConfigDir: user, env: { WASH_DEV: '{address="127.0.0.1:3"}', WASH_COMPONENT_PATH: '/elsewhere.wasm' } });
    assert.ok(result.ok);
    assert.deepEqual(result.value.config, { build: { command: 'make' }, dev: { address: '127.0.0.1:3', service: false } });
    assert.deepEqual(result.value.origins['dev.address'], { kind: 'env', variable: 'WASH_DEV' });
    assert.deepEqual(result.value.envVariables, { dev: 'WASH_DEV' });
  });

  it('finds the user\'s config under XDG_CONFIG_HOME from the environment it is given', async () => {
    const xdg = await folderWith({ 'wash/config.json': '{"build":{"command":"from xdg"}}' });
    const root = await folderWith({}, ['.wash']);
    const result = await loadProject(root, { env: { XDG_CONFIG_HOME: xdg } });
    assert.ok(result.ok);
    assert.equal(result.value.config.build?.command, 'from xdg');
    assert.equal(result.value.userConfigDir, join(xdg, 'wash'));
  });

  it('refuses a user config with a key of the wrong type, naming that file', async () => {
    const user = await folderWith({ 'config.yaml': 'dev:\n  address: [1, 2]\n' });
    const root = await folderWith({}, ['.wash']);
    const error = await loadErrorWith(root, { userConfigDir: user, env: {} });
    assert.equal(error.code, 'config-invalid');
    assert.ok(error.message.startsWith(`${join(user, 'config.yaml')} has an error:`), error.message);
    assert.match(error.message, /^ {2}dev\.address: /m);
  });

  it('refuses a user config with a syntax error, naming that file and line', async () => {
    const user = await folderWith({ 'config.yaml': 'build:\n  command: "unterminated\n' });
    const root = await folderWith({}, ['.wash']);
    const error = await loadErrorWith(root, { userConfigDir: user, env: {} });
    assert.equal(error.code, 'config-unparsable');
    assert.ok(error.message.startsWith(`${join(user, 'config.yaml')}:`), error.message);
  });

  it('refuses a WASH_* variable whose value has the wrong shape, naming the variable and the key', async () => {
    const root = await folderWith({}, ['.wash']);
    const error = await loadErrorWith(root, { userConfigDir: join(temp, 'none'), env: { WASH_BUILD: 'make' } });
    assert.equal(error.code, 'config-invalid');
    assert.match(error.message, /^The environment \(WASH_BUILD\) has an error:\n {2}WASH_BUILD: build: /);
    assert.match(error.hint ?? '', /WASH_DEV='\{address=/);
  });

  it('warns about unknown keys in a user config and in a variable, naming each source', async () => {
    const user = await folderWith({ 'config.yaml': 'build:\n  flavour: fast\n' });
    const root = await folderWith({}, ['.wash']);
    const result = await loadProject(root, { userConfigDir: user, env: { WASH_DEV: '{adress="x"}' } });
    assert.ok(result.ok);
    assert.deepEqual(result.value.warnings, [`${join(user, 'config.yaml')}: build.flavour: unknown key, ignored`, 'environment variable WASH_DEV: dev.adress: unknown key, ignored']);
  });
});

async function loadErrorWith(start: string, options: Parameters<typeof loadProject>[1]): Promise<StudioError> {
  const result = await loadProject(start, options);
  assert.equal(result.ok, false, 'the config should be refused');
  return (result as { ok: false; error: StudioError }).error;
}

describe('configValues', () => {
  it('gives the config of wasi:config host_interfaces entries as key/value pairs', () => {
    const config: WashConfig = {
      dev: { host_interfaces: [{ namespace: 'wasi', package: 'config', interfaces: ['store'], version: '0.2.0-rc.1', config: { greeting: 'hi', mode: 'dev' } }] },
    };
    assert.deepEqual(configValues(config), [['greeting', 'hi'], ['mode', 'dev']]);
  });

  it('ignores entries for other interfaces', () => {
    const config: WashConfig = {
      dev: {
        host_interfaces: [
          { namespace: 'wasi', package: 'keyvalue', config: { bucket: 'x' } },
          { namespace: 'my-org', package: 'config', config: { other: 'y' } },
          { namespace: 'wasi', package: 'config', config: { kept: 'z' } },
        ],
      },
    };
    assert.deepEqual(configValues(config), [['kept', 'z']]);
  });

  it('joins the values of several wasi:config entries in order', () => {
    const config: WashConfig = {
      dev: { host_interfaces: [{ namespace: 'wasi', package: 'config', config: { a: '1' } }, { namespace: 'wasi', package: 'config', config: { b: '2' } }] },
    };
    assert.deepEqual(configValues(config), [['a', '1'], ['b', '2']]);
  });

  it('turns numbers and booleans from YAML into strings', async () => {
    const root = await folderWith({
      '.wash/config.yaml': 'dev:\n  host_interfaces:\n    - namespace: wasi\n      package: config\n      config:\n        port: 8080\n        debug: true\n',
    });
    const result = await loadProject(root);
    assert.ok(result.ok);
    assert.deepEqual(configValues(result.value.config), [['port', '8080'], ['debug', 'true']]);
  });

  it('gives nothing when there are no host interfaces or no config in them', () => {
    assert.deepEqual(configValues({}), []);
    assert.deepEqual(configValues({ dev: {} }), []);
    assert.deepEqual(configValues({ dev: { host_interfaces: [{ namespace: 'wasi', package: 'config' }] } }), []);
  });
});
