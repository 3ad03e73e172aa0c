// The Studio API on the Node side: every command of api.ts over a dev session, the log bus
// and the data stores, and every event, whatever the transport (the browser-mode bridge or
// Electron IPC). It owns the current session: `project.open` stops it and starts the next
// one through the factory it was given. It knows nothing of sockets, windows or printing.
import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { checkComponentHead } from '../components/component-file.ts';
import { StudioFailure, messageOf, type StudioError } from '../errors.ts';
import { valuesWithOrigins } from '../project/config-layers.ts';
import { defaultsInUse } from '../project/project-config.ts';
import { studioConfigDir } from '../cache-dir.ts';
import { INSTALL_FOLDERS } from '../install-folder.ts';
import { riskyTarget } from '../project/risky-folders.ts';
import { isWithin } from '../path-within.ts';
import { pathExists } from '../path-exists.ts';
import { OWNER_FILE } from '../stores/store-owner.ts';
import { exampleCopied, listExamples, newProject } from '../project/new-project.ts';
import { resolveTypedPath, typedPathBase } from './typed-path.ts';
import { userExamplesDir } from './launch-state.ts';
import { checkProjectFree } from '../session/project-claim.ts';
import { resolveTarget, targetKind } from '../session/session-target.ts';
import type { LogBus, LogRecord } from '../logs/log-bus.ts';
import type { BuildRecord, DevSession, SessionEvent, SessionStores } from '../session/dev-session.ts';
import type { ServiceRunner } from '../workloads/service-runner.ts';
import type { LinkedInfo, Workload } from '../workloads/workload.ts';
import type {
  ApiError,
  BuildView,
  ChainNodeView,
  CommandArgs,
  ConfigSourcesView,
  ConfigValueView,
  InstancesView,
  CommandName,
  CommandResult,
  EventName,
  Events,
  ProjectView,
  ServiceView,
  SettingsView,
  SocketsView,
  WorkloadView,
} from './api.ts';
import { isCommandName, parseArgs } from './command-args.ts';
import { DeployCommands } from './deploy-commands.ts';
import { sendHttpRequest } from './http-playground.ts';
import { SnapshotCommands } from './snapshot-commands.ts';
import { StoreCommands } from './store-commands.ts';
import { TrafficCommands } from './traffic-commands.ts';
import { UiStateFile, UiStateRefused } from './ui-state.ts';
import { setOutbound, studioSettingsView } from './outbound-settings.ts';

/** One pushed event, as both transports carry it. */
export type StudioEvent = { [E in EventName]: { event: E; payload: Events[E] } }[EventName];

export interface StudioServiceOptions {
  logs: LogBus;
  /** Makes (does not start) a session for a project folder or a .wasm file. */
  createSession: (target: string) => DevSession;
  /**
   * A session the caller made and starts itself (the CLI does, to print its progress and
   * exit on a fatal start error). Without one, call `open()`.
   */
  session?: DevSession;
  /** The target `session` was made for, for views before it has resolved it. */
  target?: string;
  /** Relative paths given to project.open resolve against this (default: the process cwd). */
  cwd?: string;
  /** How long log records gather before one 'logs.appended' event (default 50 ms). */
  logBatchMs?: number;
  /** Where the UI's state file lives (default: the user config folder). */
  configDir?: string;
  /**
   * Folders of the studio's own besides its install folder and the examples' copies in
   * `configDir` (the app passes its own): a relative path typed while the open project is in
   * one starts in the home folder (see typed-path.ts).
   */
  studioFolders?: readonly string[];
  /** The playground's response body cap (default 5 MiB). */
  maxResponseBytes?: number;
  /** The projects opened before, newest first (launch-state.ts); none by default. */
  recentProjects?: () => Promise<string[]>;
}

type Handlers = { [C in CommandName]: (args: CommandArgs<C>) => Promise<CommandResult<C>> };

const DEFAULT_LOG_PAGE = 500;
/** Records kept for the next 'logs.appended' batch; past this the oldest are dropped (clients see the gap in `seq` and query it). */
const MAX_LOG_BATCH = 10_000;
const STATS_INTERVAL_MS = 1000;
/** The end of a failed build's output is kept for the UI (the log has all of it). */
const MAX_BUILD_OUTPUT = 256 * 1024;

/**
 * The arguments that name a file on this machine to read or overwrite, which only the
 * command line may give: a page that could would reach every file the user can (or learn
 * which exist), and a stolen token would be enough for it.
 */
