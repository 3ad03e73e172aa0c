// Registry credentials from the user's Docker config, where `docker login` (and podman, nerdctl,
// `gh auth token | docker login`…) leave them: `$DOCKER_CONFIG/config.json`, else
// `~/.docker/config.json`. Reads `auths` entries (base64 `auth`, or `username`/`password`,
// or an `identitytoken`) and asks credential helpers (`credHelpers`, `credsStore`) the way
// Docker does: `docker-credential-<name> get` with the server on stdin. Never writes anything.
import { runToEnd } from '../builders/process-tree.ts';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';

export type RegistryCredentials = { kind: 'basic'; username: string; password: string } | { kind: 'identity-token'; token: string; username?: string };

export interface DockerConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take (default 20 s). */
  helperTimeoutMs?: number;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
}

/** The keys Docker may have filed a registry's credentials under. */
/** The registry an auths key names: without its scheme and path, in lower case. */
function registryOfKey(key: string): string {
  return key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function keysFor(registry: string): string[] {
  if (registry === 'docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/** Credentials for a registry from the Docker config, or undefined when it has none. */
export async function dockerCredentials(registry: string, options: DockerConfigOptions = {}): Promise<Result<RegistryCredentials | undefined>> {
  const path = dockerConfigPath(options.env);
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(path, 'utf8')) as DockerConfigFile;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ok(undefined);
    return fail('docker-config-invalid', `Could not read the Docker config ${path}: ${(err as Error).message}.`, 'Fix or move the file, or give the credentials with --username and --password-stdin.');
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    return fail('docker-config-invalid', `The Docker config ${path} is not a JSON object.`, 'Fix or move the file, or give the credentials with --username and --password-stdin.');
  }
  const keys = keysFor(registry);
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
  const helper = keys.map((k) => text(config.credHelpers?.[k])).find(Boolean) ?? text(config.credsStore);
  if (helper) {
    for (const key of keys.slice(0, registry === 'docker.io' ? 1 : 2)) {
      const fromHelper = await askHelper(helper, key, options);
      if (!fromHelper.ok || fromHelper.value) return fromHelper;
    }
  }
  // Then any key that names the registry in another form (`http://host:port/v2/`), as Docker reads keys: without scheme and path.
  const others = Object.keys(config.auths ?? {}).filter((key) => !keys.includes(key) && registryOfKey(key) === registryOfKey(registry));
  for (const key of [...keys, ...others]) {
    const entry = config.auths?.[key];
    // Fields of another type are no credentials (a hand-edited file): looked past, as Docker does.
    if (typeof entry !== 'object' || entry === null) continue;
    const [identitytoken, auth, username, password] = [text(entry.identitytoken), text(entry.auth), text(entry.username), text(entry.password)];
    if (identitytoken) return ok({ kind: 'identity-token', token: identitytoken, ...(username ? { username } : {}) });
    if (auth) {
      const decoded = Buffer.from(auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return ok({ kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) });
    }
    if (username && password) return ok({ kind: 'basic', username, password });
  }
  return ok(undefined);
}

/** `docker-credential-<helper> get`: JSON `{ Username, Secret }`, or "credentials not found". */
async function askHelper(helper: string, server: string, options: DockerConfigOptions): Promise<Result<RegistryCredentials | undefined>> {
  const program = `docker-credential-${helper}`;
  const timeoutMs = options.helperTimeoutMs ?? 20_000;
  const outcome = await runToEnd(program, ['get'], { env: options.env ?? process.env, input: server, timeoutMs });
  if (outcome.timedOut) {
    return fail('docker-credentials-failed', `${program} did not answer in ${Math.round(timeoutMs / 1000)} s, so it was stopped.`, `Run \`echo ${server} | ${program} get\` to see what it waits for (a keychain prompt?), or give the credentials with --username and --password-stdin.`);
  }
  if (outcome.error) {
    if ((outcome.error as NodeJS.ErrnoException).code === 'ENOENT') {
      return fail('docker-credentials-failed', `The Docker config names the credential helper "${helper}", but ${program} is not installed.`, `Install ${program}, remove "${helper}" from ${dockerConfigPath(options.env)}, or give the credentials with --username and --password-stdin.`);
    }
    return fail('docker-credentials-failed', `${program} could not run: ${outcome.error.message}.`, 'Check the helper, or give the credentials with --username and --password-stdin.');
  }
  if (outcome.code !== 0) {
    // Helpers say so on stdout when they hold nothing for the server (macOS's says it its own way).
    if (/credentials not found|not found in native keychain/i.test(outcome.stdout)) return ok(undefined);
    // Its stdout is not quoted: a helper that fails halfway may have printed a secret there.
    return fail('docker-credentials-failed', `${program} failed (exit code ${outcome.code})${outcome.stderr.trim() ? `: ${outcome.stderr.trim().slice(0, 300)}` : ''}.`, `Run \`echo ${server} | ${program} get\` to see why, or give the credentials with --username and --password-stdin.`);
  }
  try {
    const answer = JSON.parse(outcome.stdout) as { Username?: string; Secret?: string };
    if (!answer.Secret) return ok(undefined);
    if (answer.Username === '<token>') return ok({ kind: 'identity-token', token: answer.Secret });
    return ok({ kind: 'basic', username: answer.Username ?? '', password: answer.Secret });
  } catch {
    return fail('docker-credentials-failed', `${program} answered something that is not JSON.`, 'Check the helper, or give the credentials with --username and --password-stdin.');
  }
}
