// Workloads stopped and restarted by hand, between builds: a stopped workload's routes answer
// 503 until it is restarted or a new build serves it again; a restart starts the same
// components afresh, linked as before, without a build, and swaps them in.
import { fail, messageOf, ok, type Result } from '../errors.ts';
import type { LogBus } from '../logs/log-bus.ts';
import type { RuntimeSettings } from '../workloads/workload.ts';
import { workloadsOf, type Version } from './session-version.ts';

export class WorkloadControl {
  private readonly stopped = new Set<string>();

  constructor(
    private readonly logs: LogBus,
    /** Requests already accepted get this long to finish on a stopped workload. */
    private readonly graceMs: () => number,
  ) {}

  isStopped(name: string): boolean {
    return this.stopped.has(name);
  }

  /** A new build serves every workload again. */
  clear(): void {
    this.stopped.clear();
  }

  async stop(version: Version | undefined, name: string): Promise<Result<void>> {
    const service = version?.service;
    if (service?.name === name) {
      this.stopped.add(name);
      await service.stop();
      return ok(undefined);
    }
    const workload = workloadsOf(version).find((w) => w.info.name === name);
    if (!workload) return notRunning(name);
    this.stopped.add(name);
    await workload.stop(this.graceMs());
    return ok(undefined);
  }

  /** Starts one workload again from the component it runs, as its version started it. */
  async restart(version: Version | undefined, name: string, settings: RuntimeSettings): Promise<Result<void>> {
    const service = version?.service;
    if (service?.name === name) {
      const restarted = await service.restart();
      if (restarted.ok) this.stopped.delete(name);
      return restarted;
    }
    const old = workloadsOf(version).find((w) => w.info.name === name);
    if (!version || !old) return notRunning(name);
    const started = await old.relaunch(settings, this.logs);
    if (!started.ok) return started;
    if (version.main === old) version.main = started.value;
    else version.named.set(name, started.value);
    this.stopped.delete(name);
    // The old instances drain in the background; failing to stop them must not reject anything.
    old.stop(this.graceMs()).catch((err: unknown) => this.logs.append({ level: 'warn', source: 'studio', text: `Stopping the old instances of ${name} failed: ${messageOf(err)}` }));
    return ok(undefined);
  }
}

function notRunning(name: string): Result<never> {
  return fail('workload-not-found', `No workload named ${name} is running.`, 'workloads.list names the running ones.');
}
