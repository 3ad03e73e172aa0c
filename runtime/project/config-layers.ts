// The layers wash merges into one config, and where each value came from. Lowest first: the
// defaults, the user's config (config.* in wash's config folder, below), the project's
// .wash/config.*, and WASH_* environment variables, one per top-level key (WASH_DEV sets
// `dev`). Layers merge as wash's figment merges them: mappings key by key, anything else
// (a string, a list) replaced whole by the higher layer. Each layer is validated alone, so an
// error names the file or the variable it is in. Must not decide what the values mean.
import { lstat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { ConfigProblem } from './config-schema.ts';
import { parseEnvValue } from './env-value.ts';

/** Where one value of the merged config came from. */
export type ConfigOrigin = { kind: 'user'; file: string } | { kind: 'project'; file: string } | { kind: 'env'; variable: string };

/** One layer, already parsed and validated; `originOf` names the source of a top-level key. */
export interface ConfigLayer {
  value: Record<string, unknown>;
  originOf: (topKey: string) => ConfigOrigin;
}

/** The file names wash tries, in its order, in the user's config folder and in .wash/. */
export const CONFIG_NAMES = ['config.yaml', 'config.yml', 'config.json', 'config.toml'];

/** The top-level keys a WASH_* variable may set (wash's Config; others are left alone). */
const TOP_LEVEL_KEYS = ['version', 'build', 'dev', 'wit'];

/**
 * wash's user config folder, as its directories library (etcetera's app strategy for
 * com.wasmcloud / "wasmCloud Team" / wash) finds it: `$XDG_CONFIG_HOME/wash` when that is an
 * absolute path, else `~/.config/wash`, on Linux and on macOS alike (wash uses the XDG layout
 * there too, not ~/Library); on Windows `%USERPROFILE%\AppData\Roaming\wasmCloud Team\wash\config`.
 */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  if (platform === 'win32') return join(home, 'AppData', 'Roaming', 'wasmCloud Team', 'wash', 'config');
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'wash');
}

/**
 * The first config file wash would read in `dir`, if any. Anything by that name counts, even
 * a link that leads nowhere (a loop, a missing file) or a file the user may not read: reading
 * it then fails with its name, where skipping it would quietly build with the defaults.
 */
export async function findConfigFile(dir: string): Promise<string | undefined> {
  for (const name of CONFIG_NAMES) {
    const path = join(dir, name);
    if (await entryExists(path)) return path;
  }
  return undefined;
}

/** Whether `path` names an entry of its folder; a link counts, wherever it leads. */
function entryExists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      // Missing, or a file where a folder on the way should be: no config here.
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return false;
      // The folder itself cannot be searched (permission, a loop on the way): say so when reading.
      return true;
    },
  );
}

/**
 * The WASH_* variables that set top-level keys, and what they set. Like wash, the prefix and
 * the key are matched without regard to case, and the value is read with figment's syntax
 * (`WASH_DEV='{address="127.0.0.1:9000"}'`). Other WASH_* variables (WASH_COMPONENT_PATH,
 * which build commands get, say) are not config.
 */
export function environmentConfig(env: NodeJS.ProcessEnv): { value: Record<string, unknown>; variables: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const variables: Record<string, string> = {};
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined || name.length <= 5 || name.slice(0, 5).toUpperCase() !== 'WASH_') continue;
    const key = name.slice(5).toLowerCase();
    if (!TOP_LEVEL_KEYS.includes(key)) continue;
    value[key] = parseEnvValue(text);
    variables[key] = name;
  }
  return { value, variables };
}

/** Problems found in one layer, worded with its source: the file, or the variable of each key. */
export function describeProblems(problems: ConfigProblem[], source: { file: string } | { variables: Record<string, string> }): string[] {
  return problems.map((problem) => {
    if ('file' in source) return `${source.file}: ${problem.path}: ${problem.message}`;
    const variable = source.variables[problem.path.split(/[.[]/)[0]!] ?? 'WASH_*';
    return `environment variable ${variable}: ${problem.path}: ${problem.message}`;
  });
}

/**
 * Merges the layers, lowest first, into one config, with the origin of every value by its
 * dotted key path (`build.env.RUSTFLAGS`). A list is one value: a higher layer replaces it.
 */
export function mergeLayers(layers: ConfigLayer[]): { value: Record<string, unknown>; origins: Record<string, ConfigOrigin> } {
  const value: Record<string, unknown> = {};
  const origins: Record<string, ConfigOrigin> = {};
  for (const layer of layers) {
    for (const [key, incoming] of Object.entries(layer.value)) mergeInto(value, key, incoming, key, layer.originOf(key), origins);
  }
  return { value, origins };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeInto(target: Record<string, unknown>, key: string, incoming: unknown, path: string, origin: ConfigOrigin, origins: Record<string, ConfigOrigin>): void {
  // Never a config key, and `target.__proto__` is every object's prototype: writing into it
  // would change every object of the process. The schema warns about it as an unknown key.
  if (key === '__proto__') return;
  // A key with nothing after it (`dev:` with its children commented out) is unset, as in wash,
  // whose sections are optional: it leaves what lower layers said.
  if (incoming === null) return;
  if (!isMapping(incoming) || !Object.hasOwn(target, key) || !isMapping(target[key])) {
    // Replaced whole: what lower layers said under this key is gone.
    for (const known of Object.keys(origins)) if (known === path || known.startsWith(`${path}.`)) delete origins[known];
    if (!isMapping(incoming)) {
      target[key] = structuredClone(incoming);
      origins[path] = origin;
      return;
    }
    target[key] = {};
  }
  const mapping = target[key] as Record<string, unknown>;
  delete origins[path];
  for (const [child, value] of Object.entries(incoming)) mergeInto(mapping, child, value, `${path}.${child}`, origin, origins);
  // An empty mapping holds no value, but some layer wrote it: the last one to do so is its origin.
  if (Object.keys(mapping).length === 0) origins[path] = origin;
}

/** Every value of a merged config that has an origin, with its dotted key path, in the config's order. */
export function valuesWithOrigins(config: Record<string, unknown>, origins: Record<string, ConfigOrigin>): { key: string; value: unknown; origin: ConfigOrigin }[] {
  const found: { key: string; value: unknown; origin: ConfigOrigin }[] = [];
  const walk = (mapping: Record<string, unknown>, prefix: string) => {
    for (const [key, value] of Object.entries(mapping)) {
      const path = prefix ? `${prefix}.${key}` : key;
      const origin = origins[path];
      if (origin) found.push({ key: path, value, origin });
      else if (isMapping(value)) walk(value, path);
    }
  };
  walk(config, '');
  return found;
}
