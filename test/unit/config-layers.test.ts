// The layers wash merges into a config (user < project < WASH_* variables), read the way wash
// reads them: where it looks for the user's config on each platform, how a variable's value
// is parsed (figment's syntax), and how layers merge, each value remembering its origin.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { environmentConfig, findConfigFile, mergeLayers, userConfigDir, valuesWithOrigins, type ConfigOrigin } from '../../runtime/project/config-layers.ts';
import { parseEnvValue } from '../../runtime/project/env-value.ts';
import { loadProject } from '../../runtime/project/project-config.ts';

describe('userConfigDir', () => {
  const home = join(tmpdir(), 'someone');

  it('is $XDG_CONFIG_HOME/wash on Linux when XDG_CONFIG_HOME is absolute', () => {
    const xdg = join(tmpdir(), 'xdg');
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: xdg }, 'linux', home), join(xdg, 'wash'));
  });

  it('is ~/.config/wash on Linux without XDG_CONFIG_HOME', () => {
    assert.equal(userConfigDir({}, 'linux', home), join(home, '.config', 'wash'));
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec (and wash) say', () => {
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: 'relative/config' }, 'linux', home), join(home, '.config', 'wash'));
  });

  it('uses the same XDG layout on macOS, not ~/Library', () => {
    assert.equal(userConfigDir({}, 'darwin', home), join(home, '.config', 'wash'));
    const xdg = join(tmpdir(), 'xdg');
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: xdg }, 'darwin', home), join(xdg, 'wash'));
  });

  it('is AppData\\Roaming\\wasmCloud Team\\wash\\config on Windows, whatever XDG_CONFIG_HOME says', () => {
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: join(tmpdir(), 'xdg') }, 'win32', home), join(home, 'AppData', 'Roaming', 'wasmCloud Team', 'wash', 'config'));
  });
});

describe('findConfigFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'studio-config-layers-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('takes config.yaml, then .yml, .json and .toml, as wash does', async () => {
    assert.equal(await findConfigFile(dir), undefined);
    await writeFile(join(dir, 'config.toml'), '');
    assert.equal(await findConfigFile(dir), join(dir, 'config.toml'));
    await writeFile(join(dir, 'config.json'), '{}');
    assert.equal(await findConfigFile(dir), join(dir, 'config.json'));
    await writeFile(join(dir, 'config.yml'), '');
    assert.equal(await findConfigFile(dir), join(dir, 'config.yml'));
    await writeFile(join(dir, 'config.yaml'), '');
    assert.equal(await findConfigFile(dir), join(dir, 'config.yaml'));
  });

  it('finds nothing in a folder that does not exist', async () => {
    assert.equal(await findConfigFile(join(dir, 'nowhere')), undefined);
  });

  it('names a folder called config.yaml too: reading it is what fails, with the name', async () => {
    const other = join(dir, 'other');
    await mkdir(join(other, 'config.yaml'), { recursive: true });
    assert.equal(await findConfigFile(other), join(other, 'config.yaml'));
  });

  it('names a link that leads nowhere (a loop, a missing file) too, rather than reading the next name or none', async () => {
    const loop = join(dir, 'loop');
    await mkdir(loop);
    await writeFile(join(loop, 'config.toml'), '');
    await symlink('config.yaml', join(loop, 'config.yaml'));
    assert.equal(await findConfigFile(loop), join(loop, 'config.yaml'));
    const dangling = join(dir, 'dangling');
    await mkdir(dangling);
    await symlink('moved-away.yaml', join(dangling, 'config.yaml'));
    assert.equal(await findConfigFile(dangling), join(dangling, 'config.yaml'));
  });

  it('so a project whose .wash/config.yaml is a link loop does not load with the defaults: config-unreadable, naming the file', async () => {
    const root = join(dir, 'project');
    await mkdir(join(root, '.wash'), { recursive: true });
    const config = join(root, '.wash', 'config.yaml');
    await symlink('config.yaml', config);
    const loaded = await loadProject(root, { userConfigDir: join(dir, 'no-user-config'), env: {} });
    assert.ok(!loaded.ok, JSON.stringify(loaded));
    assert.equal(loaded.error.code, 'config-unreadable');
    assert.equal(loaded.error.message, `${config} cannot be read: it is a symbolic link that leads back to itself (a link loop).`);
    assert.ok(loaded.error.hint, 'a hint names the fix');
  });

  it('says where a config link that leads to a missing file points', async () => {
    const root = join(dir, 'project-dangling');
    await mkdir(join(root, '.wash'), { recursive: true });
    const config = join(root, '.wash', 'config.yaml');
    await symlink('moved-away.yaml', config);
    const loaded = await loadProject(root, { userConfigDir: join(dir, 'no-user-config'), env: {} });
    assert.ok(!loaded.ok, JSON.stringify(loaded));
    assert.equal(loaded.error.message, `${config} cannot be read: it is a symbolic link to moved-away.yaml, which does not exist.`);
  });
});

describe('parseEnvValue (figment\'s syntax)', () => {
  const cases: [string, unknown][] = [
    ['true', true],
    ['false', false],
    ['8000', 8000],
    ['-3', -3],
    ['1.5', 1.5],
    ['1.0.0', '1.0.0'],
    ['127.0.0.1:9000', '127.0.0.1:9000'],
    ['cargo build --release', 'cargo build --release'],
    ['"quoted, with {braces}"', 'quoted, with {braces}'],
    ['[1, two, "three"]', [1, 'two', 'three']],
    ['[]', []],
    ['{address="127.0.0.1:9000", service=true}', { address: '127.0.0.1:9000', service: true }],
    ['{ env = {RUSTFLAGS="-C opt-level=s"}, command = make }', { env: { RUSTFLAGS: '-C opt-level=s' }, command: 'make' }],
    ['{volumes=[{host_path=data, guest_path=/data}]}', { volumes: [{ host_path: 'data', guest_path: '/data' }] }],
    ["'x'", 'x'],
    ['', ''],
    // What does not parse is the text itself.
    ['{unclosed', '{unclosed'],
    ['{no equals}', '{no equals}'],
    ['trueish', 'trueish'],
  ];
  for (const [text, value] of cases) {
    it(`reads ${JSON.stringify(text)} as ${JSON.stringify(value)}`, () => {
      assert.deepEqual(parseEnvValue(text), value);
    });
  }
});

