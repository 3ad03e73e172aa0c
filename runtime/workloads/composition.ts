// Starts the components of one project together, as wash runs a workload: every component is
// prepared, their imports and exports are planned into links before anything starts (see
// link-plan.ts), each component that answers a route gets a pool of threads that instantiate
// its whole chain, and the service, if there is one, runs with its own chain on a thread of
// its own. What fails, fails before anything runs, and names the component.
import { isServiceOnly, type WitWorld } from '../components/wit-world.ts';
import { fail, ok, type Result } from '../errors.ts';
import { missingImports, splitVersion } from '../host/index.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { planLinks, type LinkPlan } from './link-plan.ts';
import { prepareComponent, type ComponentSpec, type PreparedComponent, type StartPhase } from './prepared-component.ts';
import { ServiceRunner, type ListensAgain, type ServiceState } from './service-runner.ts';
import { linkCounters } from './link-calls.ts';
import { chainMember, linksOf, nothingToServe, Workload, type LinkedInfo, type RuntimeSettings, type WorkloadSpec } from './workload.ts';

export interface CompositionSpec extends Omit<WorkloadSpec, 'name' | 'wasmPath'> {
  /** The project's component first, then the dev.components entries, then a service_file. */
  components: ComponentSpec[];
  /** The component run as the service (wasi:cli/run): the first one (dev.service) or a service_file. */
  service?: string;
  /**
   * A .wasm file served as it is: no configuration beside it names a service or other
   * components. So when it answers no HTTP but exports wasi:cli/run, it runs as the service,
   * and hints say how a project would give it what it lacks.
   */
  bareFile?: boolean;
  /** Told of the service's state changes. */
  onServiceState?: (state: ServiceState) => void;
  /** Where the service of the version before listened (see ServiceOptions.listensAgain). */
  serviceListensAgain?: ListensAgain;
}

export interface Composition {
  /** The components that answer a route, in the order of `components` (the main one first, when it serves). */
  served: Workload[];
  service: ServiceRunner | undefined;
  plan: LinkPlan;
  /** Components that serve nothing and that nothing calls: started for nothing. */
  idle: string[];
}

const RUN = 'wasi:cli/run';

/** Prepares, plans and starts the components; on any failure nothing is left running. */
export async function startComposition(spec: CompositionSpec, settings: RuntimeSettings, logs: LogBus, onPhase: (phase: StartPhase) => void = () => {}): Promise<Result<Composition>> {
  const prepared = new Map<string, PreparedComponent>();
  for (const [i, component] of spec.components.entries()) {
    const ready = await prepareComponent(component, settings.cacheDir, settings.memoryLimitBytes, i === 0 ? onPhase : undefined);
    if (!ready.ok) return i === 0 ? ready : fail(ready.error.code, `${component.origin ?? component.name}: ${ready.error.message}`, ready.error.hint);
    prepared.set(component.name, ready.value);
  }
  const all = [...prepared.values()];
  const foreign = notWorkloads(all);
  if (foreign) return foreign;
  const missing = unprovided(all, spec.bareFile === true);
  if (missing) return missing;
  const planned = planLinks(
    all.map((c) => ({ name: c.name, imports: c.world.imports, exports: c.world.exports })),
    (name) => missingImports([name]).length === 0,
  );
  if (!planned.ok) return planned;
  const plan = planned.value;

  const main = all[0]!;
  const runnable = (component: PreparedComponent) => component.world.exports.some((e) => splitVersion(e).key === RUN);
  const serviceName = spec.service ?? (spec.bareFile && isServiceOnly(main.world) ? main.name : undefined);
  const service = serviceName === undefined ? undefined : prepared.get(serviceName);
  if (serviceName !== undefined && !(service && runnable(service))) {
    return fail(
      'service-not-runnable',
      `The service ${serviceName} does not export ${RUN}, so it cannot run as a service (it exports ${service?.world.exports.join(', ') || 'nothing'}).`,
      'Export wasi:cli/run@0.2.x from its world (componentize-js: `export const run = { run() { ... } }`), or drop dev.service / dev.service_file.',
    );
  }
  const routed = plan.routed;
  if (routed.length === 0 && !service) {
    const handler = 'Export wasi:http/incoming-handler@0.2.x from the component\'s world (e.g. `export wasi:http/incoming-handler@0.2.0;`)';
    return fail(
      'nothing-to-serve',
      nothingToServe(main.name, main.world),
      runnable(main)
        ? 'It exports wasi:cli/run: set dev.service: true in .wash/config.yaml to run it as a service.'
        : spec.bareFile
          ? `${handler}, or wasi:cli/run to run it as a service.`
          : `${handler}, or wasi:cli/run to run it as a service (dev.service: true).`,
    );
  }

  onPhase('starting');
  const chainOf = (root: string) => plan.instantiationOrder(root).map((name) => prepared.get(name)!);
  const served: Workload[] = [];
  const stopAll = () => Promise.all(served.map((w) => w.stop()));
  for (const name of routed) {
    const workload = await Workload.serve(chainOf(name), plan.wiring, spec, settings, logs);
    if (!workload.ok) {
      await stopAll();
      const origin = spec.components.find((c) => c.name === name)?.origin ?? name;
      return name === all[0]!.name ? workload : fail(workload.error.code, `${origin}: ${workload.error.message}`, workload.error.hint);
    }
    served.push(workload.value);
  }
  let runner: ServiceRunner | undefined;
  if (service) {
    const components = chainOf(service.name);
    const chain = components.map((c) => chainMember(c, plan.wiring));
    runner = new ServiceRunner({
      componentName: service.name,
      linked: components.map((c): LinkedInfo => ({ name: c.name, wasmPath: c.wasmPath, world: c.world, links: linksOf(c, plan.wiring) })),
      chain,
      linkCalls: linkCounters(chain),
      config: spec.config,
      environment: spec.environment ?? [],
      memoryLimitBytes: settings.memoryLimitBytes,
      stores: spec.stores,
      volumes: spec.volumes ?? [],
      logs,
      ...(spec.services ? { services: spec.services } : {}),
      ...(spec.onServiceState ? { onState: spec.onServiceState } : {}),
      ...(spec.serviceListensAgain ? { listensAgain: spec.serviceListensAgain } : {}),
    });
    const started = await runner.start();
    if (!started.ok) {
      await stopAll();
      return started;
    }
  }
  const called = new Set([...plan.wiring.values()].flatMap((sources) => [...sources.values()].flatMap((s) => (s.kind === 'component' ? [s.component] : []))));
  const idle = all.filter((c) => !routed.includes(c.name) && c !== service && !called.has(c.name)).map((c) => c.name);
  return ok({ served, service: runner, plan, idle });
}

