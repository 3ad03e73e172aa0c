// One reload cycle's work: read the config (and .wash/studio.yaml) again, so an edit takes
// effect on save; build the project (a bare .wasm has no build), and start every workload of
// the new version. It returns the started version or why there is none; putting it in
// service is the session's.
// Must not: touch the version serving now, or throw (every failure is a value).
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fail, ok, type Result } from '../errors.ts';
import type { Volume } from '../host/filesystem.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { findConfigFile } from '../project/config-layers.ts';
import { componentFilesOf, halfTlsConfig, serviceFileOf, tlsFilesOf, volumesOf } from '../project/config-paths.ts';
import { configValues, loadProject, type Project, type WashConfig } from '../project/project-config.ts';
import { environmentFrom, loadStudioSettings, type StudioSettings } from '../project/studio-settings.ts';
import { startComposition } from '../workloads/composition.ts';
import type { RuntimeSettings } from '../workloads/workload.ts';
import type { ComponentSpec } from '../workloads/prepared-component.ts';
import type { BuildOutputs } from './build-outputs.ts';
import { buildProject, outputPathsOf } from './project-build.ts';
import type { BuildRecord, CycleResult, SessionEvent } from './session-events.ts';
import type { SessionNotes } from './session-notes.ts';
import { hostServicesFor, listeningOf } from './session-services.ts';
import { workloadStoresOf, type SessionStores } from './session-stores.ts';
import type { Target } from './session-target.ts';
import type { Version } from './session-version.ts';
import { volumesInside } from './session-watcher.ts';

export interface CycleContext {
  target: Target;
  /** Read when workloads start: the instance mode may change while the build runs. */
  settings: () => RuntimeSettings;
  logs: LogBus;
  notes: SessionNotes;
  emit: (event: SessionEvent) => void;
  /** The config was read, whatever happens to the build: the gateway and the UI follow it. */
  onProject: (project: Project, volumes: Volume[] | undefined) => void;
  openStores: (config: WashConfig | undefined) => Promise<Result<SessionStores>>;
  outputs: BuildOutputs;
  /** The config the session last read, for a bare .wasm (which has none of its own). */
  config: () => WashConfig | undefined;
  /** .wash/studio.yaml was read (a project's, on every cycle, like its config). */
  onStudioSettings: (settings: StudioSettings) => void;
  /** Where the serving version's service listens: the new one must listen there before it is swapped in. */
  serviceListening: () => string[];
}

