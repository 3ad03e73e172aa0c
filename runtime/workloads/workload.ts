// A served component: the component answering a route, with the components linked into it
// (see link-plan.ts), made runnable and served by a pool of workers that each instantiate the
// whole chain. Knows nothing of builds or the gateway.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundlePositions } from '../components/bundle-positions.ts';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import { httpHandlerExport, type WitWorld } from '../components/wit-world.ts';
import { missingImports, splitVersion } from '../host/index.ts';
import type { Volume } from '../host/filesystem.ts';
import type { LogBus } from '../logs/log-bus.ts';
import type { Exchange } from './exchange.ts';
import type { HostServices } from './host-services.ts';
import { linkCounters } from './link-calls.ts';
import type { ImportSource } from './link-plan.ts';
import { prepareComponent, type ComponentSpec, type PreparedComponent, type StartPhase } from './prepared-component.ts';
import { WorkerPool, type PoolStats } from './worker-pool.ts';
import type { ChainMember, InstanceStrategy, WorkloadStores } from './worker-protocol.ts';

export interface RuntimeSettings {
  /** Folder for transpiled components. */
  cacheDir: string;
  workers: number;
  maxWorkers: number;
  strategy: InstanceStrategy;
  requestTimeoutMs: number;
  /** How long an instance may take to start (`--start-timeout`); unset, 20 s or the request timeout if that is longer. */
  startTimeoutMs?: number;
  memoryLimitBytes: number;
}

/** The longest request timeout: Node's timers hold at most 2^31-1 ms, and a longer one fires at once. */
export const MAX_REQUEST_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export function defaultRuntimeSettings(cacheDir: string): RuntimeSettings {
  const cores = availableParallelism();
  return {
    cacheDir,
    workers: Math.max(2, cores),
    maxWorkers: Math.max(8, cores * 4),
    // wash's semantics: every request starts from a just-started instance (put back to its
    // start after each request: see instance-snapshot.ts).
    strategy: 'fresh',
    requestTimeoutMs: 30_000,
    memoryLimitBytes: 512 * 2 ** 20,
  };
}

export interface WorkloadSpec extends ComponentSpec {
  config: [string, string][];
  environment?: [string, string][];
  stores?: WorkloadStores;
  volumes?: Volume[];
  /** Main-thread services its components reach through their host channel (outbound HTTP, sockets). */
  services?: HostServices;
}

export type { StartPhase } from './prepared-component.ts';

/** A component linked into a served one: what it is and where its imports come from. */
export interface LinkedInfo {
  name: string;
  wasmPath: string;
  world: WitWorld;
  /** Imports another component of the chain satisfies: the import, and who exports it. */
  links: { import: string; component: string; export: string }[];
}

export interface WorkloadInfo {
  name: string;
  wasmPath: string;
  hash: string;
  world: WitWorld;
  httpExport: string | undefined;
  transpileMs: number;
  transpileCached: boolean;
  startMs: number;
  /** The components instantiated with it on each thread, providers first, itself last. */
  chain: LinkedInfo[];
}

/** Where each import of each component comes from (a LinkPlan's wiring). */
export type Wiring = ReadonlyMap<string, ReadonlyMap<string, ImportSource>>;

/**
 * A served component: the component that answers a route, the components linked into it,
 * and the pool of worker threads that run them together.
 */
export class Workload {
  private constructor(
    readonly info: WorkloadInfo,
    private readonly pool: WorkerPool,
    /** What it was started from, so it can start again (a restart, a switch of instance mode). */
    private readonly origin: { chain: readonly PreparedComponent[]; wiring: Wiring; spec: Omit<WorkloadSpec, 'name' | 'wasmPath'> },
  ) {}

  /** A new workload of the same components, links and spec, with these settings; this one keeps running. */
  async relaunch(settings: RuntimeSettings, logs: LogBus): Promise<Result<Workload>> {
    const chain: PreparedComponent[] = [];
    for (const component of this.origin.chain) {
      const ready = existsSync(fileURLToPath(component.glueUrl)) ? ok(component) : await preparedAgain(component, settings);
      if (!ready.ok) return ready;
      chain.push(ready.value);
    }
    return Workload.serve(chain, this.origin.wiring, this.origin.spec, settings, logs);
  }

  /** Makes one component runnable with the host's imports alone and starts its workers. */
  static async start(
    spec: WorkloadSpec,
    settings: RuntimeSettings,
    logs: LogBus,
    onPhase: (phase: StartPhase) => void = () => {},
  ): Promise<Result<Workload>> {
    const started = performance.now();
    const prepared = await prepareComponent(spec, settings.cacheDir, settings.memoryLimitBytes, onPhase);
    if (!prepared.ok) return prepared;
    const missing = missingImports(prepared.value.world.imports);
    if (missing.length > 0) return fail('missing-imports', describeMissing(spec.name, missing), 'Remove the import from the component\'s WIT world, or use a host that provides it.');
    onPhase('starting');
    return Workload.serve([prepared.value], new Map(), spec, settings, logs, started);
  }

