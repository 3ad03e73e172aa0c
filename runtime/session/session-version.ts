// A version: the workloads one build started, and its service, served together until the
// next one replaces them. The project's component answers at the gateway's root, every other
// component with a route of its own at http://<name>.localhost:<port>/.
import type { ServiceRunner } from '../workloads/service-runner.ts';
import type { InstanceStrategy } from '../workloads/worker-protocol.ts';
import type { Workload, WorkloadSpec } from '../workloads/workload.ts';

export interface Version {
  build: number;
  /** The project's component, when it serves HTTP; replaced in place when restarted. */
  main: Workload | undefined;
  /** Other HTTP components by name, served at http://<name>.localhost:<port>/. */
  named: Map<string, Workload>;
  /** The workload's long-running service (dev.service, dev.service_file), if any. */
  service: ServiceRunner | undefined;
  /** What every workload of the version was started with: a restart starts with the same. */
  shared: Omit<WorkloadSpec, 'name' | 'wasmPath'>;
  /** The instance mode its workloads were (re)started with; the session renews them when it changes. */
  strategy: InstanceStrategy;
}

export function workloadsOf(version: Version | undefined): Workload[] {
  return version ? [...(version.main ? [version.main] : []), ...version.named.values()] : [];
}

/**
 * Stops every workload of a version, then its service: requests already accepted get `graceMs`
 * to finish, and the service they may be calling stays up until they have.
 */
export async function stopVersion(version: Version, graceMs?: number): Promise<void> {
  await stopWorkloads(workloadsOf(version), graceMs);
  await version.service?.stop();
}

/** Stops some workloads; requests already accepted get `graceMs` to finish. */
export async function stopWorkloads(workloads: Workload[], graceMs?: number): Promise<void> {
  await Promise.all(workloads.map((w) => w.stop(graceMs)));
}
