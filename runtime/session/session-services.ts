// The main-thread services a version's components reach through their host channel (see
// workloads/host-services.ts): one set per version, made from the project's settings when
// the version starts, so each workload has its own (its own virtual loopback port table, its
// own outbound rules) and a reload picks up edited settings. Adding a service touches this
// list.
import { ok, type Result } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { OutboundHttp, outboundConfigFrom } from '../network/outbound-service.ts';
import { SOCKETS_SERVICE } from '../network/socket-protocol.ts';
import { networkServices, SocketService, type SocketsSnapshot } from '../network/socket-service.ts';
import { isEphemeralPort } from '../network/virtual-loopback.ts';
import type { StudioSettings } from '../project/studio-settings.ts';
import type { HostServices } from '../workloads/host-services.ts';

export interface ServicesContext {
  /** `.wash/studio.yaml` as this cycle read it (empty for a bare .wasm file). */
  settings: StudioSettings;
  /** The project root, or the folder of a bare .wasm file: relative paths in the settings start here. */
  base: string;
  logs: LogBus;
}

/** The services, or why the settings cannot make them (a CA file or a stand-in's body_file that is not there). */
export function hostServicesFor(context: ServicesContext): Result<HostServices> {
  const outbound = outboundConfigFrom(context.settings.outbound, context.base);
  if (!outbound.ok) return outbound;
  return ok({ http: new OutboundHttp(outbound.value, context.logs), ...networkServices({ hostLoopback: context.settings.sockets?.host_loopback ?? true }) });
}

/**
 * Applies edited settings to a serving version's services, without a build: outbound rules
 * take effect for the next call. A failure leaves the services as they were.
 */
export function reconfigureServices(services: HostServices | undefined, settings: StudioSettings, base: string): Result<void> {
  const http = services?.http;
  if (!(http instanceof OutboundHttp)) return ok(undefined);
  const outbound = outboundConfigFrom(settings.outbound, base);
  if (!outbound.ok) return outbound;
  http.configure(outbound.value);
  return ok(undefined);
}

/** The TCP sockets a version's components have open, when it has the sockets service. */
export function socketsOf(services: HostServices | undefined): SocketsSnapshot | undefined {
  const sockets = services?.[SOCKETS_SERVICE];
  return sockets instanceof SocketService ? sockets.snapshot() : undefined;
}

/** Where `component` listens in a version's virtual loopback (`127.0.0.1:7777`). */
export function listeningOf(services: HostServices | undefined, component: string | undefined): string[] {
  return (socketsOf(services)?.listening ?? []).filter((l) => l.component === component).map((l) => l.address);
}

/** The same, less ports a bind to port 0 picked: the next run gets another one, so a reload cannot wait for it. */
export function fixedListeningOf(services: HostServices | undefined, component: string | undefined): string[] {
  return listeningOf(services, component).filter((address) => !isEphemeralPort(Number(address.slice(address.lastIndexOf(':') + 1))));
}
