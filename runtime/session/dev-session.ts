// A dev session: what `component-studio dev` runs. It resolves the target (a project folder
// or a .wasm file), builds it, starts its components as workloads and serves them on the
// gateway; then it watches the sources and rebuilds and swaps on every save. A new version
// is fully started before the gateway switches to it, requests in flight finish on the old
// one, and a failed build or start leaves the last good version serving. The CLI and the
// Studio API both drive a session; neither knows the steps.
//
// This class coordinates; each concept has its module beside it: the target
// (session-target), the data folders (session-stores), watching (session-watcher) and what
// builds write (build-outputs), when cycles run (reload-queue) and what one does
// (reload-cycle, project-build), the gateway's address, TLS and
// routing (session-gateway), workloads stopped or restarted by hand (workload-control), and
// the instance mode (session-instances), which .wash/studio.yaml and a switch in the UI set.
// Nothing in here throws at its callers: failures are values, or a failed cycle.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, fail, messageOf, ok, type Result, type StudioError } from '../errors.ts';
import type { Volume } from '../host/filesystem.ts';
import { loggerFor, type LogBus } from '../logs/log-bus.ts';
import { loadProject, type Project } from '../project/project-config.ts';
import { environmentFrom, loadStudioSettings, saveStudioSetting, studioSettingsPath } from '../project/studio-settings.ts';
import { TrafficInspector, type TrafficInspectorOptions } from '../traffic/traffic-inspector.ts';
import type { ProjectWatcher } from '../watch/project-watcher.ts';
import type { InstanceStrategy } from '../workloads/worker-protocol.ts';
import type { SocketsSnapshot } from '../network/socket-service.ts';
import type { ServiceRunner } from '../workloads/service-runner.ts';
import type { RuntimeSettings, Workload } from '../workloads/workload.ts';
import { BuildOutputs } from './build-outputs.ts';
import { outputPathsOf } from './project-build.ts';
import { claimProject } from './project-claim.ts';
import { buildAndStart } from './reload-cycle.ts';
import { ReloadQueue } from './reload-queue.ts';
import { isListenFailure, type BuildRecord, type SessionEvent, type WatchState } from './session-events.ts';
import { SessionGateway } from './session-gateway.ts';
import { SessionInstances, type InstancesFrom } from './session-instances.ts';
import { SessionNotes } from './session-notes.ts';
import { fixedListeningOf, reconfigureServices, socketsOf } from './session-services.ts';
import { SessionStoreFolders, type SessionStores } from './session-stores.ts';
import { baseDirOf, describeTarget, nameOf, resolveTarget, type Target } from './session-target.ts';
import { stopVersion, stopWorkloads, workloadsOf, type Version } from './session-version.ts';
import { volumesInside, watchTarget } from './session-watcher.ts';
import { WorkloadControl } from './workload-control.ts';

export type { BuildRecord, SessionEvent } from './session-events.ts';
export type { SessionStores } from './session-stores.ts';

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
  /** From --instances: wins over `instances` in .wash/studio.yaml, until the user switches. */
  instances?: InstanceStrategy;
  /** The traffic inspector's capture and checks (docs/traffic.md); on by default. */
  traffic?: Pick<TrafficInspectorOptions, 'capacity' | 'enabled' | 'checksOnReload'>;
}

/** How the session uses instances, for the UI. */
export interface InstancesState {
  mode: InstanceStrategy;
  from: InstancesFrom;
  /** The file a switch writes: a project's .wash/studio.yaml; undefined for a .wasm file. */
  settingsPath: string | undefined;
}

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
  /** The project as the latest cycle read it: its config layers and where each value came from. */
  project: Project | undefined;
  /** The command-line flags that win over dev.address (`--port 0`), if any were given. */
  addressFlags: string | undefined;
}

