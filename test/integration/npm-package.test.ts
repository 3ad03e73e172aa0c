// The published package, as `npm pack` makes it and `npm install -g` installs it: what goes
// in (the compiled CLI and workers, the built UI, the examples; no TypeScript sources, tests
// or local data), that everything the compiled code imports is a declared dependency, and
// that the installed `component-studio` runs: its version, the QR example served over HTTP,
// and the studio UI from the package's own renderer/dist.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importedPackages } from '../helpers/package-imports.ts';
import { repoRoot, testCacheDir } from '../helpers/studio-process.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-npm-package-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Installed {
  files: string[];
  /** The installed package's folder. */
  dir: string;
  /** The `component-studio` command npm linked. */
  bin: string;
}

/**
 * Packs the repo as npm would publish it, then installs the tarball globally into a scratch
 * prefix, dependencies from the registry (npm's cache first). Packed without lifecycle
 * scripts: `npm test` built dist/ and the UI before any test, and `prepack` would rebuild them
 * under the tests running beside this one.
 */
function packAndInstall(): Installed {
  const [report] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ filename: string; files: { path: string }[] }];
  const prefix = join(scratch, 'prefix');
  execFileSync(npm, ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(scratch, report.filename)], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const win = process.platform === 'win32';
  return {
    files: report.files.map((f) => f.path),
    dir: join(prefix, ...(win ? [] : ['lib']), 'node_modules', 'component-studio'),
    bin: join(prefix, ...(win ? ['component-studio.cmd'] : ['bin', 'component-studio'])),
  };
}

describe('the npm package', { timeout: 600_000 }, () => {
  let installed: Installed;
  before(() => {
    installed = packAndInstall();
  });

  it('holds the compiled CLI and workers, the built UI and the examples, and no sources, tests or local data', () => {
    const { files } = installed;
    const has = (prefix: string) => files.some((f) => f.startsWith(prefix));
    for (const needed of ['bin/component-studio.js', 'dist/cli.mjs', 'dist/cli.mjs.map', 'dist/component-worker.mjs', 'dist/transpile-worker.mjs', 'dist/kv-materializer-thread.mjs', 'dist/assets/runtime/builders/componentize-child.mjs', 'renderer/dist/index.html', 'assets/examples/qrcode/src/component.ts', 'assets/examples/qrcode/.wash/config.yaml', 'assets/examples/hello/.wash/config.yaml', 'README.md']) {
      assert.ok(files.includes(needed), `${needed} is missing from the package`);
    }
    for (const unwanted of ['runtime/', 'electron/', 'scripts/', 'test/', 'bench/', '.ci/', 'node_modules/', 'renderer/src/', 'bin/start.js', 'dist/main.mjs', 'dist/preload.cjs']) assert.ok(!has(unwanted), `the package holds ${unwanted}`);
    // TypeScript only in the examples, which are TypeScript projects for the user to build.
    assert.deepEqual(files.filter((f) => /\.tsx?$/.test(f) && !f.startsWith('assets/examples/')), [], 'TypeScript sources went into the package');
    const local = files.filter((f) => /\/\.wash\/(data|studio)\/|^assets\/.*\/dist\//.test(f));
    assert.deepEqual(local, [], 'local build output or data went into the package');
  });

  it('declares every package the compiled code imports as a dependency, and nothing needs tsx', () => {
    const manifest = JSON.parse(readFileSync(join(installed.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts?: Record<string, string> };
    assert.equal(manifest.scripts?.prepare, undefined, 'a prepare script would need development dependencies');
    const missing = new Set<string>();
    const seen = new Set<string>();
    const dist = join(installed.dir, 'dist');
    const compiled = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs') && !f.endsWith('worker-bootstrap.mjs'));
    for (const file of [...compiled.map((f) => join(dist, f)), join(installed.dir, 'bin', 'component-studio.js')]) {
      const text = readFileSync(file, 'utf8');
      for (const name of importedPackages(text)) {
        seen.add(name);
        // bin/ names tsx only on the from-sources path, which needs a dist/ the package has.
        if (!(name in manifest.dependencies) && name !== 'tsx') missing.add(`${name} (${file.slice(installed.dir.length + 1)})`);
      }
    }
    // The bundles carry most packages inside; those that read their own files stay imports.
    assert.ok(seen.has('@bytecodealliance/componentize-js') && seen.has('@bytecodealliance/jco-transpile'), `the imports were read: ${[...seen].join(', ')}`);
    assert.deepEqual([...missing], []);
    assert.ok(!('tsx' in manifest.dependencies), 'tsx is a development dependency: nothing transpiles at launch');
  });

  it('runs once installed: the version, the QR example over HTTP and the studio UI', { timeout: 240_000 }, async () => {
    const version = execFileSync(installed.bin, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
    assert.match(version, /^component-studio \d+\.\d+\.\d+/);
    // The installed example, copied out as a user would (the install folder may be read-only).
    const project = join(scratch, 'qrcode');
    cpSync(join(installed.dir, 'assets', 'examples', 'qrcode'), project, { recursive: true });
    const child = spawn(installed.bin, ['dev', project, '--port', '0'], {
      shell: process.platform === 'win32',
      cwd: scratch,
      env: { ...process.env, NO_COLOR: '1', COMPONENT_STUDIO_CACHE: testCacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    try {
      // A componentize build when the test cache has none for this source (about 25 s).
      const deadline = Date.now() + 180_000;
      while (!/serving\s+http:\/\/\S+/.test(output) || !/studio\s+http:\/\/\S+/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the packaged CLI did not serve:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const gateway = /serving\s+(http:\/\/\S+)/.exec(output)![1]!;
      const answer = await fetch(new URL('/qrcode', gateway), { method: 'POST', body: JSON.stringify({ payload: 'installed' }) });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.equal(answer.headers.get('content-type'), 'image/png');
      const ui = new URL(/studio\s+(http:\/\/\S+)/.exec(output)![1]!);
      const page = await (await fetch(ui)).text();
      assert.match(page, /<div id="root">/, 'the studio UI is served from the package');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  });
});
