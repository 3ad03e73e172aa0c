// How the components of one workload fit together, decided before anything starts: for each
// import of each component, which other component's export satisfies it (any interface,
// custom ones included), or the host; in what order a thread instantiates the components a
// root needs (providers before the components that call them); which components get an HTTP
// route; and, when the pieces do not fit, an error naming the interface and the components.
//
// A component's import is wired to another component's export when exactly one other
// component exports that interface at a compatible version; otherwise the host provides it,
// if it can. So a middleware that both imports and exports wasi:http/incoming-handler is
// wired to the handler behind it, and a component may export wasi:keyvalue/store to stand in
// for the host's. This module only decides; it runs nothing.
import { fail, ok, type Result } from '../errors.ts';
import { splitVersion } from '../host/index.ts';

export interface LinkedComponent {
  /** Unique within the workload: the main component's name, a dev.components name, the service's. */
  name: string;
  imports: readonly string[];
  exports: readonly string[];
}

/** Where one import of a component comes from. */
export type ImportSource = { kind: 'component'; component: string; export: string } | { kind: 'host' };

export interface LinkPlan {
  /** For each component, each import it has and where it comes from. */
  wiring: Map<string, Map<string, ImportSource>>;
  /** Components that serve HTTP on a route of their own (not only as another's handler). */
  routed: string[];
  /** The components a thread instantiates to run `root`, providers first, `root` last. */
  instantiationOrder(root: string): string[];
}

const HTTP_HANDLER = 'wasi:http/incoming-handler';

/**
 * True when an export at version `offered` can stand for an import at `wanted`, as wasmtime's
 * linker allows: the same version, or the same semver-compatible line (same major from 1.0 on,
 * same minor below it), with no pre-release part unless both are identical.
 */
export function versionsCompatible(wanted: string | undefined, offered: string | undefined): boolean {
  if (wanted === offered) return true;
  if (wanted === undefined || offered === undefined) return false;
  const parse = (v: string) => /^(\d+)\.(\d+)\.(\d+)$/.exec(v)?.slice(1).map(Number);
  const a = parse(wanted);
  const b = parse(offered);
  if (!a || !b) return false;
  return a[0] === b[0] && (a[0]! > 0 || a[1] === b[1]);
}

/** Only interfaces link; a plain function import (`add: func`) has no `ns:pkg/` part. */
function isInterface(name: string): boolean {
  return /^[^:/\s]+:[^/\s]+\/[^@\s]+/.test(name);
}

/**
 * Plans the links of a workload. `hostProvides(name)` says whether the host can satisfy an
 * import (name with its version). Errors, before anything starts: an import nobody provides,
 * two components offering one interface to a third, a cycle.
 */
export function planLinks(components: readonly LinkedComponent[], hostProvides: (name: string) => boolean): Result<LinkPlan> {
  const wiring = new Map<string, Map<string, ImportSource>>();
  const missing: string[] = [];
  for (const component of components) {
    const sources = new Map<string, ImportSource>();
    for (const name of component.imports) {
      const { key, version } = splitVersion(name);
      const providers = components.flatMap((other) =>
        other === component || !isInterface(name)
          ? []
          : other.exports.filter((e) => splitVersion(e).key === key && versionsCompatible(version, splitVersion(e).version)).map((e) => ({ component: other.name, export: e })),
      );
      if (providers.length > 1) {
        const names = providers.map((p) => `"${p.component}"`).join(' and ');
        return fail('link-ambiguous', `Component "${component.name}" imports ${name}, and both ${names} export it.`, 'Keep one provider of that interface in the workload (dev.components), or give them different interfaces.');
      }
      if (providers[0]) sources.set(name, { kind: 'component', ...providers[0] });
      else if (hostProvides(name)) sources.set(name, { kind: 'host' });
      else missing.push(`${name} (imported by "${component.name}")`);
    }
    wiring.set(component.name, sources);
  }
  if (missing.length > 0) {
    return fail(
      'link-missing',
      `Nothing in the workload provides ${missing.length === 1 ? 'this import' : 'these imports'}: ${missing.join('; ')}.`,
      'Add the component that exports it to dev.components, or change the importing component\'s WIT world; the studio\'s own interfaces are listed in docs/runtime.md.',
    );
  }

  const callees = (name: string) => [...(wiring.get(name)?.values() ?? [])].flatMap((s) => (s.kind === 'component' ? [s.component] : []));
  const cycle = findCycle(components.map((c) => c.name), callees);
  if (cycle) {
    return fail('link-cycle', `The components import each other in a circle: ${cycle.map((n) => `"${n}"`).join(' → ')}.`, 'A component can only call components that do not call it back; move the shared part into a component of its own.');
  }

  const handlersOfOthers = new Set([...wiring.values()].flatMap((sources) => [...sources].flatMap(([name, s]) => (s.kind === 'component' && name.startsWith(HTTP_HANDLER) ? [s.component] : []))));
  const routed = components.filter((c) => c.exports.some((e) => e.startsWith(HTTP_HANDLER)) && !handlersOfOthers.has(c.name)).map((c) => c.name);

  return ok({
    wiring,
    routed,
    instantiationOrder(root) {
      const order: string[] = [];
      const visit = (name: string) => {
        if (order.includes(name)) return;
        for (const callee of callees(name)) visit(callee);
        order.push(name);
      };
      visit(root);
      return order;
    },
  });
}

/** A cycle in the call graph as the names along it (first repeated at the end), or undefined. */
function findCycle(names: readonly string[], callees: (name: string) => string[]): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const callee of callees(name)) {
      const found = visit(callee);
      if (found) return found;
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
