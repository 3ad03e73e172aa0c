// What every benchmark module exports, and what run.ts hands it.
export interface BenchOptions {
  /** Seconds of load measured per run at the main concurrency. */
  seconds: number;
  /** Seconds of warm-up load before each measured run. */
  warmupSeconds: number;
  /** Seconds measured at concurrency 1 (latency). */
  latencySeconds: number;
  /** Connections for the throughput runs. */
  connections: number;
  /** Prebuilt components (paths to .wasm) the HTTP benchmark serves besides its own: any toolchain's. */
  components?: string[];
}

export interface TargetCheck {
  benchmark: string;
  subject: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchOutcome {
  targets: TargetCheck[];
  /** Everything measured, for --json. */
  data: unknown;
}

export interface Benchmark {
  /** One line: what it measures. */
  description: string;
  run(options: BenchOptions, print: (text?: string) => void): Promise<BenchOutcome>;
}
