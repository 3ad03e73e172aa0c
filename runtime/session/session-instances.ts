// How a session's workloads use instances, and why: `reuse` (an instance serves request after
// request) or `fresh` (a new instance per request, as wash rc.6 does). The mode comes from the
// --instances flag, else `instances` in .wash/studio.yaml, else `fresh`. A switch from the UI
// is the user's latest word: for a project it is written to .wash/studio.yaml (so it lasts,
// and the team can commit it) and the flag no longer pins this run; a .wasm file has no
// project to keep it in, so there it lasts for this run. Knows nothing of workloads: the
// session renews their instances when the mode changes.
import type { InstanceStrategy } from '../workloads/worker-protocol.ts';

export type InstancesFrom = 'flag' | 'studio-settings' | 'default' | 'this-run';

export class SessionInstances {
  /** `instances` in .wash/studio.yaml, as last read. */
  private fromFile: InstanceStrategy | undefined;
  /** A switch on a .wasm file, which has no settings file. */
  private thisRun: InstanceStrategy | undefined;

  constructor(
    /** --instances, until a switch replaces it. */
    private flag: InstanceStrategy | undefined,
    private readonly fallback: InstanceStrategy,
  ) {}

  get mode(): InstanceStrategy {
    return this.thisRun ?? this.flag ?? this.fromFile ?? this.fallback;
  }

  get from(): InstancesFrom {
    if (this.thisRun) return 'this-run';
    if (this.flag) return 'flag';
    return this.fromFile ? 'studio-settings' : 'default';
  }

  /** What .wash/studio.yaml says now. */
  settingsRead(instances: InstanceStrategy | undefined): void {
    this.fromFile = instances;
  }

  /** The user switched, and the choice was written to .wash/studio.yaml. */
  switchedInFile(mode: InstanceStrategy): void {
    this.flag = undefined;
    this.fromFile = mode;
  }

  /** The user switched where there is no settings file (a .wasm file): for this run. */
  switchedForThisRun(mode: InstanceStrategy): void {
    this.thisRun = mode;
  }
}