/**
 * An error naming each import that neither the host nor another component provides, with
 * what the studio has instead where it has the interface at another version.
 */
export function unprovided(components: readonly Pick<PreparedComponent, 'name' | 'world'>[], bareFile: boolean): Result<never> | undefined {
  const lines: string[] = [];
  const missing: string[] = [];
  let otherVersions = 0;
  for (const component of components) {
    const exportedByOthers = new Set(components.flatMap((other) => (other === component ? [] : other.world.exports.map((e) => splitVersion(e).key))));
    for (const gap of missingImports(component.world.imports.filter((name) => !exportedByOthers.has(splitVersion(name).key)))) {
      const prefix = components.length > 1 ? `${component.name} imports ` : '';
      lines.push(`  ${prefix}${gap.name}${gap.provided ? ` (the studio provides ${gap.provided})` : ''}`);
      missing.push(splitVersion(gap.name).key);
      if (gap.provided) otherVersions++;
    }
  }
  if (lines.length === 0) return undefined;
  // A plain name (`foo`) is a function or instance import, not a package's interface.
  const interfaces = missing.every((key) => key.includes(':'));
  const what = interfaces ? `imports ${lines.length === 1 ? 'an interface' : 'interfaces'}` : `has ${lines.length === 1 ? 'an import' : 'imports'}`;
  const message =
    components.length === 1
      ? `${components[0]!.name} ${what} the studio does not provide:\n${lines.join('\n')}`
      : `The workload ${what} that neither the studio nor any of its components provides:\n${lines.join('\n')}`;
  return fail('missing-imports', message, missingImportsHint(missing, bareFile, otherVersions === lines.length ? 'all' : otherVersions > 0 ? 'some' : 'none'));
}

/**
 * wash loads components exporting one of these into its own host (`plugin`, and `subcommand`
 * for the plugins of older wash): they extend wash, and are not workloads.
 */
const WASH_PLUGIN = ['wasmcloud:wash/plugin', 'wasmcloud:wash/subcommand'];
/** Interfaces wash provides only with dev.wasi_webgpu, and the studio not at all. */
const WEBGPU = ['wasi:webgpu/webgpu', 'wasi:graphics-context/graphics-context'];

/** The code `startComposition` refuses a component with whatever the rest of its workload is, if it does. */
export type NotAWorkload = 'wash-plugin' | 'wasi-p3';

/** Whether a component is one no workload can run: a wash plugin, or a WASI 0.3 component. */
export function notAWorkload(world: WitWorld): NotAWorkload | undefined {
  if (washPluginExports(world).length > 0) return 'wash-plugin';
  if (wasiP3Packages(world).length > 0) return 'wasi-p3';
  return undefined;
}

