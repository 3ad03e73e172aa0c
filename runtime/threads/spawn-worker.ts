// Starts studio worker threads.
//
// In the compiled studio (scripts/build.mjs) an entry is already a prebuilt `.mjs` beside the
// bundle and starts as it is. From the TypeScript sources (a clone, the tests), workload
// workers start often (every reload, every replaced worker), so their entry is bundled once
// per process with esbuild into one plain ES module, kept in the user's own cache folder: a
// thread then starts in tens of milliseconds instead of the hundreds a TypeScript loader
// costs. Entries whose packages must stay on disk (jco's transpiler reads its own wasm
// files) start through tsx.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { studioCacheDir } from '../cache-dir.ts';
import { outsideArchiveUrl } from '../outside-archive.ts';
import { esbuildApi } from '../builders/esbuild-api.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export interface SpawnOptions extends Omit<WorkerOptions, 'workerData'> {
  data?: unknown;
  /** Bundle the entry and its imports into one module (default); false loads it through tsx. */
  bundle?: boolean;
}

export function spawnWorker(entry: URL, options: SpawnOptions = {}): Worker {
  const { data, bundle = true, ...rest } = options;
  if (entry.pathname.endsWith('.mjs')) return new Worker(outsideArchiveUrl(entry), { ...rest, workerData: { entry: entry.href, data } });
  if (!bundle) return new Worker(BOOTSTRAP, { ...rest, workerData: { entry: entry.href, data } });
  return new Worker(bundled(entry), { ...rest, workerData: { entry: entry.href, data } });
}

const bundles = new Map<string, string>();

/**
 * The entry bundled into a file of the user's cache folder (0700, so no other local user can
 * plant code there). An existing file is used only when its bytes are this build's.
 */
function bundled(entry: URL): string {
  const known = bundles.get(entry.href);
  if (known) return known;
  const result = esbuildApi().buildSync({
    entryPoints: [fileURLToPath(entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    // Some dependencies are CommonJS and call require().
    banner: { js: "import { createRequire as __studioRequire } from 'node:module'; const require = __studioRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  const { contents: code, hash } = result.outputFiles[0]!;
  const dir = join(studioCacheDir(), 'workers');
  const file = join(dir, `${basename(entry.pathname, '.ts')}-${hash.replace(/[^A-Za-z0-9]/g, '')}.mjs`);
  if (!sameBytes(file, code)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, code, { mode: 0o600 });
    renameSync(temp, file);
  }
  bundles.set(entry.href, file);
  return file;
}

function sameBytes(file: string, code: Uint8Array): boolean {
  try {
    return Buffer.from(code).equals(readFileSync(file));
  } catch {
    return false;
  }
}