describe('environmentConfig', () => {
  it('takes WASH_<top-level key> variables, prefix and key in any case', () => {
    const { value, variables } = environmentConfig({ WASH_DEV: '{address="127.0.0.1:9000"}', wash_Build: '{command=make}', WASH_VERSION: '2' });
    assert.deepEqual(value, { dev: { address: '127.0.0.1:9000' }, build: { command: 'make' }, version: 2 });
    assert.deepEqual(variables, { dev: 'WASH_DEV', build: 'wash_Build', version: 'WASH_VERSION' });
  });

  it('leaves other WASH_* variables alone (WASH_COMPONENT_PATH is for build commands, not config)', () => {
    assert.deepEqual(environmentConfig({ WASH_COMPONENT_PATH: '/tmp/x.wasm', WASH_LOG: 'debug', WASH_: 'x', PATH: '/bin' }), { value: {}, variables: {} });
  });
});

describe('mergeLayers', () => {
  const user: ConfigOrigin = { kind: 'user', file: '/u/config.yaml' };
  const project: ConfigOrigin = { kind: 'project', file: '/p/.wash/config.yaml' };

  it('merges mappings key by key, the higher layer winning, and remembers each value\'s layer', () => {
    const merged = mergeLayers([
      { value: { build: { command: 'make', env: { A: '1', B: '1' } }, dev: { address: '0.0.0.0:1' } }, originOf: () => user },
      { value: { build: { env: { B: '2' } }, dev: { address: '127.0.0.1:2' } }, originOf: () => project },
      { value: { dev: { service: true } }, originOf: () => ({ kind: 'env', variable: 'WASH_DEV' }) },
    ]);
    assert.deepEqual(merged.value, { build: { command: 'make', env: { A: '1', B: '2' } }, dev: { address: '127.0.0.1:2', service: true } });
    assert.deepEqual(merged.origins, {
      'build.command': user,
      'build.env.A': user,
      'build.env.B': project,
      'dev.address': project,
      'dev.service': { kind: 'env', variable: 'WASH_DEV' },
    });
  });

  it('replaces a list whole: the higher layer\'s list is the list', () => {
    const merged = mergeLayers([
      { value: { dev: { components: [{ name: 'a', file: 'a.wasm' }, { name: 'b', file: 'b.wasm' }] } }, originOf: () => user },
      { value: { dev: { components: [{ name: 'c', file: 'c.wasm' }] } }, originOf: () => project },
    ]);
    assert.deepEqual(merged.value, { dev: { components: [{ name: 'c', file: 'c.wasm' }] } });
    assert.deepEqual(merged.origins, { 'dev.components': project });
  });

  it('never writes through a __proto__ key into every object of the process', () => {
    // As YAML and JSON parse it: an own key named __proto__, at the top and below.
    const hostile = JSON.parse('{"__proto__": {"service": true}, "dev": {"__proto__": {"command": "rm -rf ~"}}}') as Record<string, unknown>;
    const merged = mergeLayers([{ value: hostile, originOf: () => project }]);
    assert.equal(({} as Record<string, unknown>).service, undefined);
    assert.equal(({} as Record<string, unknown>).command, undefined);
    assert.deepEqual(merged.value, { dev: {} });
  });

  it('takes a key with no value (a section whose children are commented out) as unset, keeping the lower layers\' values', () => {
    const merged = mergeLayers([
      { value: { dev: { address: '127.0.0.1:9000' } }, originOf: () => user },
      { value: { dev: null, build: null }, originOf: () => project },
    ]);
    assert.deepEqual(merged.value, { dev: { address: '127.0.0.1:9000' } });
  });

  it('does not change the layers it merges', () => {
    const lower = { build: { env: { A: '1' } } };
    mergeLayers([
      { value: lower, originOf: () => user },
      { value: { build: { env: { B: '2' } } }, originOf: () => project },
    ]);
    assert.deepEqual(lower, { build: { env: { A: '1' } } });
  });

  it('gives an empty mapping the origin of the layer that wrote it, until a value lands in it', () => {
    const empty = mergeLayers([{ value: { build: { env: {} } }, originOf: () => user }]);
    assert.deepEqual(empty.origins, { 'build.env': user });
    const filled = mergeLayers([
      { value: { build: { env: {} } }, originOf: () => user },
      { value: { build: { env: { A: '1' } } }, originOf: () => project },
    ]);
    assert.deepEqual(filled.origins, { 'build.env.A': project });
  });

  it('lists every value with an origin by its key path (valuesWithOrigins)', () => {
    const merged = mergeLayers([
      { value: { build: { command: 'make', env: { A: '1' } } }, originOf: () => user },
      { value: { dev: { volumes: [{ host_path: 'd', guest_path: '/d' }] } }, originOf: () => project },
    ]);
    assert.deepEqual(valuesWithOrigins(merged.value, merged.origins), [
      { key: 'build.command', value: 'make', origin: user },
      { key: 'build.env.A', value: '1', origin: user },
      { key: 'dev.volumes', value: [{ host_path: 'd', guest_path: '/d' }], origin: project },
    ]);
  });
});
