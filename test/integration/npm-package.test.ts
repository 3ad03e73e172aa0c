// The published package, as `npm pack` makes it: what goes in (the runtime, the built UI, the
// examples, no tests or local data), that everything the runtime imports is a declared
// dependency, and that the CLI runs from the unpacked tarball: its version, a component
// served over HTTP, and the studio UI served from the package's own renderer/dist.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { watFixture } from '../fixtures/fixtures.ts';
import { repoRoot, testCacheDir } from '../helpers/studio-process.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-npm-package-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface Packed {
  files: string[];
  dir: string;
}

/**
 * Packs the repo as npm would publish it and unpacks the tarball, with this checkout's
 * node_modules linked beside it. Without lifecycle scripts: `prepare` would rebuild the UI
 * under the browser tests running beside this one (npm ci built it already).
 */
function pack(): Packed {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const [report] = JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ filename: string; files: { path: string }[] }];
  execFileSync('tar', ['-xzf', join(scratch, report.filename), '-C', scratch]);
  const dir = join(scratch, 'package');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { files: report.files.map((f) => f.path), dir };
}

/** Every TypeScript file below `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join(dir, f));
}

describe('the npm package', () => {
  let packed: Packed;
  before(() => {
    packed = pack();
  });

  it('holds the runtime, the CLI, the built UI and the examples, and no tests, benchmarks or local data', () => {
    const has = (prefix: string) => packed.files.some((f) => f.startsWith(prefix));
    for (const needed of ['bin/component-studio.js', 'runtime/cli.ts', 'runtime/workloads/component-worker.ts', 'runtime/threads/worker-bootstrap.mjs', 'renderer/dist/index.html', 'assets/examples/qrcode/src/component.ts', 'assets/examples/qrcode/.wash/config.yaml', 'README.md']) {
      assert.ok(packed.files.includes(needed), `${needed} is missing from the package`);
    }
    for (const unwanted of ['test/', 'bench/', '.ci/', 'node_modules/', 'renderer/src/', 'electron/']) assert.ok(!has(unwanted), `the package holds ${unwanted}`);
    const local = packed.files.filter((f) => /\/\.wash\/(data|studio)\/|\/dist\/.*\.wasm$|\.map$/.test(f));
    assert.deepEqual(local, [], 'local build output or data went into the package');
  });

  it('declares every package the runtime imports as a dependency (not a dev dependency)', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    const seen = new Set<string>();
    for (const file of [...sources(join(repoRoot, 'runtime')), join(repoRoot, 'bin', 'component-studio.js')]) {
      const text = readFileSync(file, 'utf8');
      // Type-only imports are gone at run time.
      const runtimeText = text.replace(/^(?:import|export) type [^;]*;/gm, '');
      for (const match of runtimeText.matchAll(/(?:from|import\()\s*'([^'.][^']*)'/g)) {
        const specifier = match[1]!;
        if (specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
        seen.add(name);
        if (!(name in manifest.dependencies)) missing.add(`${name} (${relative(repoRoot, file)})`);
      }
    }
    assert.ok(seen.has('yaml') && seen.has('@bytecodealliance/jco-transpile'), `the imports were read: ${[...seen].join(', ')}`);
    assert.deepEqual([...missing], []);
  });

  it('runs from the unpacked tarball: the version, a component over HTTP and the studio UI', { timeout: 120_000 }, async () => {
    const version = execFileSync(process.execPath, [join(packed.dir, 'bin', 'component-studio.js'), '--version'], { encoding: 'utf8' });
    assert.match(version, /^component-studio \d+\.\d+\.\d+/);
    const wasm = await watFixture('hello');
    const child = spawn(process.execPath, [join(packed.dir, 'bin', 'component-studio.js'), 'dev', wasm, '--port', '0'], {
      cwd: scratch,
      env: { ...process.env, NO_COLOR: '1', COMPONENT_STUDIO_CACHE: testCacheDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    try {
      const deadline = Date.now() + 90_000;
      while (!/serving\s+http:\/\/\S+/.test(output) || !/studio\s+http:\/\/\S+/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the packaged CLI did not serve:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const gateway = /serving\s+(http:\/\/\S+)/.exec(output)![1]!;
      assert.equal(await (await fetch(gateway)).text(), 'hello from wat\n');
      // The printed URL carries the token, which the first visit swaps for a cookie.
      const ui = new URL(/studio\s+(http:\/\/\S+)/.exec(output)![1]!);
      const first = await fetch(ui, { redirect: 'manual' });
      const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
      const page = await (await fetch(new URL('/', ui), { headers: { cookie } })).text();
      assert.match(page, /<div id="root">/, 'the studio UI is served from the package');
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    }
  });
});
