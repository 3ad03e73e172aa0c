// Finds a wash project and loads its `.wash/config.{yaml,yml,json}`. The shape follows wash
// rc.6 (see config-schema.ts); every key is optional. Parse errors name the file and the line;
// schema errors name the key path and what was expected.
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { validateConfig, type WashConfig } from './config-schema.ts';

export type { WashConfig } from './config-schema.ts';
import { fail, ok, type Result } from '../errors.ts';

export interface Project {
  root: string;
  /** The project's name: its folder's name. */
  name: string;
  /** The config file read, if any. */
  configPath: string | undefined;
  config: WashConfig;
  /** Unknown keys and other things worth a warning, already worded for people. */
  warnings: string[];
}

const CONFIG_NAMES = ['config.yaml', 'config.yml', 'config.json', 'config.toml'];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The nearest folder at or above `start` that has a `.wash/` folder, else `start` itself.
 * The home folder's `.wash/` is wash 0.x's own data (keys, downloads), not a project, so the
 * walk stops below it.
 */
export async function findProjectRoot(start: string, home = homedir()): Promise<string> {
  let dir = resolve(start);
  for (;;) {
    if (dir === resolve(home)) return resolve(start);
    if (await exists(join(dir, '.wash'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

export async function loadProject(start: string): Promise<Result<Project>> {
  const root = await findProjectRoot(start);
  for (const name of CONFIG_NAMES) {
    const path = join(root, '.wash', name);
    if (!(await exists(path))) continue;
    const parsed = await parseConfigFile(path);
    if (!parsed.ok) return parsed;
    const { config, errors, warnings } = validateConfig(parsed.value);
    if (!config) {
      const lines = errors.map((e) => `  ${e.path}: ${e.message}`);
      return fail('config-invalid', `${path} has ${errors.length === 1 ? 'an error' : `${errors.length} errors`}:\n${lines.join('\n')}`, 'Fix the keys named above; docs/projects.md lists every key and its type.');
    }
    return ok({ root, name: basename(root), configPath: path, config, warnings: warnings.map((w) => `${path}: ${w.path}: ${w.message}`) });
  }
  return ok({ root, name: basename(root), configPath: undefined, config: {}, warnings: [] });
}

async function parseConfigFile(path: string): Promise<Result<unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return fail('config-unreadable', `${path} cannot be read: ${(err as Error).message}.`, 'Check that it is a file you can read (not a folder), or move it away.');
  }
  try {
    const value: unknown = path.endsWith('.json') ? JSON.parse(text) : path.endsWith('.toml') ? parseToml(text) : parseYaml(text);
    if (value === null || value === undefined) return ok({});
    if (typeof value !== 'object' || Array.isArray(value)) {
      return fail('config-invalid', `${path}: the top level must be a mapping of keys (build, dev, wit, version).`, 'docs/projects.md lists every key.');
    }
    return ok(value);
  } catch (err) {
    return fail('config-unparsable', `${path}${errorPosition(err)}: ${(err as Error).message.split('\n')[0]}`, 'Fix the syntax; the file must be valid YAML, JSON or TOML, as its extension says.');
  }
}

function errorPosition(err: unknown): string {
  if (err instanceof YAMLParseError && err.linePos) return `:${err.linePos[0].line}:${err.linePos[0].col}`;
  if (err instanceof TomlError) return `:${err.line}:${err.column}`;
  return '';
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