function terminalOnlyArgument(command: CommandName, args: unknown): string | undefined {
  if (command === 'settings.setOutbound') {
    // A stand-in's body file is served to the component, and so to whoever sends the request.
    const outside = (args as { standIns?: { body_file?: string }[] }).standIns?.find((s) => s.body_file !== undefined && (isAbsolute(s.body_file) || s.body_file.split(/[\\/]/).includes('..')));
    return outside ? `a body_file outside the project (${JSON.stringify(outside.body_file)})` : undefined;
  }
  if (command !== 'snapshots.export' && command !== 'snapshots.inspect' && command !== 'snapshots.import') return undefined;
  return (args as { file?: string }).file === undefined ? undefined : '`file`';
}

export class StudioService {
  private session: DevSession | undefined;
  /** ProjectView.session of the session attached: clients start again when it changes. */
  private sessionId = '';
  /** ProjectView.ready: the session has read its project (its traffic and data folders are open, or failed to). */
  private sessionReady = false;
  private target: string | undefined;
  private unsubscribeSession: (() => void) | undefined;
  private readonly listeners = new Set<(event: StudioEvent) => void>();
  private readonly unsubscribeLogs: () => void;
  private pendingLogs: LogRecord[] = [];
  private logTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private lastStats = '';
  /** Build output of failed builds, by build number, for BuildView.output. */
  private readonly buildOutput = new Map<number, string>();
  /** The newest log seq when the running build started: its output is what the build logs after. */
  private buildLogStart: { build: number; seq: number } | undefined;
  private lastLogSeq = 0;
  /** The build each running workload came from. */
  private readonly workloadBuild = new WeakMap<Workload, number>();
  private opening: Promise<unknown> = Promise.resolve();
  private readonly stores = new StoreCommands(
    () => this.currentStores(),
    (event) => this.emit(event),
    (text) => void this.options.logs.append({ level: 'warn', source: 'studio', text }),
  );
  private readonly snapshots = new SnapshotCommands(
    () => this.session,
    (event) => this.emit(event),
    this.stores,
  );
  private readonly deploy = new DeployCommands(
    () => this.session,
    (event) => this.emit(event),
  );
  private readonly traffic = new TrafficCommands(
    () => this.session,
    (event) => this.emit(event),
    () => this.snapshots.handlers(),
  );
  private closed = false;
  private readonly handlers: Handlers;

  private readonly uiState: UiStateFile;

  constructor(private readonly options: StudioServiceOptions) {
    this.uiState = new UiStateFile(options.configDir);
    this.target = options.target;
    if (options.session) this.attach(options.session, options.target ?? '.');
    this.unsubscribeLogs = options.logs.subscribe((record) => this.onLog(record));
    this.handlers = this.makeHandlers();
  }

  /** The session the service drives now. */
  get currentSession(): DevSession | undefined {
    return this.session;
  }

