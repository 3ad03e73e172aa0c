// A dev session: what `component-studio dev` runs. It resolves the target (a project folder
// or a .wasm file), builds it, starts its components as workloads and serves them on the
// gateway; then it watches the sources and rebuilds and swaps on every save. A new version
// is fully started before the gateway switches to it, requests in flight finish on the old
// one, and a failed build or start leaves the last good version serving. The CLI and the
// Studio API both drive a session; neither knows the steps.
import { stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { buildJsComponent } from '../build/js-component-builder.ts';
import { runBuildCommand } from '../build/command-builder.ts';
import { fail, messageOf, ok, type Result, type StudioError } from '../errors.ts';
import { HttpGateway, type Route } from '../gateway/http-gateway.ts';
import { loggerFor, type LogBus } from '../logs/log-bus.ts';
import { configValues, findProjectRoot, loadProject, volumesOf, type Project } from '../project/project-config.ts';
import type { Volume } from '../host/filesystem.ts';
import { ProjectWatcher, type ChangeBatch } from '../watch/project-watcher.ts';
import { SessionData, type SessionStores } from './session-stores.ts';
import { Workload, type RuntimeSettings, type StartPhase } from '../workloads/workload.ts';

export interface DevSessionOptions {
  /** A project folder or a .wasm file. */
  target: string;
  /** Overrides `dev.address`; the default is 127.0.0.1:8000. */
  host?: string;
  port?: number;
  bodyLimitBytes: number;
  settings: RuntimeSettings;
  logs: LogBus;
  /** Rebuild on changes (default true). */
  watch?: boolean;
}

export interface BuildRecord {
  number: number;
  /** What started it: 'start', 'change', 'manual'. */
  reason: string;
  startedAt: number;
  buildMs?: number;
  startMs?: number;
  /** From the save (or the request) to the new version serving. */
  totalMs?: number;
  outcome: 'running' | 'ok' | 'failed' | 'cancelled';
  error?: StudioError;
}

/** What a session is doing, for progress lines and the UI. */
export type SessionEvent =
  | { kind: 'target'; description: string; dataDir: string }
  | { kind: 'stores'; stores: SessionStores }
  | { kind: 'build-started'; build: BuildRecord; builder: 'componentize-js' | 'command' | 'none' }
  | { kind: 'build-finished'; build: BuildRecord; cached: boolean }
  | { kind: 'phase'; phase: StartPhase }
  | { kind: 'serving'; url: string; workloads: Workload[] }
  /** A build is serving: the first one (`first`) or a reload. */
  | { kind: 'reloaded'; build: BuildRecord; first: boolean }
  | { kind: 'build-failed'; build: BuildRecord; error: StudioError; output?: string; first: boolean }
  | { kind: 'build-cancelled'; build: BuildRecord };

/** A step's outcome; a failed build carries the tool's output for the UI. */
type CycleResult<T> = { ok: true; value: T } | { ok: false; error: StudioError; output?: string };

export type { SessionStores } from './session-stores.ts';

export interface SessionDescription {
  kind: 'project' | 'file';
  name: string;
  /** Project root, or the .wasm file. */
  path: string;
  configPath: string | undefined;
  gatewayUrl: string | undefined;
  /** Default data folder: `.wash/data` in the project, or beside the .wasm file. */
  dataDir: string;
  config: Project['config'] | undefined;
}

type Target =
  | { kind: 'file'; name: string; wasmPath: string; dataDir: string }
  | { kind: 'project'; root: string; dataDir: string };

interface Version {
  build: number;
  /** Replaced in place when one workload is restarted. */
  main: Workload;
  /** Other HTTP components by name, served at http://<name>.localhost:<port>/. */
  named: Map<string, Workload>;
}

const NOT_YET = ['service', 'service_file', 'command'] as const;

export class DevSession {
  private gateway: HttpGateway | undefined;
  private version: Version | undefined;
  private target: Target | undefined;
  private watcher: ProjectWatcher | undefined;
  private building: { controller: AbortController; record: BuildRecord } | undefined;
  private pending: { reason: string; at: number } | undefined;
  private cycle: Promise<void> | undefined;
  private buildNumber = 0;
  private stopped = false;
  private url: string | undefined;
  /** The project config of the latest cycle, for the gateway's address and TLS. */
  private lastConfig: Project['config'] | undefined;
  private configPath: string | undefined;
  private lastVolumes: Volume[] = [];
  readonly builds: BuildRecord[] = [];
  private readonly data: SessionData;
  /** Workloads stopped by hand; a new build serves them again. */
  private readonly stoppedNames = new Set<string>();

  private readonly listeners = new Set<(event: SessionEvent) => void>();

  constructor(
    private readonly options: DevSessionOptions,
    onEvent?: (event: SessionEvent) => void,
  ) {
    if (onEvent) this.listeners.add(onEvent);
    this.data = new SessionData(loggerFor(options.logs, 'stores'));
  }

  /** Adds a listener for session events; returns the function that removes it. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Warnings go to the log, where the terminal and the UI both show them. */
  private warn(text: string): void {
    this.options.logs.append({ level: 'warn', source: 'studio', text });
  }

  private onEvent(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** What the session serves, for the UI. Undefined before start() resolved the target. */
  describe(): SessionDescription | undefined {
    const target = this.target;
    if (!target) return undefined;
    return {
      kind: target.kind,
      name: target.kind === 'file' ? target.name : basename(target.root),
      path: target.kind === 'file' ? target.wasmPath : target.root,
      configPath: this.configPath,
      gatewayUrl: this.url,
      dataDir: target.dataDir,
      config: this.lastConfig,
    };
  }

  /** Stops serving one workload: its routes answer 503 until it is restarted or rebuilt. */
  async stopWorkload(name: string): Promise<Result<void>> {
    const workload = this.workloads.find((w) => w.info.name === name);
    if (!workload) return fail('workload-not-found', `No workload named ${name} is running.`, 'workloads.list names the running ones.');
    this.stoppedNames.add(name);
    await workload.stop(this.options.settings.requestTimeoutMs);
    return ok(undefined);
  }

  isStopped(name: string): boolean {
    return this.stoppedNames.has(name);
  }

  /** Starts one workload again from the component it runs, without a build. */
  async restartWorkload(name: string): Promise<Result<void>> {
    const version = this.version;
    const old = this.workloads.find((w) => w.info.name === name);
    if (!version || !old) return fail('workload-not-found', `No workload named ${name} is running.`, 'workloads.list names the running ones.');
    const opened = this.openStores(this.lastConfig);
    if (!opened.ok) return opened;
    const started = await Workload.start(
      {
        name,
        wasmPath: old.info.wasmPath,
        config: this.lastConfig ? configValues(this.lastConfig) : [],
        stores: { keyvaluePath: opened.value.keyvaluePath, blobstorePath: opened.value.blobstorePath, locks: opened.value.locks.buffer },
        volumes: this.lastVolumes,
      },
      this.options.settings,
      this.options.logs,
    );
    if (!started.ok) return started;
    if (version.main === old) version.main = started.value;
    else version.named.set(name, started.value);
    this.stoppedNames.delete(name);
    void old.stop(this.options.settings.requestTimeoutMs);
    return ok(undefined);
  }

  /** The data folders in use; undefined until the first cycle read the config. */
  stores(): SessionStores | undefined {
    return this.data.stores;
  }

  /**
   * Opens the data folders named by the config (dev.wasi_keyvalue_path, dev.wasi_blobstore_path,
   * relative to the project) or the defaults in .wash/data, reusing the open ones when the
   * paths did not change.
   */
  private openStores(config: Project['config'] | undefined): Result<SessionStores> {
    const target = this.target!;
    const previous = this.data.stores;
    const opened = this.data.open({
      base: target.kind === 'project' ? target.root : dirname(target.wasmPath),
      dataDir: target.dataDir,
      keyvaluePath: config?.dev?.wasi_keyvalue_path,
      blobstorePath: config?.dev?.wasi_blobstore_path,
    });
    if (opened.ok && opened.value !== previous) this.onEvent({ kind: 'stores', stores: opened.value });
    return opened;
  }

  /** The URLs a workload answers at: the gateway root for the main one, <name>.localhost for others. */
  urlsOf(workload: Workload): string[] {
    if (!this.url || !this.version) return [];
    if (workload === this.version.main) return [this.url];
    const url = new URL(this.url);
    return [`${url.protocol}//${workload.info.name}.localhost:${url.port}/`];
  }

  /**
   * Resolves the target, runs the first build and starts watching. Resolves once the first
   * cycle is over: with the URL when it serves, or with the error when the first build failed
   * (the session then keeps watching, waiting for a fix). A bad target is the only failure
   * that ends the session.
   */
  async start(): Promise<Result<{ url: string | undefined }>> {
    const target = await resolveTarget(this.options.target);
    if (!target.ok) return target;
    this.target = target.value;
    this.onEvent({ kind: 'target', description: describeTarget(target.value), dataDir: target.value.dataDir });
    // The data folders open before the first build, so they can be browsed even while it fails.
    if (target.value.kind === 'project') {
      const project = await loadProject(target.value.root);
      if (project.ok) this.lastConfig = project.value.config;
    }
    // A data folder another studio is using ends the session before anything runs.
    const opened = this.openStores(this.lastConfig);
    if (!opened.ok) return opened;
    const watching = this.options.watch !== false;
    // Watch before the first build, so a fix saved while it runs is not missed.
    if (watching) await this.watch(target.value);
    await this.runCycles('start', performance.now());
    const last = this.builds[this.builds.length - 1];
    // A bare .wasm that cannot start has no build to fix: that ends the session, like a port
    // in use. A project whose first build failed waits for the fix, unless nothing watches.
    if (!this.version && last?.error && (isFatal(last.error) || target.value.kind === 'file' || !watching)) {
      return { ok: false, error: last.error };
    }
    return ok({ url: this.url });
  }

  /** Rebuilds now, as if a file had been saved. */
  rebuild(): void {
    this.request('manual', performance.now());
  }

  get workloads(): Workload[] {
    return this.version ? [this.version.main, ...this.version.named.values()] : [];
  }

  /** Resolves when no build is running or queued. */
  async idle(): Promise<void> {
    while (this.cycle) await this.cycle;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.building?.controller.abort();
    await this.watcher?.close();
    await this.idle();
    await this.gateway?.close();
    await Promise.all(this.workloads.map((w) => w.stop(2000)));
    this.version = undefined;
    // A clean stop leaves the journal checkpointed and empty.
    this.data.close();
  }

  private async watch(target: Target): Promise<void> {
    const onError = (error: Error) => this.warn(`Watching for changes failed: ${error.message}. Rebuild by hand with r + Enter until the studio restarts.`);
    if (target.kind === 'file') {
      // A bare component: serve the new file whenever it is rewritten (e.g. by cargo).
      this.watcher = new ProjectWatcher(dirname(target.wasmPath), { ignore: [target.dataDir], onError }, (batch) => {
        if (batch.paths.includes(basename(target.wasmPath))) this.request('change', batch.firstAt);
      });
    } else {
      const buildOutputs = [join(target.root, '.wash', 'build'), join(target.root, '.wash', 'data'), target.dataDir];
      this.watcher = new ProjectWatcher(target.root, { ignore: buildOutputs, onError }, (batch: ChangeBatch) => {
        // The component the build writes must not count as a change of the sources. Nor must
        // what a component writes at run time into store folders or volumes inside the project:
        // it reads those at run time, so no rebuild is needed for it to see their files either.
        // A volume holding the whole project (host_path: .) is not a data folder, though.
        const outputs = this.builtPaths();
        const current = this.data.stores;
        const dataDirs = [...(current ? [current.keyvaluePath, current.blobstorePath] : []), ...this.volumesInside(target.root)];
        const inData = (path: string) => dataDirs.some((dir) => path === dir || path.startsWith(dir + sep));
        if (batch.paths.every((p) => outputs.has(resolve(target.root, p)) || inData(resolve(target.root, p)))) return;
        this.request('change', batch.firstAt);
      });
    }
    try {
      await this.watcher.start();
    } catch (err) {
      await this.watcher.close().catch(() => {});
      this.watcher = undefined;
      this.warn(`Cannot watch ${target.kind === 'file' ? target.wasmPath : target.root} for changes: ${messageOf(err)}. Rebuild by hand with r + Enter (or the Rebuild button); on Linux, raising fs.inotify.max_user_watches fixes this.`);
    }
  }

  private builtPaths(): Set<string> {
    return new Set(this.workloads.map((w) => w.info.wasmPath));
  }

  private request(reason: string, at: number): void {
    if (this.stopped) return;
    if (this.cycle) {
      // The running build works on stale sources: cancel it and queue exactly one more.
      this.pending ??= { reason, at };
      this.building?.controller.abort();
      return;
    }
    void this.runCycles(reason, at);
  }

  private runCycles(reason: string, at: number): Promise<void> {
    this.cycle = (async () => {
      let next: { reason: string; at: number } | undefined = { reason, at };
      while (next && !this.stopped) {
        this.pending = undefined;
        await this.runCycle(next.reason, next.at);
        next = this.pending;
      }
      this.cycle = undefined;
    })();
    return this.cycle;
  }

  private async runCycle(reason: string, triggeredAt: number): Promise<void> {
    const record: BuildRecord = { number: ++this.buildNumber, reason, startedAt: Date.now(), outcome: 'running' };
    this.builds.push(record);
    if (this.builds.length > 100) this.builds.shift();
    const controller = new AbortController();
    this.building = { controller, record };
    const first = !this.version;
    try {
      // Anything unexpected is one failed cycle, never the end of the loop.
      const outcome = await this.buildAndStart(record, controller.signal).catch(
        (err: unknown): CycleResult<Version> => fail('internal-error', `The studio failed while building and starting: ${messageOf(err)}`, 'Save again to retry; if it repeats, the log has the details.'),
      );
      if (controller.signal.aborted || this.stopped) {
        if (outcome.ok) await Promise.all([outcome.value.main, ...outcome.value.named.values()].map((w) => w.stop()));
        record.outcome = 'cancelled';
        this.onEvent({ kind: 'build-cancelled', build: record });
        return;
      }
      if (!outcome.ok) {
        record.outcome = 'failed';
        record.error = outcome.error;
        this.onEvent({ kind: 'build-failed', build: record, error: outcome.error, output: outcome.output, first });
        return;
      }
      const swapped = await this.swap(outcome.value);
      if (!swapped.ok) {
        record.outcome = 'failed';
        record.error = swapped.error;
        this.onEvent({ kind: 'build-failed', build: record, error: swapped.error, first });
        return;
      }
      record.outcome = 'ok';
      record.totalMs = performance.now() - triggeredAt;
      this.onEvent({ kind: 'reloaded', build: record, first });
    } finally {
      this.building = undefined;
    }
  }

  /** Puts a started version in service and drains the old one. */
  private async swap(next: Version): Promise<Result<void>> {
    const old = this.version;
    this.version = next;
    this.stoppedNames.clear();
    if (!this.gateway) {
      const listening = await this.listen();
      if (!listening.ok) {
        this.version = old;
        await Promise.all([next.main, ...next.named.values()].map((w) => w.stop()));
        return listening;
      }
      this.url = listening.value;
      this.onEvent({ kind: 'serving', url: listening.value, workloads: this.workloads });
    }
    if (old) {
      // Requests already accepted finish on the old version; new ones go to the new one.
      void Promise.all([old.main, ...old.named.values()].map((w) => w.stop(this.options.settings.requestTimeoutMs)));
    }
    return ok(undefined);
  }

  private async buildAndStart(record: BuildRecord, signal: AbortSignal): Promise<CycleResult<Version>> {
    const target = this.target!;
    let name: string;
    let wasmPath: string;
    let config: [string, string][] = [];
    let extra: { name: string; file: string }[] = [];
    let volumes: Volume[] = [];
    const started = performance.now();
    if (target.kind === 'file') {
      this.onEvent({ kind: 'build-started', build: record, builder: 'none' });
      name = target.name;
      wasmPath = target.wasmPath;
    } else {
      // The config is read on every cycle, so editing it takes effect on save.
      const project = await loadProject(target.root);
      if (!project.ok) return project;
      this.lastConfig = project.value.config;
      this.configPath = project.value.configPath;
      for (const warning of project.value.warnings) this.warn(warning);
      this.warnNotYetSupported(project.value);
      name = project.value.name;
      config = configValues(project.value.config);
      const mounted = volumesOf(project.value.config, project.value.root);
      if (!mounted.ok) return mounted;
      volumes = mounted.value;
      this.lastVolumes = volumes;
      for (const dir of this.volumesInside(project.value.root)) {
        this.sayOnce(`volume ${dir}`, 'info', `dev.volumes: changes in ${dir} do not rebuild, since the component reads that folder at run time; r + Enter rebuilds by hand.`);
      }
      extra = project.value.config.dev?.components ?? [];
      const built = await this.build(project.value, record, signal);
      if (!built.ok) return built;
      wasmPath = built.value.wasmPath;
      record.buildMs = performance.now() - started;
      this.onEvent({ kind: 'build-finished', build: record, cached: built.value.cached });
    }
    if (signal.aborted) return fail('build-cancelled', 'The build was cancelled.', 'A newer change started another build.');

    const opened = this.openStores(this.lastConfig);
    if (!opened.ok) return opened;
    const stores = { keyvaluePath: opened.value.keyvaluePath, blobstorePath: opened.value.blobstorePath, locks: opened.value.locks.buffer };
    const startStarted = performance.now();
    const main = await Workload.start({ name, wasmPath, config, stores, volumes }, this.options.settings, this.options.logs, (phase) => this.onEvent({ kind: 'phase', phase }));
    if (!main.ok) return main;
    const named = new Map<string, Workload>();
    for (const component of extra) {
      const root = target.kind === 'project' ? target.root : dirname(target.wasmPath);
      const workload = await Workload.start({ name: component.name, wasmPath: resolve(root, component.file), config, stores, volumes }, this.options.settings, this.options.logs);
      if (!workload.ok) {
        await Promise.all([main.value, ...named.values()].map((w) => w.stop()));
        return { ok: false, error: { ...workload.error, message: `dev.components "${component.name}": ${workload.error.message}` } };
      }
      named.set(component.name, workload.value);
    }
    record.startMs = performance.now() - startStarted;
    return ok({ build: record.number, main: main.value, named });
  }

  private async build(project: Project, record: BuildRecord, signal: AbortSignal): Promise<CycleResult<{ wasmPath: string; cached: boolean }>> {
    const configured = project.config.build?.component_path;
    const componentPath = configured ? resolve(project.root, configured) : join(project.root, '.wash', 'build', `${project.name}.wasm`);
    const command = project.config.build?.command;
    if (command) {
      this.onEvent({ kind: 'build-started', build: record, builder: 'command' });
      const built = await runBuildCommand({ command, cwd: project.root, env: project.config.build?.env ?? {}, componentPath, logs: this.options.logs, signal });
      if (!built.ok) return built;
      return ok({ wasmPath: built.value.wasmPath, cached: false });
    }
    this.onEvent({ kind: 'build-started', build: record, builder: 'componentize-js' });
    const built = await buildJsComponent({ projectDir: project.root, outFile: componentPath, cacheDir: join(this.options.settings.cacheDir, 'builds') }, undefined, signal);
    if (!built.ok) {
      if (built.output) this.options.logs.append({ level: 'error', source: 'build', text: built.output });
      return { ok: false, error: built.error, output: built.output };
    }
    return ok({ wasmPath: built.wasmPath, cached: built.cached });
  }

  /** What the session has said once, so that a rebuild does not say it again. */
  private said = new Set<string>();

  private sayOnce(topic: string, level: 'info' | 'warn', text: string): void {
    if (this.said.has(topic)) return;
    this.said.add(topic);
    this.options.logs.append({ level, source: 'studio', text });
  }

  private warnNotYetSupported(project: Project): void {
    for (const key of NOT_YET) {
      if (project.config.dev?.[key] !== undefined) this.sayOnce(`dev.${key}`, 'warn', `dev.${key} is not yet supported by Component Studio and is ignored (services arrive with the virtual loopback).`);
    }
  }

  /** dev.volumes folders inside the project, not the project itself: data for run time, not sources. */
  private volumesInside(root: string): string[] {
    return this.lastVolumes.map((v) => v.hostPath).filter((dir) => dir.startsWith(root + sep));
  }

  private async listen(): Promise<Result<string>> {
    const { host, port } = this.address();
    const gateway = new HttpGateway({
      host,
      port,
      bodyLimitBytes: this.options.bodyLimitBytes,
      route: (authority) => this.route(authority),
      log: loggerFor(this.options.logs, 'gateway'),
      tls: this.tls(),
    });
    try {
      const address = await gateway.listen();
      this.gateway = gateway;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = gateway.secure ? 'https' : 'http';
      return ok(`${scheme}://${shown === '0.0.0.0' ? '127.0.0.1' : shown}:${address.port}/`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') return fail('port-in-use', `Port ${port} on ${host} is already in use.`, 'Stop the other program, or pick another port with --port N (0 picks a free one).');
      if (code === 'EACCES') return fail('port-denied', `Not allowed to listen on ${host}:${port}.`, 'Ports below 1024 need privileges; use a higher --port.');
      return fail('listen-failed', `Could not listen on ${host}:${port}: ${(err as Error).message}.`, 'Check --host and --port (or dev.address).');
    }
  }

  /** CLI flags win over dev.address, which wins over 127.0.0.1:8000. */
  private address(): { host: string; port: number } {
    let host = '127.0.0.1';
    let port = 8000;
    const configured = this.lastConfig?.dev?.address;
    if (configured) {
      const at = configured.lastIndexOf(':');
      if (at > 0) {
        host = configured.slice(0, at).replace(/^\[|\]$/g, '');
        port = Number(configured.slice(at + 1));
      }
    }
    return { host: this.options.host ?? host, port: this.options.port ?? port };
  }

  private tls(): { cert: Buffer; key: Buffer; ca?: Buffer } | undefined {
    const dev = this.lastConfig?.dev;
    if (!dev?.tls_cert_path || !dev.tls_key_path || this.target?.kind !== 'project') return undefined;
    const root = this.target.root;
    return {
      cert: readFileSync(resolve(root, dev.tls_cert_path)),
      key: readFileSync(resolve(root, dev.tls_key_path)),
      ...(dev.tls_ca_path ? { ca: readFileSync(resolve(root, dev.tls_ca_path)) } : {}),
    };
  }

  private route(authority: string): Route {
    const version = this.version;
    if (!version) return { unavailable: 'No version of the component is running yet.' };
    const hostname = authority.replace(/:\d+$/, '').toLowerCase();
    const sub = /^([^.]+)\.localhost$/.exec(hostname)?.[1];
    const workload = (sub !== undefined ? version.named.get(sub) : undefined) ?? version.main;
    if (this.stoppedNames.has(workload.info.name)) return { unavailable: `${workload.info.name} is stopped. Restart it from the studio, or save a change to rebuild.` };
    return workload;
  }
}

/** Errors no save can fix: the session ends instead of waiting. */
function isFatal(error: StudioError): boolean {
  return ['port-in-use', 'port-denied', 'listen-failed'].includes(error.code);
}

async function resolveTarget(input: string): Promise<Result<Target>> {
  const path = resolve(input);
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch {
    return fail('target-not-found', `Nothing at ${path}.`, 'Pass a project folder (with .wash/ or a src/ entry) or a .wasm component file.');
  }
  if (isFile) {
    if (extname(path) !== '.wasm') return fail('target-not-wasm', `${path} is not a .wasm file.`, 'Pass a project folder or a .wasm component file.');
    return ok({ kind: 'file', name: basename(path, '.wasm'), wasmPath: path, dataDir: join(dirname(path), '.wash', 'data') });
  }
  // The config is read (and its errors reported) by each build cycle, so a broken config
  // waits for a fix like a broken build does.
  const root = await findProjectRoot(path);
  return ok({ kind: 'project', root, dataDir: join(root, '.wash', 'data') });
}

function describeTarget(target: Target): string {
  return target.kind === 'file' ? `component ${target.wasmPath} (served as it is, no build)` : `project ${target.root}`;
}
