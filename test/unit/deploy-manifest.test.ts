// Checking manifests people edit (the Deploy view's editor, a file on disk): the vendored
// CRD's schema with unknown fields refused, the CRD's CEL rules in code (and a check that the
// vendored CRD carries no rule the code does not know), Kubernetes names, and the line each
// problem is on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHostInterfaceRules, IMPLEMENTED_RULE_MESSAGES } from '../../runtime/deploy/host-interface-rules.ts';
import { loadWorkloadDeploymentSchema, validateManifest } from '../../runtime/deploy/manifest-validator.ts';
import { kubernetesName, parseInterfaceName } from '../../runtime/deploy/workload-deployment.ts';

const VALID = `apiVersion: runtime.wasmcloud.dev/v1alpha1
kind: WorkloadDeployment
metadata:
  name: hello
spec:
  replicas: 2
  template:
    spec:
      hostInterfaces:
        - namespace: wasi
          package: http
          interfaces: [incoming-handler]
          config:
            host: hello.example.com
      components:
        - name: hello
          image: ghcr.io/you/hello:1.0
`;

const problemsOf = (yaml: string) => validateManifest(yaml).problems;

describe('the vendored WorkloadDeployment CRD', () => {
  it('carries only CEL rules the studio implements', () => {
    const { ruleMessages } = loadWorkloadDeploymentSchema();
    assert.ok(ruleMessages.length > 0);
    assert.deepEqual(ruleMessages.filter((m) => !IMPLEMENTED_RULE_MESSAGES.includes(m)), []);
  });
});

describe('manifest checks', () => {
  it('passes a valid WorkloadDeployment', () => {
    assert.deepEqual(validateManifest(VALID), { problems: [], objects: ['WorkloadDeployment/hello'] });
  });

  it('refuses an unknown field at its line, as kubectl apply\'s strict validation does', () => {
    const [problem, ...rest] = problemsOf(VALID.replace('  replicas: 2', '  replicas: 2\n  replica: 3'));
    assert.deepEqual(rest, []);
    assert.deepEqual({ path: problem!.path, line: problem!.line, column: problem!.column }, { path: 'spec.replica', line: 7, column: 3 });
    assert.match(problem!.message, /spec\.replica is not a field of a WorkloadDeployment/);
  });

  it('names a wrong type, a missing required field and a value out of range', () => {
    const yaml = VALID.replace('replicas: 2', 'replicas: two').replace('          image: ghcr.io/you/hello:1.0\n', '').replace('interfaces: [incoming-handler]', 'interfaces: []');
    const messages = problemsOf(yaml).map((p) => `${p.line}: ${p.message}`);
    assert.deepEqual(messages.sort(), [
      '12: spec.template.spec.hostInterfaces[0].interfaces must NOT have fewer than 1 items.',
      '16: spec.template.spec.components[0].image is required.',
      '6: spec.replicas must be integer.',
    ]);
  });

  it('checks the CEL rules: no duplicate entries, at most one unnamed entry per package', () => {
    const entries = (...list: string[]) => VALID.replace(/ {6}hostInterfaces:\n[\s\S]*? {6}components:/, `      hostInterfaces:\n${list.map((e) => `        - ${e}\n`).join('')}      components:`);
    const named = problemsOf(entries('{namespace: wasi, package: keyvalue, name: cache, interfaces: [store]}', '{namespace: wasi, package: keyvalue, name: sessions, interfaces: [store]}', '{namespace: wasi, package: keyvalue, interfaces: [store]}'));
    assert.deepEqual(named, [], 'named entries may share a package');
    const twoUnnamed = problemsOf(entries('{namespace: wasi, package: keyvalue, interfaces: [store]}', '{namespace: wasi, package: keyvalue, version: 0.2.0-draft, interfaces: [atomics]}'));
    assert.deepEqual(twoUnnamed.map((p) => [p.path, p.line]), [['spec.template.spec.hostInterfaces[1]', 11]]);
    assert.match(twoUnnamed[0]!.message, /at most one unnamed hostInterface is allowed per namespace:package/);
    const duplicate = problemsOf(entries('{namespace: wasi, package: blobstore, name: a, interfaces: [blobstore]}', '{namespace: wasi, package: blobstore, name: a, interfaces: [types]}'));
    assert.deepEqual(duplicate.map((p) => p.path), ['spec.template.spec.hostInterfaces[1]']);
    assert.match(duplicate[0]!.message, /must not contain duplicate entries.*entries 0 and 1 are both wasi:blobstore named a/);
  });

  it('finds a volume mount naming no volume, and names that are not Kubernetes names', () => {
    const yaml = VALID.replace('name: hello\nspec', 'name: Hello_World\nspec').replace('          image: ghcr.io/you/hello:1.0\n', '          image: ghcr.io/you/hello:1.0\n          localResources:\n            volumeMounts:\n              - { name: data, mountPath: /data }\n');
    assert.deepEqual(problemsOf(yaml).map((p) => p.path), ['metadata.name', 'spec.template.spec.components[0].localResources.volumeMounts[0].name']);
  });

  it('reports YAML syntax errors with their position, and checks a Service\'s ports', () => {
    const broken = problemsOf('apiVersion: v1\nkind: Service\nmetadata: {name: x\n');
    assert.equal(broken.length > 0, true);
    assert.match(broken[0]!.message, /^YAML: /);
    assert.ok(broken[0]!.line! >= 3);
    const service = problemsOf('apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports:\n    - {name: http, port: 70000}\n---\n' + VALID);
    assert.deepEqual(service.map((p) => [p.document, p.path]), [[0, 'spec.ports[0].port']]);
  });

  it('says which kinds it does not check, and when the text is empty', () => {
    assert.deepEqual(problemsOf('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n').map((p) => p.severity), ['warning']);
    assert.deepEqual(problemsOf('# nothing\n').map((p) => p.message), ['The manifest is empty.']);
  });
});

describe('the CEL rules in code', () => {
  it('compares missing names and versions as empty, as the CEL has(x) ? x : \'\' does', () => {
    assert.deepEqual(checkHostInterfaceRules([{ namespace: 'wasi', package: 'config', name: '' }, { namespace: 'wasi', package: 'config' }]).map((v) => v.index), [1]);
    assert.deepEqual(checkHostInterfaceRules([{ namespace: 'wasi', package: 'config' }, { namespace: 'wasi', package: 'logging' }]), []);
  });
});

describe('names', () => {
  it('makes Kubernetes names of project names', () => {
    assert.equal(kubernetesName('Shop_API'), 'shop-api');
    assert.equal(kubernetesName('2048-game'), 'app-2048-game');
    assert.equal(kubernetesName('---'), 'app');
    assert.equal(kubernetesName('x'.repeat(80)).length, 63);
  });

  it('reads interface names with and without versions, and not function names', () => {
    assert.deepEqual(parseInterfaceName('wasi:keyvalue/store@0.2.0-draft'), { namespace: 'wasi', package: 'keyvalue', iface: 'store', version: '0.2.0-draft' });
    assert.deepEqual(parseInterfaceName('acme:chain/receiver'), { namespace: 'acme', package: 'chain', iface: 'receiver', version: undefined });
    assert.equal(parseInterfaceName('add'), undefined);
  });
});