  /** Adds an event listener; returns the function that removes it. */
  subscribe(listener: (event: StudioEvent) => void): () => void {
    this.listeners.add(listener);
    this.statsTimer ??= setInterval(() => this.checkStats(), STATS_INTERVAL_MS).unref();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.statsTimer);
        this.statsTimer = undefined;
      }
    };
  }

  /**
   * Runs a command from a transport: checks the name and the arguments, runs it, and throws
   * a StudioFailure (an ApiError) for anything that goes wrong.
   */
  /**
   * Runs a command. `from` says who asks: a page (the renderer, over the bridge or IPC: what
   * it sends is not trusted further than the API allows) or the studio itself and the
   * command line in the same user's terminal, which may also name files to read and write.
   */
  async call(command: string, args: unknown, from: 'page' | 'terminal' = 'page'): Promise<unknown> {
    if (!isCommandName(command)) {
      throw new StudioFailure({
        code: 'unknown-command',
        message: `There is no command "${String(command).slice(0, 100)}".`,
        hint: 'The commands are listed in runtime/studio/api.ts; the page and the studio may be different versions (reload the page).',
      });
    }
    const parsed = parseArgs(command, args);
    if (!parsed.ok) throw new StudioFailure({ code: 'bad-arguments', message: `${command}: ${parsed.message}.`, hint: 'The arguments are described in runtime/studio/api.ts.' });
    const terminalOnly = from === 'page' ? terminalOnlyArgument(command, parsed.value) : undefined;
    if (terminalOnly) {
      throw new StudioFailure({ code: 'bad-arguments', message: `${command}: ${terminalOnly} is for the command line or the file itself, not for a page.`, hint: command === 'settings.setOutbound' ? 'Put the file in the project and name it by a relative path, or write the stand-in into .wash/studio.yaml by hand.' : 'A page uploads archives (snapshots.upload) and downloads exports (snapshots.download); `component-studio snapshot export|import` names files.' });
    }
    try {
      return await (this.handlers[command] as (a: unknown) => Promise<unknown>)(parsed.value);
    } catch (thrown) {
      throw new StudioFailure(this.apiErrorOf(thrown, command));
    }
  }

  /** The same as `call`, typed, for code in this process. */
  invoke<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
    return this.call(command, args, 'terminal') as Promise<CommandResult<C>>;
  }

  /**
   * Starts a session on a target and resolves once it has resolved the target (the build
   * goes on; its progress arrives as events). Stops the current session first.
   */
  open(target: string, options: { confirm?: boolean } = {}): Promise<ProjectView> {
    const next = this.opening.then(() => this.openNow(target, options.confirm === true));
    this.opening = next.catch(() => {});
    return next;
  }

  /** Stops the current session and all timers. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribeLogs();
    clearTimeout(this.logTimer);
    clearInterval(this.statsTimer);
    this.listeners.clear();
    await this.detach();
    this.snapshots.close();
  }

  // ---- sessions ----

  private attach(session: DevSession, target: string): void {
    this.session = session;
    this.target = target;
    this.sessionId = randomUUID();
    // A session started before it was handed over (none is, today) has read its project already.
    this.sessionReady = session.stores() !== undefined || session.builds.length > 0;
    const offEvents = session.subscribe((event) => this.onSessionEvent(event));
    const offSettings = session.subscribeSettings(() => this.session === session && this.onSettingsChanged(session));
    this.traffic.attach(session);
    this.unsubscribeSession = () => {
      offEvents();
      offSettings();
      this.traffic.close();
    };
    this.stores.watch();
  }

  private async detach(): Promise<void> {
    const session = this.session;
    this.unsubscribeSession?.();
    this.unsubscribeSession = undefined;
    this.session = undefined;
    this.buildOutput.clear();
    await this.stores.reset();
    await session?.stop();
  }

  /**
   * True for a folder inside a data folder: below a `.wash/data`, inside the open project's
   * store folders or volumes (a snapshot restore writes them too), or below any folder a
   * studio has kept a store in (it holds the stores' owner file), whichever project's it is.
   * Links are followed first. The open project itself is never refused, even if a volume
   * holds it.
   */
  private async insideDataFolder(target: string): Promise<boolean> {
    const path = await realpath(target).catch(() => target);
    if (path.split(/[\\/]/).some((part, i, parts) => part.toLowerCase() === '.wash' && parts[i + 1]?.toLowerCase() === 'data')) return true;
    const stores = this.session?.stores();
    const open = this.target ? await realpath(this.target).catch(() => this.target) : undefined;
    const volumes = (await Promise.all((this.session?.volumeFolders() ?? []).map((volume) => realpath(volume).catch(() => volume)))).filter((volume) => !open || !isWithin(volume, open));
    const roots = [...(stores ? [stores.keyvaluePath, stores.blobstorePath] : []), ...volumes];
    if (roots.some((root) => isWithin(root, path))) return true;
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      if (await pathExists(join(dir, OWNER_FILE))) return true;
      if (dirname(dir) === dir) return false;
    }
  }

  /** Where a relative path typed in the UI starts: beside the open project, never among the studio's own files (see typed-path.ts). */
  private typedPathBase(): string {
    const own = [...INSTALL_FOLDERS, userExamplesDir(this.options.configDir ?? studioConfigDir()), ...(this.options.studioFolders ?? [])];
    return typedPathBase(this.target, this.options.cwd ?? process.cwd(), own);
  }

  private async openNow(target: string, confirmed: boolean): Promise<ProjectView> {
    if (this.closed) throw new StudioFailure({ code: 'closed', message: 'The studio is shutting down.' });
    const path = resolveTypedPath(target, this.typedPathBase());
    // Checked before the current project stops, so a typo does not leave nothing running.
    const kind = await targetKind(path);
    if (!kind.ok) throw new StudioFailure(kind.error);
    const isFile = kind.value === 'file';
    if (isFile) {
      // A file that is no component at all (a core module, say) could never serve: the
      // project that serves now keeps serving.
      const checked = await checkComponentHead(path);
      if (!checked.ok) throw new StudioFailure(checked.error);
    }
    if (!isFile && (await this.insideDataFolder(path))) {
      // Whatever is there came in as data (a component's writes, an imported snapshot); as a
      // project it would run the build command its config names.
      throw new StudioFailure({ code: 'target-in-data-folder', message: `${path} is inside a data folder of the studio (key-value, blobstore or snapshots), so it is not opened as a project.`, hint: 'Copy the folder out of the data folder first if you mean to build it.' });
    }
    const risky = riskyTarget(path);
    if (risky && !confirmed) throw new StudioFailure({ code: 'project-needs-confirmation', message: risky, hint: 'Pick the project folder inside it, or confirm to open it anyway.' });
    // Whatever would end the next session at once (a folder that is no project, one the
    // studio cannot write to, another studio's project) is said while the project that
    // serves now keeps serving.
    const opened = await resolveTarget(path);
    if (!opened.ok) throw new StudioFailure(opened.error);
    if (opened.value.kind === 'project') {
      const free = checkProjectFree(opened.value.root);
      if (!free.ok) throw new StudioFailure(free.error);
    }
    await this.detach();
    const session = this.options.createSession(path);
    this.attach(session, path);
    const resolved = new Promise<void>((done) => {
      const off = session.subscribe((event) => {
        if (event.kind === 'target') {
          off();
          done();
        }
      });
    });
    const started = session.start().then((result) => {
      if (!result.ok && this.session === session) {
        this.sessionReady = true;
        this.options.logs.append({ level: 'error', source: 'studio', text: `${path}: ${result.error.message}${result.error.hint ? ` (${result.error.hint})` : ''}` });
        this.emit({ event: 'project.changed', payload: this.projectView() });
      }
      return result;
    });
    const first = await Promise.race([resolved.then(() => undefined), started]);
    if (first && !first.ok) throw new StudioFailure(first.error);
    const view = this.projectView();
    this.emit({ event: 'project.changed', payload: view });
    this.emit({ event: 'workloads.changed', payload: this.workloadViews() });
    return view;
  }

  private onSessionEvent(event: SessionEvent): void {
    const session = this.session;
    if (!session) return;
    switch (event.kind) {
      case 'target':
        this.emit({ event: 'project.changed', payload: this.projectView() });
        return;
      case 'stores':
        this.stores.watch();
        this.sessionReady = true;
        this.emit({ event: 'project.changed', payload: this.projectView() });
        return;
      case 'build-started':
      case 'build-finished':
        if (event.kind === 'build-started') {
          this.buildLogStart = { build: event.build.number, seq: this.lastLogSeq };
          // The first cycle starts once the session has opened what it could of the project
          // (its data folders may have failed to open: the views then say why).
          this.sessionReady = true;
        }
        this.emitBuild(event.build);
        if (event.kind === 'build-started') {
          this.emitWorkloads();
          // The cycle has just read the config again: Settings shows where each value comes from.
          this.emit({ event: 'project.changed', payload: this.projectView() });
        }
        return;
      case 'serving': {
        const latest = session.builds[session.builds.length - 1];
        for (const workload of event.workloads) if (latest) this.workloadBuild.set(workload, latest.number);
        this.emit({ event: 'project.changed', payload: this.projectView() });
        return;
      }
      case 'reloaded':
        for (const workload of session.workloads) if (!this.workloadBuild.has(workload)) this.workloadBuild.set(workload, event.build.number);
        this.emitBuild(event.build);
        this.emitWorkloads();
        return;
      case 'build-failed': {
        const output = event.output ?? this.loggedBuildOutput(event.build.number);
        if (output) this.buildOutput.set(event.build.number, output);
        this.emitBuild(event.build);
        this.emitWorkloads();
        // It may have read a changed config before failing (a wrong path, say).
        this.emit({ event: 'project.changed', payload: this.projectView() });
        return;
      }
      case 'build-cancelled':
        this.emitBuild(event.build);
        this.emitWorkloads();
        return;
      case 'phase':
        return;
      case 'no-http':
        this.emit({ event: 'project.changed', payload: this.projectView() });
        return;
      case 'service':
        this.emitWorkloads();
        return;
    }
  }

  // ---- events ----

  private emit(event: StudioEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A transport's failure to deliver must not stop the others or the session.
        this.options.logs.append({ level: 'error', source: 'studio', text: `delivering ${event.event} failed: ${messageOf(err)}` });
      }
    }
  }

  private emitBuild(record: BuildRecord): void {
    this.emit({ event: 'build.changed', payload: this.buildView(record) });
  }

  private emitWorkloads(): void {
    const views = this.workloadViews();
    this.lastStats = statsSignature(views);
    this.emit({ event: 'workloads.changed', payload: views });
  }

  /** Request counts change with every request: push them at most once a second, when they did. */
  private checkStats(): void {
    if (this.listeners.size === 0) return;
    const views = this.workloadViews();
    const signature = statsSignature(views);
    if (signature === this.lastStats) return;
    this.lastStats = signature;
    this.emit({ event: 'workloads.changed', payload: views });
  }

  /** What a build tool printed (the builders log it under 'build'), for a build that reported no output of its own. */
  private loggedBuildOutput(build: number): string | undefined {
    if (this.buildLogStart?.build !== build) return undefined;
    const lines = this.options.logs.query({ sources: ['build'], afterSeq: this.buildLogStart.seq }).map((r) => r.text);
    const text = lines.join('\n');
    return text.length > MAX_BUILD_OUTPUT ? `…${text.slice(text.length - MAX_BUILD_OUTPUT)}` : text || undefined;
  }

  private onLog(record: LogRecord): void {
    this.lastLogSeq = record.seq;
    if (this.listeners.size === 0) return;
    this.pendingLogs.push(record);
    if (this.pendingLogs.length > MAX_LOG_BATCH) this.pendingLogs.splice(0, this.pendingLogs.length - MAX_LOG_BATCH);
    this.logTimer ??= setTimeout(() => this.flushLogs(), this.options.logBatchMs ?? 50);
  }

  private flushLogs(): void {
    this.logTimer = undefined;
    const batch = this.pendingLogs;
    this.pendingLogs = [];
    if (batch.length > 0) this.emit({ event: 'logs.appended', payload: batch });
  }

  // ---- views ----

  private projectView(): ProjectView {
    const described = this.session?.describe();
    const paths = this.storePaths();
    const target = this.target ?? '.';
    const example = described?.kind === 'project' ? this.exampleOf(described.path) : undefined;
    return {
      ...(example ? { example } : {}),
      session: this.sessionId,
      ready: this.sessionReady,
      kind: described?.kind ?? (extname(target).toLowerCase() === '.wasm' ? 'file' : 'project'),
      name: described?.name ?? target.split(/[\\/]/).filter(Boolean).pop()?.replace(/\.wasm$/i, '') ?? target,
      path: described?.path ?? resolve(target),
      configPath: described?.configPath,
      gatewayUrl: described?.gatewayUrl,
      ...paths,
      builds: (this.session?.builds ?? []).map((b) => this.buildView(b)),
    };
  }

  private readonly examples = new Map<string, string | undefined>();

  /** exampleCopied, read once per project folder (projectView runs on every event). */
  private exampleOf(root: string): string | undefined {
    if (!this.examples.has(root)) this.examples.set(root, exampleCopied(root));
    return this.examples.get(root);
  }

  private buildView(record: BuildRecord): BuildView {
    const output = this.buildOutput.get(record.number);
    return {
      number: record.number,
      reason: record.reason,
      startedAt: record.startedAt,
      ...(record.buildMs !== undefined ? { buildMs: record.buildMs } : {}),
      ...(record.startMs !== undefined ? { startMs: record.startMs } : {}),
      ...(record.totalMs !== undefined ? { totalMs: record.totalMs } : {}),
      outcome: record.outcome,
      ...(record.error ? { error: toApiError(record.error) } : {}),
      ...(output !== undefined ? { output } : {}),
    };
  }

  private workloadViews(): WorkloadView[] {
    const session = this.session;
    if (!session) return [];
    const latest = session.builds[session.builds.length - 1];
    const building = latest?.outcome === 'running';
    const workloads = session.workloads;
    const service = session.service;
    if (workloads.length === 0 && !service) {
      // Nothing runs yet (first build running or failed): show the project as one entry, so
      // the list says what is happening instead of being empty.
      const described = session.describe();
      if (!described) return [];
      return [
        {
          name: described.name,
          kind: 'http',
          chain: [],
          state: building || !latest ? 'building' : latest.outcome === 'failed' ? 'failed' : 'stopped',
          build: undefined,
          wasmPath: undefined,
          imports: [],
          exports: [],
          witText: '',
          urls: [],
          requests: 0,
          failures: 0,
          p50Ms: undefined,
          p99Ms: undefined,
          workers: 0,
          instanceStrategy: session.instancesState().mode,
        },
      ];
    }
    const sockets = session.sockets();
    /** The sockets of the components a workload instantiates. */
    const socketsOf = (chain: readonly { name: string }[]): SocketsView | undefined => {
      if (!sockets) return undefined;
      const names = new Set(chain.map((c) => c.name));
      const view = { listening: sockets.listening.filter((s) => names.has(s.component)), connections: sockets.connections.filter((s) => names.has(s.component)) };
      return view.listening.length + view.connections.length > 0 ? view : undefined;
    };
    const views: WorkloadView[] = workloads.map((workload) => {
      const stats = workload.stats();
      const sorted = [...stats.latencies].sort((a, b) => a - b);
      const stopped = session.isStopped(workload.info.name);
      return {
        name: workload.info.name,
        kind: 'http',
        chain: chainView(workload.info.chain, workload.linkCalls()),
        ...optional('sockets', socketsOf(workload.info.chain)),
        state: stopped ? 'stopped' : building ? 'building' : 'running',
        build: this.workloadBuild.get(workload),
        wasmPath: workload.info.wasmPath,
        imports: workload.info.world.imports,
        exports: workload.info.world.exports,
        witText: workload.info.world.text,
        urls: session.urlsOf(workload),
        requests: stats.requests,
        failures: stats.failures,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        workers: stopped ? 0 : stats.workers,
        instanceStrategy: stats.strategy,
      };
    });
    if (service) views.push({ ...this.serviceView(service, session), ...optional('sockets', socketsOf(service.linked)) });
    return views;
  }

  private serviceView(service: ServiceRunner, session: DevSession): WorkloadView {
    const state = service.state;
    const root = service.linked.at(-1)!;
    const view: ServiceView = { state: state.kind, starts: service.starts };
    if (state.kind === 'running') view.since = state.since;
    if (state.kind === 'restarting') {
      view.restartAt = state.at;
      view.ended = state.ended;
    }
    return {
      name: service.name,
      kind: 'service',
      chain: chainView(service.linked, service.linkCalls()),
      service: view,
      state: state.kind === 'stopped' || session.isStopped(service.name) ? 'stopped' : 'running',
      build: session.builds.findLast((b) => b.outcome === 'ok')?.number,
      wasmPath: root.wasmPath,
      imports: root.world.imports,
      exports: root.world.exports,
      witText: root.world.text,
      urls: [],
      requests: 0,
      failures: 0,
      p50Ms: undefined,
      p99Ms: undefined,
      workers: state.kind === 'running' ? 1 : 0,
      instanceStrategy: 'reuse',
    };
  }

  private currentStores(): SessionStores | undefined {
    return this.session?.stores();
  }

  /** Where the stores are: from the session when it offers them, else from the config and the defaults. */
  private storePaths(): Pick<ProjectView, 'keyvaluePath' | 'blobstorePath' | 'keyvalueFrom' | 'blobstoreFrom'> {
    const stores = this.currentStores();
    if (stores) {
      return { keyvaluePath: stores.keyvaluePath, blobstorePath: stores.blobstorePath, keyvalueFrom: stores.keyvalueFrom, blobstoreFrom: stores.blobstoreFrom };
    }
    const described = this.session?.describe();
    const root = described ? (described.kind === 'project' ? described.path : resolve(described.dataDir, '..', '..')) : resolve(this.target ?? '.');
    const dataDir = described?.dataDir ?? join(root, '.wash', 'data');
    const dev = described?.config?.dev;
    return {
      keyvaluePath: dev?.wasi_keyvalue_path ? resolve(root, dev.wasi_keyvalue_path) : join(dataDir, 'keyvalue'),
      blobstorePath: dev?.wasi_blobstore_path ? resolve(root, dev.wasi_blobstore_path) : join(dataDir, 'blobstore'),
      keyvalueFrom: dev?.wasi_keyvalue_path ? 'config' : 'default',
      blobstoreFrom: dev?.wasi_blobstore_path ? 'config' : 'default',
    };
  }

  private async settingsView(): Promise<SettingsView> {
    const project = this.projectView();
    const port = project.gatewayUrl ? Number(new URL(project.gatewayUrl).port || (project.gatewayUrl.startsWith('https') ? 443 : 80)) : undefined;
    const config = this.configView();
    const studioSettings = await studioSettingsView(this.session?.describe());
    return { projectPath: project.path, port, keyvaluePath: project.keyvaluePath, blobstorePath: project.blobstorePath, ...(config ? { config } : {}), instances: this.instancesView(), ...studioSettings };
  }

  private instancesView(): InstancesView {
    const state = this.session?.instancesState();
    if (!state) return { mode: 'fresh', from: 'default' };
    return { mode: state.mode, from: state.from, ...(state.settingsPath ? { settingsPath: state.settingsPath } : {}) };
  }

  /** The session renewed instances or read other studio settings: the views follow. */
  private onSettingsChanged(session: DevSession): void {
    // Renewed workloads run the component of the version that serves.
    const build = session.servingBuild;
    if (build !== undefined) for (const workload of session.workloads) if (!this.workloadBuild.has(workload)) this.workloadBuild.set(workload, build);
    this.emit({ event: 'project.changed', payload: this.projectView() });
    this.emitWorkloads();
  }

  /** Each effective config value and the layer (or studio default) it came from. */
  private configView(): ConfigSourcesView | undefined {
    const described = this.session?.describe();
    const project = described?.project;
    if (!described || !project) return undefined;
    const flags = described.addressFlags;
    const view = (key: string, value: unknown, origin: ConfigValueView['origin']): ConfigValueView => ({
      key,
      value: JSON.stringify(value),
      origin,
      ...(key === 'dev.address' && flags ? { overriddenBy: flags } : {}),
    });
    const values = [
      ...valuesWithOrigins(project.config, project.origins).map(({ key, value, origin }) => view(key, value, origin)),
      ...defaultsInUse(project).map(({ key, value }) => view(key, value, { kind: 'default' })),
    ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return {
      userConfigDir: project.userConfigDir,
      ...(project.userConfigPath ? { userConfigPath: project.userConfigPath } : {}),
      ...(project.configPath ? { projectConfigPath: project.configPath } : {}),
      envVariables: Object.values(project.envVariables),
      values,
    };
  }

  private requireSession(): DevSession {
    if (!this.session) throw new StudioFailure({ code: 'no-project', message: 'No project is open.', hint: 'Open a project folder or a .wasm file first.' });
    return this.session;
  }

  private findWorkload(name: string): { session: DevSession; workload: Workload | undefined } {
    const session = this.requireSession();
    const workload = session.workloads.find((w) => w.info.name === name);
    if (!workload && session.describe()?.name !== name && session.service?.name !== name) {
      const known = [...session.workloads.map((w) => w.info.name), ...(session.service ? [session.service.name] : [])];
      throw new StudioFailure({
        code: 'workload-not-found',
        message: `There is no workload named "${name}".`,
        hint: known.length ? `Running now: ${known.join(', ')}.` : 'Nothing is running yet; wait for the build to finish.',
      });
    }
    return { session, workload };
  }

  // ---- commands ----

  private makeHandlers(): Handlers {
    return {
      'project.get': async () => this.projectView(),
      'project.open': async ({ path, confirm }) => this.open(path, { confirm: confirm === true }),
      'project.examples': async () => listExamples(),
      'project.recent': async () => (await this.options.recentProjects?.().catch(() => [])) ?? [],
      'project.create': async ({ path, example }) => {
        const made = await newProject(resolveTypedPath(path, this.typedPathBase()), example);
        if (!made.ok) throw new StudioFailure(made.error);
        // A folder the user named for a new project is theirs to open, wherever it is.
        return this.open(made.value, { confirm: true });
      },
      'project.rebuild': async () => {
        this.requireSession().rebuild();
        return null;
      },
      'workloads.list': async () => this.workloadViews(),
      'workloads.restart': async ({ name }) => {
        const { session, workload } = this.findWorkload(name);
        const build = workload ? this.workloadBuild.get(workload) : undefined;
        const restarted = await session.restartWorkload(name);
        if (!restarted.ok) throw new StudioFailure(restarted.error);
        // The new instances run the same component, from the same build.
        const fresh = session.workloads.find((w) => w.info.name === name);
        if (fresh && build !== undefined && !this.workloadBuild.has(fresh)) this.workloadBuild.set(fresh, build);
        this.emitWorkloads();
        return null;
      },
      'workloads.stop': async ({ name }) => {
        const { session, workload } = this.findWorkload(name);
        if (!workload && session.service?.name !== name) throw new StudioFailure({ code: 'workload-not-running', message: `${name} is not running.`, hint: 'Its build has not produced a running version yet.' });
        const stopped = await session.stopWorkload(name);
        if (!stopped.ok) throw new StudioFailure(stopped.error);
        this.emitWorkloads();
        return null;
      },
      'workloads.setInstances': async ({ mode }) => {
        const switched = await this.requireSession().setInstances(mode);
        if (!switched.ok) throw new StudioFailure(switched.error);
        return this.instancesView();
      },
      'logs.query': async (query) => this.queryLogs(query),
      'logs.clear': async () => {
        this.options.logs.clear();
        this.pendingLogs = [];
        this.emit({ event: 'logs.cleared', payload: null });
        return null;
      },
      'http.send': async (spec) => {
        const gatewayUrl = this.session?.describe()?.gatewayUrl;
        const traffic = this.session?.traffic;
        const noHttp = this.session?.servesNoHttp();
        return sendHttpRequest(spec, { baseUrl: gatewayUrl, ...(noHttp ? { noHttp } : {}), maxBodyBytes: this.options.maxResponseBytes ?? 5 * 2 ** 20, capture: traffic?.capture, ...(traffic ? { timeoutMs: traffic.clientTimeoutMs() } : {}) });
      },
      'settings.get': async () => this.settingsView(),
      'settings.setOutbound': async (change) => {
        const set = await setOutbound(this.session?.describe(), change);
        if (!set.ok) throw new StudioFailure(set.error);
        return set.value;
      },
      'ui.state.get': async ({ key }) => ({ value: this.uiState.get(key) }),
      'ui.state.set': async ({ key, value }) => {
        try {
          this.uiState.set(key, value);
        } catch (err) {
          if (err instanceof UiStateRefused) throw new StudioFailure({ code: 'bad-arguments', message: `Could not keep the UI's state: ${err.message}.`, hint: 'Keep less, or a flatter value.' });
          throw new StudioFailure({ code: 'ui-state-failed', message: `Could not keep the UI's state: ${(err as Error).message}.`, hint: 'Check that the user config folder is writable.' });
        }
        return null;
      },
      ...this.stores.handlers(),
      ...this.snapshots.handlers(),
      ...this.deploy.handlers(),
      ...this.traffic.handlers(),
    };
  }

  private queryLogs(q: CommandArgs<'logs.query'>): CommandResult<'logs.query'> {
    const all = this.options.logs.query();
    const sources = [...new Set(all.map((r) => r.source))].sort();
    const matching = this.options.logs.query({
      ...(q.minLevel ? { minLevel: q.minLevel } : {}),
      ...(q.sources ? { sources: q.sources } : {}),
      ...(q.text ? { text: q.text } : {}),
      ...(q.stream ? { stream: q.stream } : {}),
    });
    const total = matching.length;
    const limit = q.limit ?? DEFAULT_LOG_PAGE;
    let from = 0;
    let to = matching.length;
    if (q.afterSeq !== undefined) from = firstIndexAbove(matching, q.afterSeq);
    if (q.beforeSeq !== undefined) to = firstIndexAbove(matching, q.beforeSeq - 1);
    // After a seq alone, pages go forward (the oldest first); otherwise the newest page
    // before the end (or before beforeSeq) comes back. Records are always oldest first.
    const page = q.afterSeq !== undefined && q.beforeSeq === undefined ? matching.slice(from, Math.min(to, from + limit)) : matching.slice(Math.max(from, to - limit), to);
    return { records: page, total, sources };
  }

  /** The error a transport sends: a StudioFailure's or a store's own, else a generic one (logged with its stack). */
  private apiErrorOf(thrown: unknown, command: string): ApiError {
    if (thrown instanceof StudioFailure) return toApiError(thrown.error);
    const storeLike = thrown as { toStudioError?: () => StudioError };
    if (thrown instanceof Error && typeof storeLike.toStudioError === 'function') return toApiError(storeLike.toStudioError());
    this.options.logs.append({ level: 'error', source: 'studio', text: `${command} failed: ${thrown instanceof Error && thrown.stack ? thrown.stack : messageOf(thrown)}` });
    return { code: 'internal', message: `${command} failed: ${messageOf(thrown)}`, hint: 'This is a bug in the studio; the log has the details.' };
  }
}