function washPluginExports(world: WitWorld): string[] {
  return world.exports.filter((name) => WASH_PLUGIN.includes(splitVersion(name).key));
}

/**
 * The WASI 0.3 packages a component imports or exports from, each with its interfaces once:
 * `wasi:http@0.3.0 (types, handler)`. WASI 0.3 changed the interfaces themselves (its
 * functions are async), so no 0.2 interface the studio has can stand in for them.
 */
function wasiP3Packages(world: WitWorld): string[] {
  const packages = new Map<string, string[]>();
  for (const name of [...world.imports, ...world.exports]) {
    const parts = /^(wasi:[a-z0-9-]+)\/([a-z0-9-]+)@(0\.3\.\S+)$/.exec(name);
    if (!parts) continue;
    const pkg = `${parts[1]}@${parts[3]}`;
    const interfaces = packages.get(pkg) ?? [];
    if (!interfaces.includes(parts[2]!)) interfaces.push(parts[2]!);
    packages.set(pkg, interfaces);
  }
  return [...packages].map(([pkg, interfaces]) => `${pkg} (${interfaces.join(', ')})`);
}

/**
 * An error for the components no workload can run: a wash plugin, which needs wash's own host
 * (and one that imports nothing of wash's would otherwise run as a service), or a WASI 0.3
 * component. Said before missing imports, whose fixes (another component, another version)
 * cannot help them.
 */
function notWorkloads(components: readonly PreparedComponent[]): Result<never> | undefined {
  const plugins = components.filter((c) => notAWorkload(c.world) === 'wash-plugin');
  if (plugins.length > 0) {
    const one = plugins.length === 1;
    const exported = [...new Set(plugins.flatMap((c) => washPluginExports(c.world)))].join(', ');
    const washImports = [...new Set(plugins.flatMap((c) => c.world.imports.filter((name) => name.startsWith('wasmcloud:wash/'))))];
    return fail(
      'wash-plugin',
      `${plugins.map((c) => c.name).join(', ')} ${one ? 'is a wash plugin' : 'are wash plugins'} (${one ? 'it exports' : 'they export'} ${exported}), not ${one ? 'a workload' : 'workloads'}: wash loads plugins into its own host to extend wash itself${washImports.length > 0 ? `, and the wasmcloud:wash interfaces plugins import (${washImports.join(', ')}) exist only there` : ''}.`,
      'The studio runs workload components; open a component that serves HTTP or runs as a service instead.',
    );
  }
  const p3 = components.flatMap((c) => {
    const packages = wasiP3Packages(c.world);
    return packages.length > 0 ? [{ name: c.name, packages }] : [];
  });
  if (p3.length === 0) return undefined;
  const cannot = 'The studio runs WASI 0.2 components and cannot run WASI 0.3 ones yet.';
  const message =
    p3.length === 1
      ? `${p3[0]!.name} is a WASI 0.3 (preview 3) component: it uses ${p3[0]!.packages.join(', ')}. ${cannot}`
      : `${p3.map((c) => c.name).join(', ')} are WASI 0.3 (preview 3) components:\n${p3.map((c) => `  ${c.name} uses ${c.packages.join(', ')}`).join('\n')}\n${cannot}`;
  return fail(
    'wasi-p3',
    message,
    `Build ${p3.length === 1 ? 'it' : 'them'} for WASI 0.2: the wasm32-wasip2 target, with bindings for the 0.2 interfaces (wasi:http@0.2.x, wasi:cli@0.2.x), exporting wasi:http/incoming-handler@0.2.x to serve HTTP or wasi:cli/run@0.2.x to run as a service.`,
  );
}

/** What to do about the missing imports: a fix that can work for what is missing. */
function missingImportsHint(missing: readonly string[], bareFile: boolean, otherVersions: 'all' | 'some' | 'none'): string {
  if (missing.some((key) => WEBGPU.includes(key))) {
    return 'Component Studio does not provide WebGPU (wasi:webgpu, wasi:graphics-context) yet. Use wash dev (with dev.wasi_webgpu: true) for WebGPU components.';
  }
  const rebuild = 'change the version in the component\'s WIT (its wit/deps) to the one the studio provides, named above, and rebuild';
  if (otherVersions === 'all') return `Build against the versions the studio provides: ${rebuild}.`;
  const fixes = bareFile
    ? 'Serve it from a project instead: a folder whose .wash/config.yaml names this file in build.component_path, a build.command that leaves it as it is (e.g. "true"), and the component that exports the interface in dev.components (docs/projects.md). Or remove the import from the component\'s WIT world, or use a host that provides it.'
    : 'Add the component that exports it to dev.components, remove the import from the component\'s WIT world, or use a host that provides it.';
  return otherVersions === 'some' ? `Where the studio provides another version, ${rebuild}. For the rest: ${fixes}` : fixes;
}
