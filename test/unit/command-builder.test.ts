// The build command's output as the studio logs it: line by line, a last line with no
// newline included, a line of megabytes cut instead of held whole. A real shell runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runBuildCommand } from '../../runtime/builders/command-builder.ts';
import { LogBus } from '../../runtime/logs/log-bus.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs-command-builder-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

  it('does not wait for a process the command left running in the background, says so, and stops it', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const started = Date.now();
    const pidFile = join(scratch, 'background.pid');
    const { ok, lines } = await run(`sleep 30 & echo $! > "${pidFile}"; mkdir -p out && printf "\\0asm" > "$WASH_COMPONENT_PATH"; echo built`);
    assert.equal(ok, true);
    assert.ok(Date.now() - started < 15_000, `waited ${Date.now() - started} ms`);
    assert.equal(lines[0], 'built');
    assert.match(lines[1] ?? '', /^The build command ended, but a process it started still holds its output open \(a job left running in the background\?\); it is stopped with the build's other processes/);
    // One left per save would pile up, and outlive the studio.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !alive(pid), () => `the background job ${pid} still runs`, 5000);
  });

  it('stops, and says so, what the command left running with its output elsewhere', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const pidFile = join(scratch, 'quiet-background.pid');
    const { ok, lines } = await run(`sleep 30 > /dev/null 2>&1 & echo $! > "${pidFile}"; mkdir -p out && printf "\\0asm" > "$WASH_COMPONENT_PATH"`);
    assert.equal(ok, true);
    assert.match(lines.join('\n'), /The build command left processes running in the background; they are stopped with the build/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitUntil(() => !alive(pid), () => `the background job ${pid} still runs`, 5000);
  });

  it('says when the command left the component as an earlier build wrote it', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    assert.equal((await run('mkdir -p out && printf "\\0asm" > "$WASH_COMPONENT_PATH"')).ok, true);
    const { ok, lines } = await run('echo did nothing');
    assert.equal(ok, true, 'the file is there, and served as it is');
    assert.match(lines.join('\n'), /\S+app\.wasm is unchanged since the last build, and is loaded as it is\. \(If a change was expected: build\.command must write the component there/);
    const rebuilt = await run('printf "\\0asm" > "$WASH_COMPONENT_PATH"');
    assert.doesNotMatch(rebuilt.lines.join('\n'), /unchanged since the last build/);
  });

  it('says nothing of the output held open by a build it stopped itself', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const logs = new LogBus();
    const controller = new AbortController();
    const building = runBuildCommand({ command: "trap '' TERM; echo started; sleep 30", configKey: 'build.command', cwd: scratch, env: {}, componentPath: join(scratch, 'out', 'app.wasm'), logs, signal: controller.signal });
    await waitUntil(() => logs.query({ sources: ['build'] }).length > 0, () => 'the build did not start');
    controller.abort('change');
    const result = await building;
    assert.equal(result.ok, false);
    assert.doesNotMatch(logs.query({ sources: ['build'] }).map((r) => r.text).join('\n'), /holds its output open/);
  });

  it('cuts a line of megabytes instead of holding it, and says how much was left out', { skip: process.platform === 'win32' && 'POSIX shell' }, async () => {
    const { lines } = await run(`node -e "process.stdout.write('x'.repeat(5e6) + '\\\\nafter\\\\n')"; exit 1`);
    assert.equal(lines.length, 2, lines.map((l) => l.slice(0, 40)).join(' | '));
    assert.match(lines[0]!, /^x{65536} … \(4934464 more characters of this line not shown\)$/);
    assert.equal(lines[1], 'after');
  });
});