export class DevSession {
  private version: Version | undefined;
  private target: Target | undefined;
  /** Lets the project go at stop (see project-claim.ts); nothing to let go before a claim. */
  private releaseProject: () => void = () => {};
  /** Notes in the claim where this studio serves the project, for a second studio to name. */
  private recordAddress: (url: string) => void = () => {};
  private folders: SessionStoreFolders | undefined;
  private watcher: ProjectWatcher | undefined;
  /** Looks for a project folder that went away to come back (see awaitProjectReturn). */
  private returnTimer: NodeJS.Timeout | undefined;
  private buildNumber = 0;
  /** True while start() runs the first build, whose failure may end the session. */
  private starting = false;
  /** The project as the latest cycle read it, for the gateway's address and TLS and the UI. */
  private project: Project | undefined;
  private volumes: Volume[] = [];
  readonly builds: BuildRecord[] = [];

  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private readonly settingsListeners = new Set<() => void>();
  private readonly instances: SessionInstances;
  /** Renewals of instances run one at a time. */
  private renewing: Promise<void> = Promise.resolve();
  private readonly notes: SessionNotes;
  private readonly queue = new ReloadQueue((reason, at, signal) => this.runCycle(reason, at, signal));
  private readonly control: WorkloadControl;
  private readonly gateway: SessionGateway;
  private readonly outputs = new BuildOutputs((paths) => this.watcher?.keep(paths));
  /** Captured requests, replays, and the checks that run after each reload. */
  readonly traffic: TrafficInspector;

  constructor(
    private readonly options: DevSessionOptions,
    onEvent?: (event: SessionEvent) => void,
  ) {
    if (onEvent) this.listeners.add(onEvent);
    this.notes = new SessionNotes(options.logs);
    this.instances = new SessionInstances(options.instances, options.settings.strategy);
    this.control = new WorkloadControl(options.logs, () => options.settings.requestTimeoutMs);
    this.traffic = new TrafficInspector({ ...options.traffic, logs: options.logs, build: () => this.version?.build, gatewayUrl: () => this.gateway.url, requestTimeoutMs: options.settings.requestTimeoutMs });
    this.gateway = new SessionGateway({
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      bodyLimitBytes: options.bodyLimitBytes,
      logs: options.logs,
      version: () => this.version,
      isStopped: (name) => this.control.isStopped(name),
      tap: this.traffic.tap,
    });
  }

  /** Adds a listener for session events; returns the function that removes it. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: SessionEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** What the session serves, for the UI. Undefined before start() resolved the target. */
  describe(): SessionDescription | undefined {
    const target = this.target;
    if (!target) return undefined;
    return {
      kind: target.kind,
      name: nameOf(target),
      path: target.kind === 'file' ? target.wasmPath : target.root,
      configPath: this.project?.configPath,
      gatewayUrl: this.gateway.url,
      dataDir: target.dataDir,
      config: this.project?.config,
      project: this.project,
      addressFlags: [this.options.host !== undefined ? `--host ${this.options.host}` : '', this.options.port !== undefined ? `--port ${this.options.port}` : ''].filter(Boolean).join(' ') || undefined,
    };
  }

  /**
   * Why nothing answers HTTP although a version runs: it has no HTTP component, only a service.
   * Undefined while a version serves HTTP, or before any version runs (then a build is awaited).
   */
  servesNoHttp(): string | undefined {
    const version = this.version;
    if (!version || workloadsOf(version).length > 0) return undefined;
    return `build ${version.build} serves no HTTP: none of its components exports wasi:http/incoming-handler${version.service ? `, and its service ${version.service.name} runs instead` : ''}`;
  }

  /** Adds a listener for changes of the session's studio settings (the instance mode); returns the function that removes it. */
  subscribeSettings(listener: () => void): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  private settingsChanged(): void {
    for (const listener of this.settingsListeners) listener();
  }

  /** How instances are used now, and why. */
  instancesState(): InstancesState {
    const target = this.target;
    return { mode: this.instances.mode, from: this.instances.from, settingsPath: target?.kind === 'project' ? studioSettingsPath(target.root) : undefined };
  }

  /** The build the serving version came from. */
  get servingBuild(): number | undefined {
    return this.version?.build;
  }

  /**
   * Switches how instances are used: for a project, written to .wash/studio.yaml first (a
   * file that cannot be written changes nothing); for a .wasm file, for this run. The running
   * workloads get new instances in the new mode, swapped in without a failed request.
   */
  async setInstances(mode: InstanceStrategy): Promise<Result<InstancesState>> {
    const target = this.target;
    if (!target) return fail('no-project', 'Nothing is open yet.', 'Wait for the project to open, then switch.');
    if (target.kind === 'project') {
      const saved = await saveStudioSetting(target.root, 'instances', mode);
      if (!saved.ok) return saved;
      this.instances.switchedInFile(mode);
    } else {
      this.instances.switchedForThisRun(mode);
    }
    await this.renewInstances();
    this.settingsChanged();
    return ok(this.instancesState());
  }

