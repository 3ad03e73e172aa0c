// Positions in a JavaScript component's bundle, put back to the project's own files. The
// built-in builder bundles a project into one `component.js` before componentize-js runs it;
// what the component prints when it throws (SpiderMonkey's `component.js:12:5 Error: …`)
// names that bundle. The builder keeps each build's source map in the cache, under the hash
// of the component it became, so the runtime can find it from the component alone.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { join } from 'node:path';

/** What the bundle is called inside the component (componentize-js's source name). */
export const BUNDLE_NAME = 'component.js';

/** Build folders in the system's temp folder: the bundle componentize reads, and its scratch. */
export const BUILD_FOLDER_PREFIX = 'studio-js-build-';

/**
 * componentize-js's own glue as a stack frame names it: a file in the build's folder, which is
 * gone once the build is done. Said as what it is instead.
 */
const BUILD_GLUE = new RegExp(`(?:[^\\s@()]*[\\\\/])?${BUILD_FOLDER_PREFIX}[^\\\\/\\s]+[\\\\/](initializer\\.js)`, 'g');

/** `component.js:line:col`, not inside a longer path or name. */
const BUNDLE_POSITION = /(?<![\w/.-])component\.js:(\d+):(\d+)/g;

/** Where the source maps of built components are kept, under a cache root. */
function mapsDir(cacheRoot: string): string {
  return join(cacheRoot, 'bundle-maps');
}

/** A source map from its JSON text; undefined when it does not parse. */
export function parseSourceMap(text: string): SourceMap | undefined {
  try {
    return new SourceMap(JSON.parse(text) as SourceMapPayload);
  } catch {
    return undefined; // positions then stay the bundle's
  }
}

/** `text` with each bundle position the map knows rewritten to its file:line:column. */
export function withSourcePositions(text: string, map: SourceMap): string {
  return text.replace(BUNDLE_POSITION, (whole, line: string, column: string) => {
    const origin = map.findOrigin(Number(line), Number(column));
    return 'fileName' in origin ? `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}` : whole;
  });
}

/** Keeps the bundle's source map for the component whose bytes hash to `componentHash`; best effort. */
export function saveBundleMap(cacheRoot: string, componentHash: string, mapText: string): void {
  try {
    const dir = mapsDir(cacheRoot);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${componentHash}.map`);
    writeFileSync(`${file}.${process.pid}.tmp`, mapText);
    renameSync(`${file}.${process.pid}.tmp`, file);
    pruneMaps(dir);
  } catch {
    // Without it, a component's messages keep the bundle's positions: nothing else depends on it.
  }
}

/** Every save of a JavaScript project leaves a map: the newest are kept, the components serving among them. */
const KEPT_MAPS = 100;

function pruneMaps(dir: string): void {
  const maps = readdirSync(dir)
    .filter((name) => name.endsWith('.map'))
    .map((name) => ({ path: join(dir, name), at: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.at - a.at);
  for (const { path } of maps.slice(KEPT_MAPS)) rmSync(path, { force: true });
}

/** The rewriter of bundle positions for the component whose bytes hash to `componentHash`, when the builder kept its map. */
export function bundlePositions(cacheRoot: string, componentHash: string): ((text: string) => string) | undefined {
  let text: string;
  try {
    text = readFileSync(join(mapsDir(cacheRoot), `${componentHash}.map`), 'utf8');
  } catch {
    return undefined; // built elsewhere, or not from JavaScript
  }
  const map = parseSourceMap(text);
  if (!map) return undefined;
  return (line) => {
    const glue = line.includes(BUILD_FOLDER_PREFIX) ? line.replace(BUILD_GLUE, 'componentize-js $1') : line;
    return glue.includes(BUNDLE_NAME) ? withSourcePositions(glue, map) : glue;
  };
}
