// Bundles a TypeScript entry into plain ES modules that `node` runs as they are, for tests that
// start a child process many times: a child started through tsx spends one to two seconds
// loading TypeScript before it runs any of the code under test, and each worker thread it
// starts from a source costs it an esbuild run (spawnWorker bundles thread entries itself).
// This is what scripts/build.mjs does for dist/, from the sources as they are now.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from './studio-process.ts';

const URL_PATTERN = /new URL\((['"])(\.{1,2}\/[^'"]*)\1, import\.meta\.url\)/g;

const bundleName = (entry: string) => `${basename(entry, '.ts')}.mjs`;

/**
 * Sources find files beside them with `new URL('./x', import.meta.url)`; in a bundle every
 * module has the bundle's URL. A worker entry (`.ts`) is bundled too, beside the bundle that
 * names it; any other file is named where it lies.
 */
function sourceUrls(workers: Set<string>): Plugin {
  return {
    name: 'source-urls',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const contents = source.replace(URL_PATTERN, (_whole, _quote, rel: string) => {
          const target = resolve(dirname(args.path), rel);
          if (!target.endsWith('.ts')) return `new URL(${JSON.stringify(new URL(rel, pathToFileURL(args.path)).href)})`;
          workers.add(target);
          return `new URL(${JSON.stringify(`./${bundleName(target)}`)}, import.meta.url)`;
        });
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Bundles `entry` (a .ts path) and the workers it starts; returns the entry's bundle. The same sources give the same files. */
export async function bundleForNode(entry: string): Promise<string> {
  const workers = new Set<string>();
  const outputs = new Map<string, Uint8Array>();
  // A worker may name further workers (or the entry itself), hence the loop.
  for (const next = [entry]; next.length > 0; ) {
    const file = next.pop()!;
    const result = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      plugins: [sourceUrls(workers)],
      // esbuild finds its binary from its own package folder, so it stays there; the bundles
      // go inside the repo for `import 'esbuild'` to resolve.
      external: ['esbuild'],
      // Some dependencies are CommonJS and call require().
      banner: { js: "import { createRequire as __testRequire } from 'node:module'; const require = __testRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    outputs.set(bundleName(file), result.outputFiles[0]!.contents);
    for (const worker of workers) if (!outputs.has(bundleName(worker)) && !next.includes(worker)) next.push(worker);
  }
  const hash = createHash('sha256');
  for (const [name, code] of [...outputs].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update('\0').update(code);
  const dir = join(repoRoot, '.cache', 'test-bundles', hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    // Test files running at once may bundle the same entry: each writes a whole folder, then renames it.
    const temp = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    mkdirSync(temp, { recursive: true });
    for (const [name, code] of outputs) writeFileSync(join(temp, name), code);
    try {
      renameSync(temp, dir);
    } catch (thrown) {
      rmSync(temp, { recursive: true, force: true });
      if (!existsSync(dir)) throw thrown;
    }
  }
  return join(dir, bundleName(entry));
}
