// Finds a wash project and loads its `.wash/config.{yaml,yml,json}`. The shape follows wash
// rc.6; every key is optional. Parse errors name the file and the line.
import { access, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { fail, ok, type Result } from '../errors.ts';

export interface HostInterfaceConfig {
  namespace: string;
  package: string;
  interfaces?: string[];
  version?: string;
  config?: Record<string, string>;
}

export interface WashConfig {
  version?: string | number;
  build?: { command?: string; env?: Record<string, string>; component_path?: string };
  dev?: {
    command?: string;
    address?: string;
    service?: boolean;
    service_file?: string;
    components?: { name: string; file: string }[];
    volumes?: { host_path: string; guest_path: string }[];
    host_interfaces?: HostInterfaceConfig[];
    tls_cert_path?: string;
    tls_key_path?: string;
    tls_ca_path?: string;
    wasi_keyvalue_path?: string;
    wasi_blobstore_path?: string;
  };
  wit?: { registries?: unknown; skip_fetch?: boolean; wit_dir?: string; sources?: unknown };
}

export interface Project {
  root: string;
  /** The project's name: its folder's name. */
  name: string;
  /** The config file read, if any. */
  configPath: string | undefined;
  config: WashConfig;
}

const CONFIG_NAMES = ['config.yaml', 'config.yml', 'config.json'];

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The nearest folder at or above `start` that has a `.wash/` folder, else `start` itself. */
export async function findProjectRoot(start: string): Promise<string> {
  let dir = resolve(start);
  for (;;) {
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
    return ok({ root, name: basename(root), configPath: path, config: parsed.value });
  }
  return ok({ root, name: basename(root), configPath: undefined, config: {} });
}

async function parseConfigFile(path: string): Promise<Result<WashConfig>> {
  const text = await readFile(path, 'utf8');
  try {
    const value: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (value === null || value === undefined) return ok({});
    if (typeof value !== 'object' || Array.isArray(value)) {
      return fail('config-invalid', `${path}: the top level must be a mapping of keys (build, dev, wit, version).`, 'See docs/configuration.md for the keys.');
    }
    return ok(value as WashConfig);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : '';
    return fail('config-unparsable', `${path}${where}: ${(err as Error).message.split('\n')[0]}`, 'Fix the syntax; the file must be valid YAML or JSON.');
  }
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
