// The WorkloadDeployment the studio generates for real projects with real components, checked
// against wasmCloud's vendored CRD: the QR example as it ships (pushed to a real registry and
// deployed with --dry-run from the command line), a project using keyvalue, blobstore and
// config, a project with a service and volumes, and configs that the cluster would refuse,
// whose errors name the field and the config key.
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { formatImageReference, parseImageReference, type ImageReference } from '../../runtime/deploy/image-reference.ts';
import { validateManifest } from '../../runtime/deploy/manifest-validator.ts';
import { sourceOfFile, sourceOfProject, workloadArtifacts } from '../../runtime/deploy/workload-artifacts.ts';
import { prepareManifest, type PreparedManifest } from '../../runtime/deploy/workload-deploy.ts';
import { generateManifest, type DeployOptions } from '../../runtime/deploy/workload-deployment.ts';
import type { WitWorld } from '../../runtime/components/wit-world.ts';
import { loadProject } from '../../runtime/project/project-config.ts';
import { watFixture } from '../fixtures/fixtures.ts';
import { buildJsFixture, buildQrExample, buildWorkloadPart } from '../fixtures/js/build.ts';
import { runCli } from '../helpers/cli-run.ts';
import { startRegistry, type TestRegistry } from '../helpers/registry.ts';
import { repoRoot, testCacheDir } from '../helpers/studio-process.ts';

let scratch: string;
let userConfigDir: string;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'cs-deploy-'));
  userConfigDir = join(scratch, 'user-wash-config');
  await mkdir(userConfigDir);
});
after(() => rm(scratch, { recursive: true, force: true }));

function image(text: string): ImageReference {
  const parsed = parseImageReference(text);
  assert.ok(parsed.ok);
  return parsed.value;
}

/** A project folder with this config and these component files (name → built .wasm). */
async function project(name: string, config: string, files: Record<string, string>): Promise<string> {
  const root = join(scratch, name);
  await mkdir(join(root, '.wash'), { recursive: true });
  await writeFile(join(root, '.wash', 'config.yaml'), config);
  for (const [file, from] of Object.entries(files)) {
    await mkdir(join(root, file, '..'), { recursive: true });
    await copyFile(from, join(root, file));
  }
  return root;
}

