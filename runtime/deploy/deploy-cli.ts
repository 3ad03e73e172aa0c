// The `push` and `deploy` commands of the CLI (cli.ts hands them their arguments):
//   component-studio push <ref> [dir | file.wasm]      build as `wash build` does, push, verify
//   component-studio deploy [dir | file.wasm] --image <ref> [--push] [--dry-run]
// Progress goes to stderr (one updating line on a terminal), results to stdout, so
// `component-studio deploy --dry-run … > app.yaml` writes just the YAML.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { studioCacheDir } from '../cache-dir.ts';
import { describe, fail, ok, type Result } from '../errors.ts';
import { checkInsecure } from './registry-session.ts';
import { isRouteHost } from './workload-deployment.ts';
import { LogBus } from '../logs/log-bus.ts';
import { loadProject } from '../project/project-config.ts';
import { buildProject } from '../session/project-build.ts';
import { resolveTarget } from '../session/session-target.ts';
import type { RegistryCredentials } from './docker-credentials.ts';
import { parseImageReference } from './image-reference.ts';
import { applyCommand, applyManifests, kubectlStatus } from './kubectl.ts';
import { describeProblem } from './manifest-validator.ts';
import type { PushProgress } from './push.ts';
import { sourceOfFile, sourceOfProject, type DeploySource, type WorkloadArtifact } from './workload-artifacts.ts';
import { prepareManifest, pushWorkload, type PushedArtifact } from './workload-deploy.ts';
import { argumentError } from '../cli-argument-error.ts';

export const PUSH_USAGE = `Usage: component-studio push <ref> [dir | file.wasm] [options]

Builds the project the way \`wash build\` does (build.command, else the built-in JS/TS builder;
not dev.command) and pushes it to an OCI registry as a Wasm artifact, as \`wash oci push\`
does: each dev.components entry and dev.service_file go beside it (<ref>-<name>). Then pulls
the tag back, checks every digest and prints them. A .wasm file is pushed as it is.

  <ref>               e.g. ghcr.io/you/app:1.0, localhost:5000/app:latest

Options:
  --insecure          plain HTTP, for a registry on this machine (localhost, 127.0.0.1)
  --username NAME     log in as NAME, with the password (or token) from --password-stdin;
                      without them, credentials come from your Docker config, if it has some
  --password-stdin    read the password from standard input
  --annotation K=V    add an annotation to the manifest (repeatable)
  --no-build          push the component as it was last built
  --no-verify         do not pull the tag back to check it
  -h, --help          show this help
`;

export const DEPLOY_USAGE = `Usage: component-studio deploy [dir | file.wasm] --image <ref> [options]

Generates the wasmCloud WorkloadDeployment (runtime.wasmcloud.dev/v1alpha1) for the project,
and a Service when it serves HTTP, from .wash/config.yaml and the components' WIT worlds;
checks them against wasmCloud's CRD schema; and applies them with kubectl when it has a
context, or says the command to run.

Options:
  --image REF         where the project's component is (or is to be) pushed (required)
  --push              push first, as \`push\` does, and pin the images to their digests
  --dry-run           print the manifests and apply nothing
  -o, --output FILE   also write the manifests to FILE
  --kubeconfig FILE   the kubeconfig kubectl uses
  --context NAME      the kubectl context to apply to (default: the current one)
  --replicas N        replicas of the workload (default 1)
  --host NAME         the host name the cluster's HTTP gateway routes to it (default <name>.localhost)
  --name NAME         the name of the objects (default: the project's)
  --namespace NS      the namespace to put them in (default: kubectl's)
  With --push, also: --insecure, --username, --password-stdin, --annotation, --no-build, --no-verify
  -h, --help          show this help
`;

const PUSH_OPTIONS = {
  insecure: { type: 'boolean' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  annotation: { type: 'string', multiple: true },
  'no-build': { type: 'boolean' },
  'no-verify': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Out = { write(text: string): void; isTTY?: boolean };

export interface CliIo {
  stdout: Out;
  stderr: Out;
  readStdin: () => Promise<string>;
}

const defaultIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: async () => {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text;
  },
};

/** Runs `push` or `deploy`; answers the exit code. */
export async function runDeployCommand(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const result = command === 'push' ? await push(rest, io) : await deploy(rest, io);
  if (result.ok) return 0;
  io.stderr.write(`${pc.red('error')} ${describe(result.error)}\n`);
  return result.error.code === 'usage' ? 2 : 1;
}

function usage(message: string, text: string): Result<never> {
  return fail('usage', `${message}\n\n${text}`);
}

async function push(argv: string[], io: CliIo): Promise<Result<void>> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: PUSH_OPTIONS });
  } catch (err) {
    return usage(argumentError(err), PUSH_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(PUSH_USAGE);
    return ok(undefined);
  }
  const [refText, target = '.', ...extra] = positionals;
  if (!refText) return usage('push needs an image reference.', PUSH_USAGE);
  if (extra.length > 0) return usage(`push takes a reference and one target, got also: ${extra.join(' ')}`, PUSH_USAGE);
  const pushed = await pushTarget(refText, target, values, io);
  if (!pushed.ok) return pushed;
  return ok(undefined);
}

