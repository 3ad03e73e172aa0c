// Turns a component into JavaScript glue plus core modules with jco, once per distinct
// component: the output is cached in a folder named by the hash of the component's bytes, so
// starting an unchanged component again does no transpile.
import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { fail, ok, type Result } from '../errors.ts';
import { spawnWorker } from '../threads/spawn-worker.ts';
import type { ComponentFile } from './component-file.ts';
import { parseWorld, type WitWorld } from './wit-world.ts';

export interface TranspileJob {
  bytes: Uint8Array;
  outDir: string;
}

export type TranspileOutcome = { ok: true } | { ok: false; message: string };

export interface TranspiledComponent {
  /** file: URL of the glue module exporting `instantiate`. */
  glueUrl: string;
  dir: string;
  /** Core module file names, relative to `dir`. */
  coreModules: string[];
  world: WitWorld;
  /** True when this call found it in the cache. */
  cached: boolean;
}

// The package exports no package.json, so find it beside its entry point.
const jcoEntry = createRequire(import.meta.url).resolve('@bytecodealliance/jco-transpile');
const jcoVersion: string = JSON.parse(readFileSync(join(dirname(jcoEntry), '..', 'package.json'), 'utf8')).version;

/** Where transpiled output for a component hash lives. Versioned so a jco update re-transpiles. */
export function transpiledDir(cacheRoot: string, hash: string): string {
  return join(cacheRoot, 'transpiled', `${hash.slice(0, 32)}-jco${jcoVersion}`);
}

export async function transpile(component: ComponentFile, cacheRoot: string): Promise<Result<TranspiledComponent>> {
  const dir = transpiledDir(cacheRoot, component.hash);
  const cached = await readManifest(dir);
  if (cached) return ok({ ...cached, cached: true });

  const outcome = await new Promise<TranspileOutcome>((resolve) => {
    const worker = spawnWorker(new URL('./transpile-worker.ts', import.meta.url), {
      data: { bytes: component.bytes, outDir: dir } satisfies TranspileJob,
    });
    worker.once('message', (m: TranspileOutcome) => resolve(m));
    worker.once('error', (err) => resolve({ ok: false, message: err.message }));
    worker.once('exit', (code) => resolve({ ok: false, message: `the transpiler stopped (exit code ${code})` }));
  });
  if (!outcome.ok) {
    return fail(
      'transpile-failed',
      `Could not transpile ${component.name} to JavaScript: ${outcome.message}`,
      'The component may be malformed or use a feature jco does not support; `wasm-tools validate` on the file says more.',
    );
  }
  const fresh = await readManifest(dir);
  if (!fresh) return fail('transpile-failed', `The transpiler wrote no output for ${component.name}.`, 'Try again; if it repeats, clear the studio cache folder.');
  return ok({ ...fresh, cached: false });
}

async function readManifest(dir: string): Promise<Omit<TranspiledComponent, 'cached'> | undefined> {
  try {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      witText: string;
      coreModules: string[];
      glue: string;
    };
    await stat(join(dir, manifest.glue));
    return { glueUrl: pathToFileURL(join(dir, manifest.glue)).href, dir, coreModules: manifest.coreModules, world: parseWorld(manifest.witText) };
  } catch {
    return undefined;
  }
}
