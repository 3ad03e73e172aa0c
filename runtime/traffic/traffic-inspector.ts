// A session's traffic inspector: the capture on the gateway, the store of what it captured
// (spilled under the project's .wash/studio/traffic/), its settings, replays, and the checks
// that run after every successful reload. The session owns one and calls three hooks (open,
// reloaded, close); the Studio API and the CLI use the rest.
//
// Must not: slow a request down beyond the capture's few allocations, or let a check run
// hold up a reload (checks run after it, one run at a time).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { messageOf } from '../errors.ts';
import type { ExchangeTap } from '../gateway/http-gateway.ts';
import type { LogBus } from '../logs/log-bus.ts';
import { runChecks, type CheckRun, type DataSandbox } from './check-run.ts';
import { DEFAULT_BODY_LIMIT, ExchangeCapture, type CaptureSettings } from './exchange-capture.ts';
import { replayRecords, type ReplayOptions, type ReplayReport } from './traffic-replay.ts';
import { DEFAULT_CAPACITY, TrafficStore } from './traffic-store.ts';

export interface TrafficInspectorOptions {
  logs: LogBus;
  /** The build serving now. */
  build: () => number | undefined;
  /** The gateway's URL once it listens. */
  gatewayUrl: () => string | undefined;
  /** The session's request timeout: a replay waits a little longer than that. */
  requestTimeoutMs: number;
  /** Records kept (default 10,000). */
  capacity?: number;
  /** Record clients' requests (default true; settings.json in the folder wins). */
  enabled?: boolean;
  /** Run the project's checks after every successful reload (default true). */
  checksOnReload?: boolean;
}

/** What .wash/studio/traffic/settings.json holds. */
interface SavedSettings {
  capture?: boolean;
  bodyLimit?: number;
  /** Records kept (the ring's size). */
  capacity?: number;
}

export class TrafficInspector {
  readonly store: TrafficStore;
  readonly capture: ExchangeCapture;
  private washDir: string | undefined;
  private checking: Promise<unknown> = Promise.resolve();
  private checkQueued = false;
  private lastRunValue: CheckRun | undefined;
  private readonly runListeners = new Set<(run: CheckRun) => void>();
  /** Set by whoever can copy and restore the data folders (the Studio API's snapshot commands). */
  sandbox: DataSandbox | undefined;

  constructor(private readonly options: TrafficInspectorOptions) {
    this.store = new TrafficStore({ logs: options.logs, capacity: options.capacity ?? DEFAULT_CAPACITY });
    this.capture = new ExchangeCapture(this.store, options.build, { enabled: options.enabled ?? true, bodyLimit: DEFAULT_BODY_LIMIT });
  }

  /** The gateway's tap. */
  get tap(): ExchangeTap {
    return this.capture.tap;
  }

  get settings(): Readonly<CaptureSettings> {
    return this.capture.settings;
  }

  /** The project's .wash folder, once the session resolved its target. */
  get folder(): string | undefined {
    return this.washDir;
  }

  /** The latest check run. */
  get lastRun(): CheckRun | undefined {
    return this.lastRunValue;
  }

  /** Starts keeping traffic under `washDir`/studio/traffic, with what an earlier run kept there. */
  async open(washDir: string): Promise<void> {
    this.washDir = washDir;
    const saved = await this.readSettings();
    if (saved.capture !== undefined) this.capture.settings.enabled = saved.capture;
    if (saved.bodyLimit !== undefined) this.capture.settings.bodyLimit = saved.bodyLimit;
    await this.store.open(this.trafficDir(washDir), saved.capacity, dirname(washDir));
  }

  async close(): Promise<void> {
    await this.checking;
    await this.store.close();
  }

  /** Changes the capture's settings, kept in the project for the next run. */
  async configure(change: Partial<CaptureSettings>): Promise<CaptureSettings> {
    if (change.enabled !== undefined) this.capture.settings.enabled = change.enabled;
    if (change.bodyLimit !== undefined) this.capture.settings.bodyLimit = change.bodyLimit;
    if (this.washDir) {
      const dir = this.trafficDir(this.washDir);
      await mkdir(dir, { recursive: true });
      const file = join(dir, 'settings.json');
      await writeFile(`${file}.tmp`, `${JSON.stringify({ capture: this.capture.settings.enabled, bodyLimit: this.capture.settings.bodyLimit, capacity: this.store.capacity } satisfies SavedSettings, null, 2)}\n`);
      await rename(`${file}.tmp`, file);
    }
    return { ...this.capture.settings };
  }

