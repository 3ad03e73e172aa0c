// The build command's output as the studio logs it: line by line, a last line with no
// newline included, a line of megabytes cut instead of held whole. A real shell runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuildCommand } from '../../runtime/builders/command-builder.ts';
import { LogBus } from '../../runtime/logs/log-bus.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-command-builder-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

async function run(command: string): Promise<{ ok: boolean; lines: string[] }> {
  const logs = new LogBus();
  const result = await runBuildCommand({ command, configKey: 'build.command', cwd: scratch, env: {}, componentPath: join(scratch, 'out', 'app.wasm'), logs });
  return { ok: result.ok, lines: logs.query({ sources: ['build'] }).map((r) => r.text) };
}

describe('a build command\'s output', () => {
  it('logs a last line that has no newline, as a failing compiler prints it', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const { ok, lines } = await run('printf "first\\nerror[E0425]: cannot find value x in this scope" >&2; exit 1');
    assert.equal(ok, false);
    assert.deepEqual(lines, ['first', 'error[E0425]: cannot find value x in this scope']);
  });

  it('does not wait for a process the command left running in the background, and says so', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const started = Date.now();
    const { ok, lines } = await run('sleep 30 & mkdir -p out && printf "\\0asm" > "$WASH_COMPONENT_PATH"; echo built');
    assert.equal(ok, true);
    assert.ok(Date.now() - started < 15_000, `waited ${Date.now() - started} ms`);
    assert.equal(lines[0], 'built');
    assert.match(lines[1] ?? '', /^The build command ended, but a process it started still holds its output open \(a job left running in the background\?\); the build went on without waiting for it/);
  });

  it('cuts a line of megabytes instead of holding it, and says how much was left out', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const { lines } = await run(`node -e "process.stdout.write('x'.repeat(5e6) + '\\\\nafter\\\\n')"; exit 1`);
    assert.equal(lines.length, 2, lines.map((l) => l.slice(0, 40)).join(' | '));
    assert.match(lines[0]!, /^x{65536} … \(4934464 more characters of this line not shown\)$/);
    assert.equal(lines[1], 'after');
  });
});
