// Starts a real OCI registry for a test: the CNCF distribution registry as Debian packages it
// (`docker-registry`; upstream calls the binary `registry`), with a config file of the test's
// own: storage in a temp folder, 127.0.0.1 on a port the kernel picks, and optionally
// htpasswd Basic auth with a bcrypt entry made here. Resolves once the registry says where
// it listens. `.ci/run` installs the package when it is missing.
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import bcrypt from 'bcryptjs';

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  host: string;
  /** Where the registry keeps blobs and manifests (filesystem storage). */
  storageDir: string;
  stop(): Promise<void>;
}

export interface RegistryOptions {
  /** Require this user name and password (htpasswd, Basic auth). */
  basicAuth?: { username: string; password: string };
}

async function findBinary(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of ['docker-registry', 'registry']) {
      const candidate = join(dir, name);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
    }
  }
  throw new Error('No OCI registry binary (docker-registry or registry) on PATH: install Debian\'s docker-registry package (.ci/run does when it is missing).');
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const binary = await findBinary();
  const dir = await mkdtemp(join(tmpdir(), 'cs-registry-'));
  const storageDir = join(dir, 'storage');
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
    '  secret: component-studio-test',
  ];
  if (options.basicAuth) {
    // Cost 5 keeps each request's bcrypt check in the milliseconds (the registry checks every request).
    const entry = `${options.basicAuth.username}:${bcrypt.hashSync(options.basicAuth.password, 5)}\n`;
    await writeFile(join(dir, 'htpasswd'), entry);
    lines.push('auth:', '  htpasswd:', '    realm: component-studio-test', `    path: ${join(dir, 'htpasswd')}`);
  }
  await writeFile(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child = spawn(binary, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const host = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (match) resolve(match[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the registry exited (code ${code}) before listening:\n${log}`)));
  });
  // The listeners above keep draining its log, so it never blocks on a full pipe.
  return { host, storageDir, stop: () => stopRegistry(child, dir) };
}

async function stopRegistry(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
}