export async function buildAndStart(ctx: CycleContext, record: BuildRecord, signal: AbortSignal): Promise<CycleResult<Version>> {
  const { target } = ctx;
  let name: string;
  let wasmPath: string;
  let config: [string, string][] = [];
  let extra: { name: string; file: string }[] = [];
  let service: { kind: 'main' } | { kind: 'file'; file: string } | undefined;
  let volumes: Volume[] = [];
  let studioSettings: StudioSettings = {};
  const started = performance.now();
  if (target.kind === 'file') {
    ctx.emit({ kind: 'build-started', build: record, builder: 'none' });
    name = target.name;
    wasmPath = target.wasmPath;
    // A .wasm file's .wash/studio.yaml beside it gives its outbound rules and environment; the
    // instance mode of a file stays the session's (see session-instances).
    const studio = await loadStudioSettings(dirname(target.wasmPath));
    if (!studio.ok) return studio;
    for (const warning of studio.value.warnings) ctx.notes.warn(warning);
    const { instances: _instances, ...forFile } = studio.value.settings;
    studioSettings = forFile;
    await warnUnreadConfig(target.wasmPath, ctx.notes);
  } else {
    if (!existsSync(target.root)) return projectGone(target.root);
    const project = await loadProject(target.root);
    if (!project.ok) return existsSync(target.root) ? project : projectGone(target.root);
    for (const warning of project.value.warnings) ctx.notes.warn(warning);
    const studio = await loadStudioSettings(project.value.root);
    if (!studio.ok) return studio;
    for (const warning of studio.value.warnings) ctx.notes.warn(warning);
    ctx.onStudioSettings(studio.value.settings);
    studioSettings = studio.value.settings;
    warnWebGpu(project.value, ctx.notes);
    name = project.value.name;
    config = configValues(project.value.config);
    const mounted = await volumesOf(project.value.config, project.value.root);
    ctx.onProject(project.value, mounted.ok ? mounted.value : undefined);
    if (!mounted.ok) return mounted;
    volumes = mounted.value;
    // Checked before the build, so a wrong path is said at once, and waits for a fix like a
    // failed build; the gateway reads the files when it starts listening.
    const tls = await tlsFilesOf(project.value.config, project.value.root);
    if (!tls.ok) return tls;
    const halfTls = halfTlsConfig(project.value.config);
    if (halfTls) ctx.notes.once('half tls', 'warn', halfTls);
    for (const dir of volumesInside(volumes, project.value.root)) {
      ctx.notes.once(`volume ${dir}`, 'info', `dev.volumes: changes in ${dir} do not rebuild, since the component reads that folder at run time; r + Enter rebuilds by hand.`);
    }
    ctx.outputs.started(outputPathsOf(project.value));
    let built: Awaited<ReturnType<typeof buildProject>>;
    try {
      built = await buildProject({
        project: project.value,
        logs: ctx.logs,
        cacheDir: ctx.settings().cacheDir,
        signal,
        onStart: (builder, command) => ctx.emit({ kind: 'build-started', build: record, builder, ...(command ? { command } : {}) }),
      });
    } finally {
      await ctx.outputs.ended();
    }
    // A folder deleted during the build fails it first: what to say is that it is gone.
    if (!built.ok) return existsSync(target.root) ? built : projectGone(target.root);
    // The build may be what writes them, so they are looked for after it.
    const components = await componentFilesOf(project.value.config, project.value.root);
    if (!components.ok) return components;
    extra = components.value;
    // The project's own component is named after its folder; one of the same name would take its place.
    const clash = extra.find((c) => c.name === name);
    if (clash) {
      return fail('config-invalid', `dev.components: the component "${name}" (${clash.file}) has the name of the project's own component, named after its folder, and would take its place.`, 'Give it another name in .wash/config.yaml.');
    }
    const serviceFile = await serviceFileOf(project.value.config, project.value.root);
    if (!serviceFile.ok) return serviceFile;
    if (serviceFile.value) service = { kind: 'file', file: serviceFile.value };
    else if (project.value.config.dev?.service === true) service = { kind: 'main' };
    if (serviceFile.value && project.value.config.dev?.service === true) {
      ctx.notes.once('service and service_file', 'warn', `dev.service is true and dev.service_file is set: the studio runs ${basename(serviceFile.value)} as the service and the project's own component over HTTP only. Unset one of them to say which is the service.`);
    }
    wasmPath = built.value.wasmPath;
    record.buildMs = performance.now() - started;
    ctx.emit({ kind: 'build-finished', build: record, cached: built.value.cached });
  }
  if (signal.aborted) return fail('build-cancelled', 'The build was cancelled.', 'Another build takes its place, or the studio is stopping.');

  const stores = await ctx.openStores(ctx.config());
  if (!stores.ok) return stores;
  const base = target.kind === 'file' ? dirname(target.wasmPath) : target.root;
  const services = hostServicesFor({ settings: studioSettings, base, logs: ctx.logs });
  if (!services.ok) return services;
  const shared = { config, stores: workloadStoresOf(stores.value), volumes, services: services.value, environment: environmentFrom(studioSettings) };
  const startStarted = performance.now();
  const settings = ctx.settings();
  const components: ComponentSpec[] = [{ name, wasmPath }, ...extra.map((c, i) => ({ name: c.name, wasmPath: c.file, origin: `dev.components[${i}] ("${c.name}")` }))];
  const serviceName = service?.kind === 'file' ? uniqueName(basename(service.file, extname(service.file)), components) : name;
  if (service?.kind === 'file') components.push({ name: serviceName, wasmPath: service.file, origin: 'dev.service_file' });
  const listenedBefore = service ? ctx.serviceListening() : [];
  const serviceListensAgain = listenedBefore.length > 0 ? { addresses: listenedBefore, listening: () => listeningOf(services.value, serviceName) } : undefined;
  const composed = await startComposition(
    { ...shared, components, ...(service ? { service: serviceName } : {}), ...(serviceListensAgain ? { serviceListensAgain } : {}), bareFile: target.kind === 'file', onServiceState: (state) => ctx.emit({ kind: 'service', name: serviceName, state }) },
    settings,
    ctx.logs,
    (phase) => ctx.emit({ kind: 'phase', phase }),
  );
  if (!composed.ok) return composed;
  const { served, idle } = composed.value;
  for (const unused of idle) ctx.notes.once(`idle ${unused}`, 'warn', `${unused} serves no HTTP, runs as no service and no other component imports what it exports, so it does nothing.`);
  record.startMs = performance.now() - startStarted;
  const main = served.find((w) => w.info.name === name);
  const named = new Map(served.filter((w) => w !== main).map((w) => [w.info.name, w]));
  return ok({ build: record.number, main, named, service: composed.value.service, shared, strategy: settings.strategy });
}

/** Deleted, moved or unmounted while open: said instead of what the build misses without it. */
function projectGone(root: string): Result<never> {
  return fail('project-gone', `The project folder ${root} is gone (deleted, moved or unmounted).`, 'The last good version keeps serving. Put the folder back to go on, or open the project where it is now.');
}

/** `wanted`, or with a suffix when a component already has that name. */
function uniqueName(wanted: string, taken: readonly { name: string }[]): string {
  let name = wanted;
  for (let n = 2; taken.some((c) => c.name === name); n++) name = `${wanted}-${n}`;
  return name;
}

/**
 * A wash config beside a .wasm file served as it is configures a project, which a file is
 * not; the studio.yaml and data folder beside it are used, so say why this one is not.
 */
async function warnUnreadConfig(wasmPath: string, notes: SessionNotes): Promise<void> {
  const dir = dirname(wasmPath);
  const config = await findConfigFile(join(dir, '.wash'));
  if (!config) return;
  notes.once(
    `unread ${config}`,
    'warn',
    `${config} is not read: a .wasm file served as it is has no build, config or other components. To use it, open the folder as a project (component-studio dev ${dir}) whose build.component_path names ${basename(wasmPath)} and whose build.command leaves it as it is (e.g. "true"); see docs/projects.md.`,
  );
}

function warnWebGpu(project: Project, notes: SessionNotes): void {
  const dev = project.config.dev;
  // wash adds wasi:webgpu for this key; the studio has no WebGPU, so say what that means.
  if (dev?.wasi_webgpu === true) {
    notes.once(
      'dev.wasi_webgpu',
      'warn',
      'dev.wasi_webgpu is true, but Component Studio does not provide WebGPU (wasi:webgpu) yet: a component that imports it fails to start with missing-imports, and one that does not is unaffected. Use wash dev for WebGPU components.',
    );
  }
}
