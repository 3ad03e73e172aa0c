// Applying with the user's kubectl: a stand-in kubectl on PATH records what it is asked, so the
// contexts, the flags and the manifest on stdin are checked without a cluster.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { applyCommand, applyManifests, kubectlStatus } from '../../runtime/deploy/kubectl.ts';

describe('kubectl apply', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cs-kubectl-'));
    // Knows two contexts, "kind-dev" being current; `apply -f -` keeps its stdin and arguments.
    await writeFile(
      join(dir, 'kubectl'),
      `#!/bin/sh
case "$*" in
  *"config current-context"*) echo kind-dev ;;
  *"config get-contexts -o name"*) printf 'kind-dev\\nprod\\n' ;;
  *"apply -f -"*) echo "$*" > "${dir}/args"; cat > "${dir}/stdin"; echo "workloaddeployment.runtime.wasmcloud.dev/hello created" ;;
  *) echo "unexpected: $*" >&2; exit 1 ;;
esac
`,
    );
    await chmod(join(dir, 'kubectl'), 0o755);
    // First on PATH, ahead of any real kubectl; the rest of PATH keeps cat for the script.
    env = { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}` };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('applies to the current context with the manifest on stdin', async () => {
    assert.deepEqual(await kubectlStatus({ env }), { available: true, path: join(dir, 'kubectl'), context: 'kind-dev' });
    const applied = await applyManifests('kind: WorkloadDeployment\n', { env });
    assert.deepEqual(applied, { ok: true, value: { output: 'workloaddeployment.runtime.wasmcloud.dev/hello created', context: 'kind-dev' } });
    assert.equal(await readFile(join(dir, 'stdin'), 'utf8'), 'kind: WorkloadDeployment\n');
    assert.equal((await readFile(join(dir, 'args'), 'utf8')).trim(), '--context kind-dev apply -f -');
  });

  it('passes --kubeconfig and --context through, and refuses a context kubectl does not have', async () => {
    const applied = await applyManifests('kind: Service\n', { env, kubeconfig: '/tmp/other config', context: 'prod' });
    assert.ok(applied.ok);
    assert.equal((await readFile(join(dir, 'args'), 'utf8')).trim(), '--kubeconfig /tmp/other config --context prod apply -f -');
    const missing = await applyManifests('kind: Service\n', { env, context: 'staging' });
    assert.ok(!missing.ok);
    assert.equal(missing.error.code, 'kubectl-unavailable');
    assert.match(missing.error.message, /kubectl has no context named "staging"/);
    assert.equal(applyCommand('app.yaml', { kubeconfig: '/tmp/other config', context: 'prod' }), "kubectl --kubeconfig '/tmp/other config' --context prod apply -f app.yaml");
  });

  it('says kubectl is missing when it is not on PATH', async () => {
    assert.deepEqual(await kubectlStatus({ env: { ...process.env, PATH: join(dir, 'nowhere') } }), { available: false, reason: 'kubectl is not installed (or not on PATH).' });
  });
});