  /** Settings for workloads started now: the instance mode is the session's. */
  private runtimeSettings(): RuntimeSettings {
    return { ...this.options.settings, strategy: this.instances.mode };
  }

  /** .wash/studio.yaml changed on disk (an edit, a checkout, the studio's own write): apply it without a build. */
  private async studioSettingsChanged(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const base = baseDirOf(target);
    const loaded = await loadStudioSettings(base);
    if (!loaded.ok) {
      // The serving version keeps its mode, as a failed build keeps the last good version.
      this.options.logs.append({ level: 'error', source: 'studio', text: describe(loaded.error) });
      // Settings says the file does not read, rather than showing what it read before as current.
      this.settingsChanged();
      return;
    }
    for (const warning of loaded.value.warnings) this.notes.warn(warning);
    this.instances.settingsRead(loaded.value.settings.instances);
    // Outbound rules apply to the next call; a new environment needs new instances, so a build (from the cache).
    const applied = reconfigureServices(this.version?.shared.services, loaded.value.settings, base);
    if (!applied.ok) this.options.logs.append({ level: 'error', source: 'studio', text: describe(applied.error) });
    const newEnvironment = this.version !== undefined && JSON.stringify(this.version.shared.environment ?? []) !== JSON.stringify(environmentFrom(loaded.value.settings));
    const last = this.builds[this.builds.length - 1];
    // A build that failed on this file's errors is retried now that it reads.
    if ((last?.outcome === 'failed' && STUDIO_SETTINGS_ERRORS.has(last.error?.code ?? '')) || newEnvironment) this.rebuild();
    else await this.renewInstances();
    this.settingsChanged();
  }

  /** Gives the serving workloads instances in the current mode, if they have another; one renewal at a time, never rejecting. */
  private renewInstances(): Promise<void> {
    this.renewing = this.renewing.then(() => this.renewNow()).catch((err: unknown) => this.notes.warn(`Renewing the instances failed: ${messageOf(err)}`));
    return this.renewing;
  }

  private async renewNow(): Promise<void> {
    const version = this.version;
    const settings = this.runtimeSettings();
    if (!version || version.strategy === settings.strategy) return;
    version.strategy = settings.strategy;
    for (const workload of workloadsOf(version)) {
      const name = workload.info.name;
      // Stopped by hand: it starts in the new mode when it is restarted.
      if (this.control.isStopped(name)) continue;
      if (this.version !== version) return; // a build replaced the version; it started in the current mode
      const restarted = await this.control.restart(version, name, settings);
      if (!restarted.ok) {
        this.notes.warn(`Could not give ${name} ${settings.strategy} instances: ${restarted.error.message} It keeps its current instances until the next build.`);
        continue;
      }
      // Replaced while this one started: nothing serves it, so it stops again.
      if (this.version !== version) this.retire(workloadsOf(version).filter((w) => w.info.name === name));
    }
    this.options.logs.append({ level: 'info', source: 'studio', text: `instances: ${describeMode(settings.strategy)}` });
  }

  /** Stops serving one workload: its routes answer 503 until it is restarted or rebuilt. */
  async stopWorkload(name: string): Promise<Result<void>> {
    const stopped = await this.control.stop(this.version, name);
    if (stopped.ok) this.options.logs.append({ level: 'info', source: 'studio', text: `${name} stopped on request: its routes answer 503 until it is started again (Restart, or the next build)` });
    return stopped;
  }

  isStopped(name: string): boolean {
    return this.control.isStopped(name);
  }

  /** Starts one workload again from the component it runs, without a build. */
  async restartWorkload(name: string): Promise<Result<void>> {
    const restarted = await this.control.restart(this.version, name, this.runtimeSettings());
    if (restarted.ok) this.options.logs.append({ level: 'info', source: 'studio', text: `${name} started again on request` });
    return restarted;
  }

  /** The data folders in use; undefined until the first cycle read the config. */
  /** The host folders of dev.volumes, as the config last read them. */
  volumeFolders(): string[] {
    return this.volumes.map((volume) => volume.hostPath);
  }

  stores(): SessionStores | undefined {
    return this.folders?.current;
  }

  /** The URLs a workload answers at: the gateway root for the main one, <name>.localhost for others. */
  urlsOf(workload: Workload): string[] {
    return this.gateway.urlsOf(workload, this.version);
  }

