// Build commands run through the platform's shell and are stopped with everything they
// started. The Windows choices are checked as data here (no Windows machine runs this
// suite); the Unix ones run for real.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { endProcessTree, killTreeOf, shellCommand, stopProcessTree, treeKill } from '../../runtime/builders/process-tree.ts';
import { waitUntil } from '../helpers/wait-until.ts';

const scratch = mkdtempSync(join(tmpdir(), 'cs process tree ü-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the shell of a build command', () => {
  it('is sh -c on Linux and macOS, in a process group of its own', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      assert.deepEqual(shellCommand('npm run build && cp a b', platform), { file: 'sh', args: ['-c', 'npm run build && cp a b'], options: { detached: true } });
    }
  });

  it('is cmd.exe /d /s /c "…" on Windows, the line passed as written, as npm runs scripts', () => {
    const command = 'cargo build --release && copy "target\\app.wasm" out';
    assert.deepEqual(shellCommand(command, 'win32', { ComSpec: 'C:\\Windows\\system32\\cmd.exe' }), {
      file: 'C:\\Windows\\system32\\cmd.exe',
      args: ['/d', '/s', '/c', `"${command}"`],
      options: { windowsVerbatimArguments: true, windowsHide: true },
    });
    assert.equal(shellCommand('x', 'win32', {}).file, 'cmd.exe', 'cmd.exe when ComSpec is not set');
  });

  it('is stopped with its descendants: a group signal on Unix, taskkill /T on Windows', () => {
    assert.deepEqual(treeKill(4242, 'SIGTERM', 'linux'), { group: -4242, signal: 'SIGTERM' });
    assert.deepEqual(treeKill(4242, 'SIGKILL', 'win32'), { file: 'taskkill', args: ['/pid', '4242', '/T', '/F'] });
  });

  it('runs in a folder whose path has spaces and non-ASCII letters', { skip: process.platform === 'win32' && 'the Unix shell is tested here' }, async () => {
    const shell = shellCommand('printf "%s" "$PWD" > "out file.txt"');
    const child = spawn(shell.file, shell.args, { ...shell.options, cwd: scratch, stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => child.once('close', resolve)), 0);
    assert.equal(readFileSync(join(scratch, 'out file.txt'), 'utf8'), scratch);
  });

  it('stops the shell and the programs it started', { skip: process.platform === 'win32' && 'the Unix shell is tested here' }, async () => {
    const shell = shellCommand('sleep 60 & sleep 60; wait');
    const child = spawn(shell.file, shell.args, { ...shell.options, stdio: 'ignore' });
    const pid = child.pid!;
    const closed = new Promise((resolve) => child.once('close', resolve));
    assert.ok(groupAlive(pid));
    stopProcessTree(child);
    await closed;
    await waitUntil(() => !groupAlive(pid), () => `every process of group ${pid} has exited`, 5000);
  });

  it('kills a process that leads no group (a utility process) with what it started, read from ps', { skip: process.platform === 'win32' && 'the Unix walk is tested here' }, async () => {
    const child = spawn('sh', ['-c', 'sleep 60 & echo $!; sleep 61 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (printed += d));
    await waitUntil(() => printed.trim().split('\n').length === 2, () => `the shell printed its children: ${JSON.stringify(printed)}`, 5000);
    const tree = [child.pid!, ...printed.trim().split('\n').map(Number)];
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    assert.ok(tree.every(alive));
    const closed = new Promise((resolve) => child.once('close', resolve));
    killTreeOf(child.pid!);
    await closed;
    await waitUntil(() => !tree.some(alive), () => `every process of ${tree.join(', ')} has exited`, 5000);
  });

  it('kills a build that ignores SIGTERM, and what it started, after a grace period', { skip: process.platform === 'win32' && 'the Unix shell is tested here' }, async () => {
    const shell = shellCommand('trap "" TERM; sleep 60; sleep 60');
    const child = spawn(shell.file, shell.args, { ...shell.options, stdio: 'ignore' });
    const pid = child.pid!;
    const closed = new Promise((resolve) => child.once('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the trap is set
    const started = Date.now();
    endProcessTree(child);
    await closed;
    assert.ok(Date.now() - started < 4500, 'killed within the grace period and a little');
    await waitUntil(() => !groupAlive(pid), () => `every process of group ${pid} has exited`, 5000);
  });

  it('kills what is still running when the studio exits, even on a second Ctrl+C', { skip: process.platform === 'win32' && 'the Unix shell is tested here' }, async () => {
    // A studio that exits at once, leaving a build that ignores SIGTERM: its group must not outlive it.
    const script = `
      import { spawn } from 'node:child_process';
      import { killTreeOnExit, shellCommand } from ${JSON.stringify(new URL('../../runtime/builders/process-tree.ts', import.meta.url).href)};
      const shell = shellCommand('trap "" TERM INT; sleep 60');
      const child = spawn(shell.file, shell.args, { ...shell.options, stdio: 'ignore' });
      killTreeOnExit(child);
      console.log(child.pid);
      setTimeout(() => process.exit(130), 300);
    `;
    const studio = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    studio.stdout.on('data', (d: Buffer) => (out += d.toString()));
    assert.equal(await new Promise((resolve) => studio.once('close', resolve)), 130);
    const pid = Number(out.trim());
    assert.ok(pid > 0, out);
    await waitUntil(() => !groupAlive(pid), () => `every process of group ${pid} has exited`, 5000);
  });
});
