// The main-thread services a version's components reach through their host channel (see
// workloads/host-services.ts): one set per version, made from the project's settings when
// the version starts, so each workload has its own (its own virtual loopback port table, its
// own outbound rules) and a reload picks up edited settings. Adding a service touches this
// list.
import type { LogBus } from '../logs/log-bus.ts';
import type { StudioSettings } from '../project/studio-settings.ts';
import type { HostServices } from '../workloads/host-services.ts';

export interface ServicesContext {
  /** `.wash/studio.yaml` as this cycle read it (empty for a bare .wasm file). */
  settings: StudioSettings;
  /** The project root, or the folder of a bare .wasm file: relative paths in the settings start here. */
  base: string;
  logs: LogBus;
}

export function hostServicesFor(_context: ServicesContext): HostServices {
  return {};
}
