// One reload cycle's work: read the config (and .wash/studio.yaml) again, so an edit takes
// effect on save; build the project (a bare .wasm has no build), and start every workload of
// the new version. It returns the started version or why there is none; putting it in
// service is the session's.
// Must not: touch the version serving now, or throw (every failure is a value).
import { fail, ok, type Result } from '../errors.ts';
import type { Volume } from '../host/filesystem.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { componentFilesOf, halfTlsConfig, tlsFilesOf, volumesOf } from '../project/config-paths.ts';
import { configValues, loadProject, type Project, type WashConfig } from '../project/project-config.ts';
import { loadStudioSettings, type StudioSettings } from '../project/studio-settings.ts';
import { Workload, type RuntimeSettings } from '../workloads/workload.ts';
import type { BuildOutputs } from './build-outputs.ts';
import { buildProject, outputPathsOf } from './project-build.ts';
import type { BuildRecord, CycleResult, SessionEvent } from './session-events.ts';
import type { SessionNotes } from './session-notes.ts';
import { workloadStoresOf, type SessionStores } from './session-stores.ts';
import type { Target } from './session-target.ts';
import { stopWorkloads, type Version } from './session-version.ts';
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
}

/** Keys read but not acted on yet: services arrive with the virtual loopback. */
const NOT_YET = ['service', 'service_file'] as const;

export async function buildAndStart(ctx: CycleContext, record: BuildRecord, signal: AbortSignal): Promise<CycleResult<Version>> {
  const { target } = ctx;
  let name: string;
  let wasmPath: string;
  let config: [string, string][] = [];
  let extra: { name: string; file: string }[] = [];
  let volumes: Volume[] = [];
  const started = performance.now();
  if (target.kind === 'file') {
    ctx.emit({ kind: 'build-started', build: record, builder: 'none' });
    name = target.name;
    wasmPath = target.wasmPath;
  } else {
    const project = await loadProject(target.root);
    if (!project.ok) return project;
    for (const warning of project.value.warnings) ctx.notes.warn(warning);
    const studio = await loadStudioSettings(project.value.root);
    if (!studio.ok) return studio;
    for (const warning of studio.value.warnings) ctx.notes.warn(warning);
    ctx.onStudioSettings(studio.value.settings);
    warnNotYetSupported(project.value, ctx.notes);
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
    if (!built.ok) return built;
    // The build may be what writes them, so they are looked for after it.
    const components = await componentFilesOf(project.value.config, project.value.root);
    if (!components.ok) return components;
    extra = components.value;
    wasmPath = built.value.wasmPath;
    record.buildMs = performance.now() - started;
    ctx.emit({ kind: 'build-finished', build: record, cached: built.value.cached });
  }
  if (signal.aborted) return fail('build-cancelled', 'The build was cancelled.', 'A newer change started another build.');

  const stores = await ctx.openStores(ctx.config());
  if (!stores.ok) return stores;
  const shared = { config, stores: workloadStoresOf(stores.value), volumes };
  const startStarted = performance.now();
  const settings = ctx.settings();
  const main = await Workload.start({ ...shared, name, wasmPath }, settings, ctx.logs, (phase) => ctx.emit({ kind: 'phase', phase }));
  if (!main.ok) return main;
  const named = new Map<string, Workload>();
  for (const component of extra) {
    const workload = await Workload.start({ ...shared, name: component.name, wasmPath: component.file }, settings, ctx.logs);
    if (!workload.ok) {
      await stopWorkloads([main.value, ...named.values()]);
      return { ok: false, error: { ...workload.error, message: `dev.components "${component.name}": ${workload.error.message}` } };
    }
    named.set(component.name, workload.value);
  }
  record.startMs = performance.now() - startStarted;
  return ok({ build: record.number, main: main.value, named, shared, strategy: settings.strategy });
}

function warnNotYetSupported(project: Project, notes: SessionNotes): void {
  const dev = project.config.dev;
  for (const key of NOT_YET) {
    if (dev?.[key] !== undefined) notes.once(`dev.${key}`, 'warn', `dev.${key} is not yet supported by Component Studio and is ignored (services arrive with the virtual loopback).`);
  }
  // wash adds wasi:webgpu for this key; the studio has no WebGPU, so say what that means.
  if (dev?.wasi_webgpu === true) {
    notes.once(
      'dev.wasi_webgpu',
      'warn',
      'dev.wasi_webgpu is true, but Component Studio does not provide WebGPU (wasi:webgpu) yet: a component that imports it fails to start with missing-imports, and one that does not is unaffected. Use wash dev for WebGPU components.',
    );
  }
}