  /** Listens for finished check runs; returns the function that stops listening. */
  onCheckRun(listener: (run: CheckRun) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /**
   * A build is serving: its checks run (after any run under way; runs queued meanwhile become
   * one). A workload with no HTTP (a service alone) has nothing to check, and is not told so
   * on every reload.
   */
  reloaded(): void {
    if (this.options.checksOnReload === false || this.checkQueued || !this.options.gatewayUrl()) return;
    this.checkQueued = true;
    this.checking = this.checking.then(async () => {
      this.checkQueued = false;
      await this.runChecks();
    });
  }

  /** Runs the project's checks now against the serving build. */
  async runChecks(): Promise<CheckRun> {
    const washDir = this.washDir;
    const gatewayUrl = this.options.gatewayUrl();
    const build = this.options.build();
    let run: CheckRun;
    if (!washDir || !gatewayUrl) {
      run = { startedAt: Date.now(), durationMs: 0, passed: 0, failed: 0, results: [], error: { code: 'not-serving', message: 'Nothing is being served yet, so the checks cannot run.', hint: 'Wait for a build to serve.' } };
    } else {
      try {
        run = await runChecks({ washDir, gatewayUrl, capture: this.capture, bodiesOf: (id) => this.store.bodiesOf(id), timeoutMs: this.clientTimeoutMs(), ...(build !== undefined ? { build } : {}), ...(this.sandbox ? { sandbox: this.sandbox } : {}) });
      } catch (err) {
        run = { startedAt: Date.now(), durationMs: 0, passed: 0, failed: 0, results: [], error: { code: 'checks-failed', message: `The checks could not run: ${messageOf(err)}.` } };
      }
    }
    this.lastRunValue = run;
    this.report(run);
    for (const listener of this.runListeners) listener(run);
    return run;
  }

  /** Replays records against the serving build and compares the answers. */
  async replay(ids: readonly number[], options: Pick<ReplayOptions, 'ignoredHeaders' | 'data' | 'progress'>): Promise<ReplayReport | { error: string }> {
    const gatewayUrl = this.options.gatewayUrl();
    if (!gatewayUrl) return { error: 'Nothing is being served yet.' };
    const build = this.options.build();
    return replayRecords(ids, {
      ...options,
      store: this.store,
      capture: this.capture,
      gatewayUrl,
      timeoutMs: this.clientTimeoutMs(),
      ...(build !== undefined ? { build } : {}),
      ...(this.sandbox ? { sandbox: this.sandbox } : {}),
    });
  }

  /** How long the studio's own clients (replays, checks, the HTTP view) wait: past the gateway's timeout, so its 504 comes back. */
  clientTimeoutMs(): number {
    return this.options.requestTimeoutMs + 5000;
  }

  private trafficDir(washDir: string): string {
    return join(washDir, 'studio', 'traffic');
  }

  private async readSettings(): Promise<SavedSettings> {
    if (!this.washDir) return {};
    try {
      const value = JSON.parse(await readFile(join(this.trafficDir(this.washDir), 'settings.json'), 'utf8')) as SavedSettings;
      return {
        ...(typeof value.capture === 'boolean' ? { capture: value.capture } : {}),
        ...(typeof value.bodyLimit === 'number' && value.bodyLimit >= 0 ? { bodyLimit: value.bodyLimit } : {}),
        ...(Number.isInteger(value.capacity) && value.capacity! >= 100 && value.capacity! <= 1_000_000 ? { capacity: value.capacity! } : {}),
      };
    } catch {
      return {};
    }
  }

  /** One line in the log (and so in the terminal) per run that had checks to run. */
  private report(run: CheckRun): void {
    const build = run.build !== undefined ? `build ${run.build} · ` : '';
    if (run.error) {
      this.options.logs.append({ level: 'error', source: 'studio', text: `checks: ${run.error.message}${run.error.hint ? ` ${run.error.hint}` : ''}` });
      return;
    }
    const total = run.results.length;
    if (total === 0) return;
    if (run.failed === 0) {
      this.options.logs.append({ level: 'info', source: 'studio', text: `checks: ${build}${total}/${total} pass` });
      return;
    }
    const failures = run.results.filter((r) => !r.passed).slice(0, 5).map((r) => `${r.name}: ${r.problems.join(' ')}`);
    this.options.logs.append({ level: 'warn', source: 'studio', text: `checks: ${build}${run.passed}/${total} pass, ${run.failed} failed: ${failures.join(' | ')}${run.failed > 5 ? ' …' : ''}` });
  }
}
