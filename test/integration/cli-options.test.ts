// The `dev` command's options as a user types them: the version, and numbers that are not
// what an option takes, refused with the option named (before anything starts).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli-run.ts';
import { launchStudio, repoRoot } from '../helpers/studio-process.ts';
import { watFixtureAlone } from '../fixtures/fixtures.ts';

describe('component-studio options', () => {
  it('prints its version with --version and -v', async () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, `component-studio ${version}\n`);
    }
  });

  it('new makes a project from an example and says how to run it; a taken folder or an unknown example is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'studio-cli-new-'));
    try {
      // Not through npm, whatever runs the tests.
      const made = await runCli(['new', join(dir, 'api'), '--example', 'fetch-page'], { env: { npm_command: '' } });
      assert.equal(made.code, 0, made.stderr);
      assert.match(made.stdout, /made .*api from the example "fetch-page"/);
      // Run from a clone, where component-studio is not on the PATH: the way it was run.
      assert.match(made.stdout, /next: node \S+component-studio\.js dev \S*api\n/);
      // Through npx, as the README has a clone run it: npx again.
      const viaNpx = await runCli(['new', join(dir, 'npx-made')], { env: { npm_command: 'exec' } });
      assert.equal(viaNpx.code, 0, viaNpx.stderr);
      assert.match(viaNpx.stdout, /next: npx component-studio dev \S*npx-made\n/);
      // A folder outside the current one is named whole, not as ../../ from here.
      assert.ok(made.stdout.includes(` dev ${join(dir, 'api')}\n`), made.stdout);
      assert.match(await readFile(join(dir, 'api', 'README.md'), 'utf8'), /component-studio dev \.\n/);
      assert.ok((await readdir(join(dir, 'api'))).includes('wit'));
      const taken = await runCli(['new', join(dir, 'api')]);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /already exists and is not empty, so no project was made there\.\n {2}hint: Name a folder that does not exist yet/);
      const unknown = await runCli(['new', join(dir, 'other'), '--example', 'qr']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /There is no example named "qr"\.\n {2}hint: Pick one of: hello, /);
      const none = await runCli(['new']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /new takes one folder, got none/);
      const help = await runCli(['new', '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^ {2}hello +The smallest useful component project$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a port, worker count, UI port, timeout or memory limit out of range, naming the option', async () => {
    const cases: [string[], RegExp][] = [
      [['--port', '1.5'], /--port must be a whole number from 0 to 65535, not "1\.5"/],
      [['--port=70000'], /--port must be a whole number from 0 to 65535, not "70000"/],
      [['--port=-1'], /--port must be a whole number/],
      [['--ui-port', 'abc'], /--ui-port must be a whole number from 0 to 65535, not "abc"/],
      [['--workers', '0'], /--workers must be a whole number from 1 to 256, not "0"/],
      [['--timeout', ''], /--timeout must be a number of at least 0\.001/],
      // Past Node's longest timer every request would time out at once.
      [['--timeout', '3000000'], /--timeout must be at most 2147483, not "3000000"/],
      [['--start-timeout', '0'], /--start-timeout must be a number of at least 0\.001, not "0"/],
      // A 32-bit memory addresses 4 GiB: past it the limit never applies, and running out is not diagnosed.
      [['--memory-limit', '99999'], /--memory-limit must be at most 4096, not "99999"/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['dev', 'assets/examples/qrcode', '--no-ui', ...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  it('names an option it does not know, or one that lacks its value, in a sentence of its own', async () => {
    const cases: [string[], RegExp][] = [
      [['dev', '--bogus'], /^error Unknown option --bogus: see the options below\.\n/],
      [['dev', '--port'], /^error --port needs a value\.\n/],
      [['dev', '--port', '-3'], /^error --port needs a value; one that starts with "-" goes after "=", as in --port=-1\.\n/],
      [['check', '--quiet=yes'], /^error --quiet takes no value\.\n/],
      [['snapshot', 'save', '--bogus'], /^error Unknown option --bogus/],
      [['deploy', '--bogus'], /Unknown option --bogus/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.doesNotMatch(run.stderr, /place it at the end of the command/);
    }
  });

  it('reads r + Enter line by line, however the lines arrive, and says what other input does', async () => {
    const hello = await watFixtureAlone('hello');
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'component-studio.js'), 'dev', hello.wasm, '--port', '0', '--no-ui'], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', COMPONENT_STUDIO_CONFIG: join(repoRoot, '.cache', 'config') },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const until = async (pattern: RegExp) => {
      for (let i = 0; i < 600 && !pattern.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(output, pattern);
    };
    try {
      await until(/serving/);
      // Two lines in one write, as a pipe or a paste brings them.
      child.stdin.write('r\nr\nq\n');
      await until(/build 3: reloaded/);
      assert.match(output, /"q" does nothing here: r \+ Enter rebuilds, Ctrl\+C stops\./);
    } finally {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('close', resolve));
      await rm(hello.dir, { recursive: true, force: true });
    }
  });

  it('says that a wash config beside a .wasm file served as it is is not read, and how to use it', async () => {
    const hello = await watFixtureAlone('hello');
    await mkdir(join(hello.dir, '.wash'));
    await writeFile(join(hello.dir, '.wash', 'config.yaml'), 'dev:\n  host_interfaces: []\n');
    const studio = launchStudio(hello.wasm);
    try {
      await studio.serving();
      await studio.waitFor(/config\.yaml is not read: a \.wasm file served as it is has no build, config or other components\. To use it, open the folder as a project/);
      assert.equal(studio.output().split('is not read').length, 2, 'said once');
    } finally {
      await studio.stop();
      await rm(hello.dir, { recursive: true, force: true });
    }
  });

  it('ends at once when the port is taken, saying so once, not as a build to fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    const hello = await watFixtureAlone('hello');
    try {
      const run = await runCli(['dev', hello.wasm, '--port', String(port), '--no-ui']);
      const output = run.stdout + run.stderr;
      assert.equal(run.code, 1, output);
      assert.match(output, new RegExp(`✗ cannot serve: Port ${port} on 127\\.0\\.0\\.1 is already in use\\.`));
      assert.equal(output.split('is already in use').length, 2, `said once: ${output}`);
      assert.doesNotMatch(output, /waiting for a change|build 1 failed/);
    } finally {
      blocker.close();
      await rm(hello.dir, { recursive: true, force: true });
    }
  });
});
