// What a dev session reports while it runs: its builds and the events the CLI and the Studio
// API follow. Types only, shared by the session's modules.
import type { StudioError } from '../errors.ts';
import type { ServiceState } from '../workloads/service-runner.ts';
import type { StartPhase, Workload } from '../workloads/workload.ts';
import type { BuildCommandKey } from './project-build.ts';
import type { SessionStores } from './session-stores.ts';

export interface BuildRecord {
  number: number;
  /** What started it: 'start', 'change', 'manual'. */
  reason: string;
  startedAt: number;
  buildMs?: number;
  startMs?: number;
  /** From the save (or the request) to the new version serving. */
  totalMs?: number;
  outcome: 'running' | 'ok' | 'failed' | 'cancelled';
  error?: StudioError;
}

/** What a session is doing, for progress lines and the UI. */
/** Whether saves rebuild: `off` with --no-watch, `failed` when the watcher could not start. */
export type WatchState = 'on' | 'off' | 'failed';

export type SessionEvent =
  | { kind: 'target'; description: string; dataDir: string }
  | { kind: 'stores'; stores: SessionStores }
  /** `command` names the key of a command build: build.command, or dev.command, which wins. */
  | { kind: 'build-started'; build: BuildRecord; builder: 'componentize-js' | 'command' | 'none'; command?: BuildCommandKey }
  | { kind: 'build-finished'; build: BuildRecord; cached: boolean }
  | { kind: 'phase'; phase: StartPhase }
  /** `watching`: saves rebuild (false with --no-watch). */
  /** `url` is the gateway's root; `root` the workload answering there, if any (the others answer at <name>.localhost). */
  | { kind: 'serving'; url: string; workloads: Workload[]; root: Workload | undefined; watching: WatchState }
  /** The first version has no HTTP export at all: nothing listens, its service runs. */
  | { kind: 'no-http'; service: string | undefined; watching: WatchState }
  /** The service changed state: running, restarting after it ended, stopped. */
  | { kind: 'service'; name: string; state: ServiceState }
  /** A build is serving: the first one (`first`) or a reload. */
  | { kind: 'reloaded'; build: BuildRecord; first: boolean }
  /** `ends`: the first build at start failed in a way that ends the session (dev-session's endsSession). */
  | { kind: 'build-failed'; build: BuildRecord; error: StudioError; output?: string; first: boolean; ends?: true }
  /** by: the reason of the request that replaced it ('change', 'manual'), or 'stop' when the session stopped. */
  | { kind: 'build-cancelled'; build: BuildRecord; by: string };

/** A failed first build that ends the session: the session's log says why (✗ …), so a command need not say it again. */
export function endsSession(event: SessionEvent): boolean {
  return event.kind === 'build-failed' && event.ends === true;
}

/** A step's outcome; a failed build carries the tool's output for the UI. */
export type CycleResult<T> = { ok: true; value: T } | { ok: false; error: StudioError; output?: string };

/** The gateway could not listen (a port in use or not allowed): the address's problem, not the build's. */
export function isListenFailure(error: StudioError): boolean {
  return ['port-in-use', 'port-denied', 'listen-failed'].includes(error.code);
}
