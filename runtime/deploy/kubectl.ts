// Applying manifests with the user's own `kubectl`, when there is one and it has a context:
// the studio keeps no cluster credentials of its own and speaks no Kubernetes API. Otherwise it
// says the command to run. `--kubeconfig` and `--context` pass through as kubectl reads them.
import { runToEnd, type RunOutcome } from '../builders/process-tree.ts';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';

export interface ClusterTarget {
  kubeconfig?: string;
  context?: string;
}

export type KubectlStatus = { available: true; path: string; context: string } | { available: false; reason: string };

export interface KubectlOptions extends ClusterTarget {
  env?: NodeJS.ProcessEnv;
}

/** The first kubectl on PATH. */
export async function findKubectl(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const names = process.platform === 'win32' ? ['kubectl.exe', 'kubectl.cmd'] : ['kubectl'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      const found = await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (found) return candidate;
    }
  }
  return undefined;
}

function globalFlags(target: ClusterTarget): string[] {
  return [...(target.kubeconfig ? ['--kubeconfig', target.kubeconfig] : []), ...(target.context ? ['--context', target.context] : [])];
}

function run(path: string, args: string[], input: string | undefined, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunOutcome> {
  return runToEnd(path, args, { env, timeoutMs, ...(input !== undefined ? { input } : {}) });
}

/** Whether `kubectl apply` can run: kubectl is installed and the kubeconfig has the context. */
export async function kubectlStatus(options: KubectlOptions = {}): Promise<KubectlStatus> {
  const env = options.env ?? process.env;
  const path = await findKubectl(env);
  if (!path) return { available: false, reason: 'kubectl is not installed (or not on PATH).' };
  if (options.context) {
    const contexts = await run(path, [...globalFlags({ ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}) }), 'config', 'get-contexts', '-o', 'name'], undefined, env, 15_000);
    if (contexts.code !== 0) return { available: false, reason: `kubectl cannot read its config: ${firstLine(contexts.stderr || contexts.error?.message)}` };
    if (!contexts.stdout.split('\n').map((l) => l.trim()).includes(options.context)) return { available: false, reason: `kubectl has no context named "${options.context}".` };
    return { available: true, path, context: options.context };
  }
  const current = await run(path, [...globalFlags(options), 'config', 'current-context'], undefined, env, 15_000);
  const context = current.stdout.trim();
  if (current.code !== 0 || !context) return { available: false, reason: `kubectl has no current context${current.stderr ? ` (${firstLine(current.stderr)})` : ''}.` };
  return { available: true, path, context };
}

/** The command a person runs to apply a saved file. */
export function applyCommand(file: string, target: ClusterTarget = {}): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ['kubectl', ...globalFlags(target).map(quote), 'apply', '-f', quote(file)].join(' ');
}

/** `kubectl apply -f -` with the manifests on stdin; answers what kubectl printed. */
export async function applyManifests(yaml: string, options: KubectlOptions = {}): Promise<Result<{ output: string; context: string }>> {
  const status = await kubectlStatus(options);
  if (!status.available) {
    return fail('kubectl-unavailable', `Cannot apply: ${status.reason}`, `Save the manifest and run \`${applyCommand('<file>', options)}\` where kubectl can reach the cluster.`);
  }
  const applied = await run(status.path, [...globalFlags({ ...options, context: status.context }), 'apply', '-f', '-'], yaml, options.env ?? process.env, 120_000);
  if (applied.error) return fail('kubectl-failed', `kubectl could not run: ${applied.error.message}.`, 'Check the kubectl installation.');
  if (applied.timedOut) return fail('kubectl-failed', `kubectl apply did not finish in 120 s (context ${status.context}), so it was stopped, with what it started.`, `Check that the cluster answers (\`kubectl cluster-info\`) and that kubectl's credentials plugin does not wait for input, then apply again.`);
  if (applied.code !== 0) {
    const said = (applied.stderr || applied.stdout).trim();
    const hint = /no matches for kind "WorkloadDeployment"|resource mapping not found/i.test(said)
      ? `The cluster of context ${status.context} does not have wasmCloud's runtime operator (its CRDs are not installed); install it first (docs/deploy.md says how).`
      : /Unauthorized|forbidden/i.test(said)
        ? `Your account in context ${status.context} may not create these objects; ask for access to the namespace.`
        : /connection refused|no such host|i\/o timeout|Unable to connect/i.test(said)
          ? `The cluster of context ${status.context} cannot be reached; check that it runs and that kubectl reaches it (\`kubectl cluster-info\`).`
          : 'kubectl said why above; fix the manifest or the cluster and apply again.';
    return fail('kubectl-failed', `kubectl apply failed (context ${status.context}): ${said.slice(0, 2000)}`, hint);
  }
  return ok({ output: applied.stdout.trim(), context: status.context });
}

function firstLine(text: string | undefined): string {
  return (text ?? '').trim().split('\n')[0] ?? '';
}