interface PushFlags {
  insecure?: boolean | undefined;
  username?: string | undefined;
  'password-stdin'?: boolean | undefined;
  annotation?: string[] | undefined;
  'no-build'?: boolean | undefined;
  'no-verify'?: boolean | undefined;
}

async function pushTarget(refText: string, target: string, flags: PushFlags, io: CliIo): Promise<Result<{ source: DeploySource; pushed: PushedArtifact[] }>> {
  const ref = parseImageReference(refText);
  if (!ref.ok) return ref;
  const allowed = checkInsecure(ref.value.registry, flags.insecure === true);
  if (!allowed.ok) return allowed;
  const credentials = await credentialsFrom(flags, io);
  if (!credentials.ok) return credentials;
  const annotations = annotationsFrom(flags.annotation ?? []);
  if (!annotations.ok) return annotations;
  const source = await sourceFrom(target, { build: !flags['no-build'], io });
  if (!source.ok) return source;
  const progress = progressLine(io.stderr);
  const pushed = await pushWorkload({
    source: source.value,
    image: ref.value,
    ...(flags.insecure ? { insecure: true } : {}),
    ...(credentials.value ? { credentials: credentials.value } : {}),
    annotations: annotations.value,
    verify: !flags['no-verify'],
    onProgress: progress.update,
  });
  progress.end();
  if (!pushed.ok) return pushed;
  for (const p of pushed.value) {
    io.stdout.write(`${pc.green('✓')} ${p.name} → ${p.reference}\n  digest ${p.digest}  (${megabytes(p.size)}${p.verified ? ', pulled back and verified' : ''}${p.reused.includes('layer') ? ', the registry already had the component' : ''})\n`);
  }
  return ok({ source: source.value, pushed: pushed.value });
}

async function credentialsFrom(flags: PushFlags, io: CliIo): Promise<Result<RegistryCredentials | undefined>> {
  if (flags['password-stdin'] && !flags.username) return usage('--password-stdin needs --username.', PUSH_USAGE);
  if (!flags.username) return ok(undefined);
  if (!flags['password-stdin']) return usage('--username needs --password-stdin (the password is never taken from the command line, where other users can see it).', PUSH_USAGE);
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (!password) return fail('registry-auth-required', 'No password came on standard input.', 'Pipe it in: `echo "$TOKEN" | component-studio push … --username you --password-stdin`.');
  return ok({ kind: 'basic', username: flags.username, password });
}

function annotationsFrom(list: string[]): Result<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) return usage(`--annotation takes key=value, not "${item}".`, PUSH_USAGE);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return ok(out);
}

/** The project (built as `wash build` builds it, unless told not to) or the .wasm file at `target`. */
async function sourceFrom(target: string, options: { build: boolean; io: CliIo }): Promise<Result<DeploySource>> {
  const resolved = await resolveTarget(target);
  if (!resolved.ok) return resolved;
  if (resolved.value.kind === 'file') return ok(sourceOfFile(resolved.value.wasmPath));
  const project = await loadProject(resolved.value.root);
  if (!project.ok) return project;
  for (const warning of project.value.warnings) options.io.stderr.write(`${pc.yellow('warn')} ${warning}\n`);
  if (options.build) {
    // `wash build` runs build.command; dev.command is for dev sessions.
    const config = { ...project.value.config, dev: { ...project.value.config.dev, command: undefined } };
    const logs = new LogBus();
    logs.subscribe((record) => options.io.stderr.write(`${record.text}\n`));
    options.io.stderr.write(`${pc.dim('building')} ${project.value.name}…\n`);
    const built = await buildProject({ project: { ...project.value, config }, logs, cacheDir: studioCacheDir(), signal: new AbortController().signal, onStart: () => {} });
    if (!built.ok) return { ok: false, error: built.error };
  }
  return ok(sourceOfProject(project.value));
}

