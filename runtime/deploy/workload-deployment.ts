// Generates the Kubernetes manifests that run a project on a wasmCloud v2 cluster: a
// `WorkloadDeployment` (runtime.wasmcloud.dev/v1alpha1) built the way `wash dev` builds its
// workload from the same config (wash rc.6, create_workload), and a `Service` when the
// workload serves HTTP. From the config: `dev.host_interfaces` (with their config values),
// `dev.components`, `dev.service`/`dev.service_file`, `dev.volumes`. From the components'
// WIT worlds: the host interfaces they import or export (keyvalue, blobstore, config, logging,
// http, messaging), grouped into one entry per package as the CRD's rules require. Writes
// YAML a user can commit, with notes on what the cluster needs that the config cannot say.
// Validation is manifest-validator.ts's; this module only builds.
import YAML from 'yaml';
import type { WitWorld } from '../components/wit-world.ts';
import type { HostInterfaceConfig } from '../project/config-schema.ts';
import type { DeploySource, WorkloadArtifact } from './workload-artifacts.ts';
import { notAWorkload } from '../workloads/composition.ts';
import { isLoopbackRegistry } from './image-reference.ts';

export const WORKLOAD_API_VERSION = 'runtime.wasmcloud.dev/v1alpha1';

export interface DeployOptions {
  /** metadata.name of everything generated; the project's name made a Kubernetes name by default. */
  name?: string;
  namespace?: string;
  /** Default 1. */
  replicas?: number;
  /** The host name the wasmCloud HTTP gateway routes to this workload; `<name>.localhost` by default. */
  host?: string;
}

/** An artifact with what is known about it: its world once read, the image text the manifest uses. */
export interface DeployedArtifact extends WorkloadArtifact {
  world: WitWorld | undefined;
  /** `ghcr.io/you/app:1.0`, or pinned `…@sha256:…` after a push. */
  imageText: string;
}

export interface HostInterfaceEntry {
  namespace: string;
  package: string;
  interfaces: string[];
  version?: string;
  name?: string;
  config?: Record<string, string>;
}

export interface GeneratedManifest {
  name: string;
  /** The YAML documents, in apply order: the Service (when there is one), then the WorkloadDeployment. */
  documents: Record<string, unknown>[];
  yaml: string;
  /** What the user should know or do, in sentences; also written at the top of the YAML. */
  notes: string[];
  /** Paths in the WorkloadDeployment that came from a config key, so errors can name it. */
  origins: { path: string; configKey: string }[];
  /** True when some component exports wasi:http/incoming-handler. */
  servesHttp: boolean;
}

/**
 * The interfaces a wasmCloud host provides to workloads (wash rc.6's plugins; wasi:http is
 * built in). WASI's own packages (io, clocks, random, filesystem, sockets, cli) are always
 * there and are not listed in a WorkloadDeployment.
 */
const HOST_PROVIDED: Record<string, readonly string[]> = {
  // handler: WASI 0.3's incoming HTTP, which wasmCloud's host serves beside 0.2's incoming-handler.
  'wasi:http': ['incoming-handler', 'outgoing-handler', 'handler'],
  'wasi:keyvalue': ['store', 'atomics', 'batch'],
  'wasi:blobstore': ['blobstore', 'container', 'types'],
  'wasi:config': ['store', 'runtime'],
  'wasi:logging': ['logging'],
  'wasmcloud:messaging': ['consumer', 'types', 'handler'],
  'wasi:webgpu': ['webgpu'],
  'wasi:graphics-context': ['graphics-context'],
};
/** The wasi:http exports a wasmCloud host routes requests to (0.2, then 0.3). */
const HTTP_TRIGGERS = ['incoming-handler', 'handler'];
const ALWAYS_THERE = new Set(['wasi:io', 'wasi:clocks', 'wasi:random', 'wasi:filesystem', 'wasi:sockets', 'wasi:cli']);

interface InterfaceName {
  namespace: string;
  package: string;
  iface: string;
  version: string | undefined;
}

/** `wasi:keyvalue/store@0.2.0-draft` → its parts; plain function names give undefined. */
/** Whether `host` can be the HTTP route's host: a DNS name (RFC 1123), as a cluster's gateway matches it. */
export function isRouteHost(host: string): boolean {
  return /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/i.test(host);
}

