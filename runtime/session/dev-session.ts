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
// routing (session-gateway), and workloads stopped or restarted by hand (workload-control).
import { fail, messageOf, ok, type Result, type StudioError } from '../errors.ts';
import type { Volume } from '../host/filesystem.ts';
import { loggerFor, type LogBus } from '../logs/log-bus.ts';
import { loadProject, type Project } from '../project/project-config.ts';
import type { ProjectWatcher } from '../watch/project-watcher.ts';
import type { RuntimeSettings, Workload } from '../workloads/workload.ts';
import { BuildOutputs } from './build-outputs.ts';
import { outputPathsOf } from './project-build.ts';
import { buildAndStart } from './reload-cycle.ts';
import { ReloadQueue } from './reload-queue.ts';
import type { BuildRecord, CycleResult, SessionEvent } from './session-events.ts';
import { SessionGateway } from './session-gateway.ts';
import { SessionNotes } from './session-notes.ts';
import { SessionStoreFolders, type SessionStores } from './session-stores.ts';
import { describeTarget, nameOf, resolveTarget, type Target } from './session-target.ts';
import { stopWorkloads, workloadsOf, type Version } from './session-version.ts';
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
}

export class DevSession {
  private version: Version | undefined;
  private target: Target | undefined;
  private folders: SessionStoreFolders | undefined;
  private watcher: ProjectWatcher | undefined;
  private buildNumber = 0;
  /** The project as the latest cycle read it, for the gateway's address and TLS and the UI. */
  private project: Project | undefined;
  private volumes: Volume[] = [];
  readonly builds: BuildRecord[] = [];

  private readonly listeners = new Set<(event: SessionEvent) => void>();
  private readonly notes: SessionNotes;
  private readonly queue = new ReloadQueue((reason, at, signal) => this.runCycle(reason, at, signal));
  private readonly control: WorkloadControl;
  private readonly gateway: SessionGateway;
  private readonly outputs = new BuildOutputs((paths) => this.watcher?.keep(paths));

