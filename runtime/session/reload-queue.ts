// When reload cycles run: one at a time; a request during a cycle cancels it (it works on
// stale sources) and queues exactly one more, however many requests come in meanwhile.
// Knows nothing of what a cycle does.

export type Cycle = (reason: string, at: number, signal: AbortSignal) => Promise<void>;

/** The abort reason of a cycle cancelled because the queue stopped (else: the next request's reason). */
export const STOPPED = 'stop';

export class ReloadQueue {
  private running: Promise<void> | undefined;
  private controller: AbortController | undefined;
  private pending: { reason: string; at: number } | undefined;
  private stopped = false;

  constructor(private readonly cycle: Cycle) {}

  /** Runs a cycle now, or after the running one, which is cancelled. */
  request(reason: string, at: number): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending ??= { reason, at };
      // The signal's reason says what stopped the cycle: the reason of the request that came.
      this.controller?.abort(reason);
      return;
    }
    void this.run(reason, at);
  }

  /** Runs a cycle (and whatever is requested during it); resolves when none is left. */
  run(reason: string, at: number): Promise<void> {
    this.running = (async () => {
      let next: { reason: string; at: number } | undefined = { reason, at };
      try {
        while (next && !this.stopped) {
          this.pending = undefined;
          this.controller = new AbortController();
          await this.cycle(next.reason, next.at, this.controller.signal);
          next = this.pending;
        }
      } finally {
        this.controller = undefined;
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no cycle is running or queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Cancels the running cycle and runs no more. */
  stop(): void {
    this.stopped = true;
    this.controller?.abort(STOPPED);
  }
}