  /**
   * Resolves the target, runs the first build and starts watching. Resolves once the first
   * cycle is over: with the URL when it serves, or with the error when the first build failed
   * (the session then keeps watching, waiting for a fix). What no save can fix ends it at
   * once: a bad target, a project another studio has, a gateway port in use.
   */
  async start(): Promise<Result<{ url: string | undefined }>> {
    const resolved = await resolveTarget(this.options.target);
    if (!resolved.ok) return resolved;
    const target = resolved.value;
    this.target = target;
    // Before anything of the project's is read or written (its traffic files, its build).
    if (target.kind === 'project') {
      const claimed = claimProject(target.root);
      if (!claimed.ok) return claimed;
      this.releaseProject = claimed.value.release;
      this.recordAddress = claimed.value.recordAddress;
      const project = await loadProject(target.root);
      if (project.ok) {
        this.project = project.value;
        this.outputs.expect(outputPathsOf(project.value));
      }
      // A port in use is said now, not after a build that may take a minute, and before the
      // studio's own address is printed as if all were ready. Only where HTTP is certain: a
      // project whose own component is its service (dev.service) may need no listener at all.
      if (this.project && this.project.config.dev?.service !== true) {
        const free = await this.gateway.canListen(this.project.config);
        if (!free.ok) return free;
      }
    }
    this.folders = new SessionStoreFolders(target, (stores) => this.emit({ kind: 'stores', stores }), loggerFor(this.options.logs, 'stores'));
    this.emit({ kind: 'target', description: describeTarget(target), dataDir: target.dataDir });
    await this.traffic.open(dirname(target.dataDir));
    // The data folders open before the first build, so they can be browsed even while it fails.
    // A data folder another studio is using ends the session before anything runs. Any other
    // trouble with the folders (a wrong path in the config, say) is the first cycle's to
    // report: it opens them again, and a save can fix it.
    const opened = await this.folders.openFor(this.project?.config);
    if (!opened.ok && opened.error.code === 'data-in-use') return opened;
    const watching = this.options.watch !== false;
    // Watch before the first build, so a fix saved while it runs is not missed.
    if (watching) await this.watch(target);
    this.starting = true;
    try {
      await this.queue.run('start', performance.now());
    } finally {
      this.starting = false;
    }
    const last = this.builds[this.builds.length - 1];
    // A project whose first build failed waits for the fix (see endsSession).
    if (!this.version && last?.error && this.endsSession(last.error)) return { ok: false, error: last.error };
    return ok({ url: this.gateway.url });
  }

  /** Whether saves rebuild: watched, not asked for (--no-watch), or asked for but the watcher could not start (said when it failed). */
  private watchState(): WatchState {
    if (this.options.watch === false) return 'off';
    return this.watcher ? 'on' : 'failed';
  }

  private async watch(target: Target): Promise<void> {
    this.watcher = await watchTarget(target, {
      onChange: (at) => this.queue.request('change', at),
      outputs: this.outputs,
      dataDirs: () => {
        const stores = this.folders?.current;
        // The traffic inspector's records and the checks are the studio's, not sources: no build.
        const studio = target.kind === 'project' ? [join(target.root, '.wash', 'studio'), join(target.root, '.wash', 'checks')] : [];
        return [...(stores ? [stores.keyvaluePath, stores.blobstorePath] : []), ...(target.kind === 'project' ? volumesInside(this.volumes, target.root) : []), ...studio];
      },
      notes: this.notes,
      settingsFile: studioSettingsPath(baseDirOf(target)),
      onSettingsFile: () => void this.studioSettingsChanged().catch((err: unknown) => this.notes.warn(`Applying ${studioSettingsPath(baseDirOf(target))} failed: ${messageOf(err)}`)),
    });
  }

  /**
   * The project folder went away: the file watcher has dropped it, and would not see it come
   * back. Once it is back, watch it again and build what is there.
   */
  private awaitProjectReturn(root: string): void {
    if (this.returnTimer || this.options.watch === false || !this.target) return;
    const target = this.target;
    this.returnTimer = setInterval(() => {
      if (!existsSync(root)) return;
      clearInterval(this.returnTimer);
      this.returnTimer = undefined;
      void (async () => {
        await this.watcher?.close();
        await this.watch(target);
        this.options.logs.append({ level: 'info', source: 'studio', text: `The project folder ${root} is back: watching it again.` });
        this.queue.request('change', performance.now());
      })().catch((err: unknown) => this.notes.warn(`Watching ${root} again failed: ${messageOf(err)}. Rebuild by hand with r + Enter.`));
    }, PROJECT_RETURN_POLL_MS);
  }