/** An ApiError from anything thrown by the service; what transports send over the wire. */
export function apiErrorFrom(thrown: unknown): ApiError {
  if (thrown instanceof StudioFailure) return toApiError(thrown.error);
  return { code: 'internal', message: messageOf(thrown) };
}

function toApiError(error: StudioError): ApiError {
  return error.hint === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, hint: error.hint };
}

/** Index of the first record whose seq is above `seq` (records are in seq order). */
function firstIndexAbove(records: LogRecord[], seq: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A chain as the UI shows it: each component, and the calls so far across each link it imports through. */
function chainView(chain: readonly LinkedInfo[], calls: readonly number[]): ChainNodeView[] {
  let at = 0;
  return chain.map((node) => ({ name: node.name, wasmPath: node.wasmPath, links: node.links.map((link) => ({ ...link, calls: calls[at++] ?? 0 })) }));
}

function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function statsSignature(views: WorkloadView[]): string {
  return views.map((v) => `${v.name}:${v.state}:${v.requests}:${v.failures}:${v.workers}:${JSON.stringify(v.sockets ?? null)}:${v.chain.map((c) => c.links.map((l) => l.calls).join(',')).join(';')}`).join('|');
}

/** `{ [key]: value }`, or nothing when the value is absent (optional fields stay absent, not undefined). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
