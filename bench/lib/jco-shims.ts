// `jco serve` implements WASI 0.2 proper through preview2-shim (cli, clocks, filesystem, http,
// io, random, sockets) and nothing else: a component that also imports, say, wasi:logging or
// wasi:keyvalue cannot even be loaded by it. So that the peer can serve the same component,
// every other interface is mapped (--jco-map) to a module of stubs that throw when called;
// wasi:logging gets a real one that writes to stderr. The routes the benchmark loads never
// call them. The names each module must export are read from the studio's own transpiled
// glue, which destructures every import by name.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readComponentFile } from '../../runtime/components/component-file.ts';
import { transpile } from '../../runtime/components/transpiler.ts';
import { describe } from '../../runtime/errors.ts';

const PREVIEW2_SHIM = /^wasi:(cli|clocks|filesystem|http|io|random|sockets)\//;
const LOGGING_SHIM = fileURLToPath(new URL('./jco-logging-shim.js', import.meta.url));

export interface JcoShims {
  /** `specifier=url` entries for --jco-map. */
  maps: string[];
  /** The interfaces stubbed, for the report. */
  stubbed: string[];
  remove(): Promise<void>;
}

export async function jcoShimsFor(wasmPath: string, cacheDir: string): Promise<JcoShims> {
  const file = await readComponentFile(wasmPath);
  if (!file.ok) throw new Error(describe(file.error));
  const transpiled = await transpile(file.value, cacheDir);
  if (!transpiled.ok) throw new Error(describe(transpiled.error));
  const glue = await readFile(fileURLToPath(transpiled.value.glueUrl), 'utf8');

  const wanted = new Map<string, Set<string>>();
  for (const match of glue.matchAll(/const \{([^}]*)\} = imports\['([^']+)'\];/g)) {
    const key = match[2]!;
    if (PREVIEW2_SHIM.test(key)) continue;
    const names = wanted.get(key) ?? new Set<string>();
    for (const part of match[1]!.split(',')) {
      const name = part.split(':')[0]!.trim();
      if (name) names.add(name);
    }
    wanted.set(key, names);
  }

  const dir = await mkdtemp(join(tmpdir(), 'bench-jco-shims-'));
  const maps: string[] = [];
  for (const [key, names] of wanted) {
    if (key === 'wasi:logging/logging' && [...names].every((n) => n === 'log')) {
      maps.push(`${key}=${pathToFileURL(LOGGING_SHIM).href}`);
      continue;
    }
    const module = join(dir, `${key.replace(/[^a-z0-9]+/gi, '-')}.js`);
    const stub = (name: string) =>
      `export function ${name}() { throw new Error(${JSON.stringify(`${key}.${name} is not available under jco serve (benchmark stub)`)}); }`;
    await writeFile(module, `${[...names].map(stub).join('\n')}\n`);
    maps.push(`${key}=${pathToFileURL(module).href}`);
  }
  return {
    maps,
    stubbed: [...wanted.keys()],
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