async function manifestOf(root: string, ref: string, options: DeployOptions = {}): Promise<PreparedManifest> {
  // The environment and user config are the test's: a developer's own wash config must not join in.
  const loaded = await loadProject(root, { env: {}, userConfigDir });
  assert.ok(loaded.ok, JSON.stringify(loaded));
  return prepareManifest(sourceOfProject(loaded.value), image(ref), options);
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function documents(yaml: string): Obj[] {
  return YAML.parseAllDocuments(yaml).map((d) => d.toJS() as Obj);
}

function workloadOf(prepared: PreparedManifest): Obj {
  const deployment = documents(prepared.manifest.yaml).find((d) => d.kind === 'WorkloadDeployment');
  assert.ok(deployment);
  return deployment;
}

const errors = (prepared: PreparedManifest) => prepared.check.problems.filter((p) => p.severity === 'error');

describe('the QR example, as it ships', () => {
  let registry: TestRegistry;
  let copy: string;
  before(async () => {
    registry = await startRegistry();
    copy = join(scratch, 'qrcode');
    await cp(join(repoRoot, 'assets', 'examples', 'qrcode'), copy, { recursive: true, filter: (src) => !/[\\/](dist|node_modules|\.wash[\\/](data|build))$/.test(src) });
  });
  after(() => registry.stop());

  it('generates a valid WorkloadDeployment and Service from its config and its component', async () => {
    await mkdir(join(copy, 'dist'), { recursive: true });
    await copyFile(await buildQrExample(), join(copy, 'dist', 'qrcode.wasm'));
    const prepared = await manifestOf(copy, 'ghcr.io/you/qrcode:1.0');
    assert.deepEqual(errors(prepared), []);
    assert.deepEqual(prepared.check.objects, ['Service/qrcode', 'WorkloadDeployment/qrcode']);
    const deployment = workloadOf(prepared);
    assert.equal(deployment.apiVersion, 'runtime.wasmcloud.dev/v1alpha1');
    assert.equal(deployment.spec.replicas, 1);
    assert.deepEqual(deployment.spec.kubernetes, { service: { name: 'qrcode' } });
    const spec = deployment.spec.template.spec;
    assert.deepEqual(spec.components, [{ name: 'qrcode', image: 'ghcr.io/you/qrcode:1.0' }]);
    const byPackage: Record<string, Obj> = Object.fromEntries((spec.hostInterfaces as Obj[]).map((e) => [`${e.namespace}:${e.package}`, e]));
    assert.deepEqual(byPackage['wasi:http'], { namespace: 'wasi', package: 'http', interfaces: ['incoming-handler', 'outgoing-handler'], config: { host: 'qrcode.localhost' } });
    assert.deepEqual(byPackage['wasi:keyvalue']!.interfaces, ['atomics', 'store']);
    assert.equal(byPackage['wasi:keyvalue']!.version, '0.2.0-draft');
    assert.deepEqual(byPackage['wasi:blobstore']!.interfaces, ['blobstore', 'container', 'types']);
    const service = documents(prepared.manifest.yaml).find((d) => d.kind === 'Service')!;
    assert.deepEqual(service.spec.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
  });

  it('pushes and deploys with --dry-run from the command line, with no edits, pinned to the digest pushed', async () => {
    const run = await runCli(['deploy', copy, '--image', `${registry.host}/examples/qrcode:0.1.0`, '--push', '--insecure', '--dry-run', '--host', 'qr.example.com'], {
      env: { COMPONENT_STUDIO_CACHE: testCacheDir, DOCKER_CONFIG: join(scratch, 'no-docker-config') },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /invalid/);
    const digest = /✓ qrcode → .*\n {2}digest (sha256:[a-f0-9]{64})/.exec(run.stderr + run.stdout)?.[1];
    assert.ok(digest, run.stdout);
    // stdout is the YAML alone (the push report aside), valid as it stands.
    const yaml = run.stdout.slice(run.stdout.indexOf('# wasmCloud deployment'));
    assert.deepEqual(validateManifest(yaml).problems, []);
    const deployment = documents(yaml).find((d) => d.kind === 'WorkloadDeployment')!;
    assert.equal(deployment.spec.template.spec.components[0].image, `${registry.host}/examples/qrcode:0.1.0@${digest}`);
    const http = deployment.spec.template.spec.hostInterfaces.find((e: Obj) => e.package === 'http');
    assert.equal(http.config.host, 'qr.example.com');
  });
});

describe('a project with keyvalue, blobstore and config', () => {
  let root: string;
  before(async () => {
    const [store, probe] = await Promise.all([buildJsFixture('store-probe'), buildJsFixture('host-probe')]);
    root = await project(
      'Shop_API',
      `build:
  component_path: build/shop.wasm
dev:
  components:
    - name: settings-probe
      file: build/probe.wasm
  host_interfaces:
    - namespace: wasi
      package: keyvalue
      version: 0.2.0-draft
      interfaces: [store]
      config:
        bucket: carts
    - namespace: wasi
      package: blobstore
      version: 0.2.0-draft
      config:
        buckets: receipts
    - namespace: wasi
      package: config
      version: 0.2.0-rc.1
      interfaces: [store]
      config:
        greeting: hello
        max_items: 10
        debug: true
        durable: "yes"
        compress: "off"
        ttl: "1_000"
`,
      { 'build/shop.wasm': store, 'build/probe.wasm': probe },
    );
  });

  it('lists each host interface once per package, with the config\'s values as strings and what the components use', async () => {
    const prepared = await manifestOf(root, 'registry.example.com/team/shop:2.1', { replicas: 3 });
    assert.deepEqual(errors(prepared), []);
    const deployment = workloadOf(prepared);
    assert.equal(deployment.metadata.name, 'shop-api');
    assert.equal(deployment.spec.replicas, 3);
    const spec = deployment.spec.template.spec;
    assert.deepEqual(spec.components, [
      { name: 'Shop_API', image: 'registry.example.com/team/shop:2.1' },
      { name: 'settings-probe', image: 'registry.example.com/team/shop-settings-probe:2.1' },
    ]);
    const [keyvalue, blobstore, config, ...others] = spec.hostInterfaces;
    assert.deepEqual(keyvalue, { namespace: 'wasi', package: 'keyvalue', version: '0.2.0-draft', interfaces: ['atomics', 'batch', 'store'], config: { bucket: 'carts' } });
    assert.deepEqual(blobstore, { namespace: 'wasi', package: 'blobstore', version: '0.2.0-draft', interfaces: ['blobstore', 'container', 'types'], config: { buckets: 'receipts' } });
    assert.deepEqual(config, { namespace: 'wasi', package: 'config', version: '0.2.0-rc.1', interfaces: ['store'], config: { greeting: 'hello', max_items: '10', debug: 'true', durable: 'yes', compress: 'off', ttl: '1_000' } });
    assert.deepEqual(others.map((e: Obj) => `${e.namespace}:${e.package}`).sort(), ['wasi:http', 'wasi:logging']);
    // The YAML keeps the strings strings, so a cluster does not read 10 as a number, nor
    // (kubectl reading YAML 1.1) yes, off or 1_000 as a boolean or a number.
    assert.match(prepared.manifest.yaml, /max_items: "10"/);
    for (const line of ['durable: "yes"', 'compress: "off"', 'ttl: "1_000"']) assert.ok(prepared.manifest.yaml.includes(line), line);
    assert.doesNotMatch(prepared.manifest.yaml, /[&*]a\d/, 'no anchors or aliases');
    assert.ok(prepared.manifest.notes.some((n) => /wasi:keyvalue and wasi:blobstore are backed by what the wasmCloud hosts are configured with/.test(n)));
  });
});

describe('host interfaces the workload answers itself', () => {
  it('leaves out what a component exports and what another component imports from it', async () => {
    const root = await project('linked-blobs', 'build:\n  component_path: build/app.wasm\ndev:\n  components:\n    - name: files\n      file: build/files.wasm\n', {});
    const loaded = await loadProject(root, { env: {}, userConfigDir });
    assert.ok(loaded.ok);
    const source = sourceOfProject(loaded.value);
    const blobstore = ['wasi:blobstore/blobstore@0.2.0-draft', 'wasi:blobstore/container@0.2.0-draft', 'wasi:blobstore/types@0.2.0-draft'];
    // As wash's fixtures: an HTTP component using blobstore, linked to one that provides it.
    const worlds: Record<string, WitWorld> = {
      'linked-blobs': { imports: [...blobstore, 'wasi:keyvalue/store@0.2.0-draft'], exports: ['wasi:http/incoming-handler@0.2.0'], text: '' },
      files: { imports: ['wasi:filesystem/types@0.2.0'], exports: blobstore, text: '' },
    };
    const artifacts = workloadArtifacts(source, image('registry.example.com/team/app:1.0')).map((a) => ({ ...a, world: worlds[a.name], imageText: formatImageReference(a.image) }));
    const manifest = generateManifest(source, artifacts);
    const spec = documents(manifest.yaml).find((d) => d.kind === 'WorkloadDeployment')!.spec.template.spec;
    assert.deepEqual(spec.hostInterfaces.map((e: Obj) => `${e.namespace}:${e.package}`).sort(), ['wasi:http', 'wasi:keyvalue']);
  });

  it('says a workload that serves no HTTP and runs nothing would do nothing', async () => {
    const root = await project('idle', 'build:\n  component_path: build/idle.wasm\n', {});
    const loaded = await loadProject(root, { env: {}, userConfigDir });
    assert.ok(loaded.ok);
    const source = sourceOfProject(loaded.value);
    const artifacts = workloadArtifacts(source, image('registry.example.com/team/idle:1.0')).map((a) => ({ ...a, world: { imports: [], exports: ['wasmcloud:example/plugin@0.1.0'], text: '' }, imageText: formatImageReference(a.image) }));
    assert.ok(generateManifest(source, artifacts).notes.some((n) => /serve no HTTP and run nothing/.test(n)));
  });

  it('names the code dev refuses a workload with when it is a WASI 0.3 component or a wash plugin, not nothing-to-serve', async () => {
    const root = await project('foreign', 'build:\n  component_path: build/foreign.wasm\n', {});
    const loaded = await loadProject(root, { env: {}, userConfigDir });
    assert.ok(loaded.ok);
    const source = sourceOfProject(loaded.value);
    const manifestFor = (world: Omit<WitWorld, 'text'>) => {
      const artifacts = workloadArtifacts(source, image('registry.example.com/team/foreign:1.0')).map((a) => ({ ...a, world: { ...world, text: '' }, imageText: formatImageReference(a.image) }));
      return generateManifest(source, artifacts);
    };
    const noteFor = (world: Omit<WitWorld, 'text'>) => manifestFor(world).notes.find((n) => /serve no HTTP and run nothing/.test(n));
    assert.match(noteFor({ imports: ['wasi:cli/environment@0.3.0'], exports: ['example:lib/api@0.1.0'] }) ?? '', /`component-studio dev` refuses it as a WASI 0\.3 component \(wasi-p3\)\.$/);
    assert.match(noteFor({ imports: ['wasmcloud:wash/types@0.0.1'], exports: ['wasmcloud:wash/plugin@0.0.1'] }) ?? '', /`component-studio dev` refuses it as a wash plugin \(wash-plugin\)\.$/);
    assert.match(noteFor({ imports: [], exports: ['add'] }) ?? '', /refuses it for the same reason \(nothing-to-serve\)\.$/);
  });

  it('routes HTTP to a WASI 0.3 component\'s wasi:http/handler, which a wasmCloud host serves, and says dev cannot try it', async () => {
    const root = await project('handler', 'build:\n  component_path: build/handler.wasm\n', {});
    const loaded = await loadProject(root, { env: {}, userConfigDir });
    assert.ok(loaded.ok);
    const source = sourceOfProject(loaded.value);
    const world = { imports: ['wasi:http/types@0.3.0', 'wasi:http/client@0.3.0'], exports: ['wasi:http/handler@0.3.0'], text: '' };
    const artifacts = workloadArtifacts(source, image('registry.example.com/team/handler:1.0')).map((a) => ({ ...a, world, imageText: formatImageReference(a.image) }));
    const manifest = generateManifest(source, artifacts);
    assert.equal(manifest.servesHttp, true);
    assert.ok(documents(manifest.yaml).some((d) => d.kind === 'Service'));
    const spec = documents(manifest.yaml).find((d) => d.kind === 'WorkloadDeployment')!.spec.template.spec;
    assert.deepEqual(spec.hostInterfaces, [{ namespace: 'wasi', package: 'http', interfaces: ['handler'], config: { host: 'handler.localhost' } }]);
    assert.ok(!manifest.notes.some((n) => /serve no HTTP/.test(n)));
    assert.ok(manifest.notes.some((n) => /is a WASI 0\.3 component: a wasmCloud host serves its HTTP, but `component-studio dev` cannot run it yet \(wasi-p3\)/.test(n)));
    assert.ok(manifest.notes.some((n) => /imports wasi:http\/client, so it may make outgoing HTTP requests/.test(n)));
  });

  it('refuses to deploy a project that is not built: its manifest would lack the host interfaces', async () => {
    const root = await project('unbuilt', 'build:\n  component_path: build/unbuilt.wasm\n', {});
    const run = await runCli(['deploy', root, '--image', 'registry.example.com/team/unbuilt:1.0', '--dry-run']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /unbuilt is not built: there is no .*unbuilt\.wasm[^]*--push/);
    assert.equal(run.stdout, '', 'no manifest was printed');
  });
});

describe('a project with a service and volumes', () => {
  let hello: string;
  let ticking: string;
  before(async () => {
    [hello, ticking] = await Promise.all([watFixture('hello'), buildWorkloadPart('ticking-service')]);
  });

  it('deploys dev.service_file as the workload\'s service, with every volume mounted in it and in the component', async () => {
    const root = await project(
      'ticker',
      `build:
  component_path: app.wasm
dev:
  service_file: service.wasm
  volumes:
    - host_path: data
      guest_path: /data
    - host_path: /srv/shared-assets
      guest_path: /assets
`,
      { 'app.wasm': hello, 'service.wasm': ticking },
    );
    const prepared = await manifestOf(root, 'localhost:5000/ticker:dev');
    assert.deepEqual(errors(prepared), []);
    const spec = workloadOf(prepared).spec.template.spec;
    const mounts = { volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'assets', mountPath: '/assets' }] };
    assert.deepEqual(spec.components, [{ name: 'ticker', image: 'localhost:5000/ticker:dev', localResources: mounts }]);
    assert.deepEqual(spec.service, { image: 'localhost:5000/ticker-service:dev', localResources: mounts });
    assert.deepEqual(spec.volumes, [
      { name: 'data', hostPath: { path: '/var/lib/wasmcloud/volumes/ticker/data' } },
      { name: 'assets', hostPath: { path: '/srv/shared-assets' } },
    ]);
    assert.ok(prepared.manifest.notes.some((n) => n.startsWith('dev.volumes[0] (data → /data) is a folder of your project; on the cluster it is the host path /var/lib/wasmcloud/volumes/ticker/data')));
  });

  it('deploys a dev.service project as a service alone, with no Service object when nothing serves HTTP', async () => {
    const root = await project('daemon', 'build:\n  component_path: daemon.wasm\ndev:\n  service: true\n  volumes:\n    - host_path: state\n      guest_path: /state\n', { 'daemon.wasm': ticking });
    const prepared = await manifestOf(root, 'ghcr.io/you/daemon:1');
    assert.deepEqual(errors(prepared), []);
    const docs = documents(prepared.manifest.yaml);
    assert.deepEqual(docs.map((d) => d.kind as string), ['WorkloadDeployment']);
    const spec = docs[0]!.spec.template.spec;
    assert.equal(spec.components, undefined);
    assert.deepEqual(spec.service, { image: 'ghcr.io/you/daemon:1', localResources: { volumeMounts: [{ name: 'state', mountPath: '/state' }] } });
    assert.equal(docs[0]!.spec.kubernetes, undefined);
  });
});

describe('a .wasm file deployed as it is', () => {
  it('deploys one that exports wasi:cli/run and no HTTP handler as the workload\'s service, as the dev session runs it', async () => {
    const prepared = await prepareManifest(sourceOfFile(await watFixture('cli-service')), image('ghcr.io/you/worker:1'), {});
    assert.deepEqual(errors(prepared), []);
    assert.deepEqual(prepared.artifacts.map((a) => a.role), ['service']);
    const docs = documents(prepared.manifest.yaml);
    assert.deepEqual(docs.map((d) => d.kind as string), ['WorkloadDeployment']);
    const spec = docs[0]!.spec.template.spec;
    assert.equal(spec.components, undefined);
    assert.deepEqual(spec.service, { image: 'ghcr.io/you/worker:1' });
  });

  it('deploys an HTTP component as a component, with its Service object', async () => {
    const prepared = await prepareManifest(sourceOfFile(await watFixture('hello')), image('ghcr.io/you/hello:1'), {});
    assert.deepEqual(errors(prepared), []);
    assert.deepEqual(prepared.artifacts.map((a) => a.role), ['component']);
    const docs = documents(prepared.manifest.yaml);
    assert.deepEqual(docs.map((d) => d.kind as string), ['Service', 'WorkloadDeployment']);
    assert.equal(docs[1]!.spec.template.spec.service, undefined);
  });

  it('says a registry on this machine is one the cluster cannot pull from', async () => {
    const local = await prepareManifest(sourceOfFile(await watFixture('hello')), image('127.0.0.1:5000/hello:1'), {});
    assert.ok(local.manifest.notes.some((n) => /127\.0\.0\.1:5000 is a registry on this machine: the cluster's nodes cannot pull from it/.test(n)), local.manifest.notes.join('\n'));
    const remote = await prepareManifest(sourceOfFile(await watFixture('hello')), image('ghcr.io/you/hello:1'), {});
    assert.ok(!remote.manifest.notes.some((n) => /registry on this machine/.test(n)));
  });

  it('refuses --insecure for a registry on another machine before building anything', async () => {
    const root = await project('insecure-remote', 'build:\n  command: exit 3\n  component_path: app.wasm\n', {});
    const run = await runCli(['push', 'example.com/app:1.0', root, '--insecure']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /--insecure \(plain HTTP\) is only for a registry on this machine, not example\.com/);
    assert.doesNotMatch(run.stderr, /building|exit code 3/);
  });

  it('refuses two components that would be pushed to the same image, naming both', async () => {
    const hello = await watFixture('hello');
    const root = await project('clash', 'build:\n  component_path: app.wasm\ndev:\n  components:\n    - name: my_api\n      file: a.wasm\n    - name: My-API\n      file: b.wasm\n', { 'app.wasm': hello, 'a.wasm': hello, 'b.wasm': hello });
    const prepared = await manifestOf(root, 'registry.example.com/team/clash:1.0');
    assert.equal(prepared.refused?.code, 'deploy-image-clash');
    assert.match(prepared.refused?.message ?? '', /dev\.components\[0\] \(my_api\) and dev\.components\[1\] \(My-API\) would both be pushed as registry\.example\.com\/team\/clash-my-api:1\.0/);
  });

  it('refuses a --replicas that is not a whole number, an empty one included (it is not 0)', async () => {
    for (const value of ['', '1e3', '0x10', '+4', '-1', '10001']) {
      const run = await runCli(['deploy', await watFixture('hello'), '--image', 'ghcr.io/you/hello:1', '--dry-run', `--replicas=${value}`]);
      assert.equal(run.code, 2, `${value}: ${run.stderr}`);
      assert.match(run.stderr, /--replicas must be a whole number from 0 to 10000/, value);
    }
  });

  it('refuses options of the push without --push, which would be dropped without a word', async () => {
    const run = await runCli(['deploy', await watFixture('hello'), '--image', 'ghcr.io/you/hello:1', '--dry-run', '--insecure', '--annotation', 'x=y']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--insecure, --annotation are options of the push: add --push, or leave them out/);
  });

  it('refuses a --host that is no DNS name before anything is built or written', async () => {
    const run = await runCli(['deploy', await watFixture('hello'), '--image', 'ghcr.io/you/hello:1', '--dry-run', '--host', 'bad host']);
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /--host must be a DNS name such as qr\.example\.com, not "bad host"/);
  });

  it('refuses a core module, which is no component to push or deploy', async () => {
    const core = join(scratch, 'core.wasm');
    await writeFile(core, Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
    const run = await runCli(['deploy', core, '--image', 'ghcr.io/you/core:1', '--dry-run']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /core\.wasm is a core WebAssembly module, not a component/);
  });

  it('prints the manifest but fails when kubectl cannot apply it, so a script does not take it for deployed', async () => {
    const run = await runCli(['deploy', await watFixture('hello'), '--image', 'ghcr.io/you/hello:1', '--kubeconfig', join(tmpdir(), 'no-such-kubeconfig')]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /kind: WorkloadDeployment/);
    assert.match(run.stderr, /Not applied: /);
    assert.match(run.stderr, /Save the manifest printed above \(or run deploy again with --output .*\.yaml\) and apply it where kubectl reaches the cluster: kubectl --kubeconfig .* apply -f/);
  });
});

describe('a config the cluster would refuse', () => {
  let hello: string;
  before(async () => {
    hello = await watFixture('hello');
  });

  it('names the field and the config key of an entry without interfaces that nothing uses', async () => {
    const root = await project('no-interfaces', 'build:\n  component_path: app.wasm\ndev:\n  host_interfaces:\n    - namespace: wasi\n      package: webgpu\n', { 'app.wasm': hello });
    const prepared = await manifestOf(root, 'ghcr.io/you/app:1');
    const [problem, ...rest] = errors(prepared);
    assert.deepEqual(rest, []);
    assert.equal(problem!.path, 'spec.template.spec.hostInterfaces[0].interfaces');
    assert.equal(problem!.configKey, 'dev.host_interfaces[0]');
    assert.equal(problem!.message, 'spec.template.spec.hostInterfaces[0].interfaces must NOT have fewer than 1 items.');
    assert.ok(problem!.line! > 1);
  });

  it('names both entries when two unnamed entries share a package (the CRD\'s CEL rule)', async () => {
    const root = await project(
      'two-stores',
      'build:\n  component_path: app.wasm\ndev:\n  host_interfaces:\n    - { namespace: wasi, package: keyvalue, interfaces: [store], config: { bucket: a } }\n    - { namespace: wasi, package: keyvalue, interfaces: [store], version: 0.2.0-draft, config: { bucket: b } }\n',
      { 'app.wasm': hello },
    );
    const prepared = await manifestOf(root, 'ghcr.io/you/app:1');
    const [problem, ...rest] = errors(prepared);
    assert.deepEqual(rest, []);
    assert.equal(problem!.path, 'spec.template.spec.hostInterfaces[1]');
    assert.equal(problem!.configKey, 'dev.host_interfaces[1]');
    assert.match(problem!.message, /at most one unnamed hostInterface is allowed per namespace:package.*\(entries 0 and 1 are both wasi:keyvalue without a name\)/);
  });

  it('stops `deploy` before anything is applied, naming the field and the key', async () => {
    const root = await project('too-long', `build:\n  component_path: app.wasm\ndev:\n  host_interfaces:\n    - namespace: wasi\n      package: keyvalue\n      interfaces: [store]\n      version: "${'9'.repeat(70)}"\n`, { 'app.wasm': hello });
    const run = await runCli(['deploy', root, '--image', 'ghcr.io/you/app:1', '--dry-run']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /invalid line \d+: spec\.template\.spec\.hostInterfaces\[0\]\.version must NOT have more than 64 characters\. \(generated from dev\.host_interfaces\[0\] in the config\)/);
    assert.match(run.stderr, /error The generated manifest breaks 1 rule of wasmCloud's WorkloadDeployment schema/);
  });
});
