// Starts studio worker threads whose entry is a TypeScript module.
//
// Workload workers start often (every reload, every replaced worker), so their entry is
// bundled once per process with esbuild into one plain ES module: a thread then starts in
// tens of milliseconds instead of the hundreds a TypeScript loader costs. Entries whose
// packages must stay on disk (jco's transpiler reads its own wasm files) start through tsx.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { buildSync } from 'esbuild';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

export interface SpawnOptions extends Omit<WorkerOptions, 'workerData'> {
  data?: unknown;
  /** Bundle the entry and its imports into one module (default); false loads it through tsx. */
  bundle?: boolean;
}

export function spawnWorker(entry: URL, options: SpawnOptions = {}): Worker {
  const { data, bundle = true, ...rest } = options;
  if (!bundle) return new Worker(BOOTSTRAP, { ...rest, workerData: { entry: entry.href, data } });
  return new Worker(bundled(entry), { ...rest, workerData: { entry: entry.href, data } });
}

const bundles = new Map<string, string>();

/** The entry bundled into a content-addressed file in the temp folder. */
function bundled(entry: URL): string {
  const known = bundles.get(entry.href);
  if (known) return known;
  const result = buildSync({
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
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `component-studio-${process.getuid?.() ?? 'user'}`);
  const file = join(dir, `${basename(entry.pathname, '.ts')}-${hash}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  bundles.set(entry.href, file);
  return file;
}