export function parseInterfaceName(name: string): InterfaceName | undefined {
  const match = /^([a-z0-9-]+):([a-z0-9-]+)\/([a-z0-9-]+)(?:@(.+))?$/.exec(name);
  if (!match) return undefined;
  return { namespace: match[1]!, package: match[2]!, iface: match[3]!, version: match[4] };
}

/** A Kubernetes name (an RFC 1035 label: it also suits a Service) from any project name. */
export function kubernetesName(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  const label = /^[a-z]/.test(cleaned) ? cleaned : `app-${cleaned}`.replace(/-$/, '');
  return label.slice(0, 63).replace(/-+$/, '') || 'app';
}

/** `leadingNotes` come first in the notes (what the caller knows that changes the rest, such as a component not built yet). */
export function generateManifest(source: DeploySource, artifacts: DeployedArtifact[], options: DeployOptions = {}, leadingNotes: string[] = []): GeneratedManifest {
  const name = options.name ?? kubernetesName(source.name);
  const project = source.kind === 'project' ? source.project : undefined;
  const dev = project?.config.dev ?? {};
  const notes: string[] = [...leadingNotes];
  const origins: GeneratedManifest['origins'] = [];
  const templatePath = 'spec.template.spec';

  // Host interfaces: the config's entries first, as written, then what the components use.
  const entries: HostInterfaceEntry[] = (dev.host_interfaces ?? []).map((entry, i) => {
    origins.push({ path: `${templatePath}.hostInterfaces[${i}]`, configKey: `dev.host_interfaces[${i}]` });
    return fromConfig(entry);
  });
  const exportedByWorkload = new Set(artifacts.flatMap((a) => a.world?.exports ?? []));
  const versionsSeen = new Map<string, Set<string>>();
  let servesHttp = false;
  for (const artifact of artifacts) {
    const world = artifact.world;
    if (!world) continue;
    for (const [kind, list] of [['import', world.imports], ['export', world.exports]] as const) {
      for (const full of list) {
        const parsed = parseInterfaceName(full);
        if (!parsed) continue;
        const pkg = `${parsed.namespace}:${parsed.package}`;
        const httpTrigger = pkg === 'wasi:http' && HTTP_TRIGGERS.includes(parsed.iface);
        if (kind === 'export' && httpTrigger) servesHttp = true;
        // The host serves a workload's HTTP export; its other exports are for the workload's own components.
        if (kind === 'export' && !httpTrigger) continue;
        const provided = HOST_PROVIDED[pkg];
        const stripped = full.replace(/@.*$/, '');
        const linked = kind === 'import' && [...exportedByWorkload].some((e) => e.replace(/@.*$/, '') === stripped);
        // Linked inside the workload (dev.components): another component answers it, not the host.
        if (linked) continue;
        if (!provided?.includes(parsed.iface)) {
          if (kind === 'import' && !ALWAYS_THERE.has(pkg) && pkg !== 'wasi:http') {
            notes.push(`${artifact.name} imports ${full}, which no component of this workload exports and a wasmCloud host does not provide: the workload starts only on hosts with a plugin for it.`);
          }
          continue;
        }
        // wash lists wasi:http without a version (the host serves every 0.2.x); the others keep theirs.
        const version = pkg === 'wasi:http' ? undefined : parsed.version;
        if (version) versionsSeen.set(pkg, (versionsSeen.get(pkg) ?? new Set()).add(version));
        const existing = entries.find((e) => e.namespace === parsed.namespace && e.package === parsed.package && !e.name);
        if (existing) {
          if (!existing.interfaces.includes(parsed.iface)) existing.interfaces.push(parsed.iface);
          continue;
        }
        entries.push({ namespace: parsed.namespace, package: parsed.package, interfaces: [parsed.iface], ...(version ? { version } : {}) });
      }
    }
    const outgoing = world.imports.find((i) => i.startsWith('wasi:http/outgoing-handler') || i.startsWith('wasi:http/client@'));
    if (outgoing) {
      notes.push(`${artifact.name} imports ${outgoing.replace(/@.*$/, '')}, so it may make outgoing HTTP requests. A wasmCloud host denies them unless the component's localResources.allowedHosts lists where it may go, e.g. allowedHosts: ["api.example.com"], or ["*"] for anywhere.`);
    }
  }
  const runs = artifacts.some((a) => a.world?.exports.some((e) => e.startsWith('wasi:cli/run')));
  for (const artifact of artifacts) {
    if (artifact.world && notAWorkload(artifact.world) === 'wasi-p3' && servesHttp) {
      notes.push(`${artifact.name} is a WASI 0.3 component: a wasmCloud host serves its HTTP, but \`component-studio dev\` cannot run it yet (wasi-p3), so this workload has not been tried here.`);
    }
  }
  if (!servesHttp && !runs && artifacts.every((a) => a.world)) {
    // dev refuses a wash plugin or a WASI 0.3 component before it looks for what serves.
    const refused = artifacts.map((a) => notAWorkload(a.world!)).find((code) => code !== undefined);
    const why = refused === 'wash-plugin' ? 'as a wash plugin (wash-plugin)' : refused === 'wasi-p3' ? 'as a WASI 0.3 component (wasi-p3)' : 'for the same reason (nothing-to-serve)';
    notes.push(`No component of this workload exports wasi:http/incoming-handler, wasi:http/handler or wasi:cli/run: deployed, it would serve no HTTP and run nothing. \`component-studio dev\` refuses it ${why}.`);
  }
  for (const [pkg, versions] of versionsSeen) {
    if (versions.size > 1) notes.push(`The components use ${pkg} in ${versions.size} versions (${[...versions].join(', ')}); one unnamed entry serves them all only if the host's version is compatible with each.`);
  }
  // Sorted, so that the same project always gives the same YAML (and a clean diff).
  for (const entry of entries) entry.interfaces.sort();

  // The HTTP gateway of a wasmCloud cluster routes by host name and refuses a workload without one.
  const http = entries.find((e) => e.namespace === 'wasi' && e.package === 'http' && e.interfaces.some((i) => HTTP_TRIGGERS.includes(i)));
  if (http) {
    servesHttp = true;
    if (!http.config?.host) {
      const host = options.host ?? `${name}.localhost`;
      http.config = { ...http.config, host };
      if (!options.host) {
        notes.push(`The wasmCloud HTTP gateway routes requests by host name; this workload answers to ${host}. Give it yours with --host (the Host field in the Deploy view), or with config: {host: …} on a wasi:http entry of dev.host_interfaces.`);
      }
    }
  }

  // Volumes: every component and the service see every volume, as under wash dev.
  const volumes: Record<string, unknown>[] = [];
  const mounts: Record<string, unknown>[] = [];
  const usedNames = new Set<string>();
  (dev.volumes ?? []).forEach((volume, i) => {
    let volumeName = kubernetesName(volume.guest_path.split('/').filter(Boolean).pop() ?? `volume-${i}`);
    if (usedNames.has(volumeName)) volumeName = `${volumeName}-${i}`;
    usedNames.add(volumeName);
    const hostPath = volume.host_path.startsWith('/') ? volume.host_path : `/var/lib/wasmcloud/volumes/${name}/${volumeName}`;
    volumes.push({ name: volumeName, hostPath: { path: hostPath } });
    mounts.push({ name: volumeName, mountPath: volume.guest_path });
    origins.push({ path: `${templatePath}.volumes[${i}]`, configKey: `dev.volumes[${i}]` });
    if (hostPath !== volume.host_path) {
      notes.push(`dev.volumes[${i}] (${volume.host_path} → ${volume.guest_path}) is a folder of your project; on the cluster it is the host path ${hostPath}, which must exist on every node that runs wasmCloud hosts (copy what the component needs there). For a scratch folder that lives as long as the workload, use ephemeral: {} instead of hostPath.`);
    }
  });
  const localResources = mounts.length > 0 ? { localResources: { volumeMounts: mounts } } : {};

  const components = artifacts.filter((a) => a.role === 'component');
  const service = artifacts.find((a) => a.role === 'service');
  components.forEach((a, i) => origins.push({ path: `${templatePath}.components[${i}]`, configKey: a.configKey }));
  if (service) origins.push({ path: `${templatePath}.service`, configKey: service.configKey });

  const workloadSpec: Record<string, unknown> = {
    ...(entries.length > 0 ? { hostInterfaces: entries.map(orderedEntry) } : {}),
    ...(components.length > 0 ? { components: components.map((a) => ({ name: a.name, image: a.imageText, ...localResources })) } : {}),
    ...(service ? { service: { image: service.imageText, ...localResources } } : {}),
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  const labels = { 'app.kubernetes.io/name': name };
  const metadata = { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels };
  const deployment = {
    apiVersion: WORKLOAD_API_VERSION,
    kind: 'WorkloadDeployment',
    metadata,
    spec: {
      replicas: options.replicas ?? 1,
      ...(servesHttp ? { kubernetes: { service: { name } } } : {}),
      template: { spec: workloadSpec },
    },
  };
  const documents: Record<string, unknown>[] = [];
  if (servesHttp) {
    // No selector: the runtime operator keeps the Service's EndpointSlice pointed at the host
    // pods running the workload, on their HTTP port (named "http").
    documents.push({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  }
  documents.push(deployment);

  if (entries.some((e) => (e.namespace === 'wasi' && (e.package === 'keyvalue' || e.package === 'blobstore')))) {
    notes.push('On the cluster, wasi:keyvalue and wasi:blobstore are backed by what the wasmCloud hosts are configured with; the data in your project\'s data folders is not copied there.');
  }
  const local = artifacts.find((a) => isLoopbackRegistry(a.image.registry));
  if (local) {
    notes.push(`${local.image.registry} is a registry on this machine: the cluster's nodes cannot pull from it (their own loopback is another machine's), and they pull over HTTPS. Push to a registry the cluster reaches, or give the cluster a registry address of its own.`);
  }
  if (dev.command?.trim() && dev.command !== project?.config.build?.command) {
    notes.push('dev.command is set: `component-studio push` builds with build.command, as `wash build` does; the Deploy view pushes what the dev session built.');
  }
  const yaml = toYaml(documents, name, source, notes);
  return { name, documents, yaml, notes, origins, servesHttp };
}

/** A dev.host_interfaces entry as the CRD wants it: config values are strings there, wash lets numbers and booleans through. */
function fromConfig(entry: HostInterfaceConfig): HostInterfaceEntry {
  return {
    namespace: entry.namespace,
    package: entry.package,
    interfaces: [...(entry.interfaces ?? [])],
    ...(entry.version !== undefined ? { version: entry.version } : {}),
    ...(entry.config ? { config: Object.fromEntries(Object.entries(entry.config).map(([k, v]) => [k, String(v)])) } : {}),
  };
}

/** Keys in the order people read them. */
function orderedEntry(e: HostInterfaceEntry): Record<string, unknown> {
  return {
    namespace: e.namespace,
    package: e.package,
    ...(e.name ? { name: e.name } : {}),
    ...(e.version ? { version: e.version } : {}),
    interfaces: e.interfaces,
    ...(e.config && Object.keys(e.config).length > 0 ? { config: e.config } : {}),
  };
}

function toYaml(documents: Record<string, unknown>[], name: string, source: DeploySource, notes: string[]): string {
  const from = source.kind === 'project' ? (source.project.configPath ? 'the project\'s .wash/config' : `the project ${source.name} (it has no .wash/config)`) : `${source.name}.wasm`;
  const header = [
    ` wasmCloud deployment of ${name}, generated by Component Studio from ${from}.`,
    ' Apply it with: kubectl apply -f <this file>',
    ...(notes.length > 0 ? ['', ' Notes:', ...notes.flatMap((n) => wrap(n, 92).map((line, i) => (i === 0 ? ` - ${line}` : `   ${line}`)))] : []),
  ];
  return documents
    .map((doc, i) => {
      // kubectl reads YAML 1.1, where yes, no, on, off, y and 1_000 are not strings: written as
      // 1.1, every such string is quoted. Shared objects are written out, not as anchors.
      const document = new YAML.Document(doc, { version: '1.1', aliasDuplicateObjects: false });
      if (i === 0) document.commentBefore = header.join('\n');
      return document.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
