// A Rust or Go project opened without a build command: the studio says which toolchain the
// project needs and the config that builds it, instead of looking for a JavaScript entry.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runStudio } from '../helpers/studio-process.ts';

const scratches: string[] = [];
after(() => Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true }))));

/** A project folder holding `files`; the studio runs on it once, without watching. */
async function firstBuild(files: Record<string, string>): Promise<string> {
  const root = join(await mkdtemp(join(tmpdir(), 'studio-compiled-')), 'project');
  scratches.push(join(root, '..'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(root, name, '..'), { recursive: true });
    await writeFile(join(root, name), text);
  }
  const { code, output } = await runStudio(['dev', root, '--no-ui', '--no-watch', '--port', '0']);
  assert.equal(code, 1, output);
  return output;
}

describe('a project in a compiled language without build.command', () => {
  it('Rust: names Cargo.toml, the cargo command and the crate file, and the old build.rust key', async () => {
    const output = await firstBuild({
      'Cargo.toml': '[workspace]\n\n[package]\nname = "http-counter"\nversion = "0.1.0"\n',
      'src/lib.rs': '',
      '.wash/config.yaml': 'build:\n  rust:\n    target: wasm32-wasip2\n    release: true\n',
    });
    assert.match(output, /is a Rust project \(Cargo\.toml\) and its config has no build\.command \(build\.rust, from wash before 2\.0\.0-rc\.6, is not read\)/);
    assert.match(output, /command: cargo build --target wasm32-wasip2 --release\n\s+component_path: target\/wasm32-wasip2\/release\/http_counter\.wasm/);
    assert.doesNotMatch(output, /No entry file found/);
  });

  it('Go: names go.mod and a TinyGo command', async () => {
    const output = await firstBuild({ 'go.mod': 'module example.com/hello\n\ngo 1.23\n', 'main.go': 'package main\n' });
    assert.match(output, /is a Go project \(go\.mod\) and its config has no build\.command\./);
    assert.match(output, /tinygo build -target=wasip2/);
  });

  it('a JavaScript project that also holds a Cargo.toml is built as JavaScript', async () => {
    const output = await firstBuild({ 'package.json': '{ "name": "mixed" }\n', 'Cargo.toml': '[package]\nname = "mixed"\n' });
    assert.doesNotMatch(output, /Rust project/);
    assert.match(output, /No entry file found/);
  });

  it('so is one with a JavaScript entry file and no package.json', async () => {
    // No wit/ folder: the JavaScript builder's own error says so, which shows it was the one to run.
    const output = await firstBuild({ 'src/index.js': 'export const x = 1;\n', 'go.mod': 'module example.com/mixed\n' });
    assert.doesNotMatch(output, /Go project/);
    assert.match(output, /No WIT folder at/);
  });
});
