// A dev session: what `component-studio dev` runs. It resolves the target (a project folder
// or a .wasm file), builds the project, starts the component as a workload and serves it on
// the gateway. The CLI and the Studio API both drive a session; neither knows the steps.
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { buildJsComponent } from '../build/js-component-builder.ts';
import { runBuildCommand } from '../build/command-builder.ts';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import { HttpGateway, type Route } from '../gateway/http-gateway.ts';
import { loggerFor, type LogBus } from '../logs/log-bus.ts';
import { configValues, loadProject, type Project } from '../project/project-config.ts';
import { Workload, type RuntimeSettings, type StartPhase } from '../workloads/workload.ts';

export interface DevSessionOptions {
  /** A project folder or a .wasm file. */
  target: string;
  host: string;
  port: number;
  bodyLimitBytes: number;
  settings: RuntimeSettings;
  logs: LogBus;
}

/** What a session is doing, for progress lines and the UI. */
export type SessionEvent =
  | { kind: 'target'; description: string }
  | { kind: 'build-started'; builder: 'componentize-js' | 'command'; firstBuildHint: boolean }
  | { kind: 'build-finished'; ms: number; cached: boolean }
  | { kind: 'phase'; phase: StartPhase }
  | { kind: 'serving'; url: string; workload: Workload }
  | { kind: 'failed'; error: StudioError };

type Target =
  | { kind: 'file'; name: string; wasmPath: string; dataDir: string }
  | { kind: 'project'; project: Project; componentPath: string; dataDir: string };

export class DevSession {
  private gateway: HttpGateway | undefined;
  private workload: Workload | undefined;
  private unavailable = 'The component is starting; try again in a moment.';

  constructor(
    private readonly options: DevSessionOptions,
    private readonly onEvent: (event: SessionEvent) => void = () => {},
  ) {}

  /** Builds, starts and serves. On failure the error is returned and reported as an event. */
  async start(): Promise<Result<{ url: string }>> {
    const outcome = await this.startSteps();
    if (!outcome.ok) {
      this.unavailable = outcome.error.message;
      this.onEvent({ kind: 'failed', error: outcome.error });
    }
    return outcome;
  }

  get current(): Workload | undefined {
    return this.workload;
  }

  async stop(): Promise<void> {
    await this.gateway?.close();
    await this.workload?.stop(2000);
    this.workload = undefined;
  }

  private async startSteps(): Promise<Result<{ url: string }>> {
    const target = await resolveTarget(this.options.target);
    if (!target.ok) return target;
    this.onEvent({ kind: 'target', description: describeTarget(target.value) });

    const wasm = await this.build(target.value);
    if (!wasm.ok) return wasm;

    const name = target.value.kind === 'file' ? target.value.name : target.value.project.name;
    const config = target.value.kind === 'project' ? configValues(target.value.project.config) : [];
    const workload = await Workload.start({ name, wasmPath: wasm.value, config }, this.options.settings, this.options.logs, (phase) =>
      this.onEvent({ kind: 'phase', phase }),
    );
    if (!workload.ok) return workload;
    this.workload = workload.value;

    const gateway = new HttpGateway({
      host: this.options.host,
      port: this.options.port,
      bodyLimitBytes: this.options.bodyLimitBytes,
      route: () => this.route(),
      log: loggerFor(this.options.logs, 'gateway'),
    });
    try {
      const address = await gateway.listen();
      this.gateway = gateway;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}/`;
      this.onEvent({ kind: 'serving', url, workload: workload.value });
      return ok({ url });
    } catch (err) {
      await workload.value.stop();
      this.workload = undefined;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        return fail('port-in-use', `Port ${this.options.port} on ${this.options.host} is already in use.`, 'Stop the other program, or pick another port with --port N (0 picks a free one).');
      }
      if (code === 'EACCES') {
        return fail('port-denied', `Not allowed to listen on ${this.options.host}:${this.options.port}.`, 'Ports below 1024 need privileges; use a higher --port.');
      }
      return fail('listen-failed', `Could not listen on ${this.options.host}:${this.options.port}: ${(err as Error).message}.`, 'Check --host and --port.');
    }
  }

  private route(): Route {
    return this.workload ?? { unavailable: this.unavailable };
  }

  private async build(target: Target): Promise<Result<string>> {
    if (target.kind === 'file') return ok(target.wasmPath);
    const { project, componentPath } = target;
    const started = performance.now();
    const command = project.config.build?.command;
    if (command) {
      this.onEvent({ kind: 'build-started', builder: 'command', firstBuildHint: false });
      const built = await runBuildCommand({ command, cwd: project.root, env: project.config.build?.env ?? {}, componentPath, logs: this.options.logs });
      if (!built.ok) return built;
      this.onEvent({ kind: 'build-finished', ms: performance.now() - started, cached: false });
      return ok(built.value.wasmPath);
    }
    this.onEvent({ kind: 'build-started', builder: 'componentize-js', firstBuildHint: true });
    const built = await buildJsComponent({ projectDir: project.root, outFile: componentPath, cacheDir: join(this.options.settings.cacheDir, 'builds') });
    if (!built.ok) {
      if (built.output) this.options.logs.append({ level: 'error', source: 'build', text: built.output });
      return { ok: false, error: built.error };
    }
    this.onEvent({ kind: 'build-finished', ms: performance.now() - started, cached: built.cached });
    return ok(built.wasmPath);
  }
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
  const project = await loadProject(path);
  if (!project.ok) return project;
  const root = project.value.root;
  const configured = project.value.config.build?.component_path;
  const componentPath = configured ? resolve(root, configured) : join(root, '.wash', 'build', `${project.value.name}.wasm`);
  return ok({ kind: 'project', project: project.value, componentPath, dataDir: join(root, '.wash', 'data') });
}

function describeTarget(target: Target): string {
  return target.kind === 'file' ? `component ${target.wasmPath} (served as it is, no build)` : `project ${target.project.root}`;
}