  /** Rebuilds now, as if a file had been saved. */
  rebuild(): void {
    this.queue.request('manual', performance.now());
  }

  get workloads(): Workload[] {
    return workloadsOf(this.version);
  }

  /** The TCP sockets the serving version's components have open, when it has the sockets service. */
  sockets(): SocketsSnapshot | undefined {
    return socketsOf(this.version?.shared.services);
  }

  /** The serving version's service (dev.service, dev.service_file), if it has one. */
  get service(): ServiceRunner | undefined {
    return this.version?.service;
  }

  /** Resolves when no build is running or queued. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Stops everything; a step that fails is logged and the next one still runs, so nothing is left holding a port or a folder. */
  async stop(): Promise<void> {
    clearInterval(this.returnTimer);
    this.returnTimer = undefined;
    this.queue.stop();
    await this.settle('watcher', async () => this.watcher?.close());
    await this.idle();
    // Requests running now get the workloads' grace period, and a 503 when it ends, on
    // connections still open to carry it; only then are the connections closed.
    this.gateway.stopAccepting();
    const version = this.version;
    if (version) await this.settle('workloads', () => stopVersion(version, 2000));
    this.version = undefined;
    await this.settle('gateway', () => this.gateway.close());
    await this.settle('traffic inspector', () => this.traffic.close());
    await this.settle('data folders', async () => this.folders?.close());
    this.releaseProject();
  }

