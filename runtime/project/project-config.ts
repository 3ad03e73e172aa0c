// Finds a wash project and loads its config the way wash does: its defaults, under the
// user's wash config, under the project's `.wash/config.{yaml,yml,json,toml}`, under WASH_*
// environment variables (config-layers.ts merges them and remembers where each value came
// from). The shape follows wash rc.6 (see config-schema.ts); every key is optional. Parse
// errors name the file and the line; schema errors name the file (or the variable) and the
// key path.
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ok, type Result } from '../errors.ts';
import { invalidSettings, readSettingsFile } from './config-file.ts';
import { describeProblems, environmentConfig, findConfigFile, mergeLayers, userConfigDir, type ConfigLayer, type ConfigOrigin } from './config-layers.ts';
import { validateConfig, type WashConfig } from './config-schema.ts';
import { washMarksProject } from './project-marks.ts';

export type { WashConfig } from './config-schema.ts';
export type { ConfigOrigin } from './config-layers.ts';

export interface Project {
  root: string;
  /** The project's name: its folder's name. */
  name: string;
  /** The project's config file read, if any. */
  configPath: string | undefined;
  /** The folder wash looks for the user's config in, and the file read there, if any. */
  userConfigDir: string;
  userConfigPath: string | undefined;
  /** The WASH_* variables that set top-level keys, by key (`dev` → `WASH_DEV`). */
  envVariables: Record<string, string>;
  /** Every layer merged. */
  config: WashConfig;
  /** Where each value of `config` came from, by dotted key path (`build.env.RUSTFLAGS`). */
  origins: Record<string, ConfigOrigin>;
  /** Unknown keys and other things worth a warning, already worded for people. */
  warnings: string[];
}

export interface LoadOptions {
  /** Where WASH_* variables (and XDG_CONFIG_HOME) are read from; this process's environment by default. */
  env?: NodeJS.ProcessEnv;
  /** wash's user config folder; by default where wash looks for it (see userConfigDir). */
  userConfigDir?: string;
}

/**
 * What the studio uses where no layer of the config says anything, as a user would write it.
 * wash's own defaults differ on purpose (docs/projects.md says why): it listens on
 * 0.0.0.0:8000, builds to <folder name>.wasm in the root and keeps unset stores in memory.
 */
export const STUDIO_DEFAULTS = {
  'dev.address': '127.0.0.1:8000',
  'build.component_path': (name: string) => `.wash/build/${name}.wasm`,
  'dev.wasi_keyvalue_path': '.wash/data/keyvalue',
  'dev.wasi_blobstore_path': '.wash/data/blobstore',
} as const;

/** The studio's defaults for the keys of STUDIO_DEFAULTS that no layer sets. */
export function defaultsInUse(project: Project): { key: string; value: string }[] {
  return Object.entries(STUDIO_DEFAULTS)
    .filter(([key]) => !(key in project.origins))
    .map(([key, value]) => ({ key, value: typeof value === 'function' ? value(project.name) : value }));
}

const WASH_FILE = { topLevelKeys: 'build, dev, wit, version', doc: 'docs/projects.md', invalidCode: 'config-invalid' };
const FIX_KEYS = 'Fix the keys named above; docs/projects.md lists every key and its type.';

/**
 * The nearest folder at or above `start` that has a `.wash/` folder, else `start` itself.
 * The home folder's `.wash/` is wash 0.x's own data (keys, downloads), not a project, so the
 * walk stops below it. A `.wash/` holding only what serving a `.wasm` file there leaves
 * (`data/`, `studio/`) is no project above `start` (it must not take over the projects in the
 * folders below), nor in `start` beside a `.wasm` file (see project-marks.ts).
 */
export async function findProjectRoot(start: string, home = homedir()): Promise<string> {
  let dir = resolve(start);
  for (;;) {
    if (dir === resolve(home)) return resolve(start);
    if (await washMarksProject(dir, dir === resolve(start))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

export async function loadProject(start: string, options: LoadOptions = {}): Promise<Result<Project>> {
  const root = await findProjectRoot(start);
  const env = options.env ?? process.env;
  const userDir = options.userConfigDir ?? userConfigDir(env);
  const userConfigPath = await findConfigFile(userDir);
  const configPath = await findConfigFile(join(root, '.wash'));
  const layers: ConfigLayer[] = [];
  const warnings: string[] = [];
  for (const [kind, file] of [
    ['user', userConfigPath],
    ['project', configPath],
  ] as const) {
    if (!file) continue;
    const read = await readSettingsFile(file, WASH_FILE);
    if (!read.ok) return read;
    const checked = validateConfig(read.value);
    if (!checked.config) return { ok: false, error: invalidSettings('config-invalid', file, checked.errors, FIX_KEYS) };
    warnings.push(...describeProblems(checked.warnings, { file }));
    layers.push({ value: read.value, originOf: () => ({ kind, file }) });
  }
  const fromEnv = environmentConfig(env);
  const variables = Object.values(fromEnv.variables);
  if (variables.length > 0) {
    const checked = validateConfig(fromEnv.value);
    if (!checked.config) {
      const problems = checked.errors.map((e) => ({ ...e, path: `${fromEnv.variables[e.path.split(/[.[]/)[0]!] ?? 'WASH_*'}: ${e.path}` }));
      const hint = 'Fix or unset the variable; its value uses wash\'s syntax, e.g. WASH_DEV=\'{address="127.0.0.1:9000"}\'. docs/projects.md lists every key.';
      return { ok: false, error: invalidSettings('config-invalid', `The environment (${variables.join(', ')})`, problems, hint) };
    }
    warnings.push(...describeProblems(checked.warnings, { variables: fromEnv.variables }));
    layers.push({ value: fromEnv.value, originOf: (key) => ({ kind: 'env', variable: fromEnv.variables[key] ?? `WASH_${key.toUpperCase()}` }) });
  }
  // Each layer is valid alone, and merging valid layers key by key keeps them valid.
  const merged = mergeLayers(layers);
  return ok({
    root,
    name: basename(root),
    configPath,
    userConfigDir: userDir,
    userConfigPath,
    envVariables: fromEnv.variables,
    config: merged.value as WashConfig,
    origins: merged.origins,
    warnings,
  });
}

/** wasi:config values for components, from `dev.host_interfaces` entries for wasi:config. */
export function configValues(config: WashConfig): [string, string][] {
  const values: [string, string][] = [];
  for (const entry of config.dev?.host_interfaces ?? []) {
    if (entry.namespace === 'wasi' && entry.package === 'config') {
      for (const [k, v] of Object.entries(entry.config ?? {})) values.push([k, String(v)]);
    }
  }
  return values;
}
