// A workload: one component, made runnable (read, transpiled, checked against what the host
// provides, compiled) and served by a pool of workers. Knows nothing of builds or the gateway.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fail, ok, type Result, type StudioError } from '../errors.ts';
import { readComponentFile } from '../components/component-file.ts';
import { capMemories } from '../components/memory-limit.ts';
import { componentSkeleton } from '../components/component-skeleton.ts';
import { inComponentOrder, transpile } from '../components/transpiler.ts';
import { httpHandlerExport, type WitWorld } from '../components/wit-world.ts';
import { keyvalueDraftOf, missingImports } from '../host/index.ts';
import type { Volume } from '../host/filesystem.ts';
import type { LogBus } from '../logs/log-bus.ts';
import type { Exchange } from './exchange.ts';
import type { HostServices } from './host-services.ts';
import { WorkerPool, type PoolStats } from './worker-pool.ts';
import type { InstanceStrategy, WorkloadStores } from './worker-protocol.ts';

export interface RuntimeSettings {
  /** Folder for transpiled components. */
  cacheDir: string;
  workers: number;
  maxWorkers: number;
  strategy: InstanceStrategy;
  requestTimeoutMs: number;
  memoryLimitBytes: number;
}

export function defaultRuntimeSettings(cacheDir: string): RuntimeSettings {
  const cores = availableParallelism();
  return {
    cacheDir,
    workers: Math.max(2, cores),
    maxWorkers: Math.max(8, cores * 4),
    strategy: 'reuse',
    requestTimeoutMs: 30_000,
    memoryLimitBytes: 512 * 2 ** 20,
  };
}

export interface WorkloadSpec {
  name: string;
  wasmPath: string;
  config: [string, string][];
  environment?: [string, string][];
  stores?: WorkloadStores;
  volumes?: Volume[];
  /** Main-thread services its components reach through their host channel (outbound HTTP, sockets). */
  services?: HostServices;
}

export type StartPhase = 'reading' | 'transpiling' | 'compiling' | 'starting';

export interface WorkloadInfo {
  name: string;
  wasmPath: string;
  hash: string;
  world: WitWorld;
  httpExport: string | undefined;
  transpileMs: number;
  transpileCached: boolean;
  startMs: number;
}

export class Workload {
  private constructor(
    readonly info: WorkloadInfo,
    private readonly pool: WorkerPool,
  ) {}

  /** Makes a component runnable and starts its workers; every failure is a value with a hint. */
  static async start(
    spec: WorkloadSpec,
    settings: RuntimeSettings,
    logs: LogBus,
    onPhase: (phase: StartPhase) => void = () => {},
  ): Promise<Result<Workload>> {
    const started = performance.now();
    onPhase('reading');
    const file = await readComponentFile(spec.wasmPath);
    if (!file.ok) return file;

    onPhase('transpiling');
    const transpileStarted = performance.now();
    // jco's output holds the very core modules inside the component, in the same order: they
    // compile while the transpile runs, instead of being read back and compiled after it.
    const embedded = embeddedCoreModules(file.value.bytes);
    const compiling = embedded && Promise.all(embedded.map((bytes) => WebAssembly.compile(capMemories(bytes, settings.memoryLimitBytes))));
    compiling?.catch(() => {}); // a compile error is reported below, after the transpile's own
    const transpiled = await transpile(file.value, settings.cacheDir);
    if (!transpiled.ok) return transpiled;
    const transpileMs = performance.now() - transpileStarted;
    const { world } = transpiled.value;

    const missing = missingImports(world.imports);
    if (missing.length > 0) return fail('missing-imports', describeMissing(spec.name, missing), 'Remove the import from the component\'s WIT world, or use a host that provides it.');
    const httpExport = httpHandlerExport(world);
    if (!httpExport) {
      return fail(
        'nothing-to-serve',
        `${spec.name} exports ${world.exports.length ? world.exports.join(', ') : 'nothing'}, and none of it is wasi:http/incoming-handler, so there is nothing to serve.`,
        'Export wasi:http/incoming-handler@0.2.x from the component\'s world (e.g. `export wasi:http/incoming-handler@0.2.0;`).',
      );
    }

    onPhase('compiling');
    const coreModules: Record<string, WebAssembly.Module> = {};
    try {
      const names = inComponentOrder(transpiled.value.coreModules);
      const compiled = compiling && names.length === embedded.length ? await compiling : undefined;
      for (const [i, name] of names.entries()) {
        // readFile's buffer is never shared memory, whatever its declared type says.
        coreModules[name] = compiled?.[i] ?? (await WebAssembly.compile(capMemories((await readFile(join(transpiled.value.dir, name))) as Uint8Array<ArrayBuffer>, settings.memoryLimitBytes)));
      }
    } catch (err) {
      return fail('compile-failed', `Could not compile ${spec.name}: ${(err as Error).message}.`, 'The component may use a WebAssembly feature this Node version lacks.');
    }

    onPhase('starting');
    const pool = new WorkerPool({
      componentName: spec.name,
      glueUrl: transpiled.value.glueUrl,
      coreModules,
      config: spec.config,
      environment: spec.environment ?? [],
      strategy: settings.strategy,
      workers: settings.workers,
      maxWorkers: settings.maxWorkers,
      requestTimeoutMs: settings.requestTimeoutMs,
      memoryLimitBytes: settings.memoryLimitBytes,
      stores: spec.stores,
      keyvalueDraft: keyvalueDraftOf(world.imports),
      volumes: spec.volumes ?? [],
      logs,
      ...(spec.services ? { services: spec.services } : {}),
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
          name: spec.name,
          wasmPath: spec.wasmPath,
          hash: file.value.hash,
          world,
          httpExport,
          transpileMs,
          transpileCached: transpiled.value.cached,
          startMs: performance.now() - started,
        },
        pool,
      ),
    );
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

/** The core modules inside a component, or undefined when it cannot be parsed (jco will say why). */
function embeddedCoreModules(bytes: Uint8Array): Uint8Array<ArrayBuffer>[] | undefined {
  try {
    // Views into the bytes of a file read from disk: never shared memory.
    return componentSkeleton(bytes).coreModules as Uint8Array<ArrayBuffer>[];
  } catch {
    return undefined;
  }
}

function describeMissing(name: string, missing: { name: string; provided?: string }[]): string {
  const lines = missing.map((m) => (m.provided ? `  ${m.name} (the studio provides ${m.provided})` : `  ${m.name}`));
  return `${name} imports ${missing.length === 1 ? 'an interface' : 'interfaces'} the studio does not provide:\n${lines.join('\n')}`;
}