  private async settle(what: string, step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.options.logs.append({ level: 'warn', source: 'studio', text: `Stopping the ${what} failed: ${messageOf(err)}` });
    }
  }

  /**
   * One reload cycle. It never throws: the reload queue would reject, and with it start() and
   * the CLI, printing a stack trace instead of a sentence. Anything unexpected, in the build or
   * the swap, is one failed cycle, and the loop goes on.
   */
  private async runCycle(reason: string, triggeredAt: number, signal: AbortSignal): Promise<void> {
    const record: BuildRecord = { number: ++this.buildNumber, reason, startedAt: Date.now(), outcome: 'running' };
    this.builds.push(record);
    if (this.builds.length > 100) this.builds.shift();
    const first = !this.version;
    try {
      await this.cycle(record, triggeredAt, signal, first);
    } catch (err) {
      this.failed(record, this.unexpected(err, record), first);
    }
  }

  /** A build failed: said once, with whether the session waits for a fix or ends. */
  private failed(record: BuildRecord, error: StudioError, first: boolean, output?: string): void {
    record.outcome = 'failed';
    record.error = error;
    if (error.code === 'project-gone' && this.target?.kind === 'project') this.awaitProjectReturn(this.target.root);
    const ends = first && this.starting && this.endsSession(error);
    this.emit({ kind: 'build-failed', build: record, error, ...(output !== undefined ? { output } : {}), first, ...(ends ? { ends } : {}) });
  }

  /**
   * Whether a start whose first build failed with `error` ends the session: a port in use is
   * not the component's to fix, and without watching nothing would come. A bare .wasm is
   * watched like a project: the toolchain that made it may write a good one over it (and the
   * studio UI, whose address is printed by then, stays up to open another).
   */
  private endsSession(error: StudioError): boolean {
    return isListenFailure(error) || this.options.watch === false;
  }

  private async cycle(record: BuildRecord, triggeredAt: number, signal: AbortSignal, first: boolean): Promise<void> {
    const target = this.target!;
    const folders = this.folders!;
    const outcome = await buildAndStart(
      {
        target,
        settings: () => this.runtimeSettings(),
        logs: this.options.logs,
        notes: this.notes,
        emit: (event) => this.emit(event),
        onProject: (project, volumes) => {
          this.project = project;
          if (volumes) this.volumes = volumes;
        },
        openStores: (config) => folders.openFor(config),
        outputs: this.outputs,
        config: () => this.project?.config,
        serviceListening: () => fixedListeningOf(this.version?.shared.services, this.version?.service?.name),
        onStudioSettings: (settings) => {
          const before = this.instances.mode;
          this.instances.settingsRead(settings.instances);
          if (this.instances.mode !== before) this.settingsChanged();
        },
      },
      record,
      signal,
    );
    if (signal.aborted) {
      if (outcome.ok) await stopVersion(outcome.value);
      record.outcome = 'cancelled';
      this.emit({ kind: 'build-cancelled', build: record, by: typeof signal.reason === 'string' ? signal.reason : 'change' });
      return;
    }
    if (!outcome.ok) {
      this.failed(record, outcome.error, first, outcome.output);
      return;
    }
    const swapped = await this.swap(outcome.value);
    if (!swapped.ok) {
      this.failed(record, swapped.error, first);
      return;
    }
    record.outcome = 'ok';
    record.totalMs = performance.now() - triggeredAt;
    this.emit({ kind: 'reloaded', build: record, first });
    this.traffic.reloaded();
  }

  /** Puts a started version in service and drains the old one. */
  private async swap(next: Version): Promise<Result<void>> {
    const old = this.version;
    this.version = next;
    this.control.clear();
    // The listener starts with the first version that serves HTTP (a service alone needs none).
    if (!this.gateway.listening && workloadsOf(next).length > 0) {
      const listening = await this.gateway.listen(this.project?.config, this.target!);
      if (!listening.ok) {
        this.version = old;
        await stopVersion(next);
        return listening;
      }
      this.recordAddress(listening.value);
      this.emit({ kind: 'serving', url: listening.value, workloads: this.workloads, root: next.main, watching: this.watchState() });
    } else if (!this.gateway.listening && !old) {
      this.emit({ kind: 'no-http', service: next.service?.name, watching: this.watchState() });
    } else {
      const moved = this.gateway.movedBy(this.project?.config);
      if (moved) this.notes.once(`address ${moved}`, 'warn', `The config now asks for the gateway at ${moved}, but it keeps listening at ${this.gateway.url}: the address is taken when the studio starts. Restart the studio to move it.`);
      const tls = this.target ? await this.gateway.reloadTls(this.project?.config, this.target) : undefined;
      // A new certificate is said each time; a problem once, not at every save until it is fixed.
      if (tls?.level === 'info') this.options.logs.append({ level: 'info', source: 'studio', text: tls.text });
      else if (tls) this.notes.once(`tls ${tls.text}`, tls.level, tls.text);
    }
    // Requests already accepted finish on the old version; new ones go to the new one.
    if (old) this.retire(old);
    // The mode changed while this version started: give it instances in the new one.
    if (next.strategy !== this.instances.mode) void this.renewInstances();
    return ok(undefined);
  }

  /** An exception where a value was expected: a bug, said as one sentence; the stack goes to the log. */
  private unexpected(err: unknown, record: BuildRecord): StudioError {
    this.options.logs.append({ level: 'debug', source: 'studio', text: `build ${record.number} failed unexpectedly: ${err instanceof Error && err.stack ? err.stack : messageOf(err)}` });
    return { code: 'internal-error', message: `The studio failed while building and starting: ${messageOf(err)}`, hint: 'Save again to retry; if it repeats, the log has the details.' };
  }

  /** Stops a version (or some workloads) in the background; a failure to stop is logged, never thrown at nobody. */
  private retire(what: Version | Workload[]): void {
    const stopping = Array.isArray(what) ? stopWorkloads(what, this.options.settings.requestTimeoutMs) : stopVersion(what, this.options.settings.requestTimeoutMs);
    stopping.catch((err: unknown) => {
      this.options.logs.append({ level: 'warn', source: 'studio', text: `Stopping the previous version failed: ${messageOf(err)}` });
    });
  }
}


/** How often a project folder that went away is looked for. */
const PROJECT_RETURN_POLL_MS = 1000;

/**
 * What a failed build may have failed on that an edit of .wash/studio.yaml can fix: a bad key,
 * a CA or body file that is not there, YAML that does not parse, a file that cannot be read (a
 * folder in its place). The last two may be wash's config's too: retrying then fails the same.
 */
const STUDIO_SETTINGS_ERRORS = new Set(['studio-settings-invalid', 'config-file-missing', 'outbound-ca-invalid', 'config-unparsable', 'config-unreadable']);

/** One line on what a mode means, for the log. */
function describeMode(mode: InstanceStrategy): string {
  return mode === 'fresh' ? 'fresh: a new instance for every request, as wash does' : 'reuse: an instance serves request after request, so state a component keeps survives between requests (wash gives every request a new one)';
}