  constructor(
    private readonly options: DevSessionOptions,
    onEvent?: (event: SessionEvent) => void,
  ) {
    if (onEvent) this.listeners.add(onEvent);
    this.notes = new SessionNotes(options.logs);
    this.control = new WorkloadControl(options.logs, () => options.settings.requestTimeoutMs);
    this.gateway = new SessionGateway({
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      bodyLimitBytes: options.bodyLimitBytes,
      logs: options.logs,
      version: () => this.version,
      isStopped: (name) => this.control.isStopped(name),
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
    };
  }

  /** Stops serving one workload: its routes answer 503 until it is restarted or rebuilt. */
  stopWorkload(name: string): Promise<Result<void>> {
    return this.control.stop(this.version, name);
  }

  isStopped(name: string): boolean {
    return this.control.isStopped(name);
  }

  /** Starts one workload again from the component it runs, without a build. */
  restartWorkload(name: string): Promise<Result<void>> {
    return this.control.restart(this.version, name, this.options.settings);
  }

  /** The data folders in use; undefined until the first cycle read the config. */
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
   * (the session then keeps watching, waiting for a fix). A bad target is the only failure
   * that ends the session.
   */
  async start(): Promise<Result<{ url: string | undefined }>> {
    const resolved = await resolveTarget(this.options.target);
    if (!resolved.ok) return resolved;
    const target = resolved.value;
    this.target = target;
    this.folders = new SessionStoreFolders(target, (stores) => this.emit({ kind: 'stores', stores }), loggerFor(this.options.logs, 'stores'));
    this.emit({ kind: 'target', description: describeTarget(target), dataDir: target.dataDir });
    // The data folders open before the first build, so they can be browsed even while it fails.
    if (target.kind === 'project') {
      const project = await loadProject(target.root);
      if (project.ok) {
        this.project = project.value;
        this.outputs.expect(outputPathsOf(project.value));
      }
    }
    // A data folder another studio is using ends the session before anything runs.
    const opened = this.folders.openFor(this.project?.config);
    if (!opened.ok) return opened;
    const watching = this.options.watch !== false;
    // Watch before the first build, so a fix saved while it runs is not missed.
    if (watching) {
      this.watcher = await watchTarget(target, {
        onChange: (at) => this.queue.request('change', at),
        outputs: this.outputs,
        dataDirs: () => {
          const stores = this.folders?.current;
          return [...(stores ? [stores.keyvaluePath, stores.blobstorePath] : []), ...(target.kind === 'project' ? volumesInside(this.volumes, target.root) : [])];
        },
        notes: this.notes,
      });
    }
    await this.queue.run('start', performance.now());
    const last = this.builds[this.builds.length - 1];
    // A bare .wasm that cannot start has no build to fix: that ends the session, like a port
    // in use. A project whose first build failed waits for the fix, unless nothing watches.
    if (!this.version && last?.error && (isFatal(last.error) || target.kind === 'file' || !watching)) {
      return { ok: false, error: last.error };
    }
    return ok({ url: this.gateway.url });
  }

  /** Rebuilds now, as if a file had been saved. */
  rebuild(): void {
    this.queue.request('manual', performance.now());
  }

  get workloads(): Workload[] {
    return workloadsOf(this.version);
  }

  /** Resolves when no build is running or queued. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.queue.stop();
    await this.watcher?.close();
    await this.idle();
    await this.gateway.close();
    await stopWorkloads(this.workloads, 2000);
    this.version = undefined;
    this.folders?.close();
  }

  private async runCycle(reason: string, triggeredAt: number, signal: AbortSignal): Promise<void> {
    const record: BuildRecord = { number: ++this.buildNumber, reason, startedAt: Date.now(), outcome: 'running' };
    this.builds.push(record);
    if (this.builds.length > 100) this.builds.shift();
    const first = !this.version;
    const target = this.target!;
    const folders = this.folders!;
    // Anything unexpected is one failed cycle, never the end of the loop.
    const outcome = await buildAndStart(
      {
        target,
        settings: this.options.settings,
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
      },
      record,
      signal,
    ).catch((err: unknown): CycleResult<Version> => fail('internal-error', `The studio failed while building and starting: ${messageOf(err)}`, 'Save again to retry; if it repeats, the log has the details.'));
    if (signal.aborted) {
      if (outcome.ok) await stopWorkloads(workloadsOf(outcome.value));
      record.outcome = 'cancelled';
      this.emit({ kind: 'build-cancelled', build: record });
      return;
    }
    if (!outcome.ok) {
      record.outcome = 'failed';
      record.error = outcome.error;
      this.emit({ kind: 'build-failed', build: record, error: outcome.error, output: outcome.output, first });
      return;
    }
    const swapped = await this.swap(outcome.value);
    if (!swapped.ok) {
      record.outcome = 'failed';
      record.error = swapped.error;
      this.emit({ kind: 'build-failed', build: record, error: swapped.error, first });
      return;
    }
    record.outcome = 'ok';
    record.totalMs = performance.now() - triggeredAt;
    this.emit({ kind: 'reloaded', build: record, first });
  }

  /** Puts a started version in service and drains the old one. */
  private async swap(next: Version): Promise<Result<void>> {
    const old = this.version;
    this.version = next;
    this.control.clear();
    if (!this.gateway.listening) {
      const listening = await this.gateway.listen(this.project?.config, this.target!);
      if (!listening.ok) {
        this.version = old;
        await stopWorkloads(workloadsOf(next));
        return listening;
      }
      this.emit({ kind: 'serving', url: listening.value, workloads: this.workloads });
    }
    // Requests already accepted finish on the old version; new ones go to the new one.
    if (old) void stopWorkloads(workloadsOf(old), this.options.settings.requestTimeoutMs);
    return ok(undefined);
  }
}

/** Errors no save can fix: the session ends instead of waiting. */
function isFatal(error: StudioError): boolean {
  return ['port-in-use', 'port-denied', 'listen-failed'].includes(error.code);
}
