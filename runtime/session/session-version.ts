// A version: the workloads one build started, served together until the next one replaces
// them. The project's component answers at the gateway's root, every dev.components entry at
// http://<name>.localhost:<port>/.
import type { InstanceStrategy } from '../workloads/worker-protocol.ts';
import type { Workload, WorkloadSpec } from '../workloads/workload.ts';

export interface Version {
  build: number;
  /** Replaced in place when one workload is restarted. */
  main: Workload;
  /** Other HTTP components by name, served at http://<name>.localhost:<port>/. */
  named: Map<string, Workload>;
  /** What every workload of the version was started with: a restart starts with the same. */
  shared: Omit<WorkloadSpec, 'name' | 'wasmPath'>;
  /** The instance mode its workloads were (re)started with; the session renews them when it changes. */
  strategy: InstanceStrategy;
}

export function workloadsOf(version: Version | undefined): Workload[] {
  return version ? [version.main, ...version.named.values()] : [];
}

/** Stops every workload of a version; requests already accepted get `graceMs` to finish. */
export async function stopWorkloads(workloads: Workload[], graceMs?: number): Promise<void> {
  await Promise.all(workloads.map((w) => w.stop(graceMs)));
}