  /**
   * Starts the workers of the chain's last component, with the chain instantiated on each of
   * them in order and linked as `wiring` says. The chain comes from a link plan.
   */
  static async serve(
    chain: readonly PreparedComponent[],
    wiring: Wiring,
    spec: Omit<WorkloadSpec, 'name' | 'wasmPath'>,
    settings: RuntimeSettings,
    logs: LogBus,
    started = performance.now(),
  ): Promise<Result<Workload>> {
    const root = chain.at(-1)!;
    const httpExport = httpHandlerExport(root.world);
    if (!httpExport) {
      return fail(
        'nothing-to-serve',
        nothingToServe(root.name, root.world),
        'Export wasi:http/incoming-handler@0.2.x from the component\'s world (e.g. `export wasi:http/incoming-handler@0.2.0;`).',
      );
    }
    const members = chain.map((component) => chainMember(component, wiring));
    const positions = new Map(chain.flatMap((component) => {
      const rewrite = bundlePositions(settings.cacheDir, component.hash);
      return rewrite ? [[component.name, rewrite] as const] : [];
    }));
    const pool = new WorkerPool({
      componentName: root.name,
      chain: members,
      linkCalls: linkCounters(members),
      config: spec.config,
      environment: spec.environment ?? [],
      strategy: settings.strategy,
      workers: settings.workers,
      maxWorkers: settings.maxWorkers,
      requestTimeoutMs: settings.requestTimeoutMs,
      ...(settings.startTimeoutMs !== undefined ? { startTimeoutMs: settings.startTimeoutMs } : {}),
      memoryLimitBytes: settings.memoryLimitBytes,
      stores: spec.stores,
      volumes: spec.volumes ?? [],
      logs,
      ...(spec.services ? { services: spec.services } : {}),
      ...(positions.size > 0 ? { sourcePositions: (component: string, text: string) => positions.get(component)?.(text) ?? text } : {}),
    });
    try {
      await pool.start();
    } catch (err) {
      await pool.stop();
      return { ok: false, error: err as StudioError };
    }
    return ok(
      new Workload(
        {
          name: root.name,
          wasmPath: root.wasmPath,
          hash: root.hash,
          world: root.world,
          httpExport,
          transpileMs: chain.reduce((sum, c) => sum + c.transpileMs, 0),
          transpileCached: chain.every((c) => c.transpileCached),
          startMs: performance.now() - started,
          chain: chain.map((c) => ({ name: c.name, wasmPath: c.wasmPath, world: c.world, links: linksOf(c, wiring) })),
        },
        pool,
        { chain, wiring, spec },
      ),
    );
  }

  /** Calls so far across each link of its chain, in the order of `info.chain` and each member's `links`. */
  linkCalls(): number[] {
    return this.pool.linkCalls();
  }

  handle(exchange: Exchange): void {
    this.pool.handle(exchange);
  }

  stats(): PoolStats {
    return this.pool.getStats();
  }

  stop(graceMs = 0): Promise<void> {
    return this.pool.stop(graceMs);
  }
}

/** The message of `nothing-to-serve`: what the component exports instead of an HTTP handler. */
export function nothingToServe(name: string, world: WitWorld): string {
  const { exports } = world;
  if (exports.length === 0) return `${name} exports nothing, so there is nothing to serve.`;
  if (exports.length === 1) return `${name} exports only ${exports[0]}, which is not wasi:http/incoming-handler, so there is nothing to serve.`;
  return `${name} exports ${exports.join(', ')}, and none of them is wasi:http/incoming-handler, so there is nothing to serve.`;
}

function describeMissing(name: string, missing: { name: string; provided?: string }[]): string {
  const lines = missing.map((m) => (m.provided ? `  ${m.name} (the studio provides ${m.provided})` : `  ${m.name}`));
  return `${name} imports ${missing.length === 1 ? 'an interface' : 'interfaces'} the studio does not provide:\n${lines.join('\n')}`;
}

/** The imports of `component` that another component of its chain satisfies, and by which export. */
export function linksOf(component: PreparedComponent, wiring: Wiring): LinkedInfo['links'] {
  return [...(wiring.get(component.name) ?? [])].flatMap(([name, source]) => (source.kind === 'component' ? [{ import: name, component: source.component, export: source.export }] : []));
}

/** What a thread needs to instantiate `component` with its links. */
export function chainMember(component: PreparedComponent, wiring: Wiring): ChainMember {
  return {
    name: component.name,
    glueUrl: component.glueUrl,
    coreModules: component.coreModules,
    restorable: component.restorable,
    keyvalueDraft: component.keyvalueDraft,
    // jco keys imports by interface without version; the exporter's instance by full name.
    links: linksOf(component, wiring).map((link) => [splitVersion(link.import).key, link.component, link.export]),
  };
}

/**
 * A component whose transpiled glue left the cache while it ran (the cache folder cleared by
 * hand, say), made ready again from its file, as long as the file still holds the same component.
 */
async function preparedAgain(component: PreparedComponent, settings: RuntimeSettings): Promise<Result<PreparedComponent>> {
  const ready = await prepareComponent({ name: component.name, wasmPath: component.wasmPath }, settings.cacheDir, settings.memoryLimitBytes);
  if (!ready.ok || ready.value.hash === component.hash) return ready;
  return fail(
    'component-changed',
    `Cannot start ${component.name} again as it was: the studio's cache no longer holds its transpiled files, and ${component.wasmPath} holds another component since.`,
    'Rebuild (r + Enter, or Rebuild in the UI) to serve the component the file holds now.',
  );
}
