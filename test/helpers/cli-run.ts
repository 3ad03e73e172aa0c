// Runs the real CLI once to its end with the standard input and environment a test gives
// (`push --password-stdin`, a Docker config of the test's own), and answers its exit code and
// its stdout and stderr apart: `deploy --dry-run` prints YAML on stdout and progress on stderr.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './studio-process.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'component-studio.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  child.stdin.on('error', () => {}); // a CLI that exits early need not read its input
  child.stdin.end(options.stdin ?? '');
  // 'close', not 'exit': the output has been read to its end by then.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