async function deploy(argv: string[], io: CliIo): Promise<Result<void>> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        ...PUSH_OPTIONS,
        image: { type: 'string' },
        push: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        replicas: { type: 'string' },
        host: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
      },
    });
  } catch (err) {
    return usage(argumentError(err), DEPLOY_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(DEPLOY_USAGE);
    return ok(undefined);
  }
  const [target = '.', ...extra] = positionals;
  if (extra.length > 0) return usage(`deploy takes one target, got also: ${extra.join(' ')}`, DEPLOY_USAGE);
  if (!values.image) return usage('deploy needs --image: the reference the component is pushed to (e.g. ghcr.io/you/app:1.0).', DEPLOY_USAGE);
  // Options of the push, given without one: they would be dropped without a word.
  const pushOnly = (['insecure', 'username', 'password-stdin', 'annotation', 'no-build', 'no-verify'] as const).filter((name) => values[name] !== undefined);
  if (!values.push && pushOnly.length > 0) return usage(`${pushOnly.map((name) => `--${name}`).join(', ')} ${pushOnly.length > 1 ? 'are options' : 'is an option'} of the push: add --push, or leave ${pushOnly.length > 1 ? 'them' : 'it'} out.`, DEPLOY_USAGE);
  // Digits only: Number('') is 0, and an empty variable must not scale the workload down.
  const replicas = values.replicas === undefined ? undefined : /^\d{1,5}$/.test(values.replicas) && Number(values.replicas) <= 10_000 ? Number(values.replicas) : NaN;
  if (replicas !== undefined && Number.isNaN(replicas)) return usage(`--replicas must be a whole number from 0 to 10000, not "${values.replicas}".`, DEPLOY_USAGE);
  if (values.host !== undefined && !isRouteHost(values.host)) {
    return usage(`--host must be a DNS name such as qr.example.com, not "${values.host}".`, DEPLOY_USAGE);
  }
  const ref = parseImageReference(values.image);
  if (!ref.ok) return ref;

  let source: DeploySource;
  const pinned = new Map<string, string>();
  if (values.push) {
    const pushed = await pushTarget(values.image, target, values, io);
    if (!pushed.ok) return pushed;
    source = pushed.value.source;
    for (const p of pushed.value.pushed) pinned.set(p.name, p.pinned);
  } else {
    const found = await sourceFrom(target, { build: false, io });
    if (!found.ok) return found;
    source = found.value;
  }
  const options = {
    ...(replicas !== undefined ? { replicas } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values.name ? { name: values.name } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
  };
  const { manifest, check, refused, unbuilt } = await prepareManifest(source, ref.value, options, pinned);
  if (refused) return { ok: false, error: refused };
  // A manifest without the component's host interfaces would deploy a workload that cannot start.
  if (unbuilt) return fail('deploy-not-built', unbuilt.message, 'Pass --push to build and push it first, or open it in the studio once (component-studio dev builds it on start).');
  const errors = check.problems.filter((p) => p.severity === 'error');
  for (const problem of check.problems) io.stderr.write(`${problem.severity === 'error' ? pc.red('invalid') : pc.yellow('warn')} ${describeProblem(problem)}\n`);
  if (errors.length > 0) {
    return fail('manifest-invalid', `The generated manifest breaks ${errors.length} rule${errors.length === 1 ? '' : 's'} of wasmCloud's WorkloadDeployment schema (listed above).`, 'Fix the config keys (or the --name, --namespace or --host given) named above; docs/deploy.md explains each. Then run deploy again.');
  }
  if (values.output) {
    try {
      await writeFile(values.output, manifest.yaml);
    } catch (err) {
      return fail('output-unwritable', `Could not write ${values.output}: ${(err as Error).message}.`, 'Check the folder exists and is writable.');
    }
    io.stderr.write(`${pc.green('✓')} wrote ${values.output}\n`);
  }
  const cluster = { ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}), ...(values.context ? { context: values.context } : {}) };
  if (values['dry-run']) {
    if (!values.output) io.stdout.write(manifest.yaml);
    return ok(undefined);
  }
  const status = await kubectlStatus(cluster);
  if (!status.available) {
    // The manifest is still printed (or saved) to apply elsewhere; the exit status says nothing was applied.
    if (!values.output) io.stdout.write(manifest.yaml);
    const saved = values.output ? `Apply ${values.output}` : `Save the manifest printed above (or run deploy again with --output ${manifest.name}.yaml) and apply it`;
    return fail('kubectl-unavailable', `Not applied: ${status.reason}`, `${saved} where kubectl reaches the cluster: ${applyCommand(values.output ?? `${manifest.name}.yaml`, cluster)}`);
  }
  const applied = await applyManifests(manifest.yaml, cluster);
  if (!applied.ok) return applied;
  io.stdout.write(`${applied.value.output}\n${pc.green('✓')} applied to ${applied.value.context}\n`);
  return ok(undefined);
}

function megabytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Push progress on stderr: one line rewritten in place on a terminal, a line per phase elsewhere. */
function progressLine(out: Out): { update: (artifact: WorkloadArtifact, progress: PushProgress) => void; end: () => void } {
  let last = '';
  let drawn = false;
  return {
    update(artifact, progress) {
      const percent = progress.total > 0 ? Math.floor((progress.sent / progress.total) * 100) : 100;
      const text = progress.phase === 'uploading' ? `${artifact.name}: uploading ${percent}% of ${megabytes(progress.total)}` : `${artifact.name}: ${progress.phase}`;
      if (out.isTTY) {
        out.write(`\r\x1b[2K${pc.cyan('•')} ${text}`);
        drawn = true;
        return;
      }
      // Elsewhere (a CI log), a line per phase and per quarter of the upload.
      const step = progress.phase === 'uploading' ? `uploading ${Math.floor(percent / 25)}` : progress.phase;
      if (step !== last && progress.phase !== 'done') out.write(`${text}\n`);
      last = step;
    },
    end() {
      if (drawn) out.write('\r\x1b[2K');
    },
  };
}

